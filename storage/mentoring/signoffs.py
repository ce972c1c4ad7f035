"""The sign-offs: a row per mentee and step (unique), opened when the step falls due, asked of
the mentor once, signed by the mentor, and passed to the district admins once when overdue.

Each "once" is a conditional UPDATE (… WHERE asked_at IS NULL) whose row count says who won:
two rounds at the same moment, on SQLite or PostgreSQL, ask and escalate each row once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.mentoring.steps import CATCH_UP_DAYS, OVERDUE_DAYS, STEPS, due_on
from storage.models import Admin, AdminRole, Instructor, MentoringSignoff, SignoffResult, Status

REASON_LENGTH = 200  # MentoringSignoff.reason's size; a longer one is refused, never cut


@dataclass(frozen=True)
class Ask:
    """A sign-off claimed for asking: the row, the mentee and the mentor (who has Telegram)."""

    signoff: MentoringSignoff
    mentee: Instructor
    mentor: Instructor


@dataclass(frozen=True)
class Escalation:
    """A sign-off claimed for passing on: who is told (admins' Telegram ids; `hq` when the
    district has no admin and HQ's admins are told instead)."""

    signoff: MentoringSignoff
    mentee: Instructor
    mentor: Instructor | None
    admins: list[int]
    hq: bool


async def open_due(session: AsyncSession, today: date) -> int:
    """Opens a row for every step of an active mentee that fell due within the last
    CATCH_UP_DAYS days (a step missed while the bot was down still comes); returns how many
    are new."""
    earliest = today - timedelta(days=CATCH_UP_DAYS)
    mentees = await session.execute(
        select(Instructor.id, Instructor.mentor_id, Instructor.start_date).where(
            Instructor.mentor_id.is_not(None),
            Instructor.start_date.is_not(None),
            Instructor.status != Status.ENDED.value,
            # Loose bounds (a month is 28 to 31 days); the loop below is exact.
            Instructor.start_date >= earliest - timedelta(days=31 * STEPS[-1]),
            Instructor.start_date <= today - timedelta(days=28 * STEPS[0]),
        )
    )
    rows = []
    for mentee_id, mentor_id, start in mentees:
        if start is None:  # never: the query asks for a start date
            continue
        for step in STEPS:
            due = due_on(start, step)
            if earliest <= due <= today:
                rows.append(
                    {"mentee_id": mentee_id, "mentor_id": mentor_id, "step": step, "due_on": due}
                )
    if not rows:
        return 0
    statement = dialect_insert(session)(MentoringSignoff).values(rows)
    statement = statement.on_conflict_do_nothing(
        index_elements=[MentoringSignoff.mentee_id, MentoringSignoff.step]
    )
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


async def follow_mentor_changes(session: AsyncSession) -> int:
    """Unsigned sign-offs pass to the mentee's mentor of now (a roster upload may have changed
    them), to be asked again; returns how many moved. /mentor does the same at once."""
    current = (
        select(Instructor.mentor_id)
        .where(Instructor.id == MentoringSignoff.mentee_id)
        .scalar_subquery()
    )
    result = await session.execute(
        update(MentoringSignoff)
        .where(
            MentoringSignoff.result.is_(None),
            current.is_not(None),
            MentoringSignoff.mentor_id != current,
        )
        .values(mentor_id=current, asked_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def _claim(session: AsyncSession, signoff_id: int, **where_null_set: datetime) -> bool:
    """Sets each named column to its value where it is still NULL; tells whether this won."""
    [(column, value)] = where_null_set.items()
    result = await session.execute(
        update(MentoringSignoff)
        .where(
            MentoringSignoff.id == signoff_id,
            getattr(MentoringSignoff, column).is_(None),
            MentoringSignoff.result.is_(None),
        )
        .values({column: value})
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def claim_asks(session: AsyncSession, *, now: datetime) -> list[Ask]:
    """The sign-offs not yet asked whose mentor is still the mentee's and can be reached, each
    claimed (asked_at set) by this transaction only."""
    rows = await session.execute(
        select(MentoringSignoff, Instructor)
        .join(Instructor, Instructor.id == MentoringSignoff.mentee_id)
        .where(
            MentoringSignoff.asked_at.is_(None),
            MentoringSignoff.result.is_(None),
            Instructor.mentor_id == MentoringSignoff.mentor_id,
            Instructor.status != Status.ENDED.value,
        )
        .order_by(MentoringSignoff.id)
    )
    pending = list(rows)
    mentor_ids = {signoff.mentor_id for signoff, _ in pending}
    mentors = {
        m.id: m
        for m in await session.scalars(
            select(Instructor).where(
                Instructor.id.in_(mentor_ids),
                Instructor.telegram_id.is_not(None),
                Instructor.status != Status.ENDED.value,
            )
        )
    }
    asks = []
    for signoff, mentee in pending:
        mentor = mentors.get(signoff.mentor_id)
        if mentor is not None and await _claim(session, signoff.id, asked_at=now):
            asks.append(Ask(signoff, mentee, mentor))
    return asks


async def _admins(session: AsyncSession, district_id: int | None) -> list[int]:
    query = select(Admin.telegram_id).order_by(Admin.telegram_id)
    if district_id is None:
        query = query.where(Admin.role == AdminRole.HQ.value)
    else:
        query = query.where(
            Admin.role == AdminRole.DISTRICT_ADMIN.value, Admin.district_id == district_id
        )
    return list(await session.scalars(query))


async def claim_escalations(
    session: AsyncSession, today: date, *, now: datetime
) -> list[Escalation]:
    """The sign-offs still without a result OVERDUE_DAYS after their due day and not passed on
    yet, each claimed (escalated_at set) by this transaction only. They go to the mentee's
    district admins, or to HQ's admins (added with /admin) when the district has none; with
    nobody to tell, a row stays unclaimed and is tried again at the next round."""
    rows = await session.execute(
        select(MentoringSignoff, Instructor)
        .join(Instructor, Instructor.id == MentoringSignoff.mentee_id)
        .where(
            MentoringSignoff.result.is_(None),
            MentoringSignoff.escalated_at.is_(None),
            MentoringSignoff.due_on <= today - timedelta(days=OVERDUE_DAYS),
            Instructor.mentor_id.is_not(None),
            Instructor.status != Status.ENDED.value,
        )
        .order_by(MentoringSignoff.id)
    )
    found = []
    for signoff, mentee in rows:
        admins, hq = await _admins(session, mentee.district_id), False
        if not admins:
            admins, hq = await _admins(session, None), True
        if not admins or not await _claim(session, signoff.id, escalated_at=now):
            continue
        mentor = await session.get(Instructor, signoff.mentor_id)
        found.append(Escalation(signoff, mentee, mentor, admins, hq))
    return found


@dataclass(frozen=True)
class Signed:
    """What a press or a typed reason did: "signed", "not_mentor", "already" (the row keeps
    its first result: a sign-off is not changed afterwards), "gone" (no such sign-off), or
    "ask_reason" (尚未达到 pressed: the reason is asked next)."""

    outcome: str
    signoff: MentoringSignoff | None = None
    mentee: Instructor | None = None
    mentor: Instructor | None = None


async def check(session: AsyncSession, signoff_id: int, telegram_id: int) -> Signed:
    """Whether `telegram_id` may sign this sign-off now (the mentor asked, still the mentee's)."""
    signoff = await session.get(MentoringSignoff, signoff_id)
    if signoff is None:
        return Signed("gone")
    mentee = await session.get_one(Instructor, signoff.mentee_id)
    mentor = await session.get_one(Instructor, signoff.mentor_id)
    if mentor.telegram_id != telegram_id or mentee.mentor_id != mentor.id:
        return Signed("not_mentor", signoff, mentee, mentor)
    if signoff.result is not None:
        return Signed("already", signoff, mentee, mentor)
    return Signed("ask_reason", signoff, mentee, mentor)


async def sign(
    session: AsyncSession,
    signoff_id: int,
    telegram_id: int,
    result: SignoffResult,
    reason: str | None,
    *,
    now: datetime,
) -> Signed:
    """Stores the mentor's 已达到 / 尚未达到 (with the reason), once: of two presses at once
    one signs and the other finds it signed."""
    checked = await check(session, signoff_id, telegram_id)
    if checked.outcome != "ask_reason":
        return checked
    assert checked.signoff is not None
    stored = await session.execute(
        update(MentoringSignoff)
        .where(MentoringSignoff.id == signoff_id, MentoringSignoff.result.is_(None))
        .values(
            result=result.value,
            reason=reason or None,
            signed_by=telegram_id,
            signed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    await session.refresh(checked.signoff)
    if int(getattr(stored, "rowcount", 0) or 0) != 1:
        return Signed("already", checked.signoff, checked.mentee, checked.mentor)
    return Signed("signed", checked.signoff, checked.mentee, checked.mentor)
