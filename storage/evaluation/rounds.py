"""A year's evaluation round: opened once with a deadline, its participants fixed at opening
(every active instructor then, with the district they belonged to), closed at the deadline.

Self-assessments and ratings are taken until the deadline; the result only after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.times import aware
from storage.models import EvaluationEntry, EvaluationRound, Instructor, Status

# The years a round may be opened for (a typo such as 206 or 20266 is refused).
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class RoundRefusal:
    """Why a round was not opened: code "already_open" (values: year, deadline), "bad_year"
    (year), "deadline_past" (deadline)."""

    code: str
    values: dict[str, object]


async def get_round(session: AsyncSession, year: int) -> EvaluationRound | None:
    return await session.scalar(select(EvaluationRound).where(EvaluationRound.year == year))


async def latest_round(session: AsyncSession) -> EvaluationRound | None:
    """The round of the latest year, open or closed."""
    return await session.scalar(
        select(EvaluationRound).order_by(EvaluationRound.year.desc()).limit(1)
    )


def is_closed(evaluation: EvaluationRound, *, now: datetime) -> bool:
    """Whether the deadline has passed: no more answers or ratings, the result may be computed."""
    return now >= aware(evaluation.deadline)


async def create_round(
    session: AsyncSession, year: int, deadline: datetime, *, opened_by: int, now: datetime
) -> EvaluationRound | RoundRefusal:
    """Opens `year`'s round with every active instructor as a participant; nothing is sent
    here (the caller enqueues the prompts in the same transaction)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return RoundRefusal("bad_year", {"year": year})
    existing = await get_round(session, year)
    if existing is not None:
        return RoundRefusal("already_open", {"year": year, "deadline": aware(existing.deadline)})
    if deadline <= now:
        return RoundRefusal("deadline_past", {"deadline": deadline})
    evaluation = EvaluationRound(year=year, deadline=deadline, opened_by=opened_by, opened_at=now)
    try:
        async with session.begin_nested():
            session.add(evaluation)
            await session.flush()
    except IntegrityError:  # opened at the same moment by another press
        existing = await get_round(session, year)
        assert existing is not None
        return RoundRefusal("already_open", {"year": year, "deadline": aware(existing.deadline)})
    active = await session.execute(
        select(Instructor.id, Instructor.district_id)
        .where(Instructor.status == Status.ACTIVE.value)
        .order_by(Instructor.id)
    )
    session.add_all(
        EvaluationEntry(round_id=evaluation.id, instructor_id=iid, district_id=did)
        for iid, did in active
    )
    await session.flush()
    return evaluation


async def participants(
    session: AsyncSession, round_id: int, district_id: int | None = None
) -> list[Instructor]:
    """The round's instructors (of a district, where given), by district then name; a district
    means the one they belonged to when the round opened."""
    query = (
        select(Instructor)
        .join(EvaluationEntry, EvaluationEntry.instructor_id == Instructor.id)
        .where(EvaluationEntry.round_id == round_id)
        .order_by(EvaluationEntry.district_id, Instructor.name, Instructor.id)
    )
    if district_id is not None:
        query = query.where(EvaluationEntry.district_id == district_id)
    return list(await session.scalars(query))
