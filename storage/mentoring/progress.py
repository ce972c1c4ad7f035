"""What mentoring looks like now: each pair's steps and the mentee's checklist (for /mentoring),
and per instructor a summary (for the annual evaluation's dossier).

The checklist ticks itself and is never stored: "attended a city training" is a check-in at an
HQ training (storage.trainings.attendance, city=True), "observed a whole negotiation" a 观摩
report (ReportType.OBSERVATION) that was not deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.mentoring.steps import STEPS, StepState, state_of
from storage.models import Instructor, MentoringSignoff, Report, ReportType, Status
from storage.trainings import attendance


@dataclass(frozen=True)
class Checklist:
    """The new instructor's checklist, read from attendance and reports."""

    city_training: bool = False
    observed: bool = False


async def checklists(session: AsyncSession, mentee_ids: Sequence[int]) -> dict[int, Checklist]:
    """Each instructor's checklist: two queries for any number of them."""
    ids = list(dict.fromkeys(mentee_ids))
    if not ids:
        return {}
    trained = await attendance.counts(session, ids, city=True)
    rows = await session.execute(
        select(Report.instructor_id, func.count())
        .where(
            Report.instructor_id.in_(ids),
            Report.type == ReportType.OBSERVATION.value,
            Report.deleted_at.is_(None),
        )
        .group_by(Report.instructor_id)
    )
    observed = {instructor_id for instructor_id, count in rows if count}
    return {i: Checklist(trained.get(i, 0) > 0, i in observed) for i in ids}


async def _signoffs(
    session: AsyncSession, mentee_ids: Sequence[int]
) -> dict[int, dict[int, MentoringSignoff]]:
    found: dict[int, dict[int, MentoringSignoff]] = defaultdict(dict)
    if mentee_ids:
        rows = await session.scalars(
            select(MentoringSignoff).where(MentoringSignoff.mentee_id.in_(list(mentee_ids)))
        )
        for row in rows:
            found[row.mentee_id][row.step] = row
    return found


def steps_of(
    start: date | None, rows: dict[int, MentoringSignoff], today: date
) -> list[StepState] | None:
    """The three steps' states, or None without a start date."""
    if start is None:
        return None
    return [state_of(start, step, rows.get(step), today) for step in STEPS]


@dataclass(frozen=True)
class Pair:
    """A mentee and their mentor with the steps (None: no start date) and the checklist."""

    mentee: Instructor
    mentor: Instructor
    steps: list[StepState] | None
    checklist: Checklist


async def pairs(
    session: AsyncSession,
    today: date,
    *,
    district_id: int | None = None,
    instructor_id: int | None = None,
) -> list[Pair]:
    """The pairs of active mentees, by district and name: of one district (the mentee's), or
    those `instructor_id` is in (as mentee or as mentor), or all."""
    query = select(Instructor).where(
        Instructor.mentor_id.is_not(None), Instructor.status != Status.ENDED.value
    )
    if district_id is not None:
        query = query.where(Instructor.district_id == district_id)
    if instructor_id is not None:
        query = query.where(
            or_(Instructor.id == instructor_id, Instructor.mentor_id == instructor_id)
        )
    mentees = list(
        await session.scalars(
            query.order_by(Instructor.district_id, Instructor.name, Instructor.id)
        )
    )
    mentor_ids = {m.mentor_id for m in mentees if m.mentor_id is not None}
    mentors = {
        m.id: m
        for m in await session.scalars(select(Instructor).where(Instructor.id.in_(mentor_ids)))
    }
    ids = [m.id for m in mentees]
    rows = await _signoffs(session, ids)
    lists = await checklists(session, ids)
    return [
        Pair(
            mentee,
            mentors[mentee.mentor_id],
            steps_of(mentee.start_date, rows[mentee.id], today),
            lists[mentee.id],
        )
        for mentee in mentees
        if mentee.mentor_id in mentors
    ]


@dataclass(frozen=True)
class MentoringSummary:
    """One instructor's mentoring for the evaluation's dossier.

    As a mentee (`mentor_id` set): the mentor, the start date, the three steps (None without a
    start date) and the checklist. As a mentor: how many mentees they have now and how many
    sign-offs they gave (reached + not reached)."""

    instructor_id: int
    mentor_id: int | None = None
    mentor_name: str | None = None
    start_date: date | None = None
    steps: list[StepState] | None = None
    checklist: Checklist = field(default_factory=Checklist)
    mentees: int = 0
    signoffs_given: int = 0
    reached_given: int = 0
    not_reached_given: int = 0

    @property
    def is_mentee(self) -> bool:
        return self.mentor_id is not None

    @property
    def is_mentor(self) -> bool:
        return self.mentees > 0 or self.signoffs_given > 0


async def summaries(
    session: AsyncSession, instructor_ids: Sequence[int], *, today: date | None = None
) -> dict[int, MentoringSummary]:
    """Every instructor's MentoringSummary (one for each id asked, empty when they take no part
    in mentoring), in a fixed number of queries; steps as of `today` (default: today, UTC)."""
    ids = list(dict.fromkeys(instructor_ids))
    if not ids:
        return {}
    today = today or datetime.now(UTC).date()
    people = {
        i.id: i for i in await session.scalars(select(Instructor).where(Instructor.id.in_(ids)))
    }
    mentee_ids = [i for i, p in people.items() if p.mentor_id is not None]
    mentor_ids = {p.mentor_id for p in people.values() if p.mentor_id is not None}
    mentor_names = {
        i: n
        for i, n in await session.execute(
            select(Instructor.id, Instructor.name).where(Instructor.id.in_(mentor_ids))
        )
    }
    rows = await _signoffs(session, mentee_ids)
    lists = await checklists(session, ids)
    counted = await session.execute(
        select(Instructor.mentor_id, func.count())
        .where(Instructor.mentor_id.in_(ids), Instructor.status != Status.ENDED.value)
        .group_by(Instructor.mentor_id)
    )
    mentees = {mentor_id: int(n) for mentor_id, n in counted}
    given: dict[int, dict[str, int]] = defaultdict(dict)
    signed = await session.execute(
        select(MentoringSignoff.mentor_id, MentoringSignoff.result, func.count())
        .where(MentoringSignoff.mentor_id.in_(ids), MentoringSignoff.result.is_not(None))
        .group_by(MentoringSignoff.mentor_id, MentoringSignoff.result)
    )
    for signer, result, n in signed:
        given[int(signer)][str(result)] = int(n)
    found: dict[int, MentoringSummary] = {}
    for i in ids:
        person = people.get(i)
        mentor_id = person.mentor_id if person is not None else None
        counts = given.get(i, {})
        reached = counts.get("reached", 0)
        not_reached = counts.get("not_reached", 0)
        found[i] = MentoringSummary(
            instructor_id=i,
            mentor_id=mentor_id,
            mentor_name=mentor_names.get(mentor_id) if mentor_id is not None else None,
            start_date=person.start_date if person is not None else None,
            steps=(
                steps_of(person.start_date, rows[i], today)
                if person is not None and mentor_id is not None
                else None
            ),
            checklist=lists.get(i, Checklist()),
            mentees=mentees.get(i, 0),
            signoffs_given=reached + not_reached,
            reached_given=reached,
            not_reached_given=not_reached,
        )
    return found
