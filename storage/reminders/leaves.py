"""Leaves: while on leave an instructor gets no nudges (and, later, no call-ups)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.once import add_once
from storage.models import (
    Leave,
)


async def on_leave(session: AsyncSession, day: date) -> set[int]:
    """Instructors with a leave covering `day`."""
    rows = await session.execute(
        select(Leave.instructor_id).where(
            Leave.starts <= day, Leave.ends >= day, Leave.cancelled_at.is_(None)
        )
    )
    return {instructor_id for (instructor_id,) in rows}


async def add_leave(
    session: AsyncSession,
    instructor_id: int,
    starts: date,
    ends: date,
    reason: str | None,
    *,
    request_key: str | None = None,
) -> Leave:
    """Records a leave; one with `request_key` already there is returned instead."""
    return await add_once(
        session,
        Leave(
            instructor_id=instructor_id,
            starts=starts,
            ends=ends,
            reason=reason,
            request_key=request_key,
        ),
    )


async def current_leaves(session: AsyncSession, instructor_id: int, today: date) -> list[Leave]:
    """The instructor's leaves that have not ended, earliest first."""
    query = (
        select(Leave)
        .where(
            Leave.instructor_id == instructor_id,
            Leave.ends >= today,
            Leave.cancelled_at.is_(None),
        )
        .order_by(Leave.starts)
    )
    return list(await session.scalars(query))


async def cancel_leave(
    session: AsyncSession, leave_id: int, instructor_id: int, *, now: datetime
) -> bool:
    result = await session.execute(
        update(Leave)
        .where(
            Leave.id == leave_id,
            Leave.instructor_id == instructor_id,
            Leave.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
    )
    return bool(getattr(result, "rowcount", 0))
