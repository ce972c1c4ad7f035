"""Texts of the case library (经验交流)."""

ZH_CN: dict[str, str] = {
    "cmd.case": "分享一个典型案例",
    "cmd.cases": "搜索案例库：/cases 关键词",
}

EN: dict[str, str] = {
    "cmd.case": "Share a typical case",
    "cmd.cases": "Search the case library: /cases <words>",
}
