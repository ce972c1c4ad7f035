"""Attendance in each instructor's record: the trainings they checked in at.

An instructor attended a training when their seat has a check-in (whatever they had answered,
walk-ins too). /me, the annual evaluation's dossier and the mentoring checklist ("attended a
city training") read it from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.times import aware
from storage.models import SeatStatus, Training, TrainingSeat


@dataclass(frozen=True)
class Attended:
    """One training an instructor checked in at (times timezone-aware, UTC)."""

    training_id: int
    title: str
    format: str
    starts_at: datetime
    ends_at: datetime
    scope_district_id: int | None  # None: a city (HQ) training
    checked_in_at: datetime
    walk_in: bool  # checked in without an invitation (现场签到)

    @property
    def city(self) -> bool:
        return self.scope_district_id is None


def _conditions(since: datetime | None, until: datetime | None, city: bool | None) -> list[Any]:
    conditions: list[Any] = [TrainingSeat.checked_in_at.is_not(None)]
    if since is not None:
        conditions.append(Training.starts_at >= since)
    if until is not None:
        conditions.append(Training.starts_at < until)
    if city is True:
        conditions.append(Training.scope_district_id.is_(None))
    elif city is False:
        conditions.append(Training.scope_district_id.is_not(None))
    return conditions


async def attended(
    session: AsyncSession,
    instructor_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    city: bool | None = None,
    limit: int | None = None,
) -> list[Attended]:
    """The trainings an instructor checked in at, newest first; `since` ≤ start < `until`,
    `city` True for HQ's trainings only (False: districts' only), at most `limit`."""
    query = (
        select(Training, TrainingSeat.checked_in_at, TrainingSeat.status)
        .join(TrainingSeat, TrainingSeat.training_id == Training.id)
        .where(TrainingSeat.instructor_id == instructor_id, *_conditions(since, until, city))
        .order_by(Training.starts_at.desc(), Training.id.desc())
        .limit(limit)
    )
    return [
        Attended(
            training.id,
            training.title,
            training.format,
            aware(training.starts_at),
            aware(training.ends_at),
            training.scope_district_id,
            aware(checked_in_at),
            status == SeatStatus.WALK_IN.value,
        )
        for training, checked_in_at, status in await session.execute(query)
        if checked_in_at is not None  # always: the query asks for a check-in
    ]


async def counts(
    session: AsyncSession,
    instructor_ids: Sequence[int],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    city: bool | None = None,
) -> dict[int, int]:
    """How many trainings each instructor checked in at (0 for none), with `attended`'s
    filters: one query for a whole district's dossiers."""
    found = {instructor_id: 0 for instructor_id in instructor_ids}
    if not found:
        return found
    rows = await session.execute(
        select(TrainingSeat.instructor_id, func.count())
        .join(Training, Training.id == TrainingSeat.training_id)
        .where(TrainingSeat.instructor_id.in_(list(found)), *_conditions(since, until, city))
        .group_by(TrainingSeat.instructor_id)
    )
    for instructor_id, count in rows:
        found[instructor_id] = int(count)
    return found


async def count(
    session: AsyncSession,
    instructor_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    city: bool | None = None,
) -> int:
    """How many trainings one instructor checked in at."""
    found = await counts(session, [instructor_id], since=since, until=until, city=city)
    return found[instructor_id]
