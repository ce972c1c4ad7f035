"""The people of a scope and their roles: /people, /invite, /admin."""

ZH_CN: dict[str, str] = {
    # /people
    "people.header": "{scope}指导员 {total} 人，已绑定 {bound} 人（第 {page}/{pages} 页）",
    "people.line": "{name} · {district} · {level}{employment} · {binding}",
    "people.bound": "✅已绑定",
    "people.unbound": "⏳未绑定",
    "people.empty": "{scope}还没有指导员。把花名册表格发给我即可导入。",
    "button.prev": "◀ 上一页",
    "button.next": "下一页 ▶",
    # /admin
    "admin.usage": (
        "用法：\n/admin add <Telegram ID 或 @用户名> district <区名> — 设为区管理员\n"
        "/admin add <Telegram ID 或 @用户名> hq — 设为市总工会管理员\n"
        "/admin remove <Telegram ID 或 @用户名>\n/admin list"
    ),
    "admin.unknown_account": "找不到 {ref}。请让对方先给我发送 /start，或改用数字 Telegram ID。",
    "admin.added": "✅ 已将 {who} 设为{role}。",
    "admin.removed": "已取消 {who} 的管理员身份。",
    "admin.not_admin": "{who} 不是在聊天中添加的管理员。",
    "admin.configured": "{who} 是 HQ_ADMIN_IDS 配置的管理员，只能在配置中修改。",
    "admin.list": "管理员：",
    "admin.list_line": "{who} — {role}",
    "admin.list_configured": "{who} — 市总工会管理员（HQ_ADMIN_IDS）",
    "district.unknown": "没有“{name}”这个区。可选：{names}",
}

EN: dict[str, str] = {
    # /people
    "people.header": ("Instructors of {scope}: {total}, joined: {bound} (page {page}/{pages})"),
    "people.line": "{name} · {district} · {level} {employment} · {binding}",
    "people.bound": "✅ joined",
    "people.unbound": "⏳ not joined",
    "people.empty": "No instructors in {scope} yet. Send me a roster spreadsheet to import them.",
    "button.prev": "◀ Previous",
    "button.next": "Next ▶",
    # /admin
    "admin.usage": (
        "Usage:\n/admin add <Telegram ID or @username> district <district> — district admin\n"
        "/admin add <Telegram ID or @username> hq — city HQ admin\n"
        "/admin remove <Telegram ID or @username>\n/admin list"
    ),
    "admin.unknown_account": (
        "I do not know {ref}. Ask them to send me /start first, or use the numeric Telegram ID."
    ),
    "admin.added": "✅ {who} is now {role}.",
    "admin.removed": "{who} is no longer an admin.",
    "admin.not_admin": "{who} is not an admin added in the chat.",
    "admin.configured": "{who} is an admin by HQ_ADMIN_IDS; change that in the configuration.",
    "admin.list": "Admins:",
    "admin.list_line": "{who} — {role}",
    "admin.list_configured": "{who} — city HQ admin (HQ_ADMIN_IDS)",
    "district.unknown": "There is no district “{name}”. Choose one of: {names}",
}
