"""A year's evaluation round: opened once with a deadline, its participants fixed at opening
(every active instructor then, with the district they belonged to), closed at the deadline.

Self-assessments and ratings are taken until the deadline; the result only after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.parsing import CallUpProblem, read_day
from storage.callups.parsing import read_deadline as read_moment
from storage.common.keyed import KeyedLine, LineProblem
from storage.common.text import narrow
from storage.common.times import aware
from storage.models import District, EvaluationEntry, EvaluationRound, Instructor, Status

# The years a round may be opened for (a typo such as 206 or 20266 is refused).
FIRST_YEAR, LAST_YEAR = 2000, 2100
# A deadline given as a day alone: the end of that day, local time (a day for the answers,
# not the working day's 18:00 that call-ups and trainings take).
DAY_ENDS_AT = time(23, 59)

KEYS: dict[str, str] = {
    "截止": "deadline", "截止时间": "deadline", "截止日期": "deadline", "截至": "deadline",
    "deadline": "deadline", "until": "deadline",
}  # fmt: skip
_LINE = KeyedLine(KEYS)
_YEAR = re.compile(r"(\d{1,6})\s*(?:年度|年)?")
_HAS_TIME = re.compile(r"\d[:：]\d|[点點时]|am|pm", re.IGNORECASE)


class OpeningProblem(LineProblem):
    """An `/evaluation open` line that cannot be used: code "missing_year", "bad_year",
    "missing_deadline", "bad_deadline" or "past_deadline", with the bad value."""


def read_deadline(raw: str, now: datetime, tz: ZoneInfo) -> datetime:
    """`2027-01-15`, `1月15日`, `明天` (the end of that day, 23:59 local), or with a time
    `2027-01-15 18:00`; raises OpeningProblem("bad_deadline" | "past_deadline")."""
    raw = raw.strip()
    if _HAS_TIME.search(raw):
        try:
            return read_moment(raw, now, tz)
        except CallUpProblem as problem:
            code = "past_deadline" if problem.code == "past_deadline" else "bad_deadline"
            raise OpeningProblem(code, raw) from None
    try:
        day = read_day(raw, now.astimezone(tz).date())
    except CallUpProblem:
        raise OpeningProblem("bad_deadline", raw) from None
    moment = datetime.combine(day, DAY_ENDS_AT, tzinfo=tz).astimezone(UTC)
    if moment <= now:
        raise OpeningProblem("past_deadline", raw)
    return moment


def parse_opening(text: str, now: datetime, tz: ZoneInfo) -> tuple[int, datetime]:
    """`2026 截止:2027-01-15` → (2026, the deadline, aware UTC)."""
    title, values = _LINE.split(text)
    if not title:
        raise OpeningProblem("missing_year")
    match = _YEAR.fullmatch(narrow(title))
    if match is None:
        raise OpeningProblem("bad_year", title)
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OpeningProblem("bad_year", title)
    raw = values.get("deadline", "")
    if not raw:
        raise OpeningProblem("missing_deadline")
    return year, read_deadline(raw, now, tz)


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


async def participant_count(session: AsyncSession, round_id: int) -> int:
    """How many instructors take part in the round."""
    query = select(func.count()).where(EvaluationEntry.round_id == round_id)
    return int(await session.scalar(query) or 0)


async def entry_of(
    session: AsyncSession, round_id: int, instructor_id: int
) -> EvaluationEntry | None:
    """One instructor's entry in a round (None: not a participant)."""
    return await session.scalar(
        select(EvaluationEntry).where(
            EvaluationEntry.round_id == round_id, EvaluationEntry.instructor_id == instructor_id
        )
    )


@dataclass(frozen=True)
class DistrictProgress:
    """The self-assessments of one district's participants (by their district at opening)."""

    district_id: int
    district: str
    participants: int
    answered: int

    @property
    def waiting(self) -> int:
        return self.participants - self.answered


async def progress(
    session: AsyncSession, round_id: int, district_id: int | None = None
) -> list[DistrictProgress]:
    """Participants and answers per district (of one district, where given), by district."""
    query = (
        select(
            EvaluationEntry.district_id,
            District.name,
            func.count(EvaluationEntry.id),
            func.count(EvaluationEntry.answered_at),
        )
        .join(District, District.id == EvaluationEntry.district_id)
        .where(EvaluationEntry.round_id == round_id)
        .group_by(EvaluationEntry.district_id, District.name)
        .order_by(EvaluationEntry.district_id)
    )
    if district_id is not None:
        query = query.where(EvaluationEntry.district_id == district_id)
    return [
        DistrictProgress(int(did), name, int(total), int(answered))
        for did, name, total, answered in await session.execute(query)
    ]


async def waiting_names(session: AsyncSession, round_id: int, district_id: int) -> list[str]:
    """The names of a district's participants who have not answered, by name."""
    rows = await session.scalars(
        select(Instructor.name)
        .join(EvaluationEntry, EvaluationEntry.instructor_id == Instructor.id)
        .where(
            EvaluationEntry.round_id == round_id,
            EvaluationEntry.district_id == district_id,
            EvaluationEntry.answered_at.is_(None),
        )
        .order_by(Instructor.name, Instructor.id)
    )
    return list(rows)
