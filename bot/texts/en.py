"""Every user-facing text in English."""

MESSAGES: dict[str, str] = {
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
    # Spreadsheet uploads
    "upload.too_large": (
        "The file is too large ({size} MB). The bot can receive files up to 20 MB; please split it."
    ),
    "upload.not_spreadsheet": "I cannot read this file. Please send an .xlsx or .csv spreadsheet.",
    "upload.empty": "The spreadsheet is empty: the first row must be headers, then data rows.",
    "upload.unknown_layout": (
        "I cannot tell what this spreadsheet is. A roster needs the columns 姓名/name, "
        "层级/level, 类别/employment, 所属区/district; an enterprise list needs "
        "企业名称/name and 所属区/district."
    ),
    "upload.working": "Importing, one moment…",
    "import.failed": (
        "❌ Import failed; nothing was written. {count} problem(s) — please fix them "
        "and send the file again:"
    ),
    "import.problem": "Row {row}, {field}: {reason}",
    "import.problem_column": "missing column “{field}”",
    "import.more": "…and {count} more problem(s); the full list is attached.",
    "import.problems_file": "import-problems.csv",
    "import.roster_ok": (
        "✅ Roster imported: {created} created, {updated} updated, {unchanged} unchanged."
    ),
    "import.invites_attached": (
        "{count} instructor(s) have not joined yet; the attached sheet has each one's invite link."
    ),
    "import.all_bound": "Every instructor in the file has joined already.",
    "import.invites_file": "invites.xlsx",
    "import.enterprises_ok": (
        "✅ Enterprises imported: {created} created, {updated} updated, {unchanged} unchanged."
    ),
    "field.name": "name",
    "field.level": "level",
    "field.employment": "employment",
    "field.district": "district",
    "field.street": "street",
    "field.industry": "industry",
    "field.industries": "industry",
    "field.skills": "skills",
    "field.start_date": "start date",
    "field.mentor": "mentor",
    "field.phone": "phone",
    "field.telegram_id": "telegram_id",
    "field.note": "note",
    "field.status": "status",
    "field.region": "region",
    "field.employees": "employees",
    "field.unionized": "unionized",
    "import.error.missing_column": "this column is missing",
    "import.error.missing_value": "must not be empty",
    "import.error.unknown_district": "there is no district “{value}”",
    "import.error.unknown_level": (
        "“{value}” is not a level (市级 city, 区级 district, 街乡级 street, 企业级 enterprise)"
    ),
    "import.error.unknown_employment": (
        "“{value}” is not an employment (专职 full-time, 兼职 part-time)"
    ),
    "import.error.unknown_status": "“{value}” is not a status (在职 active, 请假 on leave, 离任 ended)",
    "import.error.bad_date": "“{value}” is not a date (e.g. 2024-03-01)",
    "import.error.future_date": "the date “{value}” is in the future",
    "import.error.bad_number": "“{value}” is not a valid number",
    "import.error.bad_bool": "“{value}”: please write yes or no (是/否)",
    "import.error.duplicate": "“{value}” appears twice in the file",
    "import.error.unknown_mentor": "the mentor “{value}” is not in the roster",
    "import.error.ambiguous_mentor": "several instructors are named “{value}”; which mentor?",
    "import.error.self_mentor": "nobody can mentor themselves",
    "import.error.not_your_district": "“{value}” is not your district",
    "import.error.telegram_id_taken": "Telegram ID {value} belongs to another instructor",
    "import.error.too_long": "the text is too long",
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
    # Command line
    "cli.no_token": (
        "TELEGRAM_BOT_TOKEN is missing. In Telegram, talk to @BotFather, send /newbot, and put "
        "the token it gives you into .env (TELEGRAM_BOT_TOKEN=...) or the environment."
    ),
    "cli.no_webhook": "Webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET.",
    "cli.bad_settings": "Bad configuration: {error}",
    "cli.no_file": "No such file: {path}",
    "cli.invites_written": "Wrote {count} invite(s) to {path}",
    "cli.no_username": (
        "The bot's username is needed for the links: set TELEGRAM_BOT_TOKEN or BOT_USERNAME."
    ),
    "cli.db_current": "Database revision: {revision}",
    "cli.db_empty": "The database is not initialised",
    "cli.db_done": "Database migrated to {revision}",
}
