"""Texts of the enterprise registry's list and search."""

ZH_CN: dict[str, str] = {
    "cmd.enterprises": "企业名录：按区查、按名称搜",
}

EN: dict[str, str] = {
    "cmd.enterprises": "The enterprise registry: list by district, search by name",
}
