"""The case library (经验交流): typical cases instructors share, searched with Chinese word
segmentation. `terms` holds the title's, summary's and tags' words as segmented, separated by
spaces: the text the full-text index (SQLite FTS5, PostgreSQL tsvector) reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    terms: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[str | None] = mapped_column(String(255))  # a Telegram file, fetched again
    file_name: Mapped[str | None] = mapped_column(String(255))
    author_telegram_id: Mapped[int] = mapped_column(BigInteger)
    instructor_id: Mapped[int | None] = mapped_column(ForeignKey("instructors.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class CaseSearch(Base):
    """A /cases search as asked, so that its ◀ ▶ buttons point at a row (the words do not fit
    in a button's 64 bytes) and keep working after a restart."""

    __tablename__ = "case_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    words: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
