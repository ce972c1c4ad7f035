"""Binding group chats to the city, a district or a task team: /bindgroup, /unbindgroup."""

ZH_CN: dict[str, str] = {
    # Groups
    "bind.choose": "请选择本群要绑定的范围：",
    "bind.ok_city": "✅ 本群已绑定为全市群。市总工会的通知和汇总会发到这里。",
    "bind.ok_district": "✅ 本群已绑定为{district}区群。{district}区的通知和汇总会发到这里。",
    "bind.ok_team": "✅ 本群已绑定为攻关队群：#{id} {title}。发给这支攻关队的通知会发到这里。",
    "bind.team_usage": "用法：/bindgroup team 抽调编号，例如 /bindgroup team 3。编号见 /callups。",
    "bind.team_hq_only": "攻关队群只能由市总工会管理员绑定。",
    "bind.team_unknown": "没有编号为 #{id} 的抽调。编号见 /callups。",
    "bind.team_draft": "抽调 #{id} 还没有发出邀请，发出后再绑定队群。",
    "bind.team_cancelled": "抽调 #{id} 已取消，不能绑定队群。",
    "bind.usage": "用法：/bindgroup city、/bindgroup district 区名 或 /bindgroup team 抽调编号",
    "bind.privacy": (
        "⚠️ 我现在看不到群里的普通消息（Telegram 隐私模式）。要记录群里的 #走访 等工作动态，"
        "请把我设为群管理员，或在 @BotFather 用 /setprivacy 关闭隐私模式。"
    ),
    "unbind.ok": "已解除本群的绑定。",
    "unbind.none": "本群没有绑定。",
    "button.city": "全市",
}

EN: dict[str, str] = {
    # Groups
    "bind.choose": "Choose what this group is for:",
    "bind.ok_city": "✅ This group is now the city group: HQ's notices and digests go here.",
    "bind.ok_district": (
        "✅ This group is now the {district} group: {district}'s notices and digests go here."
    ),
    "bind.ok_team": (
        "✅ This group is now the group of task team #{id} {title}: the team's notices go here."
    ),
    "bind.team_usage": "Usage: /bindgroup team <call-up number>, e.g. /bindgroup team 3. See /callups.",
    "bind.team_hq_only": "Only city HQ admins can bind a task team's group.",
    "bind.team_unknown": "There is no call-up #{id}. See /callups for the numbers.",
    "bind.team_draft": "Call-up #{id} has not sent its invitations yet; bind the team group after.",
    "bind.team_cancelled": "Call-up #{id} was cancelled; its team group cannot be bound.",
    "bind.usage": (
        "Usage: /bindgroup city, /bindgroup district <district> or /bindgroup team <call-up number>"
    ),
    "bind.privacy": (
        "⚠️ I cannot see ordinary messages in this group (Telegram's privacy mode). To record "
        "#走访 reports posted here, make me a group admin, or turn privacy mode off with "
        "/setprivacy in @BotFather."
    ),
    "unbind.ok": "This group is no longer bound.",
    "unbind.none": "This group is not bound.",
    "button.city": "The city",
}
