"""Typed SQLAlchemy models; times in UTC, Telegram ids as BigInteger."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


class Level(enum.StrEnum):
    """An instructor's level: 市级, 区级, 街乡级, 企业级."""

    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    ENTERPRISE = "enterprise"


class Employment(enum.StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"


class Status(enum.StrEnum):
    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    ENDED = "ended"


class AdminRole(enum.StrEnum):
    HQ = "hq"
    DISTRICT_ADMIN = "district_admin"


class GroupScope(enum.StrEnum):
    CITY = "city"
    DISTRICT = "district"
    TEAM = "team"


def _enum(cls: type[enum.Enum], length: int = 16) -> String:
    # Stored as plain strings: portable across SQLite and PostgreSQL, and adding a value
    # later needs no ALTER TYPE.
    return String(length)


class District(Base):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class Instructor(Base):
    """A collective-bargaining instructor; (district, name) identifies one in a roster."""

    __tablename__ = "instructors"
    __table_args__ = (UniqueConstraint("district_id", "name"),)
    # Fetch server-side defaults (updated_at) on flush: async code cannot lazy-load them later.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012 (SQLAlchemy reads it as is)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(_enum(Level))
    employment: Mapped[str] = mapped_column(_enum(Employment))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    street: Mapped[str | None] = mapped_column(String(64))
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_date: Mapped[date | None] = mapped_column(Date)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("instructors.id"))
    phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(_enum(Status), default=Status.ACTIVE.value)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    district: Mapped[District] = relationship(lazy="joined")
    # Loaded only where asked for (selectinload): every identify() would pay a query otherwise.
    mentor: Mapped[Instructor | None] = relationship(remote_side=[id], lazy="raise")


class Invite(Base):
    """A single-use code that binds a Telegram account to an instructor."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    instructor_id: Mapped[int] = mapped_column(ForeignKey("instructors.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[datetime | None]

    instructor: Mapped[Instructor] = relationship(lazy="joined")


class TelegramUser(Base):
    """Every Telegram account that has spoken to the bot: username lookup and language."""

    __tablename__ = "telegram_users"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    full_name: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(8))
    first_seen: Mapped[datetime] = mapped_column(server_default=func.now())
    last_seen: Mapped[datetime] = mapped_column(server_default=func.now())


class Admin(Base):
    """An HQ or district admin added in the chat (HQ_ADMIN_IDS are HQ without a row)."""

    __tablename__ = "admins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    role: Mapped[str] = mapped_column(_enum(AdminRole))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    district: Mapped[District | None] = relationship(lazy="joined")


class Group(Base):
    """A Telegram group bound to a scope; its notices and digests are posted there."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str | None] = mapped_column(String(255))
    scope: Mapped[str] = mapped_column(_enum(GroupScope))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    team_id: Mapped[int | None] = mapped_column(Integer)
    bound_by: Mapped[int] = mapped_column(BigInteger)
    bound_at: Mapped[datetime] = mapped_column(server_default=func.now())

    district: Mapped[District | None] = relationship(lazy="joined")


class Enterprise(Base):
    """An enterprise of the registry that reports and visit coverage refer to."""

    __tablename__ = "enterprises"
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012 (SQLAlchemy reads it as is)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    street: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(32))
    industry: Mapped[str | None] = mapped_column(String(64))
    employees: Mapped[int | None] = mapped_column(Integer)
    unionized: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    district: Mapped[District] = relationship(lazy="joined")


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
    type: Mapped[str] = mapped_column(_enum(ReportType))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    target: Mapped[str] = mapped_column(String(128))  # as typed, or the matched enterprise's name
    person_times: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(_enum(ReportSource))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    deleted_at: Mapped[datetime | None]

    instructor: Mapped[Instructor] = relationship(lazy="joined")
    enterprise: Mapped[Enterprise | None] = relationship(lazy="joined")


class ReportMonthTotal(Base):
    """Counted (not deleted) reports per month, district filed in, instructor and type.

    Kept up to date by storage.rollups on every write of a report, so that statistics of
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
    type: Mapped[str] = mapped_column(_enum(ReportType), primary_key=True)
    reports: Mapped[int] = mapped_column(Integer, default=0)
    person_times: Mapped[int] = mapped_column(Integer, default=0)


class ReportMonthEnterprise(Base):
    """Counted reports per month, district filed in and linked enterprise (for coverage)."""

    __tablename__ = "report_month_enterprises"

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


class Conversation(Base):
    """A guided flow in progress (e.g. /report), kept in the database to survive a restart."""

    __tablename__ = "conversations"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class InboxUpdate(Base):
    """An update from Telegram, stored before it is acknowledged and marked once handled."""

    __tablename__ = "inbox_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # NULL while waiting; the dispatcher reads pending updates through this index.
    handled_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class OutboxStatus(enum.StrEnum):
    """What became of an outbox message."""

    PENDING = "pending"  # waiting for the sender (or for not_before)
    SENDING = "sending"  # handed to Telegram; a crash now leaves it to be sent again
    SENT = "sent"
    UNREACHABLE = "unreachable"  # 403: blocked the bot or never started it
    FAILED = "failed"  # 400 and other refusals, with Telegram's reason
    UNKNOWN = "unknown"  # the request may have reached Telegram but no answer came back


class OutboxMessage(Base):
    """A message to one chat, written before it is sent and marked with the outcome."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_not_before", "status", "not_before"),
        Index("ix_outbox_kind_ref_id", "kind", "ref_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Enqueueing the same thing twice (same key) sends it once.
    key: Mapped[str] = mapped_column(String(128), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # notice, reminder, nudge, digest, ...
    ref_id: Mapped[int | None] = mapped_column(Integer)  # the notice, reminder... it belongs to
    instructor_id: Mapped[int | None] = mapped_column(ForeignKey("instructors.id"))
    # text, buttons [[label, callback_data]], pin
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]


class NoticeAudience(enum.StrEnum):
    """Who a notice goes to: everyone in scope, a district, a level, an employment, groups."""

    ALL = "all"
    DISTRICT = "district"
    LEVEL = "level"
    EMPLOYMENT = "employment"
    GROUPS = "groups"


class NoticeStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # waits for send_at
    SENT = "sent"  # its messages are in the outbox
    CANCELLED = "cancelled"


class Notice(Base):
    """A notice (通知) from an admin to an audience, with or without confirmation."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_status_send_at", "status", "send_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    # The sender's scope: None for HQ (the city), else the district admin's district.
    scope_district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    audience: Mapped[str] = mapped_column(String(16))
    audience_value: Mapped[str | None] = mapped_column(String(32))  # district id, level, ...
    text: Mapped[str] = mapped_column(Text)
    confirm: Mapped[bool] = mapped_column(Boolean, default=True)
    send_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=NoticeStatus.SCHEDULED.value)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    reminders: Mapped[int] = mapped_column(Integer, default=0)


class NoticeRecipient(Base):
    """An instructor a notice was meant for, and when they pressed 收到."""

    __tablename__ = "notice_recipients"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    instructor_id: Mapped[int] = mapped_column(
        ForeignKey("instructors.id"), primary_key=True, index=True
    )
    confirmed_at: Mapped[datetime | None]

    instructor: Mapped[Instructor] = relationship(lazy="raise")


class ReminderStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # a built-in schedule HQ switched off
    DONE = "done"  # a one-off that fired (or was missed)
    CANCELLED = "cancelled"


class Reminder(Base):
    """A reminder or a built-in schedule: a rule in local time and the next firing in UTC.

    The database is the source of truth: a short tick fires what is due (storage.reminders),
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
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)  # storage.when.Rule.to_json()
    timezone: Mapped[str] = mapped_column(String(64))
    next_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default=ReminderStatus.ACTIVE.value)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


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
