"""Test data for statistics and exports: a small roster, enterprises, and fast report inserts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.common.periods import parse_period
from storage.models import (
    Employment,
    Enterprise,
    Instructor,
    Level,
    Report,
    ReportSource,
    ReportType,
    Status,
)
from storage.people.districts import district_ids
from storage.reports.rollups import count_reports

GUIDANCE = ReportType.GUIDANCE.value
TRAINING = ReportType.TRAINING.value
Y2017 = parse_period("2017", date(2026, 11, 25))

# (name, district, level, status, start date)
PEOPLE: list[tuple[str, str, str, str, date | None]] = [
    ("王建国", "西城", Level.CITY.value, Status.ACTIVE.value, date(2015, 3, 1)),
    ("李红", "西城", Level.DISTRICT.value, Status.ACTIVE.value, date(2016, 1, 1)),
    ("张伟", "西城", Level.STREET.value, Status.ACTIVE.value, None),
    ("刘洋", "西城", Level.STREET.value, Status.ON_LEAVE.value, None),
    ("新人", "西城", Level.ENTERPRISE.value, Status.ACTIVE.value, date(2024, 5, 1)),
    ("赵敏", "平谷", Level.STREET.value, Status.ACTIVE.value, None),
    ("孙丽", "平谷", Level.ENTERPRISE.value, Status.ACTIVE.value, None),
]
# (name, district)
ENTERPRISES: list[tuple[str, str]] = [
    ("维达纸业（中国）", "西城"),
    ("金融街控股", "西城"),
    ("德胜科技", "西城"),
    ("平谷桃业", "平谷"),
]


@dataclass
class World:
    """Ids of the roster, enterprises and districts made by `make_world`, by name."""

    districts: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    enterprises: dict[str, int] = field(default_factory=dict)
    home: dict[str, int] = field(default_factory=dict)  # instructor name → district id


async def make_world(
    session: AsyncSession,
    people: Sequence[tuple[str, str, str, str, date | None]] = PEOPLE,
    enterprises: Sequence[tuple[str, str]] = ENTERPRISES,
) -> World:
    """Adds the instructors and enterprises and returns their ids."""
    world = World(districts=await district_ids(session))
    for name, district, level, status, start in people:
        session.add(
            Instructor(
                name=name,
                district_id=world.districts[district],
                level=level,
                employment=Employment.PART_TIME.value,
                status=status,
                start_date=start,
                industries=[],
                skills=[],
            )
        )
    for name, district in enterprises:
        session.add(Enterprise(name=name, district_id=world.districts[district]))
    await session.flush()
    for id_, name, district_id in await session.execute(
        select(Instructor.id, Instructor.name, Instructor.district_id)
    ):
        world.people[name] = id_
        world.home[name] = district_id
    for id_, name in await session.execute(select(Enterprise.id, Enterprise.name)):
        world.enterprises[name] = id_
    return world


async def add_reports(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Inserts reports in bulk; each dict needs instructor_id, date, type and target.

    district_id defaults to the instructor's district, person_times to 0, source to import.
    """
    homes: dict[int, int] = {}
    needed = {row["instructor_id"] for row in rows if "district_id" not in row}
    if needed:
        query = select(Instructor.id, Instructor.district_id).where(Instructor.id.in_(needed))
        homes = {key: value for key, value in await session.execute(query)}
    values = [
        {
            "district_id": homes.get(row["instructor_id"]),
            "person_times": 0,
            "source": ReportSource.IMPORT.value,
            "enterprise_id": None,
            "note": None,
            "deleted_at": None,
            **row,
        }
        for row in rows
    ]
    for start in range(0, len(values), 5000):
        await session.execute(insert(Report), values[start : start + 5000])
    # The rollups that statistics of whole months read, as the storage's writes keep them.
    await count_reports(session, [row for row in values if row["deleted_at"] is None])


def report(
    world: World, name: str, day: date, kind: str, target: str, n: int, **extra: Any
) -> dict[str, Any]:
    """A report row for `add_reports`, linked to the enterprise `target` names if registered."""
    return {
        "instructor_id": world.people[name],
        "date": day,
        "type": kind,
        "target": target,
        "person_times": n,
        "enterprise_id": world.enterprises.get(target),
        **extra,
    }


async def seed_2017(sessions: async_sessionmaker[AsyncSession]) -> World:
    """西城 in 2017: face-to-face guidance for 180 person-times and 3 trainings for 200, plus
    reports that must not count: another district, other years, a deleted one."""
    async with sessions.begin() as session:
        world = await make_world(session)
        deleted = datetime(2018, 1, 5, tzinfo=UTC)
        await add_reports(
            session,
            [
                report(world, "王建国", date(2017, 3, 2), GUIDANCE, "维达纸业（中国）", 60),
                report(world, "王建国", date(2017, 6, 9), GUIDANCE, "金融街控股", 40),
                report(world, "李红", date(2017, 9, 1), GUIDANCE, "维达纸业（中国）", 50),
                report(world, "张伟", date(2017, 12, 31), GUIDANCE, "什刹海街道", 30),
                report(world, "王建国", date(2017, 4, 20), TRAINING, "西城区总工会", 80),
                report(world, "李红", date(2017, 1, 1), TRAINING, "德胜街道", 70),
                report(world, "张伟", date(2017, 11, 11), TRAINING, "德胜科技", 50),
                # Not counted for 西城 in 2017:
                report(world, "赵敏", date(2017, 5, 5), GUIDANCE, "平谷桃业", 99),
                report(world, "王建国", date(2016, 12, 31), GUIDANCE, "金融街控股", 7),
                report(world, "李红", date(2018, 1, 1), TRAINING, "德胜街道", 11),
                report(world, "李红", date(2017, 5, 5), GUIDANCE, "金融街控股", 500,
                       deleted_at=deleted),
            ],
        )  # fmt: skip
    return world
