"""Quotas, nominations under the honours veto, acceptance and reward, contract texts.

A nomination locks its region's quota row first (an UPDATE, which waits for the other's commit
on PostgreSQL and SQLite alike), then counts the region's nominations: two nominations for the
last place take turns, and the second finds the region full.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import (
    Acceptance,
    ContractText,
    Enterprise,
    ModelNomination,
    ModelQuota,
    Report,
    ReportType,
)

MAX_QUOTA = 10_000


async def regions_of(session: AsyncSession, district_id: int) -> list[str]:
    """The regions (区域) the registry knows for a district, by code point ("" left out)."""
    rows = await session.scalars(
        select(Enterprise.region)
        .where(Enterprise.district_id == district_id, Enterprise.region.is_not(None))
        .where(Enterprise.region != "")
        .distinct()
    )
    # Sorted here: the databases' collations order Chinese differently.
    return sorted(region for region in rows if region)


def region_of(enterprise: Enterprise) -> str:
    """The region a nomination of `enterprise` counts in ("" for a district without regions)."""
    return (enterprise.region or "").strip()


async def set_quota(
    session: AsyncSession, *, year: int, district_id: int, region: str, quota: int, by: int
) -> None:
    """Sets (or replaces) a region's quota for a year."""
    insert = dialect_insert(session)
    statement = insert(ModelQuota).values(
        year=year, district_id=district_id, region=region, quota=quota, set_by=by
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["year", "district_id", "region"],
            set_={"quota": quota, "set_by": by, "set_at": func.now()},
        )
    )


async def has_collective_contract(session: AsyncSession, enterprise: Enterprise) -> bool:
    """Whether a collective contract is on record: the registry's 集体合同 column (是, or a
    signing date) or a 签约 report about the enterprise that was not deleted."""
    if enterprise.collective_contract or enterprise.contract_signed_on is not None:
        return True
    signed = exists().where(
        Report.enterprise_id == enterprise.id,
        Report.type == ReportType.CONTRACT.value,
        Report.deleted_at.is_(None),
    )
    return bool(await session.scalar(select(signed)))


async def nomination_of(
    session: AsyncSession, year: int, enterprise_id: int
) -> ModelNomination | None:
    return await session.scalar(
        select(ModelNomination)
        .where(ModelNomination.year == year, ModelNomination.enterprise_id == enterprise_id)
        .execution_options(populate_existing=True)
    )


async def holders(session: AsyncSession, year: int, district_id: int, region: str) -> list[str]:
    """The names of the enterprises nominated in a region and year, in nomination order."""
    rows = await session.scalars(
        select(Enterprise.name)
        .join(ModelNomination, ModelNomination.enterprise_id == Enterprise.id)
        .where(
            ModelNomination.year == year,
            ModelNomination.district_id == district_id,
            ModelNomination.region == region,
        )
        .order_by(ModelNomination.nominated_at, ModelNomination.id)
    )
    return list(rows)


@dataclass
class Nominated:
    """What became of /model: `outcome` is ok, already, veto, no_quota or full; `quota` and
    `holders` tell a full region's places."""

    outcome: str
    region: str = ""
    quota: int = 0
    holders: list[str] = field(default_factory=list)
    nomination: ModelNomination | None = None


async def nominate(
    session: AsyncSession, enterprise: Enterprise, *, year: int, by: int, now: datetime
) -> Nominated:
    """Nominates `enterprise` as 示范企业 of `year`, within its region's quota and only with a
    collective contract on record (一票否决)."""
    region = region_of(enterprise)
    if await nomination_of(session, year, enterprise.id) is not None:
        return Nominated("already", region)
    if not await has_collective_contract(session, enterprise):
        return Nominated("veto", region)
    # The lock: nothing else may count or add this region's nominations until we commit.
    locked = await session.execute(
        update(ModelQuota)
        .where(
            ModelQuota.year == year,
            ModelQuota.district_id == enterprise.district_id,
            ModelQuota.region == region,
        )
        .values(quota=ModelQuota.quota)
    )
    if getattr(locked, "rowcount", 0) == 0:
        return Nominated("no_quota", region)
    quota = await session.scalar(
        select(ModelQuota.quota).where(
            ModelQuota.year == year,
            ModelQuota.district_id == enterprise.district_id,
            ModelQuota.region == region,
        )
    )
    if await nomination_of(session, year, enterprise.id) is not None:
        return Nominated("already", region)
    names = await holders(session, year, enterprise.district_id, region)
    if len(names) >= (quota or 0):
        return Nominated("full", region, quota or 0, names)
    nomination = ModelNomination(
        year=year,
        enterprise_id=enterprise.id,
        district_id=enterprise.district_id,
        region=region,
        nominated_by=by,
        nominated_at=now,
    )
    session.add(nomination)
    await session.flush()
    return Nominated("ok", region, quota or 0, [*names, enterprise.name], nomination)


async def record_acceptance(
    session: AsyncSession,
    nomination: ModelNomination,
    *,
    passed: bool | None,
    reward: int | None,
    by: int,
    now: datetime,
) -> str:
    """Records 达标 / 未达标 and the reward; returns ok, or why not: no_acceptance (a reward
    before 达标), reward_failed (a reward with 未达标)."""
    if passed is False and reward is not None:
        return "reward_failed"
    if passed is None and nomination.acceptance != Acceptance.PASSED.value:
        return "no_acceptance"
    if passed is not None:
        nomination.acceptance = (Acceptance.PASSED if passed else Acceptance.FAILED).value
        nomination.accepted_by = by
        nomination.accepted_at = now
        if not passed:
            nomination.reward = None
            nomination.rewarded_by = None
            nomination.rewarded_at = None
    if reward is not None:
        nomination.reward = reward
        nomination.rewarded_by = by
        nomination.rewarded_at = now
    await session.flush()
    return "ok"


async def add_contract_text(
    session: AsyncSession,
    enterprise: Enterprise,
    *,
    year: int,
    file_id: str,
    file_name: str | None,
    by: int,
    now: datetime,
) -> ContractText:
    """Keeps an uploaded contract text (the file stays in Telegram, named by its file_id)."""
    text = ContractText(
        enterprise_id=enterprise.id,
        year=year,
        file_id=file_id,
        file_name=file_name,
        featured=False,
        uploaded_by=by,
        uploaded_at=now,
    )
    session.add(text)
    await session.flush()
    return text


async def contract_texts(session: AsyncSession, enterprise_id: int) -> list[ContractText]:
    """An enterprise's contract texts, newest first."""
    rows = await session.scalars(
        select(ContractText)
        .where(ContractText.enterprise_id == enterprise_id)
        .order_by(ContractText.uploaded_at.desc(), ContractText.id.desc())
    )
    return list(rows)


async def feature(
    session: AsyncSession, text: ContractText, *, reward: int | None, by: int, now: datetime
) -> None:
    """Marks a contract text 特色 (featured), with its reward if one is given."""
    text.featured = True
    if reward is not None:
        text.reward = reward
    text.featured_by = by
    text.featured_at = now
    await session.flush()
