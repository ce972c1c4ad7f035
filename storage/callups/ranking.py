"""Who is asked first: the candidates of a call-up, in order, each with the reasons.

Only active instructors bound to Telegram, not on leave and not in another team on dates that
overlap, from the wanted districts if any. Then, in order: more of the wanted skills;
dispatched to the target's district or industry; city-level full-time, then district-level
full-time, then the rest; fewer call-ups in the last 12 months; the earlier start date.
A handful of queries for the whole city, then the order in Python (bench/callups.py times it
on 1,050 instructors).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.text import fold
from storage.models import (
    CallUp,
    CallUpInvitation,
    CallUpStatus,
    District,
    Employment,
    Instructor,
    InvitationStatus,
    Leave,
    Level,
    Status,
)

RECENT_DAYS = 365


@dataclass(frozen=True)
class Candidate:
    """An instructor who may be asked, with what their place in the order rests on."""

    instructor_id: int
    name: str
    district_id: int
    district: str
    level: str
    employment: str
    skills: tuple[str, ...]  # the wanted skills they have
    dispatched: bool  # HQ dispatched them to the target's district or industry
    recent: int  # call-ups served in the last 12 months
    start_date: date | None
    telegram_id: int

    @property
    def tier(self) -> int:
        """0 city-level full-time, 1 district-level full-time, 2 the rest."""
        if self.employment == Employment.FULL_TIME.value:
            if self.level == Level.CITY.value:
                return 0
            if self.level == Level.DISTRICT.value:
                return 1
        return 2

    def order(self) -> tuple[int, int, int, int, date, int]:
        return (
            -len(self.skills),
            0 if self.dispatched else 1,
            self.tier,
            self.recent,
            self.start_date or date.max,
            self.instructor_id,
        )


@dataclass(frozen=True)
class Wanted:
    """What the ranking needs of a call-up (a draft or a stored one)."""

    starts: date
    ends: date
    skills: Sequence[str]
    districts: Sequence[int]
    target_district_id: int | None
    target_industry: str | None
    call_up_id: int | None = None  # its own members do not count as "in another team"

    @classmethod
    def of(cls, call_up: CallUp) -> Wanted:
        return cls(
            call_up.starts,
            call_up.ends,
            call_up.skills,
            call_up.districts,
            call_up.target_district_id,
            call_up.target_industry,
            call_up.id,
        )


async def _busy(session: AsyncSession, wanted: Wanted) -> set[int]:
    """Instructors on leave, or members of another live team, on overlapping dates."""
    away = await session.scalars(
        select(Leave.instructor_id).where(
            Leave.cancelled_at.is_(None), Leave.starts <= wanted.ends, Leave.ends >= wanted.starts
        )
    )
    teams = select(CallUpInvitation.instructor_id).join(
        CallUp, CallUp.id == CallUpInvitation.call_up_id
    )
    teams = teams.where(
        CallUpInvitation.status == InvitationStatus.ACCEPTED.value,
        CallUp.status == CallUpStatus.RECRUITING.value,
        CallUp.starts <= wanted.ends,
        CallUp.ends >= wanted.starts,
    )
    if wanted.call_up_id is not None:
        teams = teams.where(CallUp.id != wanted.call_up_id)
    return set(away) | set(await session.scalars(teams))


async def served_recently(
    session: AsyncSession, today: date, instructor_ids: Iterable[int] | None = None
) -> Counter[int]:
    """Call-ups each instructor served (accepted, not cancelled) starting in the last year."""
    query = (
        select(CallUpInvitation.instructor_id)
        .join(CallUp, CallUp.id == CallUpInvitation.call_up_id)
        .where(
            CallUpInvitation.status == InvitationStatus.ACCEPTED.value,
            CallUp.status == CallUpStatus.RECRUITING.value,
            CallUp.starts >= today - timedelta(days=RECENT_DAYS),
            CallUp.starts <= today,
        )
    )
    if instructor_ids is not None:
        query = query.where(CallUpInvitation.instructor_id.in_(list(instructor_ids)))
    return Counter(await session.scalars(query))


async def rank(session: AsyncSession, wanted: Wanted, *, today: date) -> list[Candidate]:
    """Every instructor who may be asked, best first."""
    conditions = [Instructor.status == Status.ACTIVE.value, Instructor.telegram_id.is_not(None)]
    if wanted.districts:
        conditions.append(Instructor.district_id.in_(list(wanted.districts)))
    # Only the columns the order needs, as rows: loading 1,000 instructors as ORM objects with
    # their joined district took most of the time (bench/callups.py).
    people = await session.execute(
        select(
            Instructor.id,
            Instructor.name,
            Instructor.district_id,
            District.name,
            Instructor.level,
            Instructor.employment,
            Instructor.skills,
            Instructor.assigned_districts,
            Instructor.assigned_industries,
            Instructor.start_date,
            Instructor.telegram_id,
        )
        .join(District, District.id == Instructor.district_id)
        .where(*conditions)
    )
    busy = await _busy(session, wanted)
    recent = await served_recently(session, today)
    skills = {fold(s): s for s in wanted.skills}
    industry = fold(wanted.target_industry) if wanted.target_industry else None
    found = []
    for row in people:
        (iid, name, district_id, district, level, employment, own_skills,
         assigned_districts, assigned_industries, start_date, telegram_id) = row  # fmt: skip
        if iid in busy:
            continue
        own = {fold(s) for s in own_skills or ()}
        dispatched = (
            wanted.target_district_id is not None
            and wanted.target_district_id in (assigned_districts or ())
        ) or (industry is not None and industry in {fold(i) for i in assigned_industries or ()})
        found.append(
            Candidate(
                instructor_id=iid,
                name=name,
                district_id=district_id,
                district=district,
                level=level,
                employment=employment,
                skills=tuple(label for key, label in skills.items() if key in own),
                dispatched=dispatched,
                recent=recent.get(iid, 0),
                start_date=start_date,
                telegram_id=int(telegram_id or 0),
            )
        )
    found.sort(key=Candidate.order)
    return found


def pick(
    candidates: Sequence[Candidate],
    places: int,
    cap: int,
    *,
    taken: Counter[int] | None = None,
    skip: Iterable[int] = (),
) -> list[Candidate]:
    """The next `places` candidates in order, no district over `cap` (counting `taken`, the
    places its people already hold), leaving out the instructors in `skip` (asked before)."""
    held = Counter(taken or {})
    asked = set(skip)
    chosen: list[Candidate] = []
    for candidate in candidates:
        if len(chosen) >= places:
            break
        if candidate.instructor_id in asked or held[candidate.district_id] >= cap:
            continue
        chosen.append(candidate)
        held[candidate.district_id] += 1
    return chosen


def reachable(candidates: Sequence[Candidate], cap: int) -> int:
    """How many places these candidates can fill at most, with `cap` per district."""
    per_district = Counter(c.district_id for c in candidates)
    return sum(min(count, cap) for count in per_district.values())
