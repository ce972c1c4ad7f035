"""/quota sets a region's yearly quota, /model nominates a model enterprise (示范企业) under the
honours veto, /accept records the district's acceptance (验收) and reward."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.context import Context
from bot.guards import command_text, guard
from bot.handlers.honours.common import (
    YEAR,
    find_enterprise,
    place,
    read_amount,
    take_reward,
    this_year,
)
from bot.texts import t
from storage.common.text import number
from storage.honours import records
from storage.honours.amounts import yuan
from storage.honours.records import MAX_QUOTA
from storage.people import districts
from storage.people.access import Identity

PASSED_WORDS = frozenset({"达标", "合格", "通过", "passed", "pass"})
FAILED_WORDS = frozenset({"未达标", "不达标", "不合格", "未通过", "failed", "fail"})


async def _reply(update: Update, text: str) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(text)


async def _set_quota(
    session: AsyncSession, context: Context, who: Identity, words: list[str]
) -> str:
    lang = context.lang(who)
    year = this_year(context)
    if len(words) >= 3 and YEAR.fullmatch(words[-1]) and number(words[-2]) is not None:
        year = int(words.pop())
    if not words:
        return t(lang, "honours.usage.quota")
    names = await districts.district_ids(session)
    found = districts.find_district(names, words[0])
    if found is not None:
        words = words[1:]
    elif who.scope_district_id is not None and who.district_name:
        found = who.district_name  # a district admin may leave their district out
    else:
        known = "、".join(names)
        return t(lang, "district.unknown", name=words[0], names=known)
    district_id = names[found]
    if not who.may_manage(district_id):
        return t(lang, "refused.other_district", district=who.district_name or "")
    if not words:
        return t(lang, "honours.usage.quota")
    typed = words[-1]
    quota = number(typed)
    if quota is None or quota < 0 or quota > MAX_QUOTA:
        return t(lang, "honours.quota.bad_number", value=typed)
    region = " ".join(words[:-1])
    known_regions = await records.regions_of(session, district_id)
    if region and region not in known_regions:
        if not known_regions:
            return t(lang, "honours.quota.no_regions", district=found, quota=quota)
        return t(
            lang,
            "honours.quota.unknown_region",
            district=found,
            region=region,
            regions="、".join(known_regions),
        )
    if not region and known_regions:
        return t(
            lang,
            "honours.quota.needs_region",
            district=found,
            regions="、".join(known_regions),
            first=known_regions[0],
            quota=quota,
        )
    await records.set_quota(
        session, year=year, district_id=district_id, region=region, quota=quota, by=who.telegram_id
    )
    nominated = len(await records.holders(session, year, district_id, region))
    return t(
        lang,
        "honours.quota.done",
        year=year,
        place=place(found, region),
        quota=quota,
        nominated=nominated,
    )


@guard(role="admin", chat="private")
async def set_quota(update: Update, context: Context, who: Identity) -> None:
    """`/quota 平谷 东部 5 [2027]` sets the region's quota of model enterprises for the year."""
    assert update.effective_message is not None
    words = command_text(update.effective_message).split()
    async with context.sessions.begin() as session:
        text = await _set_quota(session, context, who, words)
    await _reply(update, text)


async def _nominate(session: AsyncSession, context: Context, who: Identity, name: str) -> str:
    lang = context.lang(who)
    found = await find_enterprise(session, lang, who, name)
    if found.enterprise is None:
        assert found.refusal is not None
        return found.refusal
    enterprise = found.enterprise
    year = this_year(context)
    outcome = await records.nominate(
        session, enterprise, year=year, by=who.telegram_id, now=datetime.now(UTC)
    )
    where = place(enterprise.district.name, outcome.region)
    region_arg = f"{outcome.region} " if outcome.region else ""
    return t(
        lang,
        f"honours.model.{outcome.outcome}",
        name=enterprise.name,
        year=year,
        place=where,
        used=len(outcome.holders),
        quota=outcome.quota,
        holders="、".join(outcome.holders),
        example=f"{enterprise.district.name} {region_arg}5",
    )


@guard(role="admin", chat="private")
async def nominate(update: Update, context: Context, who: Identity) -> None:
    """`/model <enterprise>` nominates the enterprise as 示范企业 of this year."""
    assert update.effective_message is not None
    lang = context.lang(who)
    name = command_text(update.effective_message).strip()
    if not name:
        await _reply(update, t(lang, "honours.usage.model"))
        return
    async with context.sessions.begin() as session:
        text = await _nominate(session, context, who, name)
    await _reply(update, text)


def _acceptance(words: list[str]) -> tuple[bool | None, list[str]]:
    """达标 (True) / 未达标 (False) among the words, and the other words."""
    passed: bool | None = None
    rest = []
    for word in words:
        if word.casefold() in PASSED_WORDS:
            passed = True
        elif word.casefold() in FAILED_WORDS:
            passed = False
        else:
            rest.append(word)
    return passed, rest


async def _accept(session: AsyncSession, context: Context, who: Identity, text: str) -> str:
    lang = context.lang(who)
    text, typed = take_reward(text)
    passed, words = _acceptance(text.split())
    if not words or (passed is None and typed is None):
        return t(lang, "honours.usage.accept")
    reward, problem = read_amount(lang, typed)
    if problem is not None:
        return problem
    found = await find_enterprise(session, lang, who, " ".join(words))
    if found.enterprise is None:
        assert found.refusal is not None
        return found.refusal
    enterprise = found.enterprise
    year = this_year(context)
    nomination = await records.nomination_of(session, year, enterprise.id)
    values = {"name": enterprise.name, "year": year}
    if nomination is None:
        return t(lang, "honours.accept.not_nominated", **values)
    if not who.may_manage(nomination.district_id):
        return t(lang, "refused.other_district", district=who.district_name or "")
    outcome = await records.record_acceptance(
        session,
        nomination,
        passed=passed,
        reward=reward,
        by=who.telegram_id,
        now=datetime.now(UTC),
    )
    if outcome != "ok":
        return t(lang, f"honours.accept.{outcome}", **values)
    if passed is False:
        return t(lang, "honours.accept.failed", **values)
    if passed is None:
        return t(lang, "honours.accept.rewarded", amount=yuan(reward or 0), **values)
    part = t(lang, "honours.accept.reward_part", amount=yuan(reward)) if reward is not None else ""
    return t(lang, "honours.accept.passed", reward=part, **values)


@guard(role="admin", chat="private")
async def accept(update: Update, context: Context, who: Identity) -> None:
    """`/accept <enterprise> 达标 奖励:10000`, `/accept <enterprise> 未达标`."""
    assert update.effective_message is not None
    text = command_text(update.effective_message).strip()
    async with context.sessions.begin() as session:
        reply = await _accept(session, context, who, text)
    await _reply(update, reply)
