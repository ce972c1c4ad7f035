"""What the quotas and rewards add up to, for /quotas, /rewards, their .xlsx and the CLI.

Rewards of a year: the rewards recorded on that year's nominations (示范企业) and on contract
texts of that year marked featured (特色合同文本), per district and in all. The sums are two
grouped queries, whatever the number of enterprises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.spreadsheets import xlsx_bytes
from storage.models import (
    Acceptance,
    ContractText,
    District,
    Enterprise,
    ModelNomination,
    ModelQuota,
)

MODEL = "model"
FEATURED = "featured"
KIND_LABELS = {MODEL: "示范企业", FEATURED: "特色合同文本"}


@dataclass
class RegionLine:
    """One region's row of /quotas."""

    district: str
    region: str
    quota: int | None = None
    nominated: int = 0
    passed: int = 0
    failed: int = 0


async def quota_lines(
    session: AsyncSession, year: int, district_id: int | None
) -> list[RegionLine]:
    """Per district and region: the quota, nominated, 达标 and 未达标 (districts in the seed's
    order, regions by name)."""
    lines: dict[tuple[int, str], RegionLine] = {}
    names = {did: name for did, name in await session.execute(select(District.id, District.name))}

    def line(did: int, region: str) -> RegionLine:
        return lines.setdefault((did, region), RegionLine(names.get(did, ""), region))

    quotas = select(ModelQuota.district_id, ModelQuota.region, ModelQuota.quota).where(
        ModelQuota.year == year
    )
    passed = Acceptance.PASSED.value
    failed = Acceptance.FAILED.value
    counted = (
        select(
            ModelNomination.district_id,
            ModelNomination.region,
            func.count(),
            func.sum(case((ModelNomination.acceptance == passed, 1), else_=0)),
            func.sum(case((ModelNomination.acceptance == failed, 1), else_=0)),
        )
        .where(ModelNomination.year == year)
        .group_by(ModelNomination.district_id, ModelNomination.region)
    )
    if district_id is not None:
        quotas = quotas.where(ModelQuota.district_id == district_id)
        counted = counted.where(ModelNomination.district_id == district_id)
    for did, region, quota in await session.execute(quotas):
        line(did, region).quota = quota
    for did, region, count, ok, not_ok in await session.execute(counted):
        found = line(did, region)
        found.nominated, found.passed, found.failed = count, int(ok or 0), int(not_ok or 0)
    order = {did: i for i, did in enumerate(sorted(names))}
    return [lines[key] for key in sorted(lines, key=lambda k: (order.get(k[0], 0), k[1]))]


@dataclass
class DistrictRewards:
    """One district's rewards of a year: model enterprises and featured contract texts."""

    district: str
    model_count: int = 0
    model_yuan: int = 0
    featured_count: int = 0
    featured_yuan: int = 0

    @property
    def total(self) -> int:
        return self.model_yuan + self.featured_yuan


@dataclass
class Rewards:
    """A year's rewards per district (those with any) and in all."""

    year: int
    district: str | None
    districts: list[DistrictRewards] = field(default_factory=list)

    @property
    def all(self) -> DistrictRewards:
        total = DistrictRewards("")
        for one in self.districts:
            total.model_count += one.model_count
            total.model_yuan += one.model_yuan
            total.featured_count += one.featured_count
            total.featured_yuan += one.featured_yuan
        return total


async def reward_totals(session: AsyncSession, year: int, district_id: int | None) -> Rewards:
    """The sums of a year's rewards, per district, for the city or one district."""
    models = (
        select(
            ModelNomination.district_id,
            func.count(),
            func.coalesce(func.sum(ModelNomination.reward), 0),
        )
        .where(ModelNomination.year == year, ModelNomination.reward.is_not(None))
        .group_by(ModelNomination.district_id)
    )
    featured = (
        select(
            Enterprise.district_id, func.count(), func.coalesce(func.sum(ContractText.reward), 0)
        )
        .join(Enterprise, Enterprise.id == ContractText.enterprise_id)
        .where(
            ContractText.year == year,
            ContractText.featured.is_(True),
            ContractText.reward.is_not(None),
        )
        .group_by(Enterprise.district_id)
    )
    if district_id is not None:
        models = models.where(ModelNomination.district_id == district_id)
        featured = featured.where(Enterprise.district_id == district_id)
    names = {did: name for did, name in await session.execute(select(District.id, District.name))}
    per: dict[int, DistrictRewards] = {}
    for did, count, total in await session.execute(models):
        one = per.setdefault(did, DistrictRewards(names.get(did, "")))
        one.model_count, one.model_yuan = count, int(total or 0)
    for did, count, total in await session.execute(featured):
        one = per.setdefault(did, DistrictRewards(names.get(did, "")))
        one.featured_count, one.featured_yuan = count, int(total or 0)
    label = names.get(district_id) if district_id is not None else None
    return Rewards(year, label, [per[did] for did in sorted(per)])


def rewards_json(rewards: Rewards) -> dict[str, Any]:
    """The figures of `xieshang rewards --json`."""

    def figures(one: DistrictRewards) -> dict[str, int]:
        return {
            "model_enterprises": one.model_count,
            "model_yuan": one.model_yuan,
            "featured_contracts": one.featured_count,
            "featured_yuan": one.featured_yuan,
            "total_yuan": one.total,
        }

    return {
        "year": rewards.year,
        "district": rewards.district,
        "districts": {one.district: figures(one) for one in rewards.districts},
        "all": figures(rewards.all),
    }


REWARD_COLUMNS = ("年度", "所属区", "区域", "企业", "类别", "奖励（元）", "验收")


async def rewards_sheet(session: AsyncSession, rewards: Rewards, district_id: int | None) -> bytes:
    """The .xlsx of /rewards: one row per reward, then each district's total and the total."""
    year = rewards.year
    models = (
        select(District.name, ModelNomination.region, Enterprise.name, ModelNomination.reward)
        .join(Enterprise, Enterprise.id == ModelNomination.enterprise_id)
        .join(District, District.id == ModelNomination.district_id)
        .where(ModelNomination.year == year, ModelNomination.reward.is_not(None))
        .order_by(District.id, ModelNomination.region, Enterprise.name)
    )
    featured = (
        select(District.name, Enterprise.region, Enterprise.name, ContractText.reward)
        .join(Enterprise, Enterprise.id == ContractText.enterprise_id)
        .join(District, District.id == Enterprise.district_id)
        .where(
            ContractText.year == year,
            ContractText.featured.is_(True),
            ContractText.reward.is_not(None),
        )
        .order_by(District.id, Enterprise.name, ContractText.id)
    )
    if district_id is not None:
        models = models.where(ModelNomination.district_id == district_id)
        featured = featured.where(Enterprise.district_id == district_id)
    table: list[list[Any]] = [list(REWARD_COLUMNS)]
    for district, region, name, reward in await session.execute(models):
        table.append([year, district, region or None, name, KIND_LABELS[MODEL], reward, "达标"])
    for district, where, name, reward in await session.execute(featured):
        table.append([year, district, where or None, name, KIND_LABELS[FEATURED], reward, None])
    table.append([])
    for one in rewards.districts:
        table.append([year, one.district, None, "合计", None, one.total, None])
    table.append([year, "全部", None, "合计", None, rewards.all.total, None])
    return xlsx_bytes({"奖励": table})


QUOTA_COLUMNS = ("年度", "所属区", "区域", "名额", "已推荐", "达标", "未达标")
NOMINATION_COLUMNS = ("年度", "所属区", "区域", "企业", "验收", "奖励（元）")
ACCEPTANCE_LABELS = {Acceptance.PASSED.value: "达标", Acceptance.FAILED.value: "未达标"}


async def quotas_sheet(
    session: AsyncSession, year: int, district_id: int | None, lines: list[RegionLine]
) -> bytes:
    """The .xlsx of /quotas: a row per region, and a sheet of the nominations."""
    regions: list[list[Any]] = [list(QUOTA_COLUMNS)]
    for one in lines:
        regions.append(
            [
                year,
                one.district,
                one.region or None,
                one.quota,
                one.nominated,
                one.passed,
                one.failed,
            ]
        )
    query = (
        select(
            District.name,
            ModelNomination.region,
            Enterprise.name,
            ModelNomination.acceptance,
            ModelNomination.reward,
        )
        .join(Enterprise, Enterprise.id == ModelNomination.enterprise_id)
        .join(District, District.id == ModelNomination.district_id)
        .where(ModelNomination.year == year)
        .order_by(District.id, ModelNomination.region, ModelNomination.id)
    )
    if district_id is not None:
        query = query.where(ModelNomination.district_id == district_id)
    nominations: list[list[Any]] = [list(NOMINATION_COLUMNS)]
    for district, region, name, acceptance, reward in await session.execute(query):
        label = ACCEPTANCE_LABELS.get(acceptance or "", "待验收")
        nominations.append([year, district, region or None, name, label, reward])
    return xlsx_bytes({"名额": regions, "推荐": nominations})
