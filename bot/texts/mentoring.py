"""Texts of mentoring (传帮带): /mentor, the sign-offs, /mentoring."""

ZH_CN: dict[str, str] = {
    "cmd.mentor": "指定带教导师：/mentor 新指导员 导师",
    "cmd.mentoring": "传帮带进度",
}

EN: dict[str, str] = {
    "cmd.mentor": "Assign a mentor: /mentor <mentee> <mentor>",
    "cmd.mentoring": "Mentoring progress",
}
