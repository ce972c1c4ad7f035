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
    # Progress reports
    "type.visit": "visit",
    "type.guidance": "guidance",
    "type.training": "training",
    "type.negotiation": "negotiation",
    "type.contract": "contract",
    "type.observation": "observation",
    "type.other": "other",
    "cmd.report": "Report work done",
    "cmd.myreports": "My recent reports (edit, delete)",
    "cmd.stats": "Statistics (e.g. /stats month, /stats 2026 西城)",
    "cmd.chart": "Chart per month",
    "cmd.export": "Export reports to Excel",
    "cmd.coverage": "Visit coverage of this round",
    "report.only_instructors": "Only registered instructors can report work.",
    "report.saved": "✅ Recorded: {summary}",
    "report.summary": "{day} {type} · {target} · {count} person-times{note}",
    "report.unmatched": " (“{target}” is not in the enterprise registry; kept as typed)",
    "report.suggest": "Did you mean one of these enterprises? Tap to correct:",
    "report.linked": "✅ Corrected to: {summary}",
    "report.understood": "❌ Not recorded. I understood: {understood}",
    "report.understood_nothing": "❌ Not recorded.",
    "report.missing": "Missing: {fields}",
    "report.example": "Example: /report 走访 维达纸业 5人次 昨天 explained wage bargaining\nor send /report alone and follow the buttons.",
    "report.field.type": "type",
    "report.field.target": "target",
    "report.field.count": "person-times",
    "report.field.day": "date",
    "report.field.note": "note",
    "report.problem.missing_type": "the type (走访 visit, 指导 guidance, 培训 training, 协商 negotiation, 签约 contract, 观摩 observation, 其他 other)",
    "report.problem.unknown_type": "“{value}” is not a report type (走访, 指导, 培训, 协商, 签约, 观摩, 其他)",
    "report.problem.missing_target": "the target (an enterprise or a street)",
    "report.problem.bad_count": "person-times “{value}” must be 0 or a whole number, e.g. 5人次",
    "report.problem.note_too_long": "the note is too long ({value} characters); keep it within {limit}",
    "report.problem.future_date": "the date {value} is in the future",
    "report.problem.too_old": "the date {value} is more than 60 days ago; ask an admin to add it",
    "report.problem.bad_date": "“{value}” is not a valid date",
    "report.problem.target_too_long": "the target's name is too long",
    "flow.ask_type": "Choose the type of work:",
    "flow.ask_target": "Which enterprise or street was the {type} for? Type its name.",
    "flow.pick_target": "Similar enterprises found; choose one, or keep the text as typed:",
    "flow.keep_text": "Keep “{target}” as typed",
    "flow.ask_count": "How many person-times? Tap or type a number:",
    "flow.ask_day": "Which day? Tap or type a date (e.g. 11月20日 or 2026-11-20):",
    "flow.ask_note": "Anything to add? Type a note, or tap Skip.",
    "flow.confirm": "Please confirm:\n{summary}",
    "flow.cancelled": "Cancelled; nothing recorded.",
    "flow.bad_count": "Please type 0 or a whole number, e.g. 5.",
    "flow.bad_day": "{reason}. Type the date again, or tap a button.",
    "flow.expired": "This step has expired; please send /report again.",
    "button.today": "Today",
    "button.yesterday": "Yesterday",
    "button.day_before": "2 days ago",
    "button.skip": "Skip",
    "button.confirm": "✅ Confirm",
    "button.cancel": "Cancel",
    "group.not_bound": "Your report in “{title}” was not recorded: the group is not bound yet. Ask an admin to send /bindgroup there.",
    "group.not_registered": "Your report in “{title}” was not recorded: you are not registered as an instructor. Open the invite link your admin sent you.",
    "group.problem": "Your report in “{title}” was not recorded. {details}",
    "myreports.empty": "You have no reports yet. Send /report to start.",
    "myreports.header": "Your recent reports (editable or deletable for 7 days):",
    "myreports.line": "#{id} {summary}",
    "button.edit": "✏️ Edit #{id}",
    "button.delete": "🗑 Delete #{id}",
    "edit.ask": "Send the corrected report (type target count date note), e.g.:\n走访 维达纸业 5人次 11月20日 explained wage bargaining\nNow: {summary}",
    "edit.done": "✅ #{id} changed: {summary}",
    "edit.deleted": "🗑 #{id} deleted.",
    "edit.confirm_delete": "Delete #{id}?\n{summary}",
    "edit.not_found": "That report was not found; it may have been deleted.",
    "edit.not_yours": "This is not your report, so you cannot change it.",
    "edit.too_late": "Reports older than 7 days cannot be changed or deleted; ask an admin to correct it.",
    "button.confirm_delete": "Delete",
    # Statistics
    "stats.bad_period": "I cannot read the period “{value}”. Use: week, month, quarter, year, 2026, 2026-Q3, 2026-11, 2026-11-01..2026-11-30",
    "stats.header": "📊 {scope} · {period}",
    "stats.type_line": "{type}: {reports} report(s), {person_times} person-times",
    "stats.totals": "Total: {reports} report(s), {person_times} person-times; {enterprises} enterprise(s) covered",
    "stats.active": "Instructors who reported: {active}; without a report this period: {silent}",
    "stats.silent_list": "No report: {names}",
    "stats.top": "Most: {lines}",
    "stats.bottom": "Fewest: {lines}",
    "stats.rank_line": "{name} ({district}) {reports}",
    "stats.mine": "Mine",
    "stats.instructor_only": "Instructors can only see their own figures.",
    "export.working": "Building the spreadsheet, one moment…",
    "export.file": "reports_{scope}_{period}.xlsx",
    "export.caption": "📎 Reports of {scope} · {period}",
    "chart.title": "{scope} {period} reports per month",
    "chart.no_font": "The server has no Chinese font, so no chart can be drawn. Ask an admin to install fonts-noto-cjk or fonts-wqy-microhei.",
    "chart.file": "chart.png",
    "coverage.header": "🏭 {scope} visit round {start} to {end}: {visited}/{registered} enterprises visited",
    "coverage.not_visited": "Not visited yet: {names}",
    "list.more": "… {count} in all",
    "coverage.none": "No enterprises registered in {scope} yet. Send me the enterprise spreadsheet to import it.",
    "import.reports_ok": "✅ Reports imported: {created} created, {unchanged} unchanged.",
    "field.date": "date",
    "field.instructor": "instructor",
    "field.type": "type",
    "field.target": "target",
    "field.person_times": "person-times",
    "import.error.unknown_instructor": "no instructor “{value}” (import the roster first)",
    "import.error.unknown_type": "“{value}” is not a report type",
    "cli.exported": "Exported {count} report(s) to {path}",
    "cmd.districts": "Districts (HQ adds one with /districts add <name>)",
    "districts.list": "{count} districts: {names}",
    "districts.usage": "Usage: /districts to list; /districts add <name> to add one (HQ only)",
    "districts.added": "✅ “{name}” added.",
    "districts.exists": "“{name}” is already listed; nothing added.",
    # Notices
    "cmd.notice": "Post a notice (step by step with buttons)",
    "cmd.notices": "Notices, delivery and confirmations",
    "notice.header": "📢 Notice",
    "notice.reminder": "⏰ Reminder: you have not confirmed this notice yet; please press “Got it”",
    "notice.button.confirm": "Got it",
    "notice.button.send": "📢 Send",
    "notice.receipt": "✅ Confirmed {at}",
    "notice.confirm.thanks": "Confirmed, thank you!",
    "notice.confirm.already": "You have already confirmed it.",
    "notice.confirm.not_yours": "This notice was not sent to you.",
    "notice.usage": "Usage: /notice <audience> <text>, e.g. /notice all Send your quarterly summary by Friday. Audience: all, 区:西城, 市级, 区级, 街乡级, 企业级, 专职, 兼职 or groups. /notice alone asks step by step.",
    "notice.bad_audience": "I can't read the audience “{value}”. Use all, 区:西城, 市级, 区级, 街乡级, 企业级, 专职, 兼职 or groups.",
    "notice.too_long": "The notice is too long: {length} characters; a Telegram message holds at most {limit}. Please split it; nothing is cut.",
    "notice.ask_audience": "Who should get it?",
    "notice.ask_text": "Type the notice (at most {limit} characters):",
    "notice.ask_confirm": "Should everyone confirm with “Got it”?",
    "notice.ask_when": "When should it go out?",
    "notice.ask_time": "Type the time, e.g. 明天 9:00, 12月5日 15:00, tomorrow 9am, in 2h:",
    "notice.once_only": "A notice goes out once; give one time such as tomorrow 9am. Use /remind for repeating reminders.",
    "notice.press_button": "Please press one of the buttons above, or send /notice to start again.",
    "notice.confirm_yes": "Confirmation",
    "notice.confirm_no": "No confirmation",
    "notice.now": "Now",
    "notice.later": "At a time",
    "notice.summary": "Please check:\nAudience: {audience}\nConfirm: {confirm}\nWhen: {when}\n\n{text}",
    "notice.cancelled": "Cancelled; nothing was sent.",
    "notice.expired": "This step has expired; send /notice again.",
    "notice.scheduled": "Notice #{id} is saved and goes out {when}. See /notices.",
    "notice.released": "Notice #{id} is being sent: {recipients} instructors ({unbound} of them have not joined on Telegram and cannot get it), {messages} messages in all. Progress and confirmations: /notices.",
    "notice.aud.all": "Everyone",
    "notice.aud.district": "{district} district",
    "notice.aud.level": "{level} instructors",
    "notice.aud.employment": "{employment} instructors",
    "notice.aud.groups": "Bound groups",
    "notices.title": "📋 Recent notices",
    "notices.none": "No notices yet. Post one with /notice.",
    "notices.headline": "#{id} {when} · {audience} · {state}\n“{preview}”",
    "notices.state.scheduled": "scheduled",
    "notices.state.sent": "sent",
    "notices.state.cancelled": "cancelled",
    "notices.counts": "delivered {sent}/{recipients} · confirmed {confirmed} · unreachable {unreachable} · unknown {unknown} · failed {failed} · not joined {unbound}",
    "notices.sending": " · {pending} still sending",
    "notices.unconfirmed": "Not confirmed: {names}",
    "notices.unreachable": "Unreachable (blocked the bot or never opened it): {names}",
    "notices.unknown": "Unknown (the request left but Telegram never answered; it may have arrived and was not re-sent): {names}",
    "notices.more": " and {count} more",
    "notices.refresh": "🔄 Refresh",
    "notices.remind": "⏰ Remind the unconfirmed",
    "notices.reminded": "Sent again to {count} instructors who have not confirmed.",
    "notices.remind_too_soon": "Just reminded; try again in {minutes} min (at most once every 5 minutes).",
    "notices.remind_none": "Everyone has confirmed; no reminder needed.",
    "notices.remind_no_confirm": "This notice needs no confirmation, or has not gone out yet.",
    "notices.remind_unknown": "There is no such notice.",
    "notices.not_found": "There is no notice #{id}.",
    # Time expressions
    "when.unreadable": "I can't read the time “{value}”. Try: 2026-12-01 09:00, 12月1日 9:00, 明天 15:00, 每周一 9:00, 每月1日 9:00, in 2h, tomorrow 9am.",
    "when.past": "“{value}” is in the past; give a future time such as tomorrow 9am.",
    "when.impossible_date": "There is no such day as “{value}”; please check the date.",
    "when.bad_time": "“{value}” is not a time of day; use 0:00 to 23:59, e.g. 9:30.",
    # One active instance
    "instance.waiting": "Another xieshang instance is using the same database ({where}); this one neither polls nor sends and stands by. It takes over when the other one stops.",
    "instance.took_over": "The other instance stopped; this one takes over.",
}
