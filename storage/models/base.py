"""The declarative base, its naming convention and the column helper every model uses."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    DateTime,
    MetaData,
    String,
)
from sqlalchemy.orm import DeclarativeBase

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


def enum_column(cls: type[enum.StrEnum], length: int = 16) -> String:
    """A column for `cls` stored as a plain string: portable across SQLite and PostgreSQL,
    and adding a value later needs no ALTER TYPE."""
    assert all(len(member.value) <= length for member in cls), cls
    return String(length)
