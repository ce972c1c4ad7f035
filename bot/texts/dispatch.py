"""The dispatch board (派驻): /assign and /dispatch, and the roster's two dispatch columns."""

ZH_CN: dict[str, str] = {
    # The dispatch board
    "cmd.assign": "派驻：记录市级指导员负责的区和产业",
    "cmd.dispatch": "派驻情况：谁负责哪些区和产业，哪些无人派驻",
    "field.assigned_districts": "派驻区",
    "field.assigned_industries": "派驻产业",
    "assign.usage": (
        "用法：/assign 姓名 区:西城,东城 行业:制造业\n"
        "· 只改一项就只写一项；“区:清空”或“区:”后不写内容即取消派驻区，行业同理。\n"
        "· 有同名指导员时，在姓名后加所属区：/assign 张三 西城 区:东城\n"
        "· 只发 /assign 姓名 查看此人现在的派驻。"
    ),
    "assign.stray": "看不懂“{value}”。派驻区写在“区:”后面，产业写在“行业:”后面。",
    "assign.unknown_district": "没有“{value}”这个区，什么也没有记录。可选：{names}",
    "assign.too_long": "产业名称太长（最多 {limit} 字）：{value}",
    "assign.not_found": "找不到叫“{name}”的指导员。",
    "assign.choose": "有几位指导员符合“{name}”，请选择一位：",
    "assign.expired": "这个选择已过期，请重新发送 /assign。",
    "assign.who": "{name}（{district}，{level}{employment}）",
    "assign.recorded": "✅ 已记录{who}的派驻：",
    "assign.unchanged": "{who}的派驻没有变化：",
    "assign.current": "{who}现在的派驻：",
    "assign.districts": "区：{districts}",
    "assign.industries": "产业：{industries}",
    "assign.nothing": "无",
    "assign.not_city": "注意：{name}是{level}指导员，不是市级。",
    "assign.not_active": "注意：{name}目前{status}，在 /dispatch 中不计入。",
    "dispatch.title": "🗺 派驻情况（在职指导员）",
    "dispatch.empty": "还没有派驻记录。用 /assign 姓名 区:西城 行业:制造业 记录。",
    "dispatch.by_district": "按区：",
    "dispatch.by_industry": "按产业：",
    "dispatch.line": "{what}：{who}",
    "dispatch.person": "{name}（{district}）",
    "dispatch.person_level": "{name}（{district}·{level}）",
    "dispatch.open_districts": "无人派驻的区：{names}",
    "dispatch.open_industries": "无人派驻的产业：{names}",
    "dispatch.separator": "、",
}

EN: dict[str, str] = {
    # The dispatch board
    "cmd.assign": "Dispatch: the districts and industries a city-level instructor covers",
    "cmd.dispatch": "Dispatch board: who covers what, and what nobody covers",
    "field.assigned_districts": "assigned districts",
    "field.assigned_industries": "assigned industries",
    "assign.usage": (
        "Usage: /assign <name> 区:西城,东城 行业:制造业 (or district:… industry:…)\n"
        "· Give only what changes; “区:清空” or “区:” with nothing after it clears the"
        " districts, likewise for industries.\n"
        "· Namesakes: put their own district after the name: /assign 张三 西城 区:东城\n"
        "· /assign <name> alone shows what they cover now."
    ),
    "assign.stray": (
        "I do not understand “{value}”. Districts go after “区:”, industries after “行业:”."
    ),
    "assign.unknown_district": (
        "There is no district “{value}”; nothing was recorded. Choose from: {names}"
    ),
    "assign.too_long": "An industry name is too long (at most {limit} characters): {value}",
    "assign.not_found": "There is no instructor called “{name}”.",
    "assign.choose": "Several instructors match “{name}”. Choose one:",
    "assign.expired": "This choice has expired; please send /assign again.",
    "assign.who": "{name} ({district}, {level} {employment})",
    "assign.recorded": "✅ Recorded for {who}:",
    "assign.unchanged": "Nothing changed for {who}:",
    "assign.current": "{who} covers now:",
    "assign.districts": "Districts: {districts}",
    "assign.industries": "Industries: {industries}",
    "assign.nothing": "none",
    "assign.not_city": "Note: {name} is {level}, not city-level.",
    "assign.not_active": "Note: {name}'s status is “{status}”; /dispatch does not count them.",
    "dispatch.title": "🗺 Dispatch board (active instructors)",
    "dispatch.empty": "Nobody is dispatched yet. Record it with /assign <name> 区:西城 行业:制造业.",
    "dispatch.by_district": "By district:",
    "dispatch.by_industry": "By industry:",
    "dispatch.line": "{what}: {who}",
    "dispatch.person": "{name} ({district})",
    "dispatch.person_level": "{name} ({district}, {level})",
    "dispatch.open_districts": "Districts nobody covers: {names}",
    "dispatch.open_industries": "Industries nobody covers: {names}",
    "dispatch.separator": ", ",
}
