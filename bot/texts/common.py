"""Texts any feature may use: refusals, roles and attributes, time expressions."""

ZH_CN: dict[str, str] = {
    # Refusals and hints that any handler may give
    "refused.stranger": "你还没有登记。请打开管理员发给你的邀请链接，或发送 /start 邀请码。",
    "refused.not_admin": "此命令仅限管理员使用。",
    "refused.not_hq": "此命令仅限市总工会管理员使用。",
    "refused.other_district": "你只能管理{district}区的数据。",
    "where.private": "请在与我的私聊中使用此命令。",
    "where.group": "请在要绑定的群里发送此命令。",
    "error.generic": "抱歉，出了点问题。请稍后重试，重复操作不会产生重复数据。问题已记录。",
    "unknown_command": "没有这个命令。发送 /help 查看可用命令。",
    "hint.help": "发送 /help 查看可以做什么。",
    "none": "—",
    "city": "全市",
    # Roles and attributes
    "role.hq": "市总工会管理员",
    "role.district_admin": "{district}区管理员",
    "role.instructor": "指导员",
    "level.city": "市级",
    "level.district": "区级",
    "level.street": "街乡级",
    "level.enterprise": "企业级",
    "employment.full_time": "专职",
    "employment.part_time": "兼职",
    "status.active": "在职",
    "status.on_leave": "请假",
    "status.ended": "离任",
    # Time expressions
    "when.unreadable": "看不懂时间“{value}”。可以这样写：2026-12-01 09:00、12月1日 9:00、明天 15:00、每周一 9:00、每月1日 9:00、in 2h。",
    "when.past": "“{value}”已经过去了，请写一个将来的时间，例如 明天 9:00。",
    "when.impossible_date": "没有“{value}”这一天，请检查日期，例如 2月28日。",
    "when.bad_time": "“{value}”不是有效的时刻，请写 0:00 到 23:59 之间，例如 9:30。",
}

EN: dict[str, str] = {
    # Refusals and hints that any handler may give
    "refused.stranger": (
        "You are not registered yet. Open the invite link your admin sent you, "
        "or send /start followed by your invite code."
    ),
    "refused.not_admin": "This command is for admins only.",
    "refused.not_hq": "This command is for city HQ admins only.",
    "refused.other_district": "You can only manage the data of {district}.",
    "where.private": "Please use this command in a private chat with me.",
    "where.group": "Please send this command in the group you want to bind.",
    "error.generic": (
        "Sorry, something went wrong. Please try again later; repeating it creates no "
        "duplicates. The problem has been logged."
    ),
    "unknown_command": "There is no such command. Send /help to see what you can do.",
    "hint.help": "Send /help to see what you can do.",
    "none": "—",
    "city": "the city",
    # Roles and attributes
    "role.hq": "city HQ admin",
    "role.district_admin": "{district} district admin",
    "role.instructor": "instructor",
    "level.city": "city-level",
    "level.district": "district-level",
    "level.street": "street-level",
    "level.enterprise": "enterprise-level",
    "employment.full_time": "full-time",
    "employment.part_time": "part-time",
    "status.active": "active",
    "status.on_leave": "on leave",
    "status.ended": "ended",
    # Time expressions
    "when.unreadable": "I can't read the time “{value}”. Try: 2026-12-01 09:00, 12月1日 9:00, 明天 15:00, 每周一 9:00, 每月1日 9:00, in 2h, tomorrow 9am.",
    "when.past": "“{value}” is in the past; give a future time such as tomorrow 9am.",
    "when.impossible_date": "There is no such day as “{value}”; please check the date.",
    "when.bad_time": "“{value}” is not a time of day; use 0:00 to 23:59, e.g. 9:30.",
}
