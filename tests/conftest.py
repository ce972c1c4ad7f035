"""Shared fixtures: a migrated database on SQLite and on PostgreSQL for every test that asks."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import build_application
from bot.sandbox.botapi import BotApiStandIn
from bot.settings import Settings
from schedules.delivery import Sender
from storage import db
from tests.harness import World

# RetryAfter reads retry_after as a timedelta only with this set; otherwise PTB warns,
# which filterwarnings turns into an error.
os.environ.setdefault("PTB_TIMEDELTA", "true")

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_POSTGRES and not POSTGRES_URL:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[object]:
    """In CI (REQUIRE_POSTGRES=1) a skipped test is a failure: nothing may silently not run."""
    report = yield
    if REQUIRE_POSTGRES and getattr(report, "skipped", False):
        report.outcome = "failed"  # type: ignore[attr-defined]
        report.longrepr = f"skipped in CI: {report.longrepr}"  # type: ignore[attr-defined]
    return report


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy of it.

    Session fixtures run once per pytest-xdist worker, and tmp_path_factory gives each worker a
    folder of its own: workers never share a template or a database file.
    """
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@contextmanager
def throwaway_postgres(prefix: str) -> Iterator[str]:
    """A new empty database on the TEST_DATABASE_URL server, dropped afterwards."""
    assert POSTGRES_URL
    with db.throwaway_database(POSTGRES_URL, prefix) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_ready() -> Iterator[tuple[str, int]]:
    """A PostgreSQL database of this run, migrated once; yields its URL and the seed's last id.

    Each pytest-xdist worker makes its own (named after the worker, e.g. xs_test_gw1_…), so
    workers never truncate each other's tables.
    """
    with throwaway_postgres(f"xs_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}") as url:
        db.upgrade(url)

        async def seeded() -> int:
            engine = db.create_engine(url)
            async with engine.connect() as connection:
                count = (await connection.execute(text("SELECT max(id) FROM districts"))).scalar()
            await engine.dispose()
            return int(count or 0)

        counts: list[int] = []
        db.run_in_thread(lambda: counts.append(asyncio.run(seeded())))
        yield url, counts[0]


async def _clean_postgres(url: str, seeded: int) -> None:
    """Empties every table but the migrated seed, so each test starts from a fresh migration."""
    engine = db.create_engine(url)
    async with engine.begin() as connection:
        names = [
            row[0]
            for row in await connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('alembic_version', 'districts')"
                )
            )
        ]
        if names:
            await connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        await connection.execute(text("DELETE FROM districts WHERE id > :n"), {"n": seeded})
        await connection.execute(
            text("SELECT setval(pg_get_serial_sequence('districts', 'id'), :n)"), {"n": seeded}
        )
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[str]:
    """A freshly migrated database: a real SQLite file, and the real PostgreSQL server."""
    if request.param == "sqlite":
        path = tmp_path / "xieshang.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    url, seeded = request.getfixturevalue("postgres_ready")
    await _clean_postgres(url, seeded)
    yield url


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[db.Sessions]:
    """A session factory on the test database."""
    engine = db.create_engine(database_url)
    yield db.create_sessions(engine)
    await engine.dispose()


HQ_ID = 1000


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    """The Bot API stand-in on 127.0.0.1: what the bot sends there is what users would see."""
    async with BotApiStandIn() as server:
        yield server


def make_settings(database_url: str, standin: BotApiStandIn, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": "123456:TEST",
        "telegram_api_url": standin.url,
        "database_url": database_url,
        "hq_admin_ids": frozenset({HQ_ID}),
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
async def world(
    database_url: str, sessions: db.Sessions, standin: BotApiStandIn
) -> AsyncIterator[World]:
    """The real Application on a fresh database, talking to the stand-in; HQ admin id is 1000."""
    app = build_application(make_settings(database_url, standin), sessions)
    async with app:
        yield World(app, standin)


@pytest.fixture
async def sender(world: World, sessions: db.Sessions) -> Sender:
    """The outbox sender of the world's bot; tests drain it to deliver what was enqueued."""
    sender = Sender(world.app.bot, sessions)
    world.app.bot_data["sender"] = sender
    return sender
