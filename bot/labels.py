"""Wording that several features share: a speaker's role, a message's audience, what a refused
one-line command understood, the voice of messages composed in storage."""

from __future__ import annotations

from collections.abc import Mapping

from bot.context import Context
from bot.texts import t
from schedules.callups import voice
from storage.callups.recruiting import Voice
from storage.common.keyed import LineProblem
from storage.models import NoticeAudience
from storage.people.access import Identity


def role_name(lang: str, who: Identity) -> str:
    """The speaker's role as a phrase: 市总工会管理员, 西城区管理员, 指导员."""
    if who.role is None:
        return ""
    return t(lang, f"role.{who.role}", district=who.district_name or "")


def audience_label(
    lang: str,
    kind: str,
    value: str | None,
    district_names: Mapping[int, str],
    team_titles: Mapping[int, str] | None = None,
) -> str:
    """全体 / 西城区 / 市级指导员 / 专职指导员 / 已绑定的群 / 攻关队 #3（维达纸业工资协商攻关）."""
    if kind == NoticeAudience.TEAM.value:
        call_up_id = int(value or 0)
        title = (team_titles or {}).get(call_up_id)
        if title is None:
            return t(lang, "notice.aud.team_id", id=call_up_id)
        return t(lang, "notice.aud.team", id=call_up_id, title=title)
    if kind == NoticeAudience.DISTRICT.value:
        return t(lang, "notice.aud.district", district=district_names.get(int(value or 0), "?"))
    if kind == NoticeAudience.LEVEL.value:
        return t(lang, "notice.aud.level", level=t(lang, f"level.{value}"))
    if kind == NoticeAudience.EMPLOYMENT.value:
        return t(lang, "notice.aud.employment", employment=t(lang, f"employment.{value}"))
    return t(lang, f"notice.aud.{kind}")


def line_problem(lang: str, problem: LineProblem, feature: str) -> str:
    """What a refused one-line command answers (`feature` names its texts: "callup",
    "training"): the bad value's reason, or what was understood, what is missing and how to
    write it."""
    if problem.code != "missing":
        return t(lang, f"{feature}.problem.{problem.code}", value=problem.value)
    understood = "\n".join(
        f"· {t(lang, f'{feature}.key.{key}')}：{value}" for key, value in problem.understood.items()
    )
    missing = "、".join(t(lang, f"{feature}.key.{key}") for key in problem.missing)
    return (
        t(lang, f"{feature}.missing", understood=understood or t(lang, "none"), missing=missing)
        + "\n\n"
        + t(lang, f"{feature}.usage")
    )


def speaker(context: Context) -> Voice:
    """How messages composed in storage (call-ups, trainings) are worded: the bot's texts,
    default language and time zone."""
    settings = context.settings
    return voice(t, settings.bot_language, settings.bot_timezone)
