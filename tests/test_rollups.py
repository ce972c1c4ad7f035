"""The monthly rollups: kept exact by every write (create, edit, delete, import), filled by the
migration, and giving the same statistics as the reports for every whole-month period."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from storage import db
from storage.common.periods import parse_period
from storage.db import Sessions
from storage.models import (
    Enterprise,
    Instructor,
    Report,
    ReportMonthEnterprise,
    ReportMonthTotal,
    ReportSource,
    ReportType,
)
from storage.reports.history import import_reports
from storage.reports.records import create_report, delete_report, edit_report
from storage.reports.rollups import count_report, counted_of, rebuild_rollups
from storage.reports.stats import compute_stats, monthly_counts, stats_json
from tests.conftest import throwaway_postgres
from tests.files import xlsx
from tests.reports_data import add_reports, make_world, report

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
TODAY = date(2026, 11, 25)
TYPES = [kind.value for kind in ReportType]
TYPE_WORDS = {"visit": "走访", "guidance": "指导", "training": "培训"}
TARGETS = ["维达纸业（中国）", "金融街控股", "德胜科技", "平谷桃业", "什刹海街道", "某街道"]
PERIODS = ["2026", "2026-Q1", "2026-Q3", "2026-Q4", "2026-11", "2026-02", "2025", "本月"]


async def rollup_rows(sessions: Sessions) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Both rollups' rows that count something."""
    async with sessions() as session:
        totals = {
            tuple(row)
            for row in await session.execute(
                select(
                    ReportMonthTotal.month,
                    ReportMonthTotal.district_id,
                    ReportMonthTotal.instructor_id,
                    ReportMonthTotal.type,
                    ReportMonthTotal.reports,
                    ReportMonthTotal.person_times,
                ).where(ReportMonthTotal.reports != 0)
            )
        }
        enterprises = {
            tuple(row)
            for row in await session.execute(
                select(
                    ReportMonthEnterprise.month,
                    ReportMonthEnterprise.district_id,
                    ReportMonthEnterprise.enterprise_id,
                    ReportMonthEnterprise.reports,
                ).where(ReportMonthEnterprise.reports != 0)
            )
        }
    return totals, enterprises


async def assert_paths_agree(sessions: Sessions, districts: list[int | None]) -> None:
    """Every whole-month period in every scope: the rollups give the reports' figures."""
    async with sessions() as session:
        for key in PERIODS:
            period = parse_period(key, TODAY)
            for district_id in districts:
                fast = await compute_stats(session, period, district_id=district_id, ranking=True)
                slow = await compute_stats(
                    session, period, district_id=district_id, ranking=True, rollups=False
                )
                assert stats_json(fast) == stats_json(slow), (key, district_id)
                fast_months = await monthly_counts(session, period, district_id=district_id)
                slow_months = await monthly_counts(
                    session, period, district_id=district_id, rollups=False
                )
                assert fast_months == slow_months, (key, district_id)


async def test_rollups_follow_every_write(sessions: Sessions) -> None:
    """Random reports created, re-delivered, edited, deleted and imported: the rollups stay
    equal to a rebuild from the reports, and statistics agree on both paths."""
    rng = random.Random(20261125)
    async with sessions.begin() as session:
        world = await make_world(session)
        for id_ in world.people.values():
            await session.execute(
                update(Instructor).where(Instructor.id == id_).values(telegram_id=5000 + id_)
            )
    names = sorted(world.people)
    created: list[int] = []
    async with sessions.begin() as session:
        for i in range(150):
            if i == 75:  # 张伟 moves: his later reports count for 平谷
                await session.execute(
                    update(Instructor)
                    .where(Instructor.id == world.people["张伟"])
                    .values(district_id=world.districts["平谷"])
                )
                session.expire_all()
            instructor = await session.get_one(Instructor, world.people[rng.choice(names)])
            target = rng.choice(TARGETS)
            enterprise_id = world.enterprises.get(target)
            enterprise = await session.get(Enterprise, enterprise_id) if enterprise_id else None
            day = date(2025, 10, 1) + timedelta(days=rng.randrange(420))
            stored, new = await create_report(
                session,
                instructor=instructor,
                type=ReportType(rng.choice(TYPES)),
                target=target,
                enterprise=enterprise,
                person_times=rng.randrange(0, 60),
                day=min(day, TODAY),
                note=None,
                source=ReportSource.GROUP,
                chat_id=-100,
                message_id=i,
            )
            assert new
            created.append(stored.id)
        # The same messages delivered again write nothing, rollups included.
        for i in range(0, 150, 10):
            instructor = await session.get_one(Instructor, world.people["王建国"])
            _, new = await create_report(
                session,
                instructor=instructor,
                type=ReportType.VISIT,
                target="某街道",
                enterprise=None,
                person_times=1,
                day=TODAY,
                note=None,
                source=ReportSource.GROUP,
                chat_id=-100,
                message_id=i,
            )
            assert not new
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        for report_id in rng.sample(created, 50):
            stored = await session.get_one(Report, report_id)
            changes: dict[str, Any] = rng.choice(
                [
                    {"type": rng.choice(TYPES)},
                    {"person_times": rng.randrange(0, 80)},
                    {"date": TODAY - timedelta(days=rng.randrange(55))},
                    {"target": rng.choice(TARGETS)},
                    {"enterprise_id": rng.choice(list(world.enterprises.values()))},
                    {"note": "只改备注"},
                    {"type": rng.choice(TYPES), "date": TODAY - timedelta(days=40)},
                ]
            )
            outcome = await edit_report(
                session,
                report_id,
                telegram_id=5000 + stored.instructor_id,
                changes=changes,
                now=now,
                today=TODAY,
            )
            assert outcome.ok, (changes, outcome)
        for report_id in rng.sample(created, 25):
            stored = await session.get_one(Report, report_id)
            outcome = await delete_report(
                session, report_id, telegram_id=5000 + stored.instructor_id, now=now, today=TODAY
            )
            assert outcome.ok or outcome.status == "not_found"
    rows: list[list[Any]] = [["日期", "指导员", "级别", "所属区", "类型", "对象", "人次", "备注"]]
    people = [("王建国", "市级", "西城"), ("李红", "区级", "西城"), ("赵敏", "街乡级", "平谷")]
    for _ in range(40):
        name, level, district = rng.choice(people)
        rows.append(
            [
                date(2026, 1, 1) + timedelta(days=rng.randrange(320)),
                name,
                level,
                district,
                rng.choice(list(TYPE_WORDS.values())),
                rng.choice(TARGETS),
                rng.randrange(1, 30),
                None,
            ]
        )
    rows.append(rows[1])  # the same row twice is recorded twice
    async with sessions.begin() as session:
        result = await import_reports(
            session, xlsx(rows), "history.xlsx", only_district_id=None, today=TODAY
        )
    assert result.ok, result.errors
    assert result.created == 41

    kept = await rollup_rows(sessions)
    assert kept[0] and kept[1]
    await assert_paths_agree(sessions, [None, world.districts["西城"], world.districts["平谷"]])
    async with sessions.begin() as session:
        await rebuild_rollups(session)
    assert await rollup_rows(sessions) == kept


async def test_weeks_and_day_ranges_read_the_reports(sessions: Sessions) -> None:
    """A period that is not whole months is counted from the reports, rollups or not."""
    async with sessions.begin() as session:
        world = await make_world(session)
        await add_reports(
            session,
            [
                report(world, "王建国", date(2026, 11, 2), "visit", "金融街控股", 3),
                report(world, "王建国", date(2026, 11, 20), "visit", "金融街控股", 4),
            ],
        )
    async with sessions() as session:
        week = await compute_stats(session, parse_period("2026-11-01..2026-11-07", TODAY))
        month = await compute_stats(session, parse_period("2026-11", TODAY))
    assert (week.total_reports, week.total_person_times) == (1, 3)
    assert (month.total_reports, month.total_person_times) == (2, 7)
    assert month.enterprises_covered == 1 and month.active_instructors == 1


async def test_covered_enterprises_count_once_across_districts_and_months(
    sessions: Sessions,
) -> None:
    """An enterprise visited from two districts in two months counts once for the city and
    once in each district; one whose only report was deleted, or visited later, does not."""
    async with sessions.begin() as session:
        world = await make_world(session)
        await add_reports(
            session,
            [
                report(world, "王建国", date(2026, 2, 3), "visit", "维达纸业（中国）", 1),
                report(world, "赵敏", date(2026, 3, 9), "visit", "维达纸业（中国）", 1),
                report(world, "李红", date(2026, 2, 10), "visit", "金融街控股", 1),
                report(world, "李红", date(2026, 3, 10), "guidance", "金融街控股", 1),
                report(world, "张伟", date(2026, 4, 1), "visit", "德胜科技", 1),
                report(world, "赵敏", date(2026, 2, 20), "visit", "平谷桃业", 1),
            ],
        )
        gone = await session.scalar(select(Report).where(Report.target == "平谷桃业"))
        assert gone is not None
        gone.deleted_at = datetime(2026, 3, 1, tzinfo=UTC)
        await count_report(session, counted_of(gone), -1)  # as delete_report does
    xicheng, pinggu = world.districts["西城"], world.districts["平谷"]
    expected = {
        ("2026-Q1", None): 2,
        ("2026-Q1", xicheng): 2,
        ("2026-Q1", pinggu): 1,
        ("2026-02", pinggu): 0,
        ("2026-03", pinggu): 1,
        ("2026", None): 3,
    }
    async with sessions() as session:
        for (key, district_id), covered in expected.items():
            period = parse_period(key, TODAY)
            fast = await compute_stats(session, period, district_id=district_id)
            slow = await compute_stats(session, period, district_id=district_id, rollups=False)
            assert (fast.enterprises_covered, slow.enterprises_covered) == (covered, covered), (
                key,
                district_id,
            )


async def _add_raw_reports(url: str) -> None:
    engine = db.create_engine(url)
    async with db.create_sessions(engine).begin() as session:
        world = await make_world(session)
        statement = text(
            "INSERT INTO reports (instructor_id, district_id, date, type, enterprise_id, target,"
            " person_times, source, deleted_at) VALUES (:i, :d, :day, :t, :e, 'x', :n, 'import',"
            " :gone)"
        )
        rng = random.Random(7)
        for _ in range(60):
            name = rng.choice(sorted(world.people))
            await session.execute(
                statement,
                {
                    "i": world.people[name],
                    "d": world.home[name],
                    "day": date(2026, 1, 1) + timedelta(days=rng.randrange(300)),
                    "t": rng.choice(TYPES),
                    "e": rng.choice([None, *world.enterprises.values()]),
                    "n": rng.randrange(10),
                    "gone": rng.choice([None, None, None, datetime(2026, 11, 1, tzinfo=UTC)]),
                },
            )
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own, so downgrading does not disturb other tests."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'rollups.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    with throwaway_postgres("xs_rollups") as url:
        yield url


def test_migration_fills_the_rollups(empty_url: str) -> None:
    """Upgrading a database that holds reports leaves rollups equal to a rebuild."""
    url = empty_url
    db.upgrade(url)
    db.run_in_thread(lambda: asyncio.run(_add_raw_reports(url)))
    db.downgrade(url, "0002")
    db.upgrade(url)

    async def compare() -> None:
        engine = db.create_engine(url)
        sessions = db.create_sessions(engine)
        migrated = await rollup_rows(sessions)
        async with sessions.begin() as session:
            await rebuild_rollups(session)
        rebuilt = await rollup_rows(sessions)
        await engine.dispose()
        assert migrated == rebuilt and migrated[0] and migrated[1]

    db.run_in_thread(lambda: asyncio.run(compare()))
