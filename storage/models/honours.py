"""Model enterprises (示范企业) and rewards: each region's yearly quota, nominations with the
district's acceptance and reward, and contract texts that may be featured with a reward
(特色合同文本). Amounts are whole yuan."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, enum_column
from storage.models.people import Enterprise


class Acceptance(enum.StrEnum):
    PASSED = "passed"  # 达标
    FAILED = "failed"  # 未达标


class ModelQuota(Base):
    """How many model enterprises a district's region may have in a year (Pinggu: 5)."""

    __tablename__ = "model_quotas"
    __table_args__ = (UniqueConstraint("year", "district_id", "region"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    region: Mapped[str] = mapped_column(String(32))  # "" for a district without regions
    quota: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[int] = mapped_column(BigInteger)
    set_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ModelNomination(Base):
    """An enterprise nominated as 示范企业 for a year, then accepted (验收) and rewarded."""

    __tablename__ = "model_nominations"
    __table_args__ = (UniqueConstraint("year", "enterprise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    region: Mapped[str] = mapped_column(String(32))  # the enterprise's region when nominated
    nominated_by: Mapped[int] = mapped_column(BigInteger)
    nominated_at: Mapped[datetime]
    acceptance: Mapped[str | None] = mapped_column(enum_column(Acceptance))
    accepted_by: Mapped[int | None] = mapped_column(BigInteger)
    accepted_at: Mapped[datetime | None]
    reward: Mapped[int | None] = mapped_column(Integer)  # yuan
    rewarded_by: Mapped[int | None] = mapped_column(BigInteger)
    rewarded_at: Mapped[datetime | None]

    enterprise: Mapped[Enterprise] = relationship(lazy="raise")


class ContractText(Base):
    """A collective contract's text uploaded for an enterprise (the file stays in Telegram and
    is fetched again by its file_id); featured ones may carry a reward."""

    __tablename__ = "contract_texts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[str | None] = mapped_column(String(255))
    file_name: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    reward: Mapped[int | None] = mapped_column(Integer)  # yuan
    uploaded_by: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[datetime]
    featured_by: Mapped[int | None] = mapped_column(BigInteger)
    featured_at: Mapped[datetime | None]

    enterprise: Mapped[Enterprise] = relationship(lazy="raise")
