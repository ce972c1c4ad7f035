"""Texts of the enterprise registry's list and search."""

ZH_CN: dict[str, str] = {
    "cmd.enterprises": "企业名录：按区查、按名称搜",
    "field.collective_contract": "集体合同",
    "enterprises.header": "🏭 {scope}企业名录：共 {total} 家（第 {page}/{pages} 页）",
    "enterprises.empty": (
        "{scope}的企业名录还是空的。把企业名录表格（企业名称、所属区等列）发给我即可导入。"
    ),
    "enterprises.line": "{number}. {name}\n    {details}",
    "enterprises.employees": "{count} 人",
    "enterprises.union.yes": "已建会",
    "enterprises.union.no": "未建会",
    "enterprises.union.unknown": "建会未填",
    "enterprises.contract.yes": "集体合同✅",
    "enterprises.contract.signed": "集体合同✅ {date} 签订",
    "enterprises.contract.no": "无集体合同",
    "enterprises.contract.unknown": "集体合同未填",
    "enterprises.found": "🔎 “{words}”：{scope}找到 {total} 家企业",
    "enterprises.found_more": "只列出最相符的 {shown} 家。多输入几个字，可以缩小范围。",
    "enterprises.none": "{scope}没有名称含“{words}”或与它相近的企业。",
    "enterprises.closest": "名称最接近的是：",
    "enterprises.hint": (
        "用法：/enterprises 列出名录；/enterprises 平谷 看某个区；/enterprises 维达 按名称搜。"
    ),
}

EN: dict[str, str] = {
    "cmd.enterprises": "The enterprise registry: list by district, search by name",
    "field.collective_contract": "collective contract",
    "enterprises.header": "🏭 Enterprises of {scope}: {total} (page {page}/{pages})",
    "enterprises.empty": (
        "The enterprise registry of {scope} is empty. Send me the registry spreadsheet "
        "(columns such as 企业名称/name and 所属区/district) to import it."
    ),
    "enterprises.line": "{number}. {name}\n    {details}",
    "enterprises.employees": "{count} employees",
    "enterprises.union.yes": "union",
    "enterprises.union.no": "no union",
    "enterprises.union.unknown": "union unknown",
    "enterprises.contract.yes": "collective contract✅",
    "enterprises.contract.signed": "collective contract✅ signed {date}",
    "enterprises.contract.no": "no collective contract",
    "enterprises.contract.unknown": "collective contract unknown",
    "enterprises.found": "🔎 “{words}”: {total} enterprise(s) found in {scope}",
    "enterprises.found_more": "Only the {shown} best matches are listed. Type more to narrow it.",
    "enterprises.none": "No enterprise in {scope} is named like “{words}”.",
    "enterprises.closest": "The closest names:",
    "enterprises.hint": (
        "Usage: /enterprises lists the registry; /enterprises 平谷 one district; "
        "/enterprises 维达 searches by name."
    ),
}
