"""What the honours commands share: the year, the enterprise named, districts in scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.texts import t
from storage.honours.amounts import AmountProblem, parse_amount
from storage.models import District, Enterprise
from storage.people import districts
from storage.people.access import Identity
from storage.reports.records import match_enterprise

YEAR = re.compile(r"(19|20|21)\d\d")
# 奖励:10000, 奖励：1万, 奖励 10,000 (the amount is the next word).
REWARD = re.compile(r"(?:奖励|奖金|reward)\s*[:：]?\s*(\S*)", re.IGNORECASE)


def this_year(context: Context) -> int:
    return datetime.now(context.settings.tz).year


def place(district: str, region: str) -> str:
    """平谷·东部, or 密云 for a district without regions."""
    return f"{district}·{region}" if region else district


@dataclass
class Found:
    """The enterprise a command names, or the refusal to answer with."""

    enterprise: Enterprise | None = None
    refusal: str | None = None


async def find_enterprise(
    session: AsyncSession, lang: str, who: Identity, name: str, *, own_only: bool = True
) -> Found:
    """The registry's enterprise `name`, if the admin may act on it; else why not (with close
    names for a name the registry does not know)."""
    match = await match_enterprise(session, name)
    enterprise = match.enterprise
    if enterprise is None:
        text = t(lang, "honours.not_found", name=name)
        if match.suggestions:
            names = "、".join(e.name for e in match.suggestions)
            text += "\n" + t(lang, "honours.suggest", names=names)
        else:
            text += "\n" + t(lang, "honours.search_hint")
        return Found(refusal=text)
    if own_only and not who.may_manage(enterprise.district_id):
        district = await session.get(District, enterprise.district_id)
        text = t(
            lang,
            "honours.other_district",
            name=enterprise.name,
            district=district.name if district else "",
            own=who.district_name or "",
        )
        return Found(refusal=text)
    return Found(enterprise)


def take_reward(text: str) -> tuple[str, str | None]:
    """`text` without its 奖励:<amount>, and the amount as typed (None without one)."""
    match = REWARD.search(text)
    if match is None:
        return text, None
    return (text[: match.start()] + " " + text[match.end() :]).strip(), match.group(1)


def read_amount(lang: str, typed: str | None) -> tuple[int | None, str | None]:
    """The reward's yuan (None when none was typed), or the reason it is refused."""
    if typed is None:
        return None, None
    try:
        return parse_amount(typed), None
    except AmountProblem as problem:
        return None, t(lang, f"honours.amount.{problem.code}", value=problem.value)


@dataclass
class Scope:
    """The year and district of /quotas and /rewards, or the refusal."""

    year: int
    district_id: int | None = None
    label: str = ""
    refusal: str | None = None


async def read_scope(
    session: AsyncSession, context: Context, who: Identity, text: str, command: str
) -> Scope:
    """`[year] [区名]`: a district admin sees their own district whatever they name."""
    lang = context.lang(who)
    year = this_year(context)
    names = await districts.district_ids(session)
    district_id = who.scope_district_id
    label = who.district_name if district_id is not None else t(lang, "city")
    for word in text.split():
        if word.isdigit() and len(word) == 4:
            if not YEAR.fullmatch(word):
                return Scope(year, refusal=t(lang, "honours.bad_year", value=word))
            year = int(word)
            continue
        found = districts.find_district(names, word)
        if found is None:
            usage = t(lang, "honours.usage.figures", command=command)
            return Scope(year, refusal=t(lang, "honours.bad_words", value=word) + "\n" + usage)
        if not who.may_manage(names[found]):
            own = who.district_name or ""
            return Scope(year, refusal=t(lang, "refused.other_district", district=own))
        district_id, label = names[found], found
    return Scope(year, district_id, label or "")
