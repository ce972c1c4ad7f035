"""Texts of the democratic rating (民主测评) and the district's rating."""

ZH_CN: dict[str, str] = {
    "rating.grade.excellent": "优秀",
    "rating.grade.competent": "称职",
    "rating.grade.basic": "基本称职",
    "rating.grade.incompetent": "不称职",
    "rating.chosen": "✅{grade}",
    "rating.page": "第 {page}/{pages} 页",
    "rating.person": "{number}. {name}（{district}）",
    "rating.links.usage": (
        "生成民主测评链接：/evaluation raters 区名 人数，例如 /evaluation raters 西城 30；"
        "全市测评写 /evaluation raters 全市 50（人数 1–{most}）。"
    ),
    "rating.links.bad_count": "人数“{value}”不对，请写 1 到 {most} 之间的数，例如 /evaluation raters 西城 30。",
    "rating.links.no_round": "还没有开启年度考评，不能生成测评链接。请市总先发 /evaluation open 年份 截止:日期。",
    "rating.links.closed": "{year} 年度考评已于 {deadline} 截止，不能再生成测评链接。",
    "rating.links.city_hq_only": "只有市总管理员能生成全市的测评链接。你可以生成{district}区的：/evaluation raters {district} 人数",
    "rating.links.no_participants": "{scope}没有参评的指导员，不用生成测评链接。",
    "rating.links.done": (
        "✅ 已生成 {count} 个{scope}民主测评链接（{year} 年度，{deadline} 截止）。\n"
        "表格里是链接，PDF 是可打印的二维码（每页 {per_page} 个）。"
        "每个链接只能提交一次，请一人一码发给参加测评的人；测评不记录是谁投的票。"
    ),
    "rating.links.file": "民主测评链接-{scope}.xlsx",
    "rating.links.pdf": "民主测评二维码-{scope}.pdf",
    "rating.sheet.title": "{year} 年度民主测评 · {scope}",
    "rating.sheet.caption": "用手机扫码评分 · 一人一码，提交后失效",
    "rating.open.unknown": "这个测评链接无效。请扫描会场发的二维码，或向组织者要一个新链接。",
    "rating.open.used": "这个测评链接已经提交过了，每个链接只能投一次。谢谢参与！",
    "rating.open.closed": "{year} 年度民主测评已于 {deadline} 截止，不能再评了。",
    "rating.open.empty": "{scope}没有需要评价的指导员。",
    "rating.header": (
        "🗳 {year} 年度民主测评 · {scope}\n"
        "请给每位协商指导员选一个等级：优秀 / 称职 / 基本称职 / 不称职。\n"
        "提交前可以随时修改；评价是匿名的，不记录你是谁。\n"
        "已评 {done}/{total} 人 · {page}"
    ),
    "rating.button.submit": "📮 提交",
    "rating.button.sure": "✅ 确认提交",
    "rating.button.back": "↩ 返回继续评",
    "rating.confirm": "还有 {missing} 人没有评（共 {total} 人）。确定现在提交吗？提交后不能再改。",
    "rating.submitted": "✅ 已提交，谢谢参与！你为 {count} 位指导员投了票，评价是匿名的。这个链接已用完。",
    "rating.answer.saved": "已选：{name} {grade}",
    "rating.answer.name": "{name}：请在下面一行选择等级",
    "rating.answer.gone": "这次测评已经结束：这个链接已经提交过了（可能在另一台手机上）。",
    "rating.answer.used": "这个链接已经提交过了，不能再改。",
    "rating.answer.closed": "测评已经截止，不能再评了。",
    "rating.answer.out_of_scope": "这位指导员不在这个链接的测评范围内，没有记录。",
    "rating.answer.empty": "还没有评任何人，请先选等级再提交。",
    "rating.district.usage": "给本区指导员评等级：/evaluation rate 区名，例如 /evaluation rate 西城。",
    "rating.district.name_one": "请写要评价哪个区，例如 /evaluation rate 西城。",
    "rating.district.header": (
        "🏅 {year} 年度区级评价 · {district}\n"
        "请给每位指导员选一个等级，点一下即保存，截止（{deadline}）前可以修改。\n"
        "已评 {done}/{total} 人 · {page}"
    ),
    "rating.district.not_yours": "你只能评价{district}区的指导员。",
    "rating.votes.header": "🗳 {year} 年度民主测评 · {scope}：已收到 {ballots} 份测评票",
    "rating.votes.line": "{name}（{district}）：{counts}（{raters} 人）",
    "rating.votes.count": "{grade} {count}",
    "rating.votes.hidden": "{name}（{district}）：不足 {least} 人，不显示",
    "rating.votes.none": "{scope}没有参评的指导员。",
    "rating.not_admin": "只有管理员能用这个命令。",
}

EN: dict[str, str] = {
    "rating.grade.excellent": "Excellent",
    "rating.grade.competent": "Competent",
    "rating.grade.basic": "Basically competent",
    "rating.grade.incompetent": "Incompetent",
    "rating.chosen": "✅{grade}",
    "rating.page": "page {page}/{pages}",
    "rating.person": "{number}. {name} ({district})",
    "rating.links.usage": (
        "Rater links: /evaluation raters <district> <count>, e.g. /evaluation raters 西城 30; "
        "for the whole city /evaluation raters 全市 50 (count 1–{most})."
    ),
    "rating.links.bad_count": "“{value}” is not a count: write a number from 1 to {most}, e.g. /evaluation raters 西城 30.",
    "rating.links.no_round": "No evaluation has been opened, so there are no rater links yet. HQ opens one with /evaluation open <year> 截止:<date>.",
    "rating.links.closed": "The {year} evaluation closed on {deadline}: no more rater links.",
    "rating.links.city_hq_only": "Only HQ makes links for the whole city. You can make {district}'s: /evaluation raters {district} <count>",
    "rating.links.no_participants": "{scope} has no instructors in the evaluation: no links needed.",
    "rating.links.done": (
        "✅ {count} rater links for {scope} made ({year}, until {deadline}).\n"
        "The sheet holds the links, the PDF the printable QR codes ({per_page} a page). "
        "Each link votes once: give one to each rater. Nobody's vote is kept with their name."
    ),
    "rating.links.file": "rater-links-{scope}.xlsx",
    "rating.links.pdf": "rater-qr-codes-{scope}.pdf",
    "rating.sheet.title": "{year} democratic rating · {scope}",
    "rating.sheet.caption": "Scan to rate · one code per person, once",
    "rating.open.unknown": "This rating link is not valid. Scan the QR code handed out at the meeting, or ask the organizer for a new link.",
    "rating.open.used": "This rating link has already been submitted; each link votes once. Thank you!",
    "rating.open.closed": "The {year} democratic rating closed on {deadline}: no more ratings.",
    "rating.open.empty": "{scope} has no instructors to rate.",
    "rating.header": (
        "🗳 {year} democratic rating · {scope}\n"
        "Give each instructor one grade: Excellent / Competent / Basically competent / Incompetent.\n"
        "You can change them until you submit; the rating is anonymous.\n"
        "Rated {done}/{total} · {page}"
    ),
    "rating.button.submit": "📮 Submit",
    "rating.button.sure": "✅ Submit now",
    "rating.button.back": "↩ Back to rating",
    "rating.confirm": "{missing} of {total} instructors have no grade yet. Submit anyway? It cannot be changed afterwards.",
    "rating.submitted": "✅ Submitted, thank you! You rated {count} instructors, anonymously. This link is now used up.",
    "rating.answer.saved": "{name}: {grade}",
    "rating.answer.name": "{name}: choose a grade in the row below",
    "rating.answer.gone": "This rating is over: the link has been submitted (maybe on another phone).",
    "rating.answer.used": "This link has been submitted and cannot be changed.",
    "rating.answer.closed": "The rating has closed: no more changes.",
    "rating.answer.out_of_scope": "This instructor is not rated by this link: nothing was recorded.",
    "rating.answer.empty": "You have not rated anyone yet: choose grades first, then submit.",
    "rating.district.usage": "Rate your district's instructors: /evaluation rate <district>, e.g. /evaluation rate 西城.",
    "rating.district.name_one": "Name the district to rate, e.g. /evaluation rate 西城.",
    "rating.district.header": (
        "🏅 {year} district rating · {district}\n"
        "Give each instructor one grade; each press is saved at once and can be changed until {deadline}.\n"
        "Rated {done}/{total} · {page}"
    ),
    "rating.district.not_yours": "You can only rate the instructors of {district}.",
    "rating.votes.header": "🗳 {year} democratic rating · {scope}: {ballots} ballots received",
    "rating.votes.line": "{name} ({district}): {counts} ({raters} raters)",
    "rating.votes.count": "{grade} {count}",
    "rating.votes.hidden": "{name} ({district}): fewer than {least} raters, not shown",
    "rating.votes.none": "{scope} has no instructors in the evaluation.",
    "rating.not_admin": "Only admins can use this command.",
}
