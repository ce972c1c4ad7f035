"""Texts of the subsidy ledger (补贴)."""

ZH_CN: dict[str, str] = {
    "cmd.subsidies": "补贴台账：/subsidies [年份] [区名]",
    "field.monthly_allowance": "月补贴",
    "field.district_share": "区承担比例",
    "import.error.bad_allowance": "“{value}”不是金额：月补贴请填每月多少元的整数，例如 5560",
    "import.error.negative_allowance": "“{value}”是负数：月补贴不能小于 0",
    "import.error.fractional_allowance": "“{value}”带小数：月补贴请填整数元",
    "import.error.allowance_too_large": "“{value}”太大：月补贴是每月的元数，请检查",
    "import.error.bad_share": "“{value}”不是比例：请填 0 到 100 的整数，例如 50 或 50%",
    "import.error.share_out_of_range": "“{value}”超出范围：区承担比例应在 0 到 100 之间",
    "import.error.fractional_share": "“{value}”带小数：区承担比例请填整数百分比，例如 50",
    "import.error.ambiguous_share": "“{value}”看不出是 1% 还是 100%：全部由区承担请填 100，1% 请填 1%",
    "subsidies.usage": "用法：/subsidies [年份] [区名]，例如 /subsidies 2026 西城。",
    "subsidies.bad_year": "“{value}”不是年份（{first}–{last}），例如 /subsidies 2026。",
    "subsidies.header": "💰 {year} 年补贴台账 · {scope}",
    "subsidies.total": (
        "共 {instructors} 人，全年补贴 {total} 元：区承担 {district_part} 元，市承担 {city_part} 元。"
    ),
    "subsidies.districts": "各区：",
    "subsidies.district_line": (
        "· {district}：{instructors} 人，{total} 元（区 {district_part}，市 {city_part}）"
    ),
    "subsidies.without_allowance": "另有 {count} 人未填月补贴，不计入。",
    "subsidies.ended": "离任 {count} 人不计入（花名册没有离任日期）。",
    "subsidies.not_started": "{count} 人入职日期在 {year} 年之后，不计入。",
    "subsidies.without_share": "{count} 人未填区承担比例，按全部由市承担计。",
    "subsidies.rules": "月数从入职当月算起；区承担四舍五入到元，其余由市承担。明细见附件。",
    "subsidies.none": "{year} 年 {scope} 没有可计的补贴：花名册里还没有填“月补贴”的在职指导员。",
    "subsidies.file": "补贴台账-{year}-{scope}.xlsx",
    "subsidies.written": "已写入 {path}（{count} 人）。",
}

EN: dict[str, str] = {
    "cmd.subsidies": "The subsidy ledger: /subsidies [year] [district]",
    "field.monthly_allowance": "monthly allowance",
    "field.district_share": "district share",
    "import.error.bad_allowance": (
        "“{value}” is not an amount: write whole yuan a month, e.g. 5560"
    ),
    "import.error.negative_allowance": "“{value}” is negative: an allowance cannot be below 0",
    "import.error.fractional_allowance": "“{value}” has a fraction: write whole yuan",
    "import.error.allowance_too_large": "“{value}” is too large for yuan a month; please check",
    "import.error.bad_share": "“{value}” is not a share: write a whole percent 0–100, e.g. 50 or 50%",
    "import.error.share_out_of_range": "“{value}” is out of range: a share lies between 0 and 100",
    "import.error.fractional_share": "“{value}” has a fraction: write a whole percent, e.g. 50",
    "import.error.ambiguous_share": (
        "“{value}” could mean 1% or 100%: write 100 for all of it, or 1% for one percent"
    ),
    "subsidies.usage": "Usage: /subsidies [year] [district], e.g. /subsidies 2026 西城.",
    "subsidies.bad_year": "“{value}” is not a year ({first}–{last}), e.g. /subsidies 2026.",
    "subsidies.header": "💰 Subsidy ledger {year} · {scope}",
    "subsidies.total": (
        "{instructors} instructor(s), {total} yuan for the year: the district bears "
        "{district_part}, the city {city_part}."
    ),
    "subsidies.districts": "Per district:",
    "subsidies.district_line": (
        "· {district}: {instructors}, {total} yuan (district {district_part}, city {city_part})"
    ),
    "subsidies.without_allowance": "{count} more have no monthly allowance and are not counted.",
    "subsidies.ended": "{count} who ended are not counted (the roster has no end date).",
    "subsidies.not_started": "{count} start after {year} and are not counted.",
    "subsidies.without_share": "{count} have no district share: the city bears all of theirs.",
    "subsidies.rules": (
        "Months count from the start month; the district's part is rounded to the yuan, "
        "the city bears the rest. The details are attached."
    ),
    "subsidies.none": (
        "No subsidy to count for {scope} in {year}: no active instructor has a monthly "
        "allowance in the roster yet."
    ),
    "subsidies.file": "subsidies-{year}-{scope}.xlsx",
    "subsidies.written": "Written to {path} ({count} instructor(s)).",
}
