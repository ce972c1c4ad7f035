"""Trainings and meetings (培训 / 座谈会): the training, one row per person asked or checked in,
and the wrong check-in codes counted per person."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column
from storage.models.people import Instructor


class TrainingFormat(enum.StrEnum):
    """授课 lecture, 分组模拟协商 mock negotiation, 经验交流 exchange, 座谈会 seminar."""

    LECTURE = "lecture"
    MOCK = "mock"
    EXCHANGE = "exchange"
    SEMINAR = "seminar"


class TrainingStatus(enum.StrEnum):
    DRAFT = "draft"  # shown to its organizer, nothing sent yet
    OPEN = "open"  # invitations out; answers until the deadline, check-in in its window
    CANCELLED = "cancelled"


class SeatStatus(enum.StrEnum):
    """Where one person stands with a training."""

    INVITED = "invited"  # no answer yet
    ATTENDING = "attending"  # 参加 with a place
    WAITING = "waiting"  # 参加 past capacity: on the waiting list (候补) in queue_no order
    LEAVE = "leave"  # 请假
    WALK_IN = "walk_in"  # checked in without an invitation


class Training(Base):
    """A training or meeting an admin invites an audience to."""

    __tablename__ = "trainings"
    __table_args__ = (Index("ix_trainings_status_starts_at", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    format: Mapped[str] = mapped_column(enum_column(TrainingFormat))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(128))
    # As for notices (storage.models.NoticeAudience): all, district, level, employment, team.
    audience: Mapped[str] = mapped_column(String(16))
    audience_value: Mapped[str | None] = mapped_column(String(32))
    # The organizer's scope: None for HQ (the city), else the district admin's district.
    scope_district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    deadline: Mapped[datetime]  # answers can be changed until then
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # campaign tags, without #
    status: Mapped[str] = mapped_column(enum_column(TrainingStatus))
    created_by: Mapped[int] = mapped_column(BigInteger)  # the organizer's Telegram id
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    released_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Bumped first by whoever changes the seats: one writer at a time (see callups.records.lock).
    version: Mapped[int] = mapped_column(Integer, default=0)
    # The last place given on the waiting list; the next one waits behind it.
    queue_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped when the training is moved: reminders and .ics files name the schedule they are for.
    schedule_version: Mapped[int] = mapped_column(Integer, default=0)
    # When the current times were set (created or moved): reminders already past then are skipped.
    scheduled_at: Mapped[datetime | None]
    day_reminded_at: Mapped[datetime | None]
    hour_reminded_at: Mapped[datetime | None]
    # Check-in: a short code to type and a long token for the QR link (/start ci_<token>).
    checkin_code: Mapped[str] = mapped_column(String(8), index=True)
    checkin_token: Mapped[str] = mapped_column(String(32), unique=True)
    code_sent_at: Mapped[datetime | None]
    # How often /breakout split the attendees; each split's messages are keyed by it.
    breakouts: Mapped[int] = mapped_column(Integer, default=0)
    # The one-line /training that created it (see Reminder.request_key).
    request_key: Mapped[str | None] = mapped_column(String(48), unique=True, index=True)


class TrainingSeat(Base):
    """One person invited to a training (or a walk-in): the answer, the waiting place, the
    check-in and the breakout group."""

    __tablename__ = "training_seats"
    __table_args__ = (
        UniqueConstraint("training_id", "instructor_id"),
        Index("ix_training_seats_training_id_status", "training_id", "status"),
        Index("ix_training_seats_instructor_id_checked_in_at", "instructor_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"))
    instructor_id: Mapped[int] = mapped_column(ForeignKey("instructors.id"))
    status: Mapped[str] = mapped_column(enum_column(SeatStatus))
    invited_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(200))  # 请假's reason
    queue_no: Mapped[int | None] = mapped_column(Integer)  # order on the waiting list
    checked_in_at: Mapped[datetime | None]
    group_no: Mapped[int | None] = mapped_column(Integer)  # /breakout: 1..k
    side: Mapped[str | None] = mapped_column(String(16))  # "worker" 职工方 / "employer" 企业方
    lead: Mapped[bool] = mapped_column(Boolean, default=False)

    instructor: Mapped[Instructor] = relationship(lazy="raise")


class CheckinAttempt(Base):
    """A wrong check-in code someone typed: too many in a while and they must wait."""

    __tablename__ = "checkin_attempts"
    __table_args__ = (Index("ix_checkin_attempts_telegram_id_at", "telegram_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime]
