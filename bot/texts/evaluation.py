"""Texts of the annual evaluation: opening a year, the dossier, the self-assessment, progress."""

ZH_CN: dict[str, str] = {
    "cmd.evaluation": "年度考评：我的档案与自评；管理员看进度",
    "evaluation.usage": (
        "年度考评：\n/evaluation — 指导员看自己的档案和自评；管理员看各区自评进度\n"
        "/evaluation open 2026 截止:2027-01-15 — 市总开启一个年度（只写日期即当天 23:59 截止）\n"
        "/evaluation raters 西城 30 — 民主测评链接（表格和二维码）\n"
        "/evaluation rate 西城 — 区评：给本区指导员评等级\n"
        "/evaluation votes [区名] — 民主测评票数和分布\n"
        "/evaluation result 2026 — 截止后出结果和续聘表\n"
        "/evaluation override 姓名 等次 理由:…… — 市总调整等次"
    ),
    "evaluation.open.problem.missing_year": "请写要考评的年份，例如：/evaluation open 2026 截止:2027-01-15",
    "evaluation.open.problem.bad_year": "年份“{value}”不对，请写 2000 到 2100 之间的年份，例如 2026。",
    "evaluation.open.problem.missing_deadline": "请写自评截止日期，例如：/evaluation open 2026 截止:2027-01-15",
    "evaluation.open.problem.bad_deadline": "截止日期“{value}”看不懂，请写 2027-01-15、1月15日 或 2027-01-15 18:00。",
    "evaluation.open.problem.past_deadline": "截止日期“{value}”已经过去了，请选以后的日期。",
    "evaluation.open.refused.already_open": "{year} 年度考评已经开启过了（自评截止 {deadline}），不能重复开启。发 /evaluation 看进度。",
    "evaluation.open.refused.bad_year": "年份 {year} 不对，请写 2000 到 2100 之间的年份。",
    "evaluation.open.refused.deadline_past": "截止时间 {deadline} 已经过去了，请选以后的日期。",
    "evaluation.opened": (
        "✅ 已开启 {year} 年度考评，自评截止 {deadline}。\n"
        "参评指导员 {participants} 人：已向 {reachable} 位已绑定的人发出自评邀请（附各自的年度档案）；"
        "{not_joined} 人还没绑定，收不到。"
    ),
    "evaluation.prompt": (
        "📝 {year} 年度考评开始了\n请在 {deadline} 前写一段自评（不超过 {limit} 字），截止前随时可以修改。\n\n"
        "{dossier}\n\n点“写自评”开始。"
    ),
    "evaluation.dossier.title": "📁 你的 {year} 年度档案",
    "evaluation.dossier.reports": "报告 {reports} 条，{person_times} 人次；覆盖企业 {enterprises} 家",
    "evaluation.dossier.types": "其中：{types}",
    "evaluation.dossier.type_item": "{type} {reports} 条（{person_times} 人次）",
    "evaluation.dossier.trainings": "培训签到 {count} 次",
    "evaluation.dossier.callups": "抽调攻关 {count} 次{ratings}",
    "evaluation.dossier.ratings": "，市总评分 {stars}",
    "evaluation.dossier.average": "（平均 {average}）",
    "evaluation.dossier.mentor": "带教新指导员 {count} 人：{mentees}",
    "evaluation.dossier.mentee_item": "{name}（{step}）",
    "evaluation.dossier.mentee": "我的带教进度：{step}",
    "evaluation.step.0": "尚未签字达标",
    "evaluation.step.1": "已达到 入门",
    "evaluation.step.2": "已达到 进入角色",
    "evaluation.step.3": "已达到 独当一面",
    "evaluation.button.write": "✍️ 写自评",
    "evaluation.button.revise": "✍️ 修改自评",
    "evaluation.ask": "请直接发一段文字作为 {year} 年度自评（不超过 {limit} 字），截止 {deadline}。发“取消”退出。",
    "evaluation.saved": "✅ 自评已保存（{length} 字）：\n“{preview}”\n截止 {deadline} 前可以随时修改：发 /evaluation 再点“修改自评”。",
    "evaluation.revised": "✅ 自评已修改（{length} 字）：\n“{preview}”\n以最新的一次为准，截止 {deadline}。",
    "evaluation.too_long": "这段自评有 {length} 字，超过了 {limit} 字的上限，没有保存。请删减后重新发送。",
    "evaluation.empty": "自评不能是空的，请发一段文字。",
    "evaluation.closed": "{year} 年度考评的自评已于 {deadline} 截止，不能再写或修改了。",
    "evaluation.not_participant": "你不在 {year} 年度考评的参评名单里（名单在开启时确定，之后加入的指导员不参加本轮）。如有疑问请联系区管理员。",
    "evaluation.no_round": "年度考评还没有开始，开始后会发消息给你。",
    "evaluation.flow_cancelled": "好的，已退出，自评没有改动。",
    "evaluation.mine": "📝 {year} 年度考评 · 自评截止 {deadline}（{state}）\n\n{dossier}\n\n{answer}",
    "evaluation.state.open": "进行中",
    "evaluation.state.closed": "已截止",
    "evaluation.my_answer": "我的自评（{length} 字，{when} 提交）：\n{text}",
    "evaluation.no_answer": "我的自评：还没写。",
    "evaluation.progress.title": "📊 {year} 年度考评 · 自评进度\n截止 {deadline}（{state}）",
    "evaluation.progress.line": "{district}：{participants} 人，已交 {answered}，未交 {waiting}",
    "evaluation.progress.total": "合计：{participants} 人，已交 {answered}，未交 {waiting}",
    "evaluation.progress.waiting": "未交：{names}",
    "evaluation.progress.nobody": "这一轮没有参评的指导员。",
    "evaluation.none.hq": "还没有开启年度考评。开启：/evaluation open {year} 截止:{next_year}-01-15",
    "evaluation.none.admin": "还没有开启年度考评，由市总开启。",
    "evaluation.unknown_round": "没有 {year} 年度的考评。",
    "evaluation.not_yours": "这个按钮不是给你的。",
    "evaluation.remind_3d": "⏰ {year} 年度考评的自评还有 3 天截止（{deadline}），你还没有写。点下面的按钮写一段（不超过 {limit} 字）。",
    "evaluation.remind_1d": "⏰ {year} 年度考评的自评明天截止（{deadline}），你还没有写。点下面的按钮写一段（不超过 {limit} 字）。",
}

EN: dict[str, str] = {
    "cmd.evaluation": "Annual evaluation: my dossier and self-assessment; admins see progress",
    "evaluation.usage": (
        "Annual evaluation:\n/evaluation — instructors see their dossier and self-assessment; "
        "admins see each district's progress\n"
        "/evaluation open 2026 deadline:2027-01-15 — HQ opens a year (a date alone means 23:59 that day)\n"
        "/evaluation raters 西城 30 — democratic rating links (sheet and QR codes)\n"
        "/evaluation rate 西城 — the district's rating of its instructors\n"
        "/evaluation votes [district] — ballots received and each distribution\n"
        "/evaluation result 2026 — after the deadline: the result and the renewal sheet\n"
        "/evaluation override <name> <grade> 理由:… — HQ changes a grade"
    ),
    "evaluation.open.problem.missing_year": "Please give the year, e.g. /evaluation open 2026 deadline:2027-01-15",
    "evaluation.open.problem.bad_year": "The year “{value}” is not possible; write a year from 2000 to 2100, e.g. 2026.",
    "evaluation.open.problem.missing_deadline": "Please give the self-assessment deadline, e.g. /evaluation open 2026 deadline:2027-01-15",
    "evaluation.open.problem.bad_deadline": "Cannot read the deadline “{value}”; write 2027-01-15, 1月15日 or 2027-01-15 18:00.",
    "evaluation.open.problem.past_deadline": "The deadline “{value}” has passed; pick a later date.",
    "evaluation.open.refused.already_open": "The {year} evaluation is already open (self-assessments until {deadline}); it cannot be opened twice. Send /evaluation for its progress.",
    "evaluation.open.refused.bad_year": "The year {year} is not possible; write a year from 2000 to 2100.",
    "evaluation.open.refused.deadline_past": "The deadline {deadline} has passed; pick a later date.",
    "evaluation.opened": (
        "✅ The {year} evaluation is open; self-assessments until {deadline}.\n"
        "{participants} instructor(s) take part: {reachable} joined ones got the prompt with "
        "their dossier; {not_joined} have not joined and cannot get it."
    ),
    "evaluation.prompt": (
        "📝 The {year} annual evaluation has started\nPlease write a self-assessment (up to {limit} "
        "characters) before {deadline}; you may revise it until then.\n\n{dossier}\n\n"
        "Press “Write self-assessment” to start."
    ),
    "evaluation.dossier.title": "📁 Your {year} dossier",
    "evaluation.dossier.reports": "{reports} report(s), {person_times} person-times; {enterprises} enterprise(s) covered",
    "evaluation.dossier.types": "By type: {types}",
    "evaluation.dossier.type_item": "{type} {reports} ({person_times} person-times)",
    "evaluation.dossier.trainings": "Trainings attended: {count}",
    "evaluation.dossier.callups": "Call-ups served: {count}{ratings}",
    "evaluation.dossier.ratings": "; HQ's ratings {stars}",
    "evaluation.dossier.average": " (average {average})",
    "evaluation.dossier.mentor": "Mentoring {count} new instructor(s): {mentees}",
    "evaluation.dossier.mentee_item": "{name} ({step})",
    "evaluation.dossier.mentee": "My mentoring progress: {step}",
    "evaluation.step.0": "no step signed off yet",
    "evaluation.step.1": "reached: getting started",
    "evaluation.step.2": "reached: growing into the role",
    "evaluation.step.3": "reached: standing alone",
    "evaluation.button.write": "✍️ Write self-assessment",
    "evaluation.button.revise": "✍️ Revise self-assessment",
    "evaluation.ask": "Send your {year} self-assessment as one text (up to {limit} characters), before {deadline}. Send “cancel” to stop.",
    "evaluation.saved": "✅ Self-assessment saved ({length} characters):\n“{preview}”\nYou may revise it until {deadline}: send /evaluation and press “Revise”.",
    "evaluation.revised": "✅ Self-assessment revised ({length} characters):\n“{preview}”\nThe latest one counts; deadline {deadline}.",
    "evaluation.too_long": "This self-assessment has {length} characters, over the limit of {limit}; nothing was saved. Please shorten it and send it again.",
    "evaluation.empty": "A self-assessment cannot be empty; please send some text.",
    "evaluation.closed": "Self-assessments of the {year} evaluation closed at {deadline}; it can no longer be written or revised.",
    "evaluation.not_participant": "You are not among the participants of the {year} evaluation (they were fixed when it opened; instructors who joined later take part next time). Ask your district admin if this seems wrong.",
    "evaluation.no_round": "The annual evaluation has not started yet; you will get a message when it does.",
    "evaluation.flow_cancelled": "OK, stopped; your self-assessment is unchanged.",
    "evaluation.mine": "📝 {year} annual evaluation · self-assessment deadline {deadline} ({state})\n\n{dossier}\n\n{answer}",
    "evaluation.state.open": "open",
    "evaluation.state.closed": "closed",
    "evaluation.my_answer": "My self-assessment ({length} characters, sent {when}):\n{text}",
    "evaluation.no_answer": "My self-assessment: not written yet.",
    "evaluation.progress.title": "📊 {year} annual evaluation · self-assessments\nDeadline {deadline} ({state})",
    "evaluation.progress.line": "{district}: {participants}, answered {answered}, waiting {waiting}",
    "evaluation.progress.total": "Total: {participants}, answered {answered}, waiting {waiting}",
    "evaluation.progress.waiting": "Waiting: {names}",
    "evaluation.progress.nobody": "No instructor takes part in this round.",
    "evaluation.none.hq": "No annual evaluation is open yet. To open one: /evaluation open {year} deadline:{next_year}-01-15",
    "evaluation.none.admin": "No annual evaluation is open yet; HQ opens it.",
    "evaluation.unknown_round": "There is no evaluation for {year}.",
    "evaluation.not_yours": "This button is not for you.",
    "evaluation.remind_3d": "⏰ Self-assessments of the {year} evaluation close in 3 days ({deadline}) and yours is not written yet. Press the button below to write it (up to {limit} characters).",
    "evaluation.remind_1d": "⏰ Self-assessments of the {year} evaluation close tomorrow ({deadline}) and yours is not written yet. Press the button below to write it (up to {limit} characters).",
}
