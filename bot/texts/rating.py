"""Texts of the democratic rating (民主测评) and the district's rating."""

ZH_CN: dict[str, str] = {}

EN: dict[str, str] = {}
