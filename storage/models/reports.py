"""Progress reports, their monthly rollups and their revision history."""

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column
from storage.models.people import Enterprise, Instructor


class ReportType(enum.StrEnum):
    """The kinds of progress report: 走访, 指导, 培训, 协商, 签约, 观摩, 其他."""

    VISIT = "visit"
    GUIDANCE = "guidance"
    TRAINING = "training"
    NEGOTIATION = "negotiation"
    CONTRACT = "contract"
    OBSERVATION = "observation"
    OTHER = "other"


class ReportSource(enum.StrEnum):
    GUIDED = "guided"  # the /report flow with buttons
    LINE = "line"  # the one-line /report
    GROUP = "group"  # a #走访 message in a bound group
    IMPORT = "import"  # a spreadsheet of history


class Report(Base):
    """A progress report (工作动态): who did what, where, for how many people, on which day."""

    __tablename__ = "reports"
    __table_args__ = (
        # The same Telegram message is recorded once, however often its update arrives.
        UniqueConstraint("chat_id", "message_id"),
        # Statistics filter by period, then by district or instructor, and group by type.
        Index("ix_reports_date_type", "date", "type"),
        Index("ix_reports_district_id_date", "district_id", "date"),
        Index("ix_reports_instructor_id_date", "instructor_id", "date"),
    )
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012 (SQLAlchemy reads it as is)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instructor_id: Mapped[int] = mapped_column(ForeignKey("instructors.id"))
    # The instructor's district when reporting: statistics stay true if they move later.
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    date: Mapped[date] = mapped_column(Date)  # the local (BOT_TIMEZONE) day of the work
    type: Mapped[str] = mapped_column(enum_column(ReportType))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    target: Mapped[str] = mapped_column(String(128))  # as typed, or the matched enterprise's name
    person_times: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(enum_column(ReportSource))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    deleted_at: Mapped[datetime | None]

    instructor: Mapped[Instructor] = relationship(lazy="joined")
    enterprise: Mapped[Enterprise | None] = relationship(lazy="joined")
    # Read with the report (one more SELECT per load, never per report); written only through
    # storage.reports.tags, which refreshes it.
    tag_rows: Mapped[list[ReportTag]] = relationship(lazy="selectin", viewonly=True)

    @property
    def tags(self) -> list[str]:
        """The report's campaign tags, without #, in code-point order."""
        return sorted(row.tag for row in self.tag_rows)


class ReportTag(Base):
    """A campaign tag (专项行动, e.g. 四必谈) a report carries; /stats, /export and /chart filter
    by it. Stored as storage.common.tags keeps tags: without the #, normalised, lower-cased."""

    __tablename__ = "report_tags"
    __table_args__ = (Index("ix_report_tags_tag_report_id", "tag", "report_id"),)

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    tag: Mapped[str] = mapped_column(String(32), primary_key=True)


class ReportMonthTotal(Base):
    """Counted (not deleted) reports per month, district filed in, instructor and type.

    Kept up to date by storage.reports.rollups on every write of a report, so that statistics of
    whole months read these few rows instead of every report. Rows may fall to zero.
    """

    __tablename__ = "report_month_totals"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the first day of the month
    district_id: Mapped[int] = mapped_column(
        ForeignKey("districts.id"), primary_key=True, autoincrement=False
    )
    instructor_id: Mapped[int] = mapped_column(
        ForeignKey("instructors.id"), primary_key=True, autoincrement=False
    )
    type: Mapped[str] = mapped_column(enum_column(ReportType), primary_key=True)
    reports: Mapped[int] = mapped_column(Integer, default=0)
    person_times: Mapped[int] = mapped_column(Integer, default=0)


class ReportMonthEnterprise(Base):
    """Counted reports per month, district filed in and linked enterprise (for coverage)."""

    __tablename__ = "report_month_enterprises"
    __table_args__ = (
        # /stats counts covered enterprises with EXISTS, one probe each: is there a row of the
        # enterprise in the period's months (and district) with reports? `reports` is in the
        # index so that the probe never reads the table.
        Index(
            "ix_report_month_enterprises_enterprise_id_district_id_month",
            "enterprise_id",
            "district_id",
            "month",
            "reports",
        ),
    )

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    district_id: Mapped[int] = mapped_column(
        ForeignKey("districts.id"), primary_key=True, autoincrement=False
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id"), primary_key=True, autoincrement=False
    )
    reports: Mapped[int] = mapped_column(Integer, default=0)


class ReportRevision(Base):
    """What an edit or a deletion replaced: the report's fields before the change."""

    __tablename__ = "report_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # "edit" or "delete"
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_by: Mapped[int | None] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
