"""Spreadsheet uploads: rosters and enterprise registries, their columns and problems."""

ZH_CN: dict[str, str] = {
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
    "import.error.formula": "“{value}”是公式，文件里没有保存它的结果（常见于不是由 Excel 保存的文件）。请在这一格直接填写结果",
}

EN: dict[str, str] = {
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
    "import.error.formula": "“{value}” is a formula the file keeps no value for (as in files not saved by Excel); please type the value itself into the cell",
}
