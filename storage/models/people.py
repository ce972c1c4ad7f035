"""Districts, instructors, invites, Telegram accounts, admins, groups and enterprises."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column


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
    level: Mapped[str] = mapped_column(enum_column(Level))
    employment: Mapped[str] = mapped_column(enum_column(Employment))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    street: Mapped[str | None] = mapped_column(String(64))
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The dispatch board: the districts (ids) and industries HQ sent a city-level instructor to.
    assigned_districts: Mapped[list[int]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    assigned_industries: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    start_date: Mapped[date | None] = mapped_column(Date)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("instructors.id"))
    phone: Mapped[str | None] = mapped_column(String(32))
    # The subsidy ledger: yuan a month, and the share (0–100 %) the district bears.
    monthly_allowance: Mapped[int | None] = mapped_column(Integer)
    district_share: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(enum_column(Status), default=Status.ACTIVE.value)
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
    role: Mapped[str] = mapped_column(enum_column(AdminRole))
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
    scope: Mapped[str] = mapped_column(enum_column(GroupScope))
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
    # The registry's 集体合同 column: 是/否, or the day it was signed (which means 是).
    collective_contract: Mapped[bool | None] = mapped_column(Boolean)
    contract_signed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())

    district: Mapped[District] = relationship(lazy="joined")
