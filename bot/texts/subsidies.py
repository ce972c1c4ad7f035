"""Texts of the subsidy ledger (补贴)."""

ZH_CN: dict[str, str] = {
    "cmd.subsidies": "补贴台账：/subsidies [年份] [区名]",
}

EN: dict[str, str] = {
    "cmd.subsidies": "The subsidy ledger: /subsidies [year] [district]",
}
