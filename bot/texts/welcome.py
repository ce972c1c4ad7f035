"""Joining and the profile: /start and invites, /help and the command menu, /me, /lang."""

ZH_CN: dict[str, str] = {
    # /start and invites
    "start.stranger": (
        "你好！这里是协商通，集体协商指导员的工作助手。\n"
        "请打开管理员发给你的邀请链接完成登记，或发送 /start 邀请码。"
    ),
    "start.welcome": "{name}，欢迎使用协商通！你已登记为{district}区{level}指导员。",
    "start.hello": "{name}，你好！",
    "start.admin": "你好，{role}！",
    "invite.unknown": "邀请码无效。请检查后重发，或向管理员索取新的邀请链接。",
    "invite.used": "这个邀请码已经用过了。如需重新绑定，请向管理员索取新的邀请链接。",
    "invite.revoked": "这个邀请码已作废，请使用管理员最新发给你的邀请链接。",
    "invite.expired": "这个邀请码已过期。请向管理员索取新的邀请链接。",
    "invite.instructor_bound": "{name} 已绑定了另一个 Telegram 账号。如有疑问请联系管理员。",
    "invite.account_bound": "你的 Telegram 账号已绑定为 {name}，一个账号只能绑定一位指导员。",
    "invite.ended": "{name} 的指导员身份已结束，无法绑定。如有疑问请联系管理员。",
    "invite.already_yours": "你已经绑定为 {name}，无需重复绑定。",
    "invite.usage": "用法：/invite 姓名 [区名]，例如 /invite 张三 西城",
    "invite.not_found": "没有找到指导员“{name}”。",
    "invite.choose": "有多位指导员叫“{name}”，请选择：",
    "invite.issued": (
        "已为 {name}（{district}区）生成新的邀请：\n邀请码：{code}\n链接：{link}\n"
        "有效期至 {expires}。之前未用的邀请码已作废。"
    ),
    "invite.bound_already": "{name} 已绑定 Telegram 账号，无需邀请。",
    "invite.no_username": "还不知道机器人的用户名，无法生成邀请链接。",
    # /help
    "help.stranger": "你还没有登记。可以使用：",
    "help.instructor": "你可以使用这些命令：",
    "help.admin": "你可以使用这些命令：",
    "help.upload": "📎 直接发送花名册或企业名录表格（.xlsx/.csv）即可导入。",
    "cmd.start": "开始 / 用邀请码登记",
    "cmd.help": "查看可用命令",
    "cmd.me": "我的资料",
    "cmd.lang": "切换语言（中文 / English）",
    "cmd.people": "指导员名单及绑定情况",
    "cmd.invite": "为指导员生成新的邀请链接",
    "cmd.admin": "添加或移除管理员",
    "cmd.bindgroup": "把本群绑定到全市或某区（群内使用）",
    "cmd.unbindgroup": "解除本群的绑定（群内使用）",
    # /me
    "me.instructor": (
        "👤 {name}\n层级：{level}\n类别：{employment}\n所属区：{district}\n街道乡镇：{street}\n"
        "产业：{industries}\n专长：{skills}\n入职日期：{start_date}\n带教导师：{mentor}\n"
        "手机：{phone}\n状态：{status}"
    ),
    "me.admin": "你的身份：{role}\nTelegram ID：{telegram_id}",
    "me.stranger": "你还没有登记。Telegram ID：{telegram_id}",
    # /lang
    "lang.choose": "请选择语言 / Choose your language:",
    "lang.set": "已切换为中文。",
    "lang.usage": "用法：/lang zh 或 /lang en",
}

EN: dict[str, str] = {
    # /start and invites
    "start.stranger": (
        "Hello! This is Xieshang, the assistant for collective-bargaining instructors.\n"
        "Open the invite link your admin sent you, or send /start followed by your invite code."
    ),
    "start.welcome": "Welcome, {name}! You are registered as a {level} instructor of {district}.",
    "start.hello": "Hello, {name}!",
    "start.admin": "Hello, {role}!",
    "invite.unknown": (
        "This invite code is not valid. Check it and send it again, or ask your admin "
        "for a new invite link."
    ),
    "invite.used": (
        "This invite code has already been used. To bind again, ask your admin for a new link."
    ),
    "invite.revoked": (
        "This invite code has been replaced. Please use the newest link your admin sent you."
    ),
    "invite.expired": "This invite code has expired. Please ask your admin for a new link.",
    "invite.instructor_bound": (
        "{name} is already bound to another Telegram account. Please contact your admin."
    ),
    "invite.account_bound": (
        "Your Telegram account is already bound to {name}; one account can bind one instructor."
    ),
    "invite.ended": "{name}'s instructor role has ended, so it cannot be bound.",
    "invite.already_yours": "You are already bound as {name}; nothing to do.",
    "invite.usage": "Usage: /invite <name> [district], e.g. /invite 张三 西城",
    "invite.not_found": "No instructor named “{name}” was found.",
    "invite.choose": "Several instructors are named “{name}”. Please choose:",
    "invite.issued": (
        "New invite for {name} ({district}):\nCode: {code}\nLink: {link}\n"
        "Valid until {expires}. Earlier unused codes no longer work."
    ),
    "invite.bound_already": "{name} is already bound to a Telegram account; no invite needed.",
    "invite.no_username": "The bot's username is not known yet, so no link can be made.",
    # /help
    "help.stranger": "You are not registered yet. You can use:",
    "help.instructor": "Your commands:",
    "help.admin": "Your commands:",
    "help.upload": "📎 Send a roster or enterprise spreadsheet (.xlsx/.csv) to import it.",
    "cmd.start": "Start / register with an invite code",
    "cmd.help": "Show the commands",
    "cmd.me": "My profile",
    "cmd.lang": "Switch language (中文 / English)",
    "cmd.people": "Instructors and who has joined",
    "cmd.invite": "Issue a new invite link for an instructor",
    "cmd.admin": "Add or remove admins",
    "cmd.bindgroup": "Bind this group to the city or a district (in a group)",
    "cmd.unbindgroup": "Unbind this group (in a group)",
    # /me
    "me.instructor": (
        "👤 {name}\nLevel: {level}\nEmployment: {employment}\nDistrict: {district}\n"
        "Street/town: {street}\nIndustries: {industries}\nSkills: {skills}\n"
        "Start date: {start_date}\nMentor: {mentor}\nPhone: {phone}\nStatus: {status}"
    ),
    "me.admin": "You are: {role}\nTelegram ID: {telegram_id}",
    "me.stranger": "You are not registered yet. Telegram ID: {telegram_id}",
    # /lang
    "lang.choose": "请选择语言 / Choose your language:",
    "lang.set": "Language set to English.",
    "lang.usage": "Usage: /lang zh or /lang en",
}
