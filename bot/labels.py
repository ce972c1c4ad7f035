"""Wording that several features share: a speaker's role, a message's audience."""

from __future__ import annotations

from bot.texts import t
from storage.models import NoticeAudience
from storage.people.access import Identity


def role_name(lang: str, who: Identity) -> str:
    """The speaker's role as a phrase: 市总工会管理员, 西城区管理员, 指导员."""
    if who.role is None:
        return ""
    return t(lang, f"role.{who.role}", district=who.district_name or "")


def audience_label(lang: str, kind: str, value: str | None, district_names: dict[int, str]) -> str:
    """全体 / 西城区 / 市级指导员 / 专职指导员 / 已绑定的群."""
    if kind == NoticeAudience.DISTRICT.value:
        return t(lang, "notice.aud.district", district=district_names.get(int(value or 0), "?"))
    if kind == NoticeAudience.LEVEL.value:
        return t(lang, "notice.aud.level", level=t(lang, f"level.{value}"))
    if kind == NoticeAudience.EMPLOYMENT.value:
        return t(lang, "notice.aud.employment", employment=t(lang, f"employment.{value}"))
    return t(lang, f"notice.aud.{kind}")
