"""Every user-facing text in Simplified Chinese (the default language)."""

MESSAGES: dict[str, str] = {
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
    # Spreadsheet uploads
    "upload.too_large": "文件太大（{size} MB）。机器人只能接收 20 MB 以内的文件，请拆分后再发。",
    "upload.not_spreadsheet": "无法读取这个文件。请发送 .xlsx 或 .csv 格式的表格。",
    "upload.empty": "表格是空的：第一行应为表头，下面至少一行数据。",
    "upload.unknown_layout": (
        "看不出这是哪种表格。花名册需要的列：姓名、层级、类别、所属区；"
        "企业名录需要的列：企业名称、所属区。"
    ),
    "upload.working": "正在导入，请稍候……",
    "import.failed": "❌ 导入失败，没有写入任何数据。共 {count} 处问题，请改正后重新发送：",
    "import.problem": "第 {row} 行 {field}：{reason}",
    "import.problem_column": "缺少列“{field}”",
    "import.more": "……另有 {count} 处问题，完整清单见附件。",
    "import.problems_file": "导入问题.csv",
    "import.roster_ok": "✅ 花名册已导入：新增 {created} 人，更新 {updated} 人，未变 {unchanged} 人。",
    "import.invites_attached": "{count} 人尚未绑定 Telegram，邀请名单见附件，请把各自的链接发给本人。",
    "import.all_bound": "名单中的指导员都已绑定 Telegram。",
    "import.invites_file": "邀请名单.xlsx",
    "import.enterprises_ok": (
        "✅ 企业名录已导入：新增 {created} 家，更新 {updated} 家，未变 {unchanged} 家。"
    ),
    "field.name": "姓名",
    "field.level": "层级",
    "field.employment": "类别",
    "field.district": "所属区",
    "field.street": "街道乡镇",
    "field.industry": "产业",
    "field.industries": "产业",
    "field.skills": "专长",
    "field.start_date": "入职日期",
    "field.mentor": "带教导师",
    "field.phone": "手机",
    "field.telegram_id": "telegram_id",
    "field.note": "备注",
    "field.status": "状态",
    "field.region": "区域",
    "field.employees": "职工人数",
    "field.unionized": "是否建会",
    "import.error.missing_column": "缺少这一列",
    "import.error.missing_value": "不能为空",
    "import.error.unknown_district": "没有“{value}”这个区",
    "import.error.unknown_level": "“{value}”不是有效层级（市级、区级、街乡级、企业级）",
    "import.error.unknown_employment": "“{value}”不是有效类别（专职、兼职）",
    "import.error.unknown_status": "“{value}”不是有效状态（在职、请假、离任）",
    "import.error.bad_date": "“{value}”不是有效日期（例如 2024-03-01）",
    "import.error.future_date": "日期“{value}”在未来",
    "import.error.bad_number": "“{value}”不是有效的数字",
    "import.error.bad_bool": "“{value}”请填“是”或“否”",
    "import.error.duplicate": "“{value}”在表中重复出现",
    "import.error.unknown_mentor": "导师“{value}”不在花名册中",
    "import.error.ambiguous_mentor": "有多位导师叫“{value}”，无法确定是哪一位",
    "import.error.self_mentor": "不能做自己的导师",
    "import.error.not_your_district": "“{value}”不是你管理的区",
    "import.error.telegram_id_taken": "Telegram ID {value} 已被其他指导员使用",
    "import.error.too_long": "内容太长",
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
    # Command line
    "cli.no_token": (
        "缺少 TELEGRAM_BOT_TOKEN。在 Telegram 中找 @BotFather，发送 /newbot 创建机器人，"
        "把得到的令牌写入 .env（TELEGRAM_BOT_TOKEN=...）或环境变量后重试。"
    ),
    "cli.no_webhook": "webhook 模式需要设置 WEBHOOK_URL 和 WEBHOOK_SECRET。",
    "cli.bad_settings": "配置有误：{error}",
    "cli.no_file": "找不到文件：{path}",
    "cli.invites_written": "已写出 {count} 份邀请到 {path}",
    "cli.no_username": "需要机器人的用户名来生成链接：请设置 TELEGRAM_BOT_TOKEN 或 BOT_USERNAME。",
    "cli.db_current": "数据库版本：{revision}",
    "cli.db_empty": "数据库尚未初始化",
    "cli.db_done": "数据库已迁移到 {revision}",
}
