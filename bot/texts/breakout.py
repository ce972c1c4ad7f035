"""Trainings: /breakout groups for mock negotiation, and attendance in /me."""

ZH_CN: dict[str, str] = {
    # /breakout
    "cmd.breakout": "模拟协商分组：把已签到的人分组、分角色",
    "breakout.usage": (
        "用法：/breakout 培训编号 组数\n"
        "例如 /breakout 12 4：把培训 #12 已签到的人分成 4 组，每组至少 2 人。"
    ),
    "breakout.bad_number": "“{value}”不是数字。用法：/breakout 培训编号 组数，例如 /breakout 12 4。",
    "breakout.not_found": "没有编号为 #{id} 的培训。",
    "breakout.not_yours": "培训 #{id}「{title}」不归你管，只有组织者、市总工会或本区管理员可以分组。",
    "breakout.cancelled": "培训 #{id}「{title}」已取消，不能分组。",
    "breakout.too_few_groups": "组数至少是 1（收到 {groups}）。",
    "breakout.nobody": "培训 #{id}「{title}」还没有人签到，签到后再分组吧。",
    "breakout.too_few_people": "只有 {count} 人签到，至少 2 人才能分组。",
    "breakout.too_many_groups": "已签到 {count} 人，每组至少 2 人，最多分 {most} 组（收到 {groups} 组）。",
    "breakout.side.worker": "职工方",
    "breakout.side.employer": "企业方",
    "breakout.role.lead": "{side}·组长",
    "breakout.line": "· {name}（{district}）{role}",
    "breakout.member": (
        "🤝 培训 #{id}「{title}」分组模拟协商\n"
        "你在第 {group} 组，扮演{side}。组长：{lead}\n"
        "本组成员：\n{members}"
    ),
    "breakout.member.lead": (
        "🤝 培训 #{id}「{title}」分组模拟协商\n"
        "你在第 {group} 组，扮演{side}，并担任组长，请带大家分工准备、推进协商。\n"
        "本组成员：\n{members}"
    ),
    "breakout.many": "共 {size} 人（人数较多，名单见现场）",
    "breakout.again": "🔄 分组有调整（第 {round} 次分组），以这条为准。",
    "breakout.table": "🤝 培训 #{id}「{title}」：已签到 {count} 人，分成 {groups} 组（第 {round} 次分组）",
    "breakout.group": "第 {number} 组（{size} 人，职工方 {workers}、企业方 {employers}）",
    "breakout.table.line": "· {name}（{district}·{level}{employment}）{role}",
    "breakout.told": "已私信通知 {count} 人各自的组、角色和组员。",
    "breakout.untold": "⚠️ 以下人员没有绑定 Telegram，收不到私信，请当面告知：{names}",
    "breakout.replaced": "再次发送 /breakout 会重新分组，并通知所有人以新分组为准。",
    # Attendance in /me
    "attendance.me.title": "📚 参加培训 {count} 次：",
    "attendance.me.line": "· {date} {title}{walk_in}",
    "attendance.me.walk_in": "（现场签到）",
    "attendance.me.more": "……还有 {count} 次较早的培训",
}

EN: dict[str, str] = {
    # /breakout
    "cmd.breakout": "Mock negotiation: split those checked in into groups with sides",
    "breakout.usage": (
        "Usage: /breakout <training id> <groups>\n"
        "E.g. /breakout 12 4 splits those checked in at training #12 into 4 groups of at least 2."
    ),
    "breakout.bad_number": "“{value}” is not a number. Usage: /breakout <training id> <groups>, e.g. /breakout 12 4.",
    "breakout.not_found": "There is no training #{id}.",
    "breakout.not_yours": "Training #{id} “{title}” is not yours: only its organizer, HQ or its district's admin may split it.",
    "breakout.cancelled": "Training #{id} “{title}” was cancelled; it cannot be split into groups.",
    "breakout.too_few_groups": "There must be at least 1 group (got {groups}).",
    "breakout.nobody": "Nobody has checked in at training #{id} “{title}” yet; split it after check-in.",
    "breakout.too_few_people": "Only {count} checked in; a split needs at least 2.",
    "breakout.too_many_groups": "{count} checked in and each group needs at least 2: {most} groups at most (asked for {groups}).",
    "breakout.side.worker": "workers' side",
    "breakout.side.employer": "employer's side",
    "breakout.role.lead": "{side}, group lead",
    "breakout.line": "· {name} ({district}) {role}",
    "breakout.member": (
        "🤝 Training #{id} “{title}”: mock negotiation\n"
        "You are in group {group}, on the {side}. Group lead: {lead}\n"
        "Your group:\n{members}"
    ),
    "breakout.member.lead": (
        "🤝 Training #{id} “{title}”: mock negotiation\n"
        "You are in group {group}, on the {side}, and you lead the group: share out the roles and keep the negotiation moving.\n"
        "Your group:\n{members}"
    ),
    "breakout.many": "{size} people (a large group: see the list in the room)",
    "breakout.again": "🔄 The groups changed (split no. {round}): this message counts.",
    "breakout.table": "🤝 Training #{id} “{title}”: {count} checked in, {groups} groups (split no. {round})",
    "breakout.group": "Group {number} ({size} people; workers' side {workers}, employer's side {employers})",
    "breakout.table.line": "· {name} ({district}, {level} {employment}) {role}",
    "breakout.told": "{count} people were told their group, side and fellow members in private.",
    "breakout.untold": "⚠️ Not on Telegram, so not told in private; please tell them in person: {names}",
    "breakout.replaced": "Sending /breakout again makes new groups and tells everyone the new ones count.",
    # Attendance in /me
    "attendance.me.title": "📚 Trainings attended: {count}",
    "attendance.me.line": "· {date} {title}{walk_in}",
    "attendance.me.walk_in": " (walk-in)",
    "attendance.me.more": "… and {count} earlier",
}
