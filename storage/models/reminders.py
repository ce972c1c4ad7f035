"""Reminders, their firings, and leaves."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ReminderStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # a built-in schedule HQ switched off
    DONE = "done"  # a one-off that fired (or was missed)
    CANCELLED = "cancelled"


class Reminder(Base):
    """A reminder or a built-in schedule: a rule in local time and the next firing in UTC.

    The database is the source of truth: a short tick fires what is due (storage.reminders.records),
    so nothing lives only in APScheduler's memory.
    """

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_status_next_at", "status", "next_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Built-in schedules have a key (weekly_nudge, weekly_digest, monthly_summary, mentoring).
    key: Mapped[str | None] = mapped_column(String(32), unique=True)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # who set it
    scope_district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    # None: the owner alone; otherwise a notice audience (all, district, level, employment).
    audience: Mapped[str | None] = mapped_column(String(16))
    audience_value: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)  # storage.common.when.Rule.to_json()
    timezone: Mapped[str] = mapped_column(String(64))
    next_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default=ReminderStatus.ACTIVE.value)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The message that asked for it (storage.messaging.inbox.request_key), so that handling that
    # update again after a crash finds this row instead of adding one.
    request_key: Mapped[str | None] = mapped_column(String(48), unique=True, index=True)


class ReminderFiring(Base):
    """One due time of a reminder, fired or missed; unique, so it can happen only once."""

    __tablename__ = "reminder_firings"
    __table_args__ = (UniqueConstraint("reminder_id", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id"))
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))  # "fired" or "missed"
    messages: Mapped[int] = mapped_column(Integer, default=0)


class Leave(Base):
    """An instructor's absence: no nudges (and later no call-ups) from `starts` to `ends`."""

    __tablename__ = "leaves"
    __table_args__ = (Index("ix_leaves_instructor_id_ends", "instructor_id", "ends"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instructor_id: Mapped[int] = mapped_column(ForeignKey("instructors.id"))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    cancelled_at: Mapped[datetime | None]
    # The /leave message that recorded it (see Reminder.request_key).
    request_key: Mapped[str | None] = mapped_column(String(48), unique=True, index=True)
