"""Texts of the case library (经验交流)."""

ZH_CN: dict[str, str] = {
    "cmd.case": "分享一个典型案例",
    "cmd.cases": "搜索案例库：/cases 关键词",
    "case.ask.title": (
        "📚 分享一个典型案例。先发标题（100 字以内）。\n"
        "也可以一行发完：/case 标题 | 行业 | 摘要 | 标签1,标签2\n"
        "随时发“取消”退出。"
    ),
    "case.ask.industry": "属于哪个行业？点一个，或直接打字。",
    "case.ask.summary": "请发案例摘要（2000 字以内）：背景、做法、结果。",
    "case.ask.tags": "加几个标签吗？用逗号或顿号隔开，最多 5 个；不需要就点“跳过”。",
    "case.ask.file": "有附件吗？直接发文件或照片；没有就点“跳过”。",
    "case.ask.file_again": "这一步请发文件或照片，或点“跳过”。",
    "case.preview": "请确认：\n\n{card}\n\n确认无误点“保存”。",
    "case.saved": "✅ 案例已保存（#{id}）。大家可以用 /cases 搜到它。",
    "case.cancelled": "已取消，什么都没保存。",
    "case.flow_again": "这个分享已经结束了。要重新开始，请发 /case。",
    "case.industry.other": "其他",
    "case.button.skip": "跳过",
    "case.button.save": "✅ 保存",
    "case.button.drop": "取消",
    "case.button.file": "📎 附件",
    "case.problem.title_empty": "标题不能是空的。",
    "case.problem.title_too_long": "标题有 {length} 字，最多 {limit} 字，请改短一些。",
    "case.problem.industry_too_long": "行业有 {length} 字，最多 {limit} 字。",
    "case.problem.summary_empty": "摘要不能是空的。",
    "case.problem.summary_too_long": "摘要有 {length} 字，最多 {limit} 字，请精简后再发。",
    "case.problem.tag_too_long": "标签“{tag}”太长了，每个最多 {limit} 字。",
    "case.problem.too_many_tags": "标签有 {count} 个，最多 {limit} 个。",
    "case.problem.line_fields": (
        "一行分享要用 | 隔开至少三项：/case 标题 | 行业 | 摘要 | 标签1,标签2\n"
        "也可以只发 /case，一步一步来。"
    ),
    "case.card": "📌 {title}\n行业：{industry}{tags}\n分享人：{author}\n\n{summary}",
    "case.card.tags": "\n标签：{tags}",
    "case.card.file": "\n📎 附件：{name}",
    "case.unknown_author": "—",
    "case.no_industry": "未填",
    "case.gone": "这个案例已经不在了。",
    "case.no_file": "这个案例没有附件。",
    "cases.ask": "请在 /cases 后面写要找的词，例如：/cases 工资 协商",
    "cases.no_words": "“{query}”里没有可以搜索的词（只有符号或空格）。请换几个词，例如：/cases 工资 协商",
    "cases.none": "没有找到和“{query}”相关的案例。换个说法试试，或用 /case 分享一个。",
    "cases.header": "🔎 “{query}”：共 {total} 个案例，第 {page}/{pages} 页",
    "cases.hit": "{number}. {title}\n   {industry}{tags} · {author}\n   {snippet}",
    "cases.search_gone": "这次搜索已过期（保留 7 天），或不是你发起的。请自己发 /cases 关键词。",
}

EN: dict[str, str] = {
    "cmd.case": "Share a typical case",
    "cmd.cases": "Search the case library: /cases <words>",
    "case.ask.title": (
        "📚 Share a typical case. First its title (up to 100 characters).\n"
        "Or in one line: /case title | industry | summary | tag1,tag2\n"
        "Send “cancel” to stop at any time."
    ),
    "case.ask.industry": "Which industry? Press one or type it.",
    "case.ask.summary": "Send the summary (up to 2,000 characters): background, what was done, result.",
    "case.ask.tags": "Any tags? Separate them with commas, at most 5; press “Skip” for none.",
    "case.ask.file": "An attachment? Send a file or photo, or press “Skip”.",
    "case.ask.file_again": "At this step send a file or photo, or press “Skip”.",
    "case.preview": "Please check:\n\n{card}\n\nPress “Save” if it is right.",
    "case.saved": "✅ Case saved (#{id}). Everyone can find it with /cases.",
    "case.cancelled": "Cancelled; nothing was saved.",
    "case.flow_again": "This sharing has ended. Send /case to start again.",
    "case.industry.other": "Other",
    "case.button.skip": "Skip",
    "case.button.save": "✅ Save",
    "case.button.drop": "Cancel",
    "case.button.file": "📎 Attachment",
    "case.problem.title_empty": "The title cannot be empty.",
    "case.problem.title_too_long": "The title has {length} characters; at most {limit}. Please shorten it.",
    "case.problem.industry_too_long": "The industry has {length} characters; at most {limit}.",
    "case.problem.summary_empty": "The summary cannot be empty.",
    "case.problem.summary_too_long": (
        "The summary has {length} characters; at most {limit}. Please shorten it."
    ),
    "case.problem.tag_too_long": "The tag “{tag}” is too long; at most {limit} characters each.",
    "case.problem.too_many_tags": "{count} tags; at most {limit}.",
    "case.problem.line_fields": (
        "The one-line form needs at least three parts separated by |: "
        "/case title | industry | summary | tag1,tag2\n"
        "Or send /case alone to go step by step."
    ),
    "case.card": "📌 {title}\nIndustry: {industry}{tags}\nShared by: {author}\n\n{summary}",
    "case.card.tags": "\nTags: {tags}",
    "case.card.file": "\n📎 Attachment: {name}",
    "case.unknown_author": "—",
    "case.no_industry": "not given",
    "case.gone": "This case is no longer there.",
    "case.no_file": "This case has no attachment.",
    "cases.ask": "Write what to look for after /cases, e.g. /cases 工资 协商",
    "cases.no_words": "“{query}” has no words to search (only symbols or spaces). Try other words.",
    "cases.none": "No case matches “{query}”. Try other words, or share one with /case.",
    "cases.header": "🔎 “{query}”: {total} cases, page {page}/{pages}",
    "cases.hit": "{number}. {title}\n   {industry}{tags} · {author}\n   {snippet}",
    "cases.search_gone": "This search has expired (searches are kept 7 days) or is not yours. Send /cases with your words.",
}
