"""The mentoring milestones: 1, 2 and 3 months after a mentee's start date."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Instructor,
)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


async def mentoring_due(
    session: AsyncSession, today: date
) -> list[tuple[Instructor, Instructor, int]]:
    """(mentee, mentor, months) for mentees whose 1st, 2nd or 3rd month after the start date
    is on or before `today` (within the last week: a milestone missed while down still comes)."""
    earliest = today - timedelta(days=7)
    mentees = await session.scalars(
        select(Instructor).where(
            Instructor.mentor_id.is_not(None),
            Instructor.start_date.is_not(None),
            Instructor.start_date >= add_months(earliest, -3),
            Instructor.start_date <= add_months(today, -1),
        )
    )
    found: list[tuple[Instructor, int, int]] = []
    for mentee in mentees:
        assert mentee.start_date is not None and mentee.mentor_id is not None
        for months in (1, 2, 3):
            if earliest <= add_months(mentee.start_date, months) <= today:
                found.append((mentee, mentee.mentor_id, months))
    mentor_ids = {mentor_id for _, mentor_id, _ in found}
    mentors: dict[int, Instructor] = {}
    if mentor_ids:
        rows = await session.scalars(select(Instructor).where(Instructor.id.in_(mentor_ids)))
        mentors = {m.id: m for m in rows}
    return [(mentee, mentors[mid], n) for mentee, mid, n in found if mid in mentors]
