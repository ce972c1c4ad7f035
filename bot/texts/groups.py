"""Binding group chats to the city or a district: /bindgroup, /unbindgroup."""

ZH_CN: dict[str, str] = {
    # Groups
    "bind.choose": "请选择本群要绑定的范围：",
    "bind.ok_city": "✅ 本群已绑定为全市群。市总工会的通知和汇总会发到这里。",
    "bind.ok_district": "✅ 本群已绑定为{district}区群。{district}区的通知和汇总会发到这里。",
    "bind.team_later": "任务组群的绑定会随“抽调 / 集中攻关”功能开放，目前可绑定全市或某区。",
    "bind.usage": "用法：/bindgroup city 或 /bindgroup district 区名",
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
    "bind.team_later": (
        "Task-team groups come with call-ups; for now a group can be bound to the city "
        "or a district."
    ),
    "bind.usage": "Usage: /bindgroup city or /bindgroup district <district>",
    "bind.privacy": (
        "⚠️ I cannot see ordinary messages in this group (Telegram's privacy mode). To record "
        "#走访 reports posted here, make me a group admin, or turn privacy mode off with "
        "/setprivacy in @BotFather."
    ),
    "unbind.ok": "This group is no longer bound.",
    "unbind.none": "This group is not bound.",
    "button.city": "The city",
}
