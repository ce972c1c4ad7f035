"""Texts of the annual evaluation: opening a year, the dossier, the self-assessment, progress."""

ZH_CN: dict[str, str] = {
    "cmd.evaluation": "年度考评：我的档案与自评；管理员看进度",
}

EN: dict[str, str] = {
    "cmd.evaluation": "Annual evaluation: my dossier and self-assessment; admins see progress",
}
