"""Engine, session factory and migrations; one session and one transaction per update or job."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).parent / "migrations"

Sessions = async_sessionmaker[AsyncSession]


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Creates an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_sessions(engine: AsyncEngine) -> Sessions:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """Alembic's configuration for `url`, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def run_in_thread(fn: Any, *args: Any) -> None:
    # Alembic's env.py runs its own event loop; keep it off the caller's loop.
    error: list[BaseException] = []

    def target() -> None:
        try:
            fn(*args)
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if error:
        raise error[0]


def upgrade(url: str, revision: str = "head") -> None:
    """Migrates the database at `url` to `revision` (the newest by default)."""
    run_in_thread(command.upgrade, alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    run_in_thread(command.downgrade, alembic_config(url), revision)


def current(url: str) -> str | None:
    """The revision the database is at, or None for an empty database."""
    result: list[str | None] = []
    run_in_thread(lambda: result.append(asyncio.run(_current_async(url))))
    return result[0]


async def _current_async(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()


@contextmanager
def throwaway_database(server_url: str, prefix: str = "xs") -> Iterator[str]:
    """Yields the URL of a new empty PostgreSQL database on `server_url`'s server, dropped after.

    Each gets a name of its own, so that runs side by side (a developer's beside CI) never meet.
    Usable from synchronous code and from a running event loop alike.
    """
    server = make_url(server_url)
    if server.get_backend_name() != "postgresql":
        raise ValueError(f"throw-away databases are made on PostgreSQL, not {server.drivername}")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"

    async def admin(statement: str) -> None:
        engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.exec_driver_sql(statement)
        finally:
            await engine.dispose()

    # A thread with a loop of its own: the caller's loop may be running.
    run_in_thread(lambda: asyncio.run(admin(f"CREATE DATABASE {name}")))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        run_in_thread(lambda: asyncio.run(admin(f"DROP DATABASE {name} WITH (FORCE)")))


def dialect_insert(session: AsyncSession) -> Any:
    """The INSERT construct of the session's dialect, which has ON CONFLICT on both backends."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
