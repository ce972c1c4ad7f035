"""Statistics and coverage: the seed's 2017 figures, scopes, deleted reports, silent instructors,
rankings, monthly counts, and the visit round."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, update

from storage.common.periods import parse_period
from storage.db import Sessions
from storage.models import Report, ReportType
from storage.reports.coverage import coverage, visit_round
from storage.reports.rollups import rebuild_rollups
from storage.reports.stats import (
    TYPES,
    TypeFigures,
    compute_stats,
    monthly_counts,
    stats_json,
)
from tests.reports_data import Y2017, add_reports, make_world, report, seed_2017

TODAY = date(2026, 11, 25)
GUIDANCE = ReportType.GUIDANCE.value
TRAINING = ReportType.TRAINING.value
VISIT = ReportType.VISIT.value


async def test_seed_figures_are_reproduced(sessions: Sessions) -> None:
    """/stats 2017 西城 shows guidance 180 person-times and 3 trainings with 200 trainees."""
    world = await seed_2017(sessions)
    async with sessions() as session:
        stats = await compute_stats(session, Y2017, district_id=world.districts["西城"])
    assert list(stats.by_type) == list(TYPES)
    assert stats.by_type[GUIDANCE] == TypeFigures(reports=4, person_times=180)
    assert stats.by_type[TRAINING] == TypeFigures(reports=3, person_times=200)
    assert all(stats.by_type[kind] == TypeFigures(0, 0) for kind in (*TYPES[3:], VISIT))
    assert (stats.total_reports, stats.total_person_times) == (7, 380)
    assert stats.district == "西城"
    assert stats.enterprises_covered == 3  # 维达纸业, 金融街控股, 德胜科技
    assert stats.active_instructors == 3


async def test_stats_json_carries_the_same_figures(sessions: Sessions) -> None:
    """`xieshang stats --json` gives the same numbers, as plain JSON."""
    world = await seed_2017(sessions)
    async with sessions() as session:
        stats = await compute_stats(session, Y2017, district_id=world.districts["西城"])
    data = json.loads(json.dumps(stats_json(stats), ensure_ascii=False))
    assert data["period"] == {"key": "2017", "start": "2017-01-01", "end": "2017-12-31"}
    assert data["by_type"][GUIDANCE] == {"reports": 4, "person_times": 180}
    assert data["by_type"][TRAINING] == {"reports": 3, "person_times": 200}
    assert data["total_person_times"] == 380
    assert data["silent_count"] == 0


async def test_other_districts_do_not_leak_in(sessions: Sessions) -> None:
    """平谷's report counts for 平谷 and the city only; the city sums every district."""
    world = await seed_2017(sessions)
    async with sessions() as session:
        pinggu = await compute_stats(session, Y2017, district_id=world.districts["平谷"])
        city = await compute_stats(session, Y2017)
        dongcheng = await compute_stats(session, Y2017, district_id=world.districts["东城"])
    assert pinggu.by_type[GUIDANCE] == TypeFigures(1, 99)
    assert pinggu.total_reports == 1
    assert city.by_type[GUIDANCE] == TypeFigures(5, 279)
    assert (city.total_reports, city.total_person_times) == (8, 479)
    assert dongcheng.total_reports == 0 and dongcheng.silent_instructors == []


async def test_reports_count_where_they_were_filed(sessions: Sessions) -> None:
    """A report filed in 平谷 by a 西城 instructor counts for 平谷, not for 西城."""
    async with sessions.begin() as session:
        world = await make_world(session)
        await add_reports(
            session,
            [report(world, "王建国", date(2017, 2, 2), VISIT, "平谷桃业", 3,
                    district_id=world.districts["平谷"])],
        )  # fmt: skip
    async with sessions() as session:
        xicheng = await compute_stats(session, Y2017, district_id=world.districts["西城"])
        pinggu = await compute_stats(session, Y2017, district_id=world.districts["平谷"])
    assert xicheng.total_reports == 0
    assert pinggu.by_type[VISIT] == TypeFigures(1, 3)


async def test_deleted_reports_never_count(sessions: Sessions) -> None:
    """Deleting a report takes it out of every figure."""
    world = await seed_2017(sessions)
    async with sessions.begin() as session:
        await session.execute(
            update(Report)
            .where(Report.instructor_id == world.people["张伟"])
            .values(deleted_at=datetime(2026, 1, 1, tzinfo=UTC))
        )
        await rebuild_rollups(session)  # written around storage, so the rollups are rebuilt
    async with sessions() as session:
        stats = await compute_stats(session, Y2017, district_id=world.districts["西城"])
    assert stats.by_type[GUIDANCE] == TypeFigures(3, 150)
    assert stats.by_type[TRAINING] == TypeFigures(2, 150)
    assert stats.active_instructors == 2
    assert [name for _, name, _ in stats.silent_instructors] == ["张伟"]


async def test_instructor_sees_own_figures(sessions: Sessions) -> None:
    """An instructor's scope holds only their own reports."""
    world = await seed_2017(sessions)
    async with sessions() as session:
        stats = await compute_stats(session, Y2017, instructor_id=world.people["王建国"])
    assert stats.by_type[GUIDANCE] == TypeFigures(2, 100)
    assert stats.by_type[TRAINING] == TypeFigures(1, 80)
    assert stats.total_reports == 3
    assert stats.active_instructors == 1
    assert stats.silent_instructors == []
    assert stats.top == [] and stats.bottom == []


async def test_silent_instructors(sessions: Sessions) -> None:
    """Active instructors of the scope without a report are listed; those on leave or not yet
    started are not."""
    world = await seed_2017(sessions)
    async with sessions.begin() as session:
        await add_reports(session, [report(world, "李红", date(2026, 11, 3), VISIT, "德胜科技", 2)])
    month = parse_period("本月", TODAY)
    async with sessions() as session:
        xicheng = await compute_stats(session, month, district_id=world.districts["西城"])
        city = await compute_stats(session, month)
        early = await compute_stats(session, Y2017, district_id=world.districts["西城"])
    # Name order follows the database's collation; the set is what matters here.
    assert {name for _, name, _ in xicheng.silent_instructors} == {"张伟", "新人", "王建国"}
    assert xicheng.silent_count == 3
    assert all(district == "西城" for _, _, district in xicheng.silent_instructors)
    assert xicheng.active_instructors == 1
    assert city.silent_count == 5  # and 赵敏, 孙丽 of 平谷
    assert [d for _, _, d in city.silent_instructors] == ["西城"] * 3 + ["平谷"] * 2
    # 新人 started in 2024: not silent in 2017.
    assert early.silent_instructors == []


async def test_top_and_bottom_of_a_district(sessions: Sessions) -> None:
    """Admins see the five most active and the five least (zero reporters included)."""
    people = [(f"员{index}", "西城", "street", "active", None) for index in range(8)]
    async with sessions.begin() as session:
        world = await make_world(session, people=people, enterprises=[])
        rows = []
        for index in range(7):  # 员0 reports once, ..., 员6 seven times; 员7 never
            for _ in range(index + 1):
                rows.append(report(world, f"员{index}", date(2017, 3, 1), VISIT, "某街道", index))
        await add_reports(session, rows)
    async with sessions() as session:
        stats = await compute_stats(
            session, Y2017, district_id=world.districts["西城"], ranking=True
        )
    assert [(f.name, f.reports) for f in stats.top] == [
        ("员6", 7), ("员5", 6), ("员4", 5), ("员3", 4), ("员2", 3)
    ]  # fmt: skip
    assert stats.top[0].person_times == 42 and stats.top[0].district == "西城"
    assert [(f.name, f.reports) for f in stats.bottom] == [("员7", 0), ("员0", 1), ("员1", 2)]


async def test_monthly_counts_per_type(sessions: Sessions) -> None:
    """Charts get reports per month and type, months as YYYY-MM, on both databases."""
    world = await seed_2017(sessions)
    async with sessions() as session:
        monthly = await monthly_counts(session, Y2017, district_id=world.districts["西城"])
        mine = await monthly_counts(session, Y2017, instructor_id=world.people["张伟"])
    assert monthly == [
        ("2017-01", TRAINING, 1),
        ("2017-03", GUIDANCE, 1),
        ("2017-04", TRAINING, 1),
        ("2017-06", GUIDANCE, 1),
        ("2017-09", GUIDANCE, 1),
        ("2017-11", TRAINING, 1),
        ("2017-12", GUIDANCE, 1),
    ]
    assert mine == [("2017-11", TRAINING, 1), ("2017-12", GUIDANCE, 1)]


async def test_figures_come_from_sql_aggregates(sessions: Sessions) -> None:
    """compute_stats never fetches report rows: a fixed number of aggregate queries at any size."""
    async with sessions.begin() as session:
        world = await make_world(session)
        rows = [
            report(world, "王建国", date(2017, 1 + i % 12, 1 + i % 28), GUIDANCE, f"企业{i}", 1)
            for i in range(3000)
        ]
        await add_reports(session, rows)
    statements: list[str] = []
    async with sessions() as session:
        engine = session.bind
        assert engine is not None

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        sync_engine = engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", record)
        try:
            stats = await compute_stats(
                session, Y2017, district_id=world.districts["西城"], ranking=True
            )
        finally:
            event.remove(sync_engine, "before_cursor_execute", record)
    assert stats.by_type[GUIDANCE] == TypeFigures(3000, 3000)
    assert stats.enterprises_covered == 0  # none of them is registered
    assert len(statements) <= 7
    for statement in statements:
        assert "reports.note" not in statement and "reports.photo_file_id" not in statement
    assert any("GROUP BY" in statement for statement in statements)


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 6, 30)),
        (date(2026, 6, 30), date(2026, 1, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 7, 1), date(2026, 12, 31)),
        (date(2026, 12, 31), date(2026, 7, 1), date(2026, 12, 31)),
    ],
)
def test_visit_rounds_are_half_years(today: date, start: date, end: date) -> None:
    """The visit round is the first or the second half of the year."""
    assert visit_round(today) == (start, end)


async def test_coverage_counts_visited_enterprises_of_the_round(sessions: Sessions) -> None:
    """Only a linked, undeleted visit in the current round covers an enterprise."""
    async with sessions.begin() as session:
        world = await make_world(session)
        gone = datetime(2026, 10, 1, tzinfo=UTC)
        await add_reports(
            session,
            [
                report(world, "王建国", date(2026, 7, 1), VISIT, "维达纸业（中国）", 3),
                report(world, "李红", date(2026, 11, 2), VISIT, "维达纸业（中国）", 1),
                report(world, "李红", date(2026, 8, 8), GUIDANCE, "金融街控股", 9),
                report(world, "李红", date(2026, 6, 30), VISIT, "金融街控股", 2),
                report(world, "张伟", date(2026, 9, 9), VISIT, "德胜科技", 2, deleted_at=gone),
                # A visit by a 平谷 instructor covers the 西城 enterprise it visited.
                report(world, "赵敏", date(2026, 10, 10), VISIT, "德胜科技", 1),
                report(world, "王建国", date(2026, 9, 1), VISIT, "某街道", 1),  # not linked
            ],
        )  # fmt: skip
    async with sessions() as session:
        xicheng = await coverage(session, district_id=world.districts["西城"], today=TODAY)
        city = await coverage(session, district_id=None, today=TODAY)
        pinggu = await coverage(session, district_id=world.districts["平谷"], today=TODAY)
        first_half = await coverage(
            session, district_id=world.districts["西城"], today=date(2026, 3, 1)
        )
    assert (xicheng.round_start, xicheng.round_end) == (date(2026, 7, 1), date(2026, 12, 31))
    assert xicheng.round_key == "2026-H2"
    assert (xicheng.registered, xicheng.visited) == (3, 2)
    assert xicheng.not_visited == [(world.enterprises["金融街控股"], "金融街控股", "西城")]
    assert (city.registered, city.visited) == (4, 2)
    assert [name for _, name, _ in city.not_visited] == ["金融街控股", "平谷桃业"]
    assert (pinggu.registered, pinggu.visited) == (1, 0)
    assert (first_half.registered, first_half.visited) == (3, 1)  # 金融街控股 on 30 June
