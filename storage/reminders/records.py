"""Reminders and built-in schedules as rows: the rule, the next firing, and each firing once.

A reminder fires in one transaction that records the firing (unique per reminder and due time),
enqueues its messages in the outbox and moves `next_at` on by the rule — so a restart at any
moment neither loses nor repeats it. The next time is computed from the rule in local time, not
by adding days, so daylight saving and month ends do not drift.

`工作日` reminders, the weekly nudge and the monthly summary follow China's calendar
(storage.common.workdays): the nudge goes out on the last working day of the Monday-to-Sunday
week (Friday in an ordinary week, Wednesday 2026-09-30 before National Day, the 调休 Saturday
2026-10-10 after it, the 调休 Sunday 2026-09-20, and not at all in a week without a working day),
the summary on the month's first working day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.once import add_once
from storage.common.times import aware
from storage.common.when import Rule, next_time
from storage.common.workdays import first_workday, week_workdays
from storage.db import dialect_insert
from storage.models import (
    Reminder,
    ReminderFiring,
    ReminderStatus,
)

# Built-in schedules, each switchable and re-timeable by HQ (/schedules).
WEEKLY_NUDGE = "weekly_nudge"
WEEKLY_DIGEST = "weekly_digest"
MONTHLY_SUMMARY = "monthly_summary"
MENTORING = "mentoring"
# Reminders 1 day and 1 hour before each training (storage.trainings.reminding): they follow
# each training's start, not a rule, so HQ switches them on and off but does not re-time them.
TRAINING_REMINDERS = "training_reminders"
# The evaluation's deadline reminders, 3 days and 1 day before (storage.evaluation): likewise.
EVALUATION_REMINDERS = "evaluation_reminders"
FOLLOWS_EVENTS = frozenset({TRAINING_REMINDERS, EVALUATION_REMINDERS})
BUILTINS: dict[str, Rule] = {
    # Friday 16:00, or 16:00 on the week's last working day when holidays and 调休 move it.
    WEEKLY_NUDGE: Rule("weekly", time(16, 0), weekdays=(4,)),
    WEEKLY_DIGEST: Rule("weekly", time(9, 0), weekdays=(0,)),  # Monday 9:00
    MONTHLY_SUMMARY: Rule("monthly", time(9, 0), day=1),  # the first working day, 9:00
    MENTORING: Rule("daily", time(9, 0)),
    TRAINING_REMINDERS: Rule("daily", time(0, 0)),  # a placeholder: never fires by itself
    EVALUATION_REMINDERS: Rule("daily", time(0, 0)),  # likewise
}


async def switched_on(session: AsyncSession, key: str) -> bool:
    """Whether HQ left the built-in `key` on (/schedules); on unless switched off."""
    status = await session.scalar(select(Reminder.status).where(Reminder.key == key))
    return status is None or status == ReminderStatus.ACTIVE.value


# A missed firing is reported rather than fired after this many due times in a row.
MAX_CATCH_UP = 1000


# Weeks looked ahead for the nudge's next working day (a year; a week without one is skipped).
NUDGE_WEEKS = 54


def nudge_days(day: date, weekdays: tuple[int, ...]) -> list[date]:
    """The days of the week of `day` on which a nudge set for `weekdays` (0 = Monday) goes out.

    A weekday counts from the end of the working week: Friday is the week's last working day,
    Thursday the one before it, and so on (the first working day if the week has fewer). In an
    ordinary week that is the weekday itself; before National Day 2026 Friday means Wednesday
    09-30, after it the 调休 Saturday 10-10. A week without a working day has no nudge. Saturday
    and Sunday, if HQ chose them, are kept as written.
    """
    monday = day - timedelta(days=day.weekday())
    working = week_workdays(day)
    days: set[date] = set()
    for weekday in weekdays:
        if weekday >= 5:
            days.add(monday + timedelta(days=weekday))
        elif working:
            from_end = 4 - weekday
            days.add(working[max(0, len(working) - 1 - from_end)])
    return sorted(days)


def _at(day: date, rule: Rule, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, rule.at, tzinfo=tz).astimezone(UTC)


def next_firing(key: str | None, rule: Rule, after: datetime, tz: ZoneInfo) -> datetime | None:
    """The first firing strictly after `after` (UTC), from the rule in local time."""
    if key in FOLLOWS_EVENTS:
        return None
    local = after.astimezone(tz).date()
    if key == WEEKLY_NUDGE and rule.kind == "weekly":
        # From the day before, so that an `after` near midnight in another zone misses nothing.
        week = local - timedelta(days=1)
        for _ in range(NUDGE_WEEKS):
            for day in nudge_days(week, rule.weekdays):
                if (moment := _at(day, rule, tz)) > after:
                    return moment
            week += timedelta(days=7)
        return None
    if key != MONTHLY_SUMMARY:
        return next_time(rule, after, tz)
    year, month = local.year, local.month
    for _ in range(3):
        moment = _at(first_workday(year, month), rule, tz)
        if moment > after:
            return moment
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


async def restore(session: AsyncSession, timezone: str, *, now: datetime) -> int:
    """At start: the built-in schedules exist (once each) in BOT_TIMEZONE, and every active
    reminder has its next firing; returns how many reminders are active."""
    tz = ZoneInfo(timezone)
    rows = [
        {
            "key": key,
            "rule": rule.to_json(),
            "timezone": timezone,
            "text": "",
            "status": ReminderStatus.ACTIVE.value,
            "next_at": next_firing(key, rule, now, tz),
            "created_at": now,
        }
        for key, rule in BUILTINS.items()
    ]
    statement = dialect_insert(session)(Reminder).values(rows)
    await session.execute(statement.on_conflict_do_nothing(index_elements=[Reminder.key]))
    # A built-in follows BOT_TIMEZONE if it changed since.
    moved = await session.scalars(
        select(Reminder).where(Reminder.key.is_not(None), Reminder.timezone != timezone)
    )
    for reminder in moved:
        reminder.timezone = timezone
        reminder.next_at = next_firing(reminder.key, Rule.from_json(reminder.rule), now, tz)
    unscheduled = await session.scalars(
        select(Reminder).where(
            Reminder.status == ReminderStatus.ACTIVE.value,
            Reminder.next_at.is_(None),
            Reminder.key.not_in(FOLLOWS_EVENTS) | Reminder.key.is_(None),
        )
    )
    for reminder in unscheduled:
        rule = Rule.from_json(reminder.rule)
        reminder.next_at = next_firing(reminder.key, rule, now, ZoneInfo(reminder.timezone))
        if reminder.next_at is None:
            reminder.status = ReminderStatus.DONE.value
    await _follow_the_calendar(session, now)
    count = await session.execute(
        select(func.count()).where(Reminder.status == ReminderStatus.ACTIVE.value)
    )
    return int(count.scalar_one())


async def _follow_the_calendar(session: AsyncSession, now: datetime) -> None:
    """Computes again the next firing still ahead of the rows that follow China's calendar.

    Their next_at was computed with the calendar of the running package: an upgrade that brings
    next year's holidays (or corrects a year taken as Monday to Friday) moves them at this start.
    Only times still ahead are touched, so a due time missed while the bot was down is left to
    fire within the grace or to be reported as missed.
    """
    # The schedules whose days China's calendar decides: the nudge, the summary and 工作日.
    ahead = await session.scalars(
        select(Reminder).where(
            Reminder.status == ReminderStatus.ACTIVE.value,
            Reminder.next_at > now,
            or_(
                Reminder.key.in_((WEEKLY_NUDGE, MONTHLY_SUMMARY)),
                Reminder.rule["kind"].as_string() == "workdays",
            ),
        )
    )
    for reminder in ahead:
        rule = Rule.from_json(reminder.rule)
        moment = next_firing(reminder.key, rule, now, ZoneInfo(reminder.timezone))
        if (
            moment is not None
            and reminder.next_at is not None
            and moment != aware(reminder.next_at)
        ):
            reminder.next_at = moment


async def create_reminder(
    session: AsyncSession,
    *,
    owner_id: int,
    rule: Rule,
    first: datetime,
    text: str,
    timezone: str,
    scope_district_id: int | None = None,
    audience: str | None = None,
    audience_value: str | None = None,
    request_key: str | None = None,
) -> Reminder:
    """Stores a reminder; one with `request_key` already there is returned instead."""
    return await add_once(
        session,
        Reminder(
            owner_id=owner_id,
            rule=rule.to_json(),
            next_at=first,
            text=text,
            timezone=timezone,
            scope_district_id=scope_district_id,
            audience=audience,
            audience_value=audience_value,
            status=ReminderStatus.ACTIVE.value,
            request_key=request_key,
        ),
    )


async def list_reminders(session: AsyncSession, owner_id: int) -> list[Reminder]:
    """The owner's reminders still to come, soonest first."""
    query = (
        select(Reminder)
        .where(
            Reminder.owner_id == owner_id,
            Reminder.key.is_(None),
            Reminder.status == ReminderStatus.ACTIVE.value,
        )
        .order_by(Reminder.next_at, Reminder.id)
    )
    return list(await session.scalars(query))


async def cancel_reminder(session: AsyncSession, reminder_id: int, owner_id: int) -> bool:
    """Cancels one of the owner's reminders; False if there is no such active reminder."""
    result = await session.execute(
        update(Reminder)
        .where(
            Reminder.id == reminder_id,
            Reminder.owner_id == owner_id,
            Reminder.key.is_(None),
            Reminder.status == ReminderStatus.ACTIVE.value,
        )
        .values(status=ReminderStatus.CANCELLED.value, next_at=None)
    )
    return bool(getattr(result, "rowcount", 0))


async def builtin_schedules(session: AsyncSession) -> list[Reminder]:
    query = select(Reminder).where(Reminder.key.is_not(None)).order_by(Reminder.id)
    return list(await session.scalars(query))


async def set_builtin(
    session: AsyncSession,
    key: str,
    *,
    enabled: bool | None = None,
    rule: Rule | None = None,
    now: datetime,
) -> Reminder | None:
    """Switches a built-in schedule on or off, or re-times it; the next firing follows."""
    reminder = (await session.scalars(select(Reminder).where(Reminder.key == key))).first()
    if reminder is None:
        return None
    if rule is not None:
        reminder.rule = rule.to_json()
    if enabled is not None:
        reminder.status = (ReminderStatus.ACTIVE if enabled else ReminderStatus.PAUSED).value
    active = reminder.status == ReminderStatus.ACTIVE.value
    tz = ZoneInfo(reminder.timezone)
    current = Rule.from_json(reminder.rule)
    reminder.next_at = next_firing(key, current, now, tz) if active else None
    return reminder


@dataclass
class Due:
    """A reminder that fell due: the due time to fire now (None if all were missed), and the
    due times missed while the bot was down (older than the grace period)."""

    reminder: Reminder
    fire_at: datetime | None
    missed: list[datetime]


async def claim_due(
    session: AsyncSession, *, now: datetime, grace: timedelta, limit: int = 500
) -> list[Due]:
    """Due reminders, locked for this transaction, with next_at already moved on by the rule.

    Each due time is recorded in reminder_firings (unique), so a reminder claimed twice (two
    instances, a repeated tick) fires once: the second claim finds its firing recorded.
    """
    query = (
        select(Reminder)
        .where(Reminder.status == ReminderStatus.ACTIVE.value, Reminder.next_at <= now)
        .order_by(Reminder.next_at, Reminder.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    found = []
    for reminder in await session.scalars(query):
        tz = ZoneInfo(reminder.timezone)
        rule = Rule.from_json(reminder.rule)
        missed: list[datetime] = []
        fire_at: datetime | None = None
        due: datetime | None = aware(reminder.next_at) if reminder.next_at else None
        steps = 0
        while due is not None and due <= now and steps < MAX_CATCH_UP:
            if now - due > grace:
                missed.append(due)
            else:
                fire_at = due  # of several within the grace, the latest fires (once)
            due = next_firing(reminder.key, rule, due, tz)
            steps += 1
        reminder.next_at = due
        if due is None:
            reminder.status = ReminderStatus.DONE.value
        found.append(Due(reminder, fire_at, missed))
    return found


async def record_firings(
    session: AsyncSession,
    firings: Sequence[tuple[int, datetime] | tuple[int, datetime, int]],
    outcome: str,
    *,
    now: datetime,
) -> set[int]:
    """Records due times (reminder id, due time[, messages]) in one statement; returns the
    reminder ids newly recorded — one already there was fired before and must not be again."""
    if not firings:
        return set()
    rows = [
        {
            "reminder_id": f[0],
            "due_at": f[1],
            "fired_at": now,
            "outcome": outcome,
            "messages": f[2] if len(f) > 2 else 0,
        }
        for f in firings
    ]
    statement = dialect_insert(session)(ReminderFiring).values(rows)
    statement = statement.on_conflict_do_nothing(
        index_elements=[ReminderFiring.reminder_id, ReminderFiring.due_at]
    ).returning(ReminderFiring.reminder_id)
    return {reminder_id for (reminder_id,) in await session.execute(statement)}


async def firings(session: AsyncSession, reminder_id: int) -> list[ReminderFiring]:
    query = (
        select(ReminderFiring)
        .where(ReminderFiring.reminder_id == reminder_id)
        .order_by(ReminderFiring.due_at)
    )
    return list(await session.scalars(query))
