"""The three steps of mentoring: 1, 2 and 3 months after the start date (入门, 进入角色,
独当一面), and what state a step is in on a given day."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from storage.models import MentoringSignoff, SignoffResult

STEPS = (1, 2, 3)
# A sign-off with no result this many days after its due day goes to the district admin.
OVERDUE_DAYS = 7
# A step that fell due while the bot was down is still asked if it is at most this old.
CATCH_UP_DAYS = 7


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(start: date, step: int) -> date:
    """The day step `step` falls due: `step` months after the start date."""
    return add_months(start, step)


@dataclass(frozen=True)
class StepState:
    """One step as of a day: "reached", "not_reached" (with the reason), "pending" (due, not yet
    signed), "overdue" (unsigned OVERDUE_DAYS after due; `days` since due), "upcoming", or
    "unrecorded": fell due more than CATCH_UP_DAYS ago and was never asked (before the bot, or
    before the pair was made), so nobody is late with it."""

    step: int
    due_on: date
    state: str
    reason: str | None = None
    days: int = 0
    escalated: bool = False


def state_of(start: date, step: int, row: MentoringSignoff | None, today: date) -> StepState:
    """The state of step `step` of a mentee who started on `start`."""
    due = row.due_on if row is not None else due_on(start, step)
    escalated = row is not None and row.escalated_at is not None
    if row is not None and row.result is not None:
        reason = row.reason if row.result == SignoffResult.NOT_REACHED.value else None
        return StepState(step, due, row.result, reason, escalated=escalated)
    if today < due:
        return StepState(step, due, "upcoming", days=(due - today).days)
    days = (today - due).days
    if row is None and days > CATCH_UP_DAYS:
        return StepState(step, due, "unrecorded", days=days)
    state = "overdue" if days >= OVERDUE_DAYS else "pending"
    return StepState(step, due, state, days=days, escalated=escalated)


def current(states: list[StepState]) -> StepState:
    """The step to show: the last one due, else the first (still upcoming)."""
    due = [s for s in states if s.state != "upcoming"]
    return due[-1] if due else states[0]
