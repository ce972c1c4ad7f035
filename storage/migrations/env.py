"""Alembic environment: async engines for SQLite and PostgreSQL, batch mode for SQLite."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from storage.db import create_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./data/xieshang.db")


# The case search's full-text index (migration 0014) has a form of its own on each backend and
# none in the models: SQLite's FTS5 table (and its shadow tables), PostgreSQL's generated
# tsvector column and its GIN index.
FULL_TEXT_INDEX = ("cases_fts", "ix_cases_terms_tsv")
FULL_TEXT_COLUMN = "terms_tsv"


def _include_name(name: str | None, type_: str, parents: Any) -> bool:
    if type_ == "column":
        return not (parents.get("table_name") == "cases" and name == FULL_TEXT_COLUMN)
    return not (type_ in ("table", "index") and (name or "").startswith(FULL_TEXT_INDEX))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
