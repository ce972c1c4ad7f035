"""Model enterprises and rewards through the real Application: quotas per region, nominations
under the quota and the honours veto (一票否决), acceptance and rewards in whole yuan, featured
contract texts, /quotas and /rewards with their .xlsx, and `xieshang rewards --json`."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from storage import db
from storage.honours import records
from storage.models import (
    Acceptance,
    ContractText,
    Enterprise,
    Instructor,
    ModelNomination,
    Report,
    ReportType,
)
from storage.people import access, districts
from tests.conftest import HQ_ID
from tests.harness import Chat, Person, Replies, World

PINGGU_ADMIN, MIYUN_ADMIN = 2001, 2002
REGIONS = ("东部", "西部", "北部")
# The bot's year (BOT_TIMEZONE); a run across midnight of New Year's Eve there may fail.
YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year


async def seed(
    sessions: db.Sessions,
    district: str,
    names: list[str],
    *,
    region: str | None = None,
    contract: bool | None = True,
    signed_on: date | None = None,
) -> None:
    """Adds registry enterprises of `district` (as the registry import would leave them)."""
    async with sessions.begin() as session:
        district_id = (await districts.district_ids(session))[district]
        for name in names:
            session.add(
                Enterprise(
                    name=name,
                    district_id=district_id,
                    region=region,
                    collective_contract=contract,
                    contract_signed_on=signed_on,
                )
            )


async def district_admins(world: World, sessions: db.Sessions) -> tuple[Person, Person, Person]:
    """HQ, 平谷's admin and 密云's admin."""
    async with sessions.begin() as session:
        ids = await districts.district_ids(session)
        for telegram_id, name in ((PINGGU_ADMIN, "平谷"), (MIYUN_ADMIN, "密云")):
            await access.add_admin(
                session, telegram_id, access.DISTRICT_ADMIN, ids[name], added_by=HQ_ID
            )
    return (
        world.person(HQ_ID, "总部"),
        world.person(PINGGU_ADMIN, "平谷管理员"),
        world.person(MIYUN_ADMIN, "密云管理员"),
    )


async def pinggu(sessions: db.Sessions) -> None:
    """平谷's registry: three regions of six enterprises each, all with a collective contract."""
    for region in REGIONS:
        await seed(sessions, "平谷", [f"平谷{region}企业{i}" for i in range(1, 7)], region=region)


async def upload_contract(person: Person, caption: str, file_name: str) -> Replies:
    """Sends a document with a caption, as an admin attaches a contract text."""
    file_id = person.world.standin.add_file(b"%PDF-1.4 contract", file_name)
    document = {
        "file_id": file_id,
        "file_unique_id": file_id,
        "file_name": file_name,
        "file_size": 17,
    }
    message = person._message(None, document=document, caption=caption)
    return await person.world.process({"message": message}, Chat(person.id))


async def test_pinggu_five_per_region_and_a_sixth_refused(
    world: World, sessions: db.Sessions
) -> None:
    """Pinggu's three regions take 5 nominations each; a 6th in one region is refused with the
    quota and who holds the places, the other regions still have theirs."""
    await pinggu(sessions)
    hq, pinggu_admin, _ = await district_admins(world, sessions)
    for region in REGIONS:
        said = (await hq.send(f"/quota 平谷 {region} 5")).text
        assert f"{YEAR} 年平谷·{region}示范企业名额 5 家" in said, said
    for i in range(1, 6):
        said = (await pinggu_admin.send(f"/model 平谷东部企业{i}")).text
        assert "已推荐“平谷东部企业" in said and f"{i}/5" in said, said
    sixth = (await pinggu_admin.send("/model 平谷东部企业6")).text
    assert "名额（5 家）已满" in sixth and "平谷东部企业1" in sixth and "平谷东部企业5" in sixth
    again = (await pinggu_admin.send("/model 平谷东部企业1")).text
    assert "不必重复推荐" in again
    assert "1/5" in (await pinggu_admin.send("/model 平谷西部企业6")).text
    quotas = await pinggu_admin.send("/quotas")
    assert "平谷·东部：名额 5，已推荐 5，达标 0" in quotas.text, quotas.text
    assert "平谷·西部：名额 5，已推荐 1" in quotas.text
    assert "平谷·北部：名额 5，已推荐 0" in quotas.text
    _, content = quotas.documents[0]
    rows = list(load_workbook(io.BytesIO(content))["名额"].iter_rows(values_only=True))
    assert (YEAR, "平谷", "东部", 5, 5, 0, 0) in rows
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(ModelNomination))
    assert count == 6


async def test_quota_refusals_name_the_known_regions(world: World, sessions: db.Sessions) -> None:
    """A region the registry does not know is refused with the known ones; a quota must be a
    whole number of 0 or more; no quota set means no nomination, with how to set one."""
    await pinggu(sessions)
    hq, _, _ = await district_admins(world, sessions)
    unknown = (await hq.send("/quota 平谷 南部 5")).text
    assert "没有“南部”这个区域" in unknown and "东部、北部、西部" in unknown
    assert "请写出区域" in (await hq.send("/quota 平谷 5")).text
    assert "不小于 0 的整数" in (await hq.send("/quota 平谷 东部 -1")).text
    assert "不小于 0 的整数" in (await hq.send("/quota 平谷 东部 2.5")).text
    assert "没有“火星”这个区" in (await hq.send("/quota 火星 东部 5")).text
    said = (await hq.send("/model 平谷北部企业1")).text
    assert "还没有设示范企业名额" in said and "/quota 平谷 北部 5" in said
    later = (await hq.send(f"/quota 平谷 北部 7 {YEAR + 1}")).text
    assert f"{YEAR + 1} 年平谷·北部示范企业名额 7 家" in later
    assert "还没有设示范企业名额" in (await hq.send("/model 平谷北部企业1")).text
    unknown_enterprise = (await hq.send("/model 平谷北部企")).text
    assert "企业名录里没有" in unknown_enterprise and "平谷北部企业1" in unknown_enterprise


async def test_miyun_68_rewards_of_10000_make_680000(
    world: World, sessions: db.Sessions, database_url: str, tmp_path: Path
) -> None:
    """Miyun's 68 enterprises accepted with 10,000 yuan each: /rewards shows 680,000 in the
    text and the .xlsx, and `xieshang rewards --json` gives the same figures."""
    names = [f"密云示范企业{i:02d}" for i in range(1, 69)]
    await seed(sessions, "密云", names)
    _, _, miyun = await district_admins(world, sessions)
    assert "示范企业名额 68 家" in (await miyun.send("/quota 68")).text
    for name in names:
        assert "已推荐" in (await miyun.send(f"/model {name}")).text
        said = (await miyun.send(f"/accept {name} 达标 奖励:10000")).text
        assert "验收达标，奖励 10,000 元" in said, said
    rewards = await miyun.send("/rewards")
    assert "密云：示范企业 68 家 680,000 元" in rewards.text, rewards.text
    assert "总计：680,000 元" in rewards.text
    _, content = rewards.documents[0]
    rows = list(load_workbook(io.BytesIO(content))["奖励"].iter_rows(values_only=True))
    assert rows[0][:6] == ("年度", "所属区", "区域", "企业", "类别", "奖励（元）")
    rewarded = [row for row in rows[1:] if row and row[4] == "示范企业"]
    assert len(rewarded) == 68 and {row[5] for row in rewarded} == {10000}
    assert (YEAR, "密云", None, "合计", None, 680000, None) in rows
    assert (YEAR, "全部", None, "合计", None, 680000, None) in rows
    quotas = (await miyun.send("/quotas")).text
    assert "密云：名额 68，已推荐 68，达标 68，未达标 0" in quotas

    figures = await cli(tmp_path, database_url, "rewards", "--year", str(YEAR), "--json")
    assert figures.returncode == 0, figures.stderr
    data = json.loads(figures.stdout)
    assert data["districts"]["密云"] == {
        "model_enterprises": 68,
        "model_yuan": 680000,
        "featured_contracts": 0,
        "featured_yuan": 0,
        "total_yuan": 680000,
    }
    assert data["all"]["total_yuan"] == 680000
    text = await cli(tmp_path, database_url, "rewards", "--district", "密云")
    assert "密云：示范企业 68 家 680,000 元" in text.stdout, text
    bad = await cli(tmp_path, database_url, "rewards", "--year", "20x6")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "20x6" in bad.stderr and bad.stdout == ""
    unknown = await cli(tmp_path, database_url, "rewards", "--district", "火星")
    assert unknown.returncode == 2 and "火星" in unknown.stderr


async def cli(tmp_path: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs `xieshang ARGS` on the test database in a folder without a .env."""
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "PTB_TIMEDELTA": "true"}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_no_collective_contract_no_nomination(world: World, sessions: db.Sessions) -> None:
    """Without a collective contract on record a nomination is refused naming 一票否决; a 签约
    report (not a deleted one) or the registry's column lets it through."""
    await seed(sessions, "昌平", ["昌平无合同", "昌平报签约"], contract=None)
    await seed(sessions, "昌平", ["昌平签订日期"], contract=None, signed_on=date(2025, 6, 1))
    await seed(sessions, "昌平", ["昌平名录为否"], contract=False)
    hq, _, _ = await district_admins(world, sessions)
    assert "示范企业名额 10 家" in (await hq.send("/quota 昌平 10")).text
    for name in ("昌平无合同", "昌平报签约", "昌平名录为否"):
        said = (await hq.send(f"/model {name}")).text
        assert "没有集体合同记录" in said and "一票否决" in said, said
    async with sessions.begin() as session:
        ids = await districts.district_ids(session)
        instructor = Instructor(
            name="刘强", level="district", employment="full_time", district_id=ids["昌平"]
        )
        session.add(instructor)
        await session.flush()
        for name, deleted in (
            ("昌平报签约", None),
            ("昌平名录为否", datetime(2026, 1, 2, tzinfo=UTC)),
        ):
            enterprise = await session.scalar(select(Enterprise).where(Enterprise.name == name))
            assert enterprise is not None
            session.add(
                Report(
                    instructor_id=instructor.id,
                    district_id=ids["昌平"],
                    date=date(2026, 1, 1),
                    type=ReportType.CONTRACT.value,
                    enterprise_id=enterprise.id,
                    target=name,
                    source="line",
                    deleted_at=deleted,
                )
            )
    assert "已推荐“昌平报签约”" in (await hq.send("/model 昌平报签约")).text
    assert "已推荐“昌平签订日期”" in (await hq.send("/model 昌平签订日期")).text
    assert "一票否决" in (await hq.send("/model 昌平名录为否")).text
    assert "一票否决" in (await hq.send("/model 昌平无合同")).text
    await seed(sessions, "昌平", ["昌平名录为是"], contract=True)
    assert "已推荐“昌平名录为是”" in (await hq.send("/model 昌平名录为是")).text


async def test_a_district_admin_stays_in_their_district(
    world: World, sessions: db.Sessions
) -> None:
    """平谷's admin can neither set 密云's quota, nor nominate, accept, reward or feature a
    contract of a 密云 enterprise, nor see 密云's figures; HQ can."""
    await pinggu(sessions)
    await seed(sessions, "密云", ["密云甲企业"])
    hq, pinggu_admin, _ = await district_admins(world, sessions)
    assert "只能管理平谷区" in (await pinggu_admin.send("/quota 密云 5")).text
    assert "示范企业名额 5 家" in (await hq.send("/quota 密云 5")).text
    refused = (await pinggu_admin.send("/model 密云甲企业")).text
    assert "属于密云区" in refused and "只能管理平谷区" in refused
    assert "已推荐" in (await hq.send("/model 密云甲企业")).text
    assert "属于密云区" in (await pinggu_admin.send("/accept 密云甲企业 达标 奖励:10000")).text
    assert "属于密云区" in (await pinggu_admin.send("/contract 密云甲企业 特色 奖励:5000")).text
    assert (
        "属于密云区" in (await upload_contract(pinggu_admin, "/contract 密云甲企业", "c.pdf")).text
    )
    assert "只能管理平谷区" in (await pinggu_admin.send("/rewards 密云")).text
    assert "只能管理平谷区" in (await pinggu_admin.send("/quotas 密云")).text
    async with sessions() as session:
        nomination = await session.scalar(select(ModelNomination))
        texts = await session.scalar(select(func.count()).select_from(ContractText))
    assert nomination is not None and nomination.acceptance is None and nomination.reward is None
    assert texts == 0
    ok = (await hq.send("/accept 密云甲企业 达标 奖励:10000")).text
    assert "奖励 10,000 元" in ok
    assert "还没有记录奖励" in (await pinggu_admin.send("/rewards")).text


BAD_AMOUNTS = {
    "1.5": "只能是整数",
    "10000.50": "只能是整数",
    "-3": "不能是负数",
    "一万": "看不懂奖励金额",
    "abc": "看不懂奖励金额",
    "10,00": "看不懂奖励金额",
    "2亿": "看不懂奖励金额",
    "200000000": "太大了",
}


async def test_amounts_are_whole_yuan(world: World, sessions: db.Sessions) -> None:
    """Decimals of yuan, negatives, words and slips are refused with the reason and change
    nothing; 10000, 10,000 and 1万 are 10,000; a reward needs 达标 first."""
    await seed(sessions, "密云", ["密云乙企业"])
    hq, _, miyun = await district_admins(world, sessions)
    await hq.send("/quota 密云 3")
    await miyun.send("/model 密云乙企业")
    early = (await miyun.send("/accept 密云乙企业 奖励:10000")).text
    assert "还没有验收达标" in early
    for typed, reason in BAD_AMOUNTS.items():
        said = (await miyun.send(f"/accept 密云乙企业 达标 奖励:{typed}")).text
        assert reason in said, (typed, said)
    async with sessions() as session:
        nomination = await session.scalar(select(ModelNomination))
    assert nomination is not None and nomination.acceptance is None
    assert "去掉“奖励”" in (await miyun.send("/accept 密云乙企业 未达标 奖励:10000")).text
    for typed in ("10000", "10,000", "1万", "￥10000元", "奖励：１万"):
        line = f"/accept 密云乙企业 达标 {typed}" if "奖励" in typed else None
        said = (await miyun.send(line or f"/accept 密云乙企业 达标 奖励:{typed}")).text
        assert "奖励 10,000 元" in said, (typed, said)
    assert "奖励 15,000 元" in (await miyun.send("/accept 密云乙企业 奖励:1.5万")).text
    assert "验收未达标" in (await miyun.send("/accept 密云乙企业 未达标")).text
    assert "还没有记录奖励" in (await miyun.send("/rewards")).text
    async with sessions() as session:
        nomination = await session.scalar(select(ModelNomination))
    assert nomination is not None
    assert nomination.acceptance == Acceptance.FAILED.value and nomination.reward is None
    assert "企业名录里没有" in (await miyun.send("/accept 密云丁企业 达标")).text


async def test_two_nominations_for_the_last_place(
    world: World, sessions: db.Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two admins nominating at once for a region's last place: one gets it, the other is told
    the region is full, and one nomination is stored."""
    counted = records.holders

    async def slow_count(*args: Any) -> list[str]:
        # Widens the race between counting and adding: without the quota row's lock, both
        # would count 1 of 2 and add theirs.
        names = await counted(*args)
        await asyncio.sleep(0.2)
        return names

    monkeypatch.setattr(records, "holders", slow_count)
    await pinggu(sessions)
    hq, pinggu_admin, _ = await district_admins(world, sessions)
    await hq.send("/quota 平谷 东部 2")
    await hq.send("/model 平谷东部企业1")
    first, second = await asyncio.gather(
        hq.send("/model 平谷东部企业2"), pinggu_admin.send("/model 平谷东部企业3")
    )
    said = [first.text, second.text]
    assert sum("已推荐“" in text for text in said) == 1, said
    assert sum("名额（2 家）已满" in text for text in said) == 1, said
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(ModelNomination))
    assert count == 2


async def test_featured_contract_text_is_counted(world: World, sessions: db.Sessions) -> None:
    """A contract text uploaded with the caption /contract is kept, sent back by its button,
    marked featured with 5,000 yuan and counted in /rewards beside the model rewards."""
    await seed(sessions, "怀柔", ["怀柔特色企业"])
    hq, _, _ = await district_admins(world, sessions)
    none = (await hq.send("/contract 怀柔特色企业")).text
    assert "还没有合同文本" in none
    saved = await upload_contract(hq, "/contract 怀柔特色企业", "怀柔集体合同.pdf")
    assert "已保存“怀柔特色企业”的合同文本《怀柔集体合同.pdf》" in saved.text, saved.text
    listed = await hq.send("/contract 怀柔特色企业")
    assert "1. 《怀柔集体合同.pdf》" in listed.text
    fetched = await hq.press("📄 取回 1")
    sent = [c for c in fetched.calls if c.method == "sendDocument"]
    async with sessions() as session:
        kept = await session.scalar(select(ContractText))
    assert kept is not None and sent and sent[0].params.get("document") == kept.file_id
    assert "只能是整数" in (await hq.send("/contract 怀柔特色企业 特色 奖励:0.5")).text
    featured = (await hq.send("/contract 怀柔特色企业 特色 奖励:5000")).text
    assert "设为特色合同文本，奖励 5,000 元" in featured, featured
    assert "⭐特色，奖励 5,000 元" in (await hq.send("/contract 怀柔特色企业")).text
    rewards = await hq.send("/rewards 怀柔")
    assert "怀柔：示范企业 0 家 0 元，特色合同文本 1 份 5,000 元，合计 5,000 元" in rewards.text
    _, content = rewards.documents[0]
    rows = list(load_workbook(io.BytesIO(content))["奖励"].iter_rows(values_only=True))
    assert (YEAR, "怀柔", None, "怀柔特色企业", "特色合同文本", 5000, None) in rows
