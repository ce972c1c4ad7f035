"""Mentoring (传帮带): the mentor's sign-off of each step, 1, 2 and 3 months after the start
date (入门, 进入角色, 独当一面). The pair itself is Instructor.mentor_id; the mentee's checklist
is read from attendance and reports, never stored."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, enum_column


class SignoffResult(enum.StrEnum):
    REACHED = "reached"  # 已达到
    NOT_REACHED = "not_reached"  # 尚未达到 (with a reason)


class MentoringSignoff(Base):
    """One step of one mentee: due, asked, signed off, or overdue and passed to the district."""

    __tablename__ = "mentoring_signoffs"
    __table_args__ = (UniqueConstraint("mentee_id", "step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("instructors.id"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("instructors.id"))  # when asked
    step: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 months
    due_on: Mapped[date] = mapped_column(Date)
    asked_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(enum_column(SignoffResult))
    reason: Mapped[str | None] = mapped_column(String(200))
    signed_by: Mapped[int | None] = mapped_column(BigInteger)
    signed_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]  # overdue by 7 days: the district admin was told
