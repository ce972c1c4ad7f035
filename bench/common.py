"""What every benchmark shares: the machine header, tables of figures and throw-away databases."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import resource
import sqlite3
import statistics
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy
import telegram
from sqlalchemy.engine import make_url
from telegram.ext import BaseHandler

from bot.runtime import Runtime
from bot.sandbox.botapi import BotApiStandIn
from bot.settings import Settings
from schedules.delivery import Pacer
from storage import db

POSTGRES_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TOKEN = "123456:BENCH"

Fresh = Callable[[], AbstractAsyncContextManager[str]]  # yields a new empty database's URL


# --- the header ------------------------------------------------------------------------------


def bench_arguments(prog: str, description: str | None) -> argparse.ArgumentParser:
    """A benchmark's command line with the `--postgres [URL]` every benchmark takes."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=POSTGRES_DEFAULT,
        help="also run on PostgreSQL at this server URL (default: %(const)s)",
    )
    return parser


def print_header(title: str, *versions: str) -> None:
    """The benchmark's title, the machine, and the versions its figures depend on."""
    print(title)
    print(f"  machine : {platform.platform()}, {os.cpu_count()} CPUs ({platform.machine()})")
    print(
        f"  python  : {sys.version.split()[0]} ({platform.python_implementation()}), "
        + ", ".join(
            (
                f"SQLite {sqlite3.sqlite_version}",
                f"SQLAlchemy {sqlalchemy.__version__}",
                f"python-telegram-bot {telegram.__version__}",
                *versions,
            )
        )
    )


# --- figures and tables ----------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def max_rss_mib() -> float:
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return max_rss / 2**20 if sys.platform == "darwin" else max_rss / 2**10


def table(rows: Sequence[tuple[str, ...]]) -> str:
    """Rows as aligned columns: the first left-aligned, the others right; a rule under row 0."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            row[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def column_rows(results: dict[str, list[tuple[str, str]]]) -> list[tuple[str, ...]]:
    """A header of the runs' names, then one row per label with each run's figure."""
    names = list(results)
    rows: list[tuple[str, ...]] = [("", *names)]
    for index, (label, _) in enumerate(results[names[0]]):
        rows.append((label, *(results[name][index][1] for name in names)))
    return rows


def print_columns(results: dict[str, list[tuple[str, str]]], notes: list[str]) -> None:
    """The runs side by side, the notes under them, and the process's peak memory."""
    print(table(column_rows(results)))
    print()
    for note in notes:
        print(note)
    print(f"process max RSS (whole run): {max_rss_mib():.0f} MiB")


class LogCounter(logging.Handler):
    """Counts records of `level` and worse, remembering the first, and keeps the log off the
    terminal."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            # The last line of a logged traceback: the exception itself.
            lines = record.getMessage().strip().splitlines()
            self.first = f"{record.name}: {lines[-1][:200] if lines else record.levelname}"


# --- throw-away databases --------------------------------------------------------------------


def sqlite_databases(folder: Path, stem: str = "bench") -> Fresh:
    """New SQLite files in `folder` (a temporary directory), one a call, not migrated."""
    numbers = iter(range(1, 1000))

    @asynccontextmanager
    async def fresh() -> AsyncIterator[str]:
        yield f"sqlite+aiosqlite:///{folder / f'{stem}{next(numbers)}.db'}"

    return fresh


def postgres_databases(server_url: str) -> Fresh:
    """New empty databases on `server_url`'s server, one a call, dropped after use."""

    @asynccontextmanager
    async def fresh() -> AsyncIterator[str]:
        with db.throwaway_database(server_url, "xs_bench") as url:
            yield url

    return fresh


def postgres_server_url() -> str | None:
    """The PostgreSQL server named by BENCH_DATABASE_URL or TEST_DATABASE_URL, if any."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")


def shown(url: str) -> str:
    """A database URL as printed: without its password."""
    return make_url(url).render_as_string(hide_password=True)


async def postgres_version(server_url: str) -> str:
    engine = db.create_engine(server_url)
    try:
        async with engine.connect() as connection:
            return str((await connection.exec_driver_sql("SHOW server_version")).scalar_one())
    finally:
        await engine.dispose()


# --- the bot as deployed -------------------------------------------------------------------


@dataclass
class Deployed:
    """A running bot.runtime.Runtime and the Bot API stand-in it talks to."""

    standin: BotApiStandIn
    runtime: Runtime
    pacer: Pacer | None  # the Application's rate limiter, when it is the Pacer


@asynccontextmanager
async def deployed_bot(
    url: str,
    *,
    hq_id: int,
    language: str,
    timezone: str,
    latency: float,
    announce: Callable[[str], None],
    watchers: Sequence[BaseHandler[Any, Any, Any]] = (),
) -> AsyncIterator[Deployed]:
    """The bot as deployed on `url`: `bot.runtime.Runtime` (getUpdates → inbox → dispatcher,
    the outbox sender, the tick) over HTTP to the Bot API stand-in with Telegram's flood limits
    on and `latency` seconds added to every answer; `watchers` run in group -1 on every update.
    Started when yielded (it may not poll yet), stopped on leaving."""
    async with BotApiStandIn(username="xieshang_bench_bot") as standin:
        standin.rate_limits = True
        standin.latency = latency
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=TOKEN,
            telegram_api_url=standin.url,
            database_url=url,
            hq_admin_ids=frozenset({hq_id}),
            bot_timezone=timezone,
            bot_language=language,
        )
        runtime = Runtime(settings)
        for watcher in watchers:
            runtime.application.add_handler(watcher, group=-1)
        limiter = runtime.application.bot.rate_limiter
        pacer = limiter if isinstance(limiter, Pacer) else None
        running = asyncio.create_task(runtime.run(webhook=False, announce=announce))
        try:
            yield Deployed(standin, runtime, pacer)
        finally:
            runtime.stop()
            await asyncio.gather(running, return_exceptions=True)
