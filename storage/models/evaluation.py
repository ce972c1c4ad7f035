"""The annual evaluation (年度考评): a round per year, each instructor's self-assessment, the
democratic rating (one-time rater links, anonymous ballots), the district's rating and HQ's
overrides of the computed grade.

Anonymity: a ballot carries no link, no chat, no time. A rater's unfinished grades live in a
RatingSession (the one place a chat meets a link), which is deleted when the ballot is cast.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
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


class Grade(enum.StrEnum):
    """The four grades of every rating: 优秀, 称职, 基本称职, 不称职."""

    EXCELLENT = "excellent"
    COMPETENT = "competent"
    BASIC = "basic"
    INCOMPETENT = "incompetent"


class EvaluationRound(Base):
    """One year's evaluation, opened by HQ with a deadline for the self-assessments."""

    __tablename__ = "evaluation_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    deadline: Mapped[datetime]  # self-assessments and ratings until then
    opened_by: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The deadline reminders (3 days and 1 day before) once sent.
    reminded_3d_at: Mapped[datetime | None]
    reminded_1d_at: Mapped[datetime | None]
    # Weights and thresholds of /evaluation result, None for PRODUCT.md's defaults.
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class EvaluationEntry(Base):
    """One instructor in a round: the prompt sent and the self-assessment."""

    __tablename__ = "evaluation_entries"
    __table_args__ = (UniqueConstraint("round_id", "instructor_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_rounds.id"))
    instructor_id: Mapped[int] = mapped_column(ForeignKey("instructors.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))  # at opening
    self_text: Mapped[str | None] = mapped_column(Text)  # up to 2,000 characters
    answered_at: Mapped[datetime | None]

    instructor: Mapped[Instructor] = relationship(lazy="raise")


class RaterLink(Base):
    """A one-time link `https://t.me/<bot>?start=rate_<token>` for the democratic rating of a
    scope (a district, or the city when district_id is None)."""

    __tablename__ = "rater_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_rounds.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    number: Mapped[int] = mapped_column(Integer)  # 1..n within its batch, printed on the sheet
    token: Mapped[str] = mapped_column(String(32), unique=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    used_at: Mapped[datetime | None]


class RatingSession(Base):
    """A rater's grades while they rate with a link, deleted when the ballot is cast."""

    __tablename__ = "rating_sessions"
    __table_args__ = (UniqueConstraint("link_id", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("rater_links.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    grades: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # instructor id → grade
    page: Mapped[int] = mapped_column(Integer, default=0)


class Ballot(Base):
    """One rater's cast votes: a random id, the round and scope, nothing else."""

    __tablename__ = "ballots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_rounds.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))


class Vote(Base):
    """One grade of a ballot."""

    __tablename__ = "votes"
    __table_args__ = (Index("ix_votes_instructor_id", "instructor_id"),)

    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballots.id"), primary_key=True)
    instructor_id: Mapped[int] = mapped_column(ForeignKey("instructors.id"), primary_key=True)
    grade: Mapped[str] = mapped_column(enum_column(Grade))


class DistrictRating(Base):
    """The district's grade for one of its instructors (the latest one counts)."""

    __tablename__ = "district_ratings"
    __table_args__ = (UniqueConstraint("round_id", "instructor_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_rounds.id"))
    instructor_id: Mapped[int] = mapped_column(ForeignKey("instructors.id"))
    grade: Mapped[str] = mapped_column(enum_column(Grade))
    rated_by: Mapped[int] = mapped_column(BigInteger)
    rated_at: Mapped[datetime]


class GradeOverride(Base):
    """HQ's grade in place of the computed one, with the reason; every override is kept, the
    latest counts."""

    __tablename__ = "grade_overrides"
    __table_args__ = (
        Index("ix_grade_overrides_round_id_instructor_id", "round_id", "instructor_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_rounds.id"))
    instructor_id: Mapped[int] = mapped_column(ForeignKey("instructors.id"))
    grade: Mapped[str] = mapped_column(enum_column(Grade))
    reason: Mapped[str] = mapped_column(String(200))
    by: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime]
