"""The district's rating of its instructors (区级评价): one grade per instructor and round, given
by the district's admin (or HQ for a district), changeable until the deadline; the latest
counts, with who gave it and when.

    async def district_grades(session: AsyncSession, round_id: int) -> dict[int, str]

gives instructor id → Grade value for every instructor the district rated in the round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.evaluation.ballots import GRADES, in_scope
from storage.evaluation.rounds import is_closed
from storage.models import DistrictRating, EvaluationRound

Outcome = Literal["ok", "closed", "out_of_scope"]


@dataclass(frozen=True)
class Rated:
    """What a district grade came to: "ok", "closed" (past the deadline), "out_of_scope" (not
    a participant of that district)."""

    outcome: Outcome


async def rate(
    session: AsyncSession,
    evaluation: EvaluationRound,
    district_id: int,
    instructor_id: int,
    grade: str,
    *,
    by: int,
    now: datetime,
) -> Rated:
    """Stores the district's grade of an instructor of `district_id` (one row per round and
    instructor, replaced by a later grade)."""
    if grade not in GRADES:
        raise ValueError(f"not a grade: {grade!r}")
    if is_closed(evaluation, now=now):
        return Rated("closed")
    if not await in_scope(session, evaluation.id, district_id, instructor_id):
        return Rated("out_of_scope")
    values = {
        "round_id": evaluation.id,
        "instructor_id": instructor_id,
        "grade": grade,
        "rated_by": by,
        "rated_at": now,
    }
    statement = dialect_insert(session)(DistrictRating).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[DistrictRating.round_id, DistrictRating.instructor_id],
            set_={"grade": grade, "rated_by": by, "rated_at": now},
        )
    )
    return Rated("ok")


async def district_grades(session: AsyncSession, round_id: int) -> dict[int, str]:
    """Instructor id → the district's grade (a Grade value) of everyone rated in the round."""
    rows = await session.execute(
        select(DistrictRating.instructor_id, DistrictRating.grade).where(
            DistrictRating.round_id == round_id
        )
    )
    return {instructor_id: str(grade) for instructor_id, grade in rows}
