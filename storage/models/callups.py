"""Call-ups (抽调 / 集中攻关): the call-up, and one invitation row per candidate asked."""

from __future__ import annotations

import enum
from datetime import date, datetime

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column
from storage.models.people import Instructor


class CallUpStatus(enum.StrEnum):
    """What HQ did with a call-up; full, running and ended follow from counts and dates."""

    DRAFT = "draft"  # ranked and shown to HQ, nothing sent yet
    RECRUITING = "recruiting"  # invitations go out (also once full: a withdrawal reopens)
    CANCELLED = "cancelled"


class InvitationStatus(enum.StrEnum):
    """Where one candidate stands in a call-up."""

    INVITED = "invited"  # waiting for 接受 / 婉拒 until expires_at
    ACCEPTED = "accepted"  # a member of the team
    RESERVE = "reserve"  # pressed 接受 when the team was full
    DECLINED = "declined"
    EXPIRED = "expired"  # no answer within the answer window
    UNREACHABLE = "unreachable"  # Telegram refused the invitation (403 or 400)
    WITHDRAWN = "withdrawn"  # left the team before the start
    CLOSED = "closed"  # still open at the deadline or when the call-up was cancelled


class CallUp(Base):
    """A task team HQ recruits: how many, with which skills, for what and when."""

    __tablename__ = "call_ups"
    __table_args__ = (Index("ix_call_ups_status_deadline", "status", "deadline"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(128))  # as HQ wrote it
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    # The district and industry the target lies in, for the dispatch board in the ranking.
    target_district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    target_industry: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    per_district: Mapped[int] = mapped_column(Integer)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Only candidates from these districts (ids); empty: the whole city.
    districts: Mapped[list[int]] = mapped_column(JSON, default=list)
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    answer_minutes: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime]
    status: Mapped[str] = mapped_column(enum_column(CallUpStatus))
    # Members so far; raised only by `UPDATE … WHERE members < size`, so never above size.
    members: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped first by whoever changes the call-up's invitations: one writer at a time.
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    released_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # When HQ was told: the team full, the deadline passed, ratings asked after the end.
    full_told_at: Mapped[datetime | None]
    deadline_told_at: Mapped[datetime | None]
    rating_asked_at: Mapped[datetime | None]
    # The one-line /callup that created it (see Reminder.request_key).
    request_key: Mapped[str | None] = mapped_column(String(48), unique=True, index=True)


class CallUpInvitation(Base):
    """One candidate of a call-up: asked once at most, with the answer and, for members, the
    rating HQ gave after the end."""

    __tablename__ = "call_up_invitations"
    __table_args__ = (
        UniqueConstraint("call_up_id", "instructor_id"),
        Index("ix_call_up_invitations_status_expires_at", "status", "expires_at"),
        Index("ix_call_up_invitations_instructor_id_status", "instructor_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_up_id: Mapped[int] = mapped_column(ForeignKey("call_ups.id"))
    instructor_id: Mapped[int] = mapped_column(ForeignKey("instructors.id"))
    rank: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(enum_column(InvitationStatus))
    invited_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(200))
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_by: Mapped[int | None] = mapped_column(BigInteger)
    rated_at: Mapped[datetime | None]

    instructor: Mapped[Instructor] = relationship(lazy="raise")
