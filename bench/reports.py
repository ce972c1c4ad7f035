"""Reports benchmark: one-line /report throughput, /stats on a million reports, /export of 100k.

Run with `python -m bench.reports [--part 1|2|3] [--postgres]`. Every update goes through the
real `Application.process_update` (bot.app.build_application), and every reply goes over HTTP to
the Bot API stand-in (tests/standin.py), which runs in a process of its own on 127.0.0.1 so that
its work is not counted as the bot's (Telegram's servers are not on the bot's CPU either).

1. Submission: 5,000 `/report 走访 <enterprise> <n>人次 <note>` from 1,050 bound instructors,
   one update after another (PTB's default), against a bare echo Application on the same
   stand-in with the same number of updates, the two alternating in blocks of 500 so that
   both meet the same machine. Goal: bot/echo ≥ 0.15.
2. Stats: 1,000,000 generated reports (1,050 instructors, 16 districts, 2024-01-01 to today);
   `/stats <last year>` for the city and for one district through the handler, as HQ, against
   compute_stats alone, its main GROUP BY alone (the first one it runs: over the monthly rollups
   when the code has them) and the reports' GROUP BY by type; medians of several runs, then a
   per-statement breakdown, the query plans, and a fix tried in the bench database (with
   rollups: an index and the EXISTS form of the enterprises-covered count, timed bare; without:
   covering report indexes, timed through the handler). Goal: handler ≤ 1.5 × the bare query
   and < 300 ms on SQLite.
3. Export: `/export <year>` of 100,000 reports through the handler, in a fresh process: time,
   the bot process's RSS growth (VmHWM − VmRSS before) plus the peak RSS of any worker process
   the export runs in; then the latency of 200 `/me` sent while it runs, both as separate
   tasks (each process_update timed) and through PTB's own update fetcher as the bot is built
   (and with /export made non-blocking, if it is not). Goals: < 250 MB, /me p99 < 100 ms.

`--postgres` runs the same parts on a throwaway PostgreSQL database too (created and dropped;
server from BENCH_DATABASE_URL, TEST_DATABASE_URL, else postgres@127.0.0.1:5432/test). Nothing
is asserted; every figure is printed next to its goal. SQLite alone takes about 7 minutes on
2 CPUs (part 1 is 5,000 updates of ~25 ms each), with --postgres about 13. BENCH_QUICK=1 runs
every part on small data, to check the bench itself.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import multiprocessing
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
import telegram
from sqlalchemy import event, exists, func, insert, select, text
from sqlalchemy.engine import make_url
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bench.roster import GIVEN, INDUSTRIES, MIX, SKILLS, STREETS, SURNAMES, table
from bot.app import build_application
from bot.settings import Settings
from storage import db, models
from storage.common.periods import year as year_period
from storage.models import Enterprise, Instructor, Report, ReportSource, ReportType
from storage.people.districts import district_ids
from storage.reports.stats import compute_stats, figures_query

SEED = 20261125
TOKEN = "123456:BENCH"
HQ_ID = 1000  # in settings.hq_admin_ids; not an instructor
TELEGRAM_BASE = 7_000_000_000  # instructor i has Telegram id TELEGRAM_BASE + i
INSTRUCTORS = 1050
ENTERPRISES = 3000
SUBMISSIONS = 5000
BLOCK = 500  # part 1 alternates echo and bot in blocks of this many updates
STATS_REPORTS = 1_000_000
EXPORT_REPORTS = 100_000
ME_COMMANDS = 200
REPETITIONS = 5
STATS_DISTRICT = "西城"
if os.environ.get("BENCH_QUICK") == "1":  # a smoke run of the bench itself, not its figures
    SUBMISSIONS, BLOCK, STATS_REPORTS, EXPORT_REPORTS, ME_COMMANDS = 200, 100, 50_000, 5_000, 20

RATIO_GOAL = 0.15
HANDLER_FACTOR_GOAL = 1.5
STATS_MS_GOAL = 300.0
RSS_MB_GOAL = 250.0
ME_P99_MS_GOAL = 100.0

LEVELS = {"市级": "city", "区级": "district", "街乡级": "street", "企业级": "enterprise"}
EMPLOYMENT = {"专职": "full_time", "兼职": "part_time"}
TYPE_WEIGHTS = {
    ReportType.VISIT: 40,
    ReportType.GUIDANCE: 20,
    ReportType.TRAINING: 10,
    ReportType.NEGOTIATION: 12,
    ReportType.CONTRACT: 6,
    ReportType.OBSERVATION: 4,
    ReportType.OTHER: 8,
}
NOTES = (
    "讲解工资协商流程",
    "指导企业工会拟定协商方案",
    "参加要约行动",
    "协助职代会审议集体合同草案",
    "走访了解职工诉求",
    "培训企业工会主席",
    "回访合同履行情况",
)
TRADES = (
    "纸业", "科技", "物流", "食品", "机械", "建设", "商贸", "餐饮", "电子", "医药", "印刷",
    "汽车服务", "酒店", "文化传媒", "物业管理", "制衣", "环保", "新材料", "快递", "软件",
)  # fmt: skip
GOALS: list[tuple[str, str, str, str]] = []  # (backend, goal, figure, met)


def machine_lines() -> list[str]:
    return [
        f"  machine : {platform.platform()}, {os.cpu_count()} CPUs ({platform.machine()})",
        f"  python  : {sys.version.split()[0]} ({platform.python_implementation()}), "
        f"SQLite {sqlite3.sqlite_version}, SQLAlchemy {sqlalchemy.__version__}, "
        f"python-telegram-bot {telegram.__version__}",
    ]


def goal(backend: str, what: str, figure: str, met: bool) -> str:
    GOALS.append((backend, what, figure, "met" if met else "MISSED"))
    return "met" if met else "MISSED"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def proc_status(field_name: str) -> int:
    """A /proc/self/status figure in KiB (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    """Resets VmHWM to the current RSS (Linux ≥ 4.0); False where not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class ErrorCounter(logging.Handler):
    """Counts ERROR records (the bot's error handler logs every failed update)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = record.getMessage()[:500]


ERRORS = ErrorCounter()


# --- the Bot API stand-in in its own process ------------------------------------------------


def _standin_child(conn: Any) -> None:
    asyncio.run(_standin_serve(conn))


async def _standin_serve(conn: Any) -> None:
    from tests.standin import BotApiStandIn

    loop = asyncio.get_running_loop()
    async with BotApiStandIn(username="xieshang_bench_bot") as standin:
        conn.send(standin.url)
        while True:
            command, argument = await loop.run_in_executor(None, conn.recv)
            if command == "stop":
                break
            if command == "summary":
                methods = Counter(call.method for call in standin.calls)
                texts = [
                    str(call.params.get("text") or call.params.get("caption") or "")
                    for call in standin.calls
                    if call.method in ("sendMessage", "sendDocument") and not call.rejected
                ]
                documents = [
                    (name, len(content))
                    for call in standin.calls
                    if call.method == "sendDocument"
                    for name, content in call.files.values()
                ]
                conn.send(
                    {
                        "methods": dict(methods),
                        "rejected": sum(call.rejected for call in standin.calls),
                        "markers": {m: sum(m in t for t in texts) for m in argument or ()},
                        "last_text": texts[-1] if texts else "",
                        "documents": documents,
                    }
                )
            elif command == "clear":
                standin.calls.clear()
                standin._messages.clear()
                conn.send(True)


class StandInProcess:
    """BotApiStandIn served by a child process; `url` is its root on 127.0.0.1."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_standin_child, args=(child,), daemon=True)
        self._process.start()
        self.url: str = self._conn.recv()

    def _ask(self, command: str, argument: Any = None) -> Any:
        self._conn.send((command, argument))
        return self._conn.recv()

    async def summary(self, markers: Sequence[str] = ()) -> dict[str, Any]:
        return await asyncio.to_thread(self._ask, "summary", list(markers))

    async def clear(self) -> None:
        await asyncio.to_thread(self._ask, "clear")

    def stop(self) -> None:
        self._conn.send(("stop", None))
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()


# --- updates ---------------------------------------------------------------------------------

_ids = iter(range(1, 10**9))


def message_update(user_id: int, text: str, first_name: str = "指导员") -> dict[str, Any]:
    """A private-chat message update as Telegram sends it (commands carry their entity)."""
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": first_name},
        "from": {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "zh"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": next(_ids), "message": message}


async def feed(app: Application[Any, Any, Any, Any, Any, Any], data: dict[str, Any]) -> float:
    """Processes one update (parsed here, as the bot parses what getUpdates returns) and waits
    for what its handlers started: a handler registered with block=False runs as a task."""
    start = time.perf_counter()
    before = asyncio.all_tasks()
    await app.process_update(Update.de_json(data, app.bot))
    started = asyncio.all_tasks() - before - {asyncio.current_task()}
    if started:
        await asyncio.gather(*started)
    return time.perf_counter() - start


# --- the roster, the registry and generated reports -------------------------------------------


@dataclass
class Seeded:
    districts: dict[str, int]
    instructor_ids: list[int]
    home: dict[int, int]  # instructor id → district id
    reporting: list[int]  # instructor ids not ended (they may /report)
    enterprises: list[tuple[int, str]]
    seconds: float = 0.0


def _names(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
        if name not in used:
            used.add(name)
            return name


async def seed(sessions: db.Sessions, dialect: str) -> Seeded:
    """1,050 instructors (all bound to a Telegram id) and 3,000 enterprises, in bulk."""
    start = time.perf_counter()
    rng = random.Random(SEED)
    async with sessions.begin() as session:
        districts = await district_ids(session)
        names = list(districts)
        used: dict[int, set[str]] = {id_: set() for id_ in districts.values()}
        rows: list[dict[str, Any]] = []
        full_time: dict[int, list[int]] = {}
        index = 0
        # Full-timers first, so that mentors are inserted before the people they mentor.
        for level, employment, count in sorted(MIX, key=lambda m: m[1] != "专职"):
            for n in range(count):
                district_id = districts[names[n % len(names)]]
                if level == "街乡级":
                    district_id = districts[rng.choice(names)]
                index += 1
                mentor = None
                if employment == "兼职" and full_time.get(district_id) and rng.random() < 0.6:
                    mentor = rng.choice(full_time[district_id])
                if employment == "专职":
                    full_time.setdefault(district_id, []).append(index)
                rows.append(
                    {
                        "id": index,
                        "name": _names(rng, used[district_id]),
                        "level": LEVELS[level],
                        "employment": EMPLOYMENT[employment],
                        "district_id": district_id,
                        "street": rng.choice(
                            STREETS[next(k for k, v in districts.items() if v == district_id)]
                        ),
                        "industries": rng.sample(INDUSTRIES, rng.randint(1, 3)),
                        "skills": rng.sample(SKILLS, rng.randint(1, 4)),
                        "start_date": date(2012, 1, 1) + timedelta(days=rng.randint(0, 4700)),
                        "mentor_id": mentor,
                        "phone": f"13{rng.randint(0, 9)}{rng.randint(0, 10**8 - 1):08d}",
                        "status": rng.choices(("active", "on_leave", "ended"), (96, 3, 1))[0],
                        "telegram_id": TELEGRAM_BASE + index,
                    }
                )
        assert len(rows) == INSTRUCTORS
        await session.execute(insert(Instructor), rows)
        enterprise_names: set[str] = set()
        places = [*names, *"华中京港金瑞鑫恒泰通达宏盛新"]
        while len(enterprise_names) < ENTERPRISES:
            core = "".join(rng.choices(GIVEN, k=2))
            enterprise_names.add(f"{rng.choice(places)}{core}{rng.choice(TRADES)}")
        enterprise_rows = [
            {
                "id": i + 1,
                "name": name,
                "district_id": districts[rng.choice(names)],
                "industry": rng.choice(INDUSTRIES),
                "employees": rng.randint(20, 5000),
                "unionized": rng.random() < 0.8,
            }
            for i, name in enumerate(sorted(enterprise_names))
        ]
        await session.execute(insert(Enterprise), enterprise_rows)
        if dialect == "postgresql":
            for name in ("instructors", "enterprises"):
                await session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) "
                        f"FROM {name}"
                    )
                )
    return Seeded(
        districts=districts,
        instructor_ids=[row["id"] for row in rows],
        home={row["id"]: row["district_id"] for row in rows},
        reporting=[row["id"] for row in rows if row["status"] != "ended"],
        enterprises=[(row["id"], row["name"]) for row in enterprise_rows],
        seconds=time.perf_counter() - start,
    )


REPORT_COLUMNS = (
    "instructor_id",
    "district_id",
    "date",
    "type",
    "enterprise_id",
    "target",
    "person_times",
    "note",
    "source",
    "deleted_at",
)


def generate_reports(
    seeded: Seeded, count: int, first: date, last: date, *, iso: bool
) -> Iterator[tuple[Any, ...]]:
    """`count` reports between `first` and `last`: 3 % of instructors never report, a few
    report a lot; 80 % name a registered enterprise; 1 % are deleted. Dates as ISO strings
    for SQLite's raw driver (`iso`), else as date objects."""
    rng = random.Random(SEED + count)
    active = [i for i in seeded.instructor_ids if rng.random() >= 0.03]
    weights = [rng.choice((1, 1, 1, 2, 2, 3, 5)) for _ in active]
    span = (last - first).days + 1
    days: list[Any] = [first + timedelta(days=d) for d in range(span)]
    if iso:
        days = [d.isoformat() for d in days]
    deleted: Any = (
        "2026-01-02 03:04:05.000000" if iso else datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    streets = [street for streets in STREETS.values() for street in streets]
    kinds = [kind.value for kind in TYPE_WEIGHTS]
    people = rng.choices(active, weights, k=count)
    picks = rng.choices(range(span), k=count)
    types = rng.choices(kinds, list(TYPE_WEIGHTS.values()), k=count)
    for instructor_id, day, kind in zip(people, picks, types, strict=True):
        if rng.random() < 0.8:
            enterprise_id, target = rng.choice(seeded.enterprises)
        else:
            enterprise_id, target = None, rng.choice(streets)
        yield (
            instructor_id,
            seeded.home[instructor_id],
            days[day],
            kind,
            enterprise_id,
            target,
            rng.randint(0, 50),
            rng.choice(NOTES) if rng.random() < 0.6 else None,
            ReportSource.IMPORT.value if rng.random() < 0.3 else ReportSource.LINE.value,
            deleted if rng.random() < 0.01 else None,
        )


def _chunks(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sqlite_bulk(path: str, rows: Iterator[tuple[Any, ...]]) -> None:
    """executemany through the sync driver, in chunks of 10k, in one transaction."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache for this load
        statement = (
            f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in REPORT_COLUMNS)})"
        )
        with connection:
            for chunk in _chunks(rows, 10_000):
                connection.executemany(statement, chunk)
    finally:
        connection.close()


async def _postgres_bulk(url: str, rows: Iterator[tuple[Any, ...]]) -> None:
    """COPY through asyncpg in chunks of 100k, then VACUUM ANALYZE (what autovacuum does)."""
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        for chunk in _chunks(rows, 100_000):
            await connection.copy_records_to_table("reports", records=chunk, columns=REPORT_COLUMNS)
        await connection.execute("VACUUM ANALYZE reports")
    finally:
        await connection.close()


async def rebuild_rollups(url: str) -> float | None:
    """Recomputes the report rollups after the raw bulk insert, where the code keeps any
    (storage.reports.rollups.rebuild_rollups); returns the seconds it took, or None."""
    try:
        from storage.reports import rollups
    except ImportError:
        return None
    rebuild = getattr(rollups, "rebuild_rollups", None)
    if rebuild is None:
        return None
    engine = db.create_engine(url)
    try:
        start = time.perf_counter()
        async with db.create_sessions(engine).begin() as session:
            await rebuild(session)
        return time.perf_counter() - start
    finally:
        await engine.dispose()


async def bulk_reports(
    url: str, seeded: Seeded, count: int, first: date, last: date
) -> tuple[float, float]:
    """Generates and inserts `count` reports; returns (seconds generating+inserting, of which
    generating alone). Rollups, if the code keeps any, are rebuilt separately."""
    dialect = make_url(url).get_backend_name()
    start = time.perf_counter()
    rows = list(generate_reports(seeded, count, first, last, iso=dialect == "sqlite"))
    generated = time.perf_counter() - start
    if dialect == "sqlite":
        path = make_url(url).database
        assert path
        await asyncio.to_thread(_sqlite_bulk, path, iter(rows))
    else:
        await _postgres_bulk(url, iter(rows))
    del rows
    gc.collect()
    return time.perf_counter() - start, generated


# --- databases -------------------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    fresh: Callable[[], Any]  # async context manager yielding a migrated database URL
    server: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.name == "SQLite"


def sqlite_backend(folder: Path) -> Backend:
    numbers = iter(range(1, 1000))

    @asynccontextmanager
    async def fresh() -> AsyncIterator[str]:
        url = f"sqlite+aiosqlite:///{folder / f'reports{next(numbers)}.db'}"
        await asyncio.to_thread(db.upgrade, url)
        yield url

    return Backend("SQLite", fresh)


def postgres_backend(server_url: str) -> Backend:
    async def admin(statement: str) -> None:
        engine = db.create_engine(server_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    @asynccontextmanager
    async def fresh() -> AsyncIterator[str]:
        name = f"xs_bench_{uuid.uuid4().hex[:10]}"
        await admin(f"CREATE DATABASE {name}")
        try:
            url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
            await asyncio.to_thread(db.upgrade, url)
            yield url
        finally:
            await admin(f"DROP DATABASE {name} WITH (FORCE)")

    return Backend("PostgreSQL", fresh, server_url)


async def postgres_version(server_url: str) -> str:
    engine = db.create_engine(server_url)
    try:
        async with engine.connect() as connection:
            return str((await connection.execute(text("SHOW server_version"))).scalar_one())
    finally:
        await engine.dispose()


def bot_settings(url: str, standin: StandInProcess) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        telegram_api_url=standin.url,
        database_url=url,
        hq_admin_ids=frozenset({HQ_ID}),
    )


@asynccontextmanager
async def bot(url: str, standin: StandInProcess) -> AsyncIterator[tuple[Any, Any]]:
    """The real Application (build_application) on `url`; yields (app, engine)."""
    engine = db.create_engine(url)
    try:
        app = build_application(bot_settings(url, standin), db.create_sessions(engine))
        async with app:
            yield app, engine
    finally:
        await engine.dispose()


# --- part 1: submission ----------------------------------------------------------------------


def echo_application(standin: StandInProcess) -> Application[Any, Any, Any, Any, Any, Any]:
    """An Application with one MessageHandler that replies with the text; same HTTP setup."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text
        await update.effective_message.reply_text(update.effective_message.text)

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{standin.url}/bot")
        .base_file_url(f"{standin.url}/file/bot")
        .request(HTTPXRequest(connection_pool_size=16))
        .get_updates_request(HTTPXRequest(read_timeout=40))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


def report_updates(seeded: Seeded, count: int) -> list[dict[str, Any]]:
    rng = random.Random(SEED + 1)
    updates = []
    for _ in range(count):
        instructor_id = rng.choice(seeded.reporting)
        _, enterprise = rng.choice(seeded.enterprises)
        line = f"/report 走访 {enterprise} {rng.randint(1, 30)}人次 {rng.choice(NOTES)}"
        updates.append(message_update(TELEGRAM_BASE + instructor_id, line))
    return updates


async def run_sequentially(
    app: Any, updates: Sequence[dict[str, Any]]
) -> tuple[float, list[float]]:
    gc.collect()
    durations = []
    start = time.perf_counter()
    for data in updates:
        durations.append(await feed(app, data))
    return time.perf_counter() - start, durations


async def part_submission(backend: Backend) -> None:
    print(f"--- part 1, {backend.name}: {SUBMISSIONS:,} one-line /report through process_update")
    standin = StandInProcess()
    try:
        async with backend.fresh() as url:
            engine = db.create_engine(url)
            seeded = await seed(db.create_sessions(engine), engine.dialect.name)
            await engine.dispose()
            print(
                f"  seeded {INSTRUCTORS} bound instructors and {ENTERPRISES} enterprises "
                f"in {seeded.seconds:.2f} s"
            )
            updates = report_updates(seeded, SUBMISSIONS)

            echo_updates = [
                message_update(u["message"]["from"]["id"], u["message"]["text"]) for u in updates
            ]
            echo = echo_application(standin)
            async with echo, bot(url, standin) as (app, bot_engine):
                await run_sequentially(
                    echo, [message_update(TELEGRAM_BASE + 1, f"热身 {i}") for i in range(200)]
                )
                warm = [
                    message_update(TELEGRAM_BASE + seeded.reporting[i % 20], "/me")
                    for i in range(100)
                ]
                await run_sequentially(app, warm)
                statements = [0]

                def count(*_: Any) -> None:
                    statements[0] += 1

                errors_before = ERRORS.count
                await standin.clear()
                # Echo and bot alternate in blocks of BLOCK updates, so that both see the same
                # machine (other load on it shifts both figures, not their ratio).
                echo_seconds = bot_seconds = 0.0
                echo_durations: list[float] = []
                bot_durations: list[float] = []
                for start in range(0, SUBMISSIONS, BLOCK):
                    seconds, durations = await run_sequentially(
                        echo, echo_updates[start : start + BLOCK]
                    )
                    echo_seconds += seconds
                    echo_durations += durations
                    event.listen(bot_engine.sync_engine, "before_cursor_execute", count)
                    seconds, durations = await run_sequentially(app, updates[start : start + BLOCK])
                    event.remove(bot_engine.sync_engine, "before_cursor_execute", count)
                    bot_seconds += seconds
                    bot_durations += durations
                errors = ERRORS.count - errors_before
                summary = await standin.summary(["✅ 已记录", "抱歉，出了点问题"])
                async with bot_engine.connect() as connection:
                    stored = await connection.scalar(
                        select(func.count(Report.id)).where(
                            Report.source == ReportSource.LINE.value
                        )
                    )
                    matched = await connection.scalar(
                        select(func.count(Report.id)).where(Report.enterprise_id.is_not(None))
                    )
    finally:
        standin.stop()

    echo_rate = SUBMISSIONS / echo_seconds
    bot_rate = SUBMISSIONS / bot_seconds
    ratio = bot_rate / echo_rate
    rows: list[tuple[str, ...]] = [
        ("", "updates", "seconds", "updates/s", "p50 ms", "p99 ms"),
        (
            "bare echo Application",
            f"{SUBMISSIONS:,}",
            f"{echo_seconds:.2f}",
            f"{echo_rate:.0f}",
            ms(median(echo_durations)),
            ms(percentile(echo_durations, 99)),
        ),
        (
            "xieshang /report (one-line)",
            f"{SUBMISSIONS:,}",
            f"{bot_seconds:.2f}",
            f"{bot_rate:.0f}",
            ms(median(bot_durations)),
            ms(percentile(bot_durations, 99)),
        ),
    ]
    print(table(rows))
    verdict = goal(
        backend.name, f"/report vs echo ratio ≥ {RATIO_GOAL}", f"{ratio:.3f}", ratio >= RATIO_GOAL
    )
    print(f"  ratio bot/echo: {ratio:.3f}   (goal ≥ {RATIO_GOAL}: {verdict})")
    print(
        f"  SQL statements per /report update: {statements[0] / SUBMISSIONS:.1f}; echo and bot "
        f"alternated in blocks of {BLOCK} updates, one update after another (no concurrency)"
    )
    print(
        f"  check: {stored:,} reports stored from one-line /report "
        f"({matched:,} matched to an enterprise); stand-in got "
        f"{summary['methods'].get('sendMessage', 0):,} sendMessage (echo and bot), "
        f"{summary['markers']['✅ 已记录']:,} '✅ 已记录', "
        f"{summary['markers']['抱歉，出了点问题']} errors shown; {errors} errors logged"
    )
    if errors and ERRORS.first:
        print(f"  first error: {ERRORS.first.splitlines()[0]}")
    print(f"  last reply: {summary['last_text'].splitlines()[0]}")
    print()


# --- part 2: stats ---------------------------------------------------------------------------


async def timed_session(engine: Any, work: Callable[[Any], Awaitable[Any]]) -> float:
    """Seconds of `work(session)` in a new session, as the handler opens one."""
    sessions = db.create_sessions(engine)
    start = time.perf_counter()
    async with sessions() as session:
        await work(session)
    return time.perf_counter() - start


def capture(engine: Any) -> tuple[list[tuple[str, Any]], Callable[[], None]]:
    captured: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    return captured, lambda: event.remove(engine.sync_engine, "before_cursor_execute", listener)


def label(statement: str) -> str:
    flat = " ".join(statement.split())
    if "report_month_totals" in flat:
        kind = "GROUP BY" if "GROUP BY" in flat else "read"
        return f"rollup report_month_totals ({kind})"
    if "report_month_enterprises" in flat:
        return "rollup report_month_enterprises"
    if "districts.name" in flat and "FROM districts WHERE" in flat:
        return "district name"
    if "count(DISTINCT" in flat:
        return "count(distinct enterprise, target, instructor)"
    if "NOT (EXISTS" in flat or "NOT EXISTS" in flat:
        return "silent instructors (NOT EXISTS)"
    if "LIMIT" in flat and "DESC" in flat:
        return "ranking: top 5"
    if "LIMIT" in flat:
        return "ranking: bottom 5"
    if "GROUP BY reports.type" in flat:
        return "by type (the GROUP BY)"
    return flat[:60]


async def run_statement(engine: Any, statement: str, parameters: Any) -> float:
    start = time.perf_counter()
    async with engine.connect() as connection:
        result = await connection.exec_driver_sql(statement, parameters)
        result.fetchall()
    return time.perf_counter() - start


async def plan(engine: Any, statement: str, parameters: Any, sqlite: bool) -> list[str]:
    async with engine.connect() as connection:
        if sqlite:
            rows = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return [str(row[3]) for row in rows]
        rows = await connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters
        )
        return [str(row[0]) for row in rows]


@dataclass
class StatsRun:
    handler: dict[str, float] = field(default_factory=dict)
    compute: dict[str, float] = field(default_factory=dict)
    main: dict[str, float] = field(default_factory=dict)  # its first GROUP BY statement alone
    reports_group_by: dict[str, float] = field(default_factory=dict)  # figures_query alone
    main_label: dict[str, str] = field(default_factory=dict)
    statements: dict[str, list[tuple[str, float, str, Any]]] = field(default_factory=dict)


async def measure_stats(
    app: Any, engine: Any, period_key: str, district_id: int, repetitions: int
) -> StatsRun:
    """Medians of the handler, compute_stats alone, the main GROUP BY that compute_stats runs
    (its first statement with GROUP BY, replayed alone) and the reports' GROUP BY by type
    (figures_query); then each statement compute_stats ran, replayed alone."""
    period = year_period(int(period_key))
    run = StatsRun()
    scopes: dict[str, tuple[str, int | None]] = {
        "city": (f"/stats {period_key}", None),
        f"district {STATS_DISTRICT}": (f"/stats {period_key} {STATS_DISTRICT}", district_id),
    }
    for name, (command, scope_id) in scopes.items():

        async def stats_alone(session: Any, scope_id: int | None = scope_id) -> None:
            await compute_stats(session, period, district_id=scope_id, ranking=True)

        async def reports_group_by(session: Any, scope_id: int | None = scope_id) -> None:
            (await session.execute(figures_query(period, district_id=scope_id))).all()

        captured, stop = capture(engine)
        await timed_session(engine, stats_alone)  # also warms the caches
        stop()
        main = next(
            (
                (statement, parameters)
                for statement, parameters in captured
                if "GROUP BY" in statement
            ),
            captured[-1],
        )
        run.main_label[name] = label(main[0])
        handler, compute, main_alone, reports_alone = [], [], [], []
        for _ in range(repetitions):
            handler.append(await feed(app, message_update(HQ_ID, command, "总工会")))
            compute.append(await timed_session(engine, stats_alone))
            main_alone.append(await run_statement(engine, *main))
            reports_alone.append(await timed_session(engine, reports_group_by))
        run.handler[name] = median(handler)
        run.compute[name] = median(compute)
        run.main[name] = median(main_alone)
        run.reports_group_by[name] = median(reports_alone)
        breakdown = []
        seen: Counter[str] = Counter()
        for statement, parameters in captured:
            seconds = median([await run_statement(engine, statement, parameters) for _ in range(3)])
            name_of = label(statement)
            seen[name_of] += 1
            if seen[name_of] > 1:
                name_of += f" #{seen[name_of]}"
            breakdown.append((name_of, seconds, statement, parameters))
        run.statements[name] = breakdown
    return run


def stats_table(run: StatsRun) -> str:
    rows: list[tuple[str, ...]] = [("median ms", *run.handler)]
    rows.append(("/stats handler (process_update)", *(ms(v) for v in run.handler.values())))
    rows.append(("compute_stats alone", *(ms(v) for v in run.compute.values())))
    rows.append(("its main GROUP BY alone (*)", *(ms(v) for v in run.main.values())))
    rows.append(
        (
            "reports GROUP BY type alone (figures_query)",
            *(ms(v) for v in run.reports_group_by.values()),
        )
    )
    rows.append(
        (
            "handler / compute_stats",
            *(f"{run.handler[k] / run.compute[k]:.2f}x" for k in run.handler),
        )
    )
    rows.append(
        (
            "handler / main GROUP BY",
            *(f"{run.handler[k] / run.main[k]:.2f}x" for k in run.handler),
        )
    )
    labels = "; ".join(f"{scope}: {text}" for scope, text in run.main_label.items())
    return table(rows) + f"\n  (*) the first GROUP BY statement compute_stats ran: {labels}"


def breakdown_table(run: StatsRun) -> str:
    scopes = list(run.statements)
    labels = [entry[0] for entry in run.statements[scopes[-1]]]
    rows: list[tuple[str, ...]] = [("compute_stats, per statement (ms)", *scopes)]
    for name in labels:
        cells = []
        for scope in scopes:
            found = [s for lab, s, _, _ in run.statements[scope] if lab == name]
            cells.append(ms(found[0]) if found else "-")
        rows.append((name, *cells))
    rows.append(
        (
            "sum",
            *(ms(sum(s for _, s, _, _ in run.statements[scope])) for scope in scopes),
        )
    )
    return table(rows)


def report_stats_goals(backend: Backend, run: StatsRun, when: str) -> None:
    for scope in run.handler:
        handler = run.handler[scope]
        factor = handler / run.main[scope]
        verdict = goal(
            backend.name,
            f"/stats {scope} handler ≤ {HANDLER_FACTOR_GOAL}x its main GROUP BY ({when})",
            f"{factor:.2f}x",
            factor <= HANDLER_FACTOR_GOAL,
        )
        line = (
            f"  {scope}: handler/main GROUP BY {factor:.2f}x "
            f"(goal ≤ {HANDLER_FACTOR_GOAL}x: {verdict})"
        )
        factor = handler / run.compute[scope]
        verdict = goal(
            backend.name,
            f"/stats {scope} handler ≤ {HANDLER_FACTOR_GOAL}x compute_stats ({when})",
            f"{factor:.2f}x",
            factor <= HANDLER_FACTOR_GOAL,
        )
        line += f"; handler/compute_stats {factor:.2f}x ({verdict})"
        if backend.is_sqlite:
            verdict = goal(
                backend.name,
                f"/stats {scope} handler < {STATS_MS_GOAL:.0f} ms ({when})",
                f"{handler * 1000:.0f} ms",
                handler * 1000 < STATS_MS_GOAL,
            )
            line += f"; {handler * 1000:.0f} ms (goal < {STATS_MS_GOAL:.0f} ms: {verdict})"
        print(line)


# The fix tried in the bench database only (a migration would do the same): the two indexes
# that statistics range over become covering ones, deleted_at included so that SQLite's planner
# sees them as covering (a partial index WHERE deleted_at IS NULL is not taken as covering).
FIX_INDEXES = (
    "CREATE INDEX IF NOT EXISTS bench_ix_reports_date_cover ON reports "
    "(date, deleted_at, type, person_times, instructor_id, enterprise_id, target)",
    "DROP INDEX IF EXISTS ix_reports_date_type",
    "CREATE INDEX IF NOT EXISTS bench_ix_reports_district_date_cover ON reports "
    "(district_id, date, deleted_at, type, person_times, instructor_id, enterprise_id, target)",
    "DROP INDEX IF EXISTS ix_reports_district_id_date",
)


async def part_stats(backend: Backend, repetitions: int) -> None:
    today = datetime.now(UTC).date()
    first, period_key = date(today.year - 2, 1, 1), str(today.year - 1)
    print(
        f"--- part 2, {backend.name}: /stats {period_key} over {STATS_REPORTS:,} reports "
        f"({first} .. {today})"
    )
    standin = StandInProcess()
    try:
        async with backend.fresh() as url:
            engine = db.create_engine(url)
            seeded = await seed(db.create_sessions(engine), engine.dialect.name)
            await engine.dispose()
            seconds, generated = await bulk_reports(url, seeded, STATS_REPORTS, first, today)
            how = (
                "sqlite3 executemany, 10k chunks, one transaction"
                if backend.is_sqlite
                else "asyncpg COPY, 100k chunks, then VACUUM ANALYZE"
            )
            print(
                f"  generated and inserted {STATS_REPORTS:,} reports in {seconds:.1f} s "
                f"(generating {generated:.1f} s; {how})"
            )
            rebuilt = await rebuild_rollups(url)
            if rebuilt is not None:
                print(f"  rebuilt the report rollups (storage.reports.rollups) in {rebuilt:.1f} s")
            async with bot(url, standin) as (app, engine):
                async with engine.connect() as connection:
                    in_year = await connection.scalar(
                        select(func.count(Report.id)).where(
                            Report.date >= date(int(period_key), 1, 1),
                            Report.date <= date(int(period_key), 12, 31),
                        )
                    )
                print(f"  reports in {period_key}: {in_year:,}; {repetitions} runs each, medians")
                await feed(app, message_update(HQ_ID, "/me", "总工会"))  # warm
                await standin.clear()
                district_id = seeded.districts[STATS_DISTRICT]
                before = await measure_stats(app, engine, period_key, district_id, repetitions)
                summary = await standin.summary(["📊"])
                print(stats_table(before))
                report_stats_goals(backend, before, "as migrated")
                print(
                    f"  check: {summary['markers']['📊']} /stats replies; last reply starts "
                    f"{summary['last_text'].splitlines()[0]!r}"
                )
                print()
                print(breakdown_table(before))
                print()
                await print_plans(engine, before, backend.is_sqlite)

                rollup = getattr(models, "ReportMonthEnterprise", None)
                if rollup is not None:
                    await try_rollup_fix(engine, rollup, period_key, district_id, before)
                else:
                    await try_covering_fix(
                        app, engine, backend, period_key, district_id, repetitions
                    )
    finally:
        standin.stop()
    print()


async def try_covering_fix(
    app: Any, engine: Any, backend: Backend, period_key: str, district_id: int, repetitions: int
) -> None:
    """Without rollups, /stats reads the reports: make its two range indexes covering."""
    print("  trying the fix in this bench database (the two range indexes, covering):")
    start = time.perf_counter()
    async with engine.begin() as connection:
        for statement in FIX_INDEXES:
            await connection.exec_driver_sql(statement)
        if not backend.is_sqlite:
            await connection.exec_driver_sql("ANALYZE reports")
    print(f"    created in {time.perf_counter() - start:.1f} s:")
    for statement in FIX_INDEXES:
        print(f"    {statement}")
    after = await measure_stats(app, engine, period_key, district_id, repetitions)
    print(stats_table(after))
    report_stats_goals(backend, after, "with the fix indexes")
    print()
    print(breakdown_table(after))
    print()
    await print_plans(engine, after, backend.is_sqlite)
    await print_index_sizes(engine, backend.is_sqlite)


# With rollups, the costliest statement after the GROUP BY is count(DISTINCT enterprise_id)
# over report_month_enterprises (one row per month, district and enterprise: ~216k rows a
# year here). The proposed form counts enterprises with EXISTS, one index probe each.
ROLLUP_FIX = (
    "CREATE INDEX IF NOT EXISTS bench_ix_report_month_enterprises_enterprise "
    "ON report_month_enterprises (enterprise_id, month, district_id, reports)"
)


async def try_rollup_fix(
    engine: Any, rollup: Any, period_key: str, district_id: int, before: StatsRun
) -> None:
    """Times the enterprises-covered statement as compute_stats runs it and in the proposed
    EXISTS form, bare, before and after the index that the EXISTS form needs."""
    period = year_period(int(period_key))

    def clauses(scope_id: int | None) -> list[Any]:
        where = [rollup.month >= period.start, rollup.month <= period.end, rollup.reports > 0]
        if scope_id is not None:
            where.append(rollup.district_id == scope_id)
        return where

    scopes = {"city": None, f"district {STATS_DISTRICT}": district_id}
    forms = {
        "count(DISTINCT enterprise_id) (as in compute_stats)": lambda scope_id: select(
            func.count(rollup.enterprise_id.distinct())
        ).where(*clauses(scope_id)),
        "count(*) FROM enterprises WHERE EXISTS (proposed)": lambda scope_id: (
            select(func.count())
            .select_from(Enterprise)
            .where(exists().where(rollup.enterprise_id == Enterprise.id, *clauses(scope_id)))
        ),
    }

    async def timings() -> dict[tuple[str, str], tuple[float, int]]:
        found = {}
        for form, build in forms.items():
            for scope, scope_id in scopes.items():
                seconds, value = [], 0
                for _ in range(5):
                    start = time.perf_counter()
                    async with engine.connect() as connection:
                        value = int(await connection.scalar(build(scope_id)) or 0)
                    seconds.append(time.perf_counter() - start)
                found[form, scope] = (median(seconds), value)
        return found

    print("  trying a fix for the enterprises-covered statement (bare statements, median of 5):")
    without = await timings()
    start = time.perf_counter()
    async with engine.begin() as connection:
        await connection.exec_driver_sql(ROLLUP_FIX)
        if engine.dialect.name == "postgresql":
            await connection.exec_driver_sql("ANALYZE report_month_enterprises")
    print(f"    {ROLLUP_FIX}  ({time.perf_counter() - start:.1f} s)")
    with_index = await timings()
    rows: list[tuple[str, ...]] = [
        ("ms (value)", *(f"{scope}, {when}" for scope in scopes for when in ("before", "after")))
    ]
    for form in forms:
        cells = []
        for scope in scopes:
            for found in (without, with_index):
                seconds, value = found[form, scope]
                cells.append(f"{ms(seconds)} ({value})")
        rows.append((form, *cells))
    print(table(rows))
    current = next(iter(forms))
    proposed = list(forms)[1]
    for scope in scopes:
        saved = with_index[current, scope][0] - with_index[proposed, scope][0]
        estimate = before.handler[scope] - saved
        print(
            f"    {scope}: /stats handler {ms(before.handler[scope])} ms today; with the "
            f"proposed statement and index about {ms(estimate)} ms "
            f"(handler / main GROUP BY about {estimate / before.main[scope]:.2f}x)"
        )
    await print_index_sizes(engine, engine.dialect.name == "sqlite")


async def print_plans(engine: Any, run: StatsRun, sqlite: bool) -> None:
    kind = "EXPLAIN QUERY PLAN" if sqlite else "EXPLAIN (ANALYZE, BUFFERS)"
    for scope, entries in run.statements.items():
        print(f"  {kind}, {scope}:")
        for name, _, statement, parameters in entries:
            if name == "district name":
                continue
            lines = await plan(engine, statement, parameters, sqlite)
            if not sqlite:
                lines = [
                    line
                    for line in lines
                    if "Index" in line
                    or "Scan" in line
                    or "Execution" in line
                    or "Sort Method" in line
                    or "Aggregate" in line
                ]
            print(f"    {name}:")
            for line in lines:
                print(f"      {line.strip()}")
    print()


async def print_index_sizes(engine: Any, sqlite: bool) -> None:
    async with engine.connect() as connection:
        if sqlite:
            try:
                rows = await connection.exec_driver_sql(
                    "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE '%report%' "
                    "GROUP BY name ORDER BY name"
                )
                sizes = [(str(n), int(s)) for n, s in rows]
            except Exception:
                return
        else:
            rows = await connection.exec_driver_sql(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
                "WHERE c.relname LIKE '%report%' AND c.relkind IN ('r', 'i') ORDER BY 1"
            )
            sizes = [(str(n), int(s)) for n, s in rows]
    print("  sizes: " + ", ".join(f"{n} {s / 2**20:.0f} MiB" for n, s in sizes))


# --- part 3: export --------------------------------------------------------------------------


async def part_export(backend: Backend) -> None:
    today = datetime.now(UTC).date()
    export_year = today.year - 1
    print(
        f"--- part 3, {backend.name}: /export {export_year} of {EXPORT_REPORTS:,} reports, "
        f"and {ME_COMMANDS} /me meanwhile"
    )
    async with backend.fresh() as url:
        engine = db.create_engine(url)
        seeded = await seed(db.create_sessions(engine), engine.dialect.name)
        await engine.dispose()
        seconds, _ = await bulk_reports(
            url, seeded, EXPORT_REPORTS, date(export_year, 1, 1), date(export_year, 12, 31)
        )
        rebuilt = await rebuild_rollups(url)
        print(
            f"  seeded and inserted {EXPORT_REPORTS:,} reports in {seconds:.1f} s"
            + (f", rollups rebuilt in {rebuilt:.1f} s" if rebuilt is not None else "")
            + "; measuring in a fresh process"
        )
        args = [
            sys.executable,
            "-m",
            "bench.reports",
            "--export-child",
            url,
            "--year",
            str(export_year),
            "--instructors",
            ",".join(str(TELEGRAM_BASE + i) for i in seeded.reporting[:50]),
        ]
        result = await asyncio.to_thread(
            subprocess.run, args, capture_output=True, text=True, check=False
        )
    if result.returncode != 0:
        print(result.stdout)
        print(result.stderr)
        print("  the export process failed")
        return
    lines = result.stdout.splitlines()
    figures = json.loads(next(line for line in lines if line.startswith("RESULT "))[7:])
    for line in lines:
        if not line.startswith("RESULT "):
            print(line)
    verdict = goal(
        backend.name,
        f"export memory (bot RSS growth + worker peak) < {RSS_MB_GOAL:.0f} MB",
        f"{figures['rss_growth_mb']:.0f} MB",
        figures["rss_growth_mb"] < RSS_MB_GOAL,
    )
    print(
        f"  memory the export added: {figures['rss_growth_mb']:.0f} MB = bot process RSS growth "
        f"{figures['bot_growth_mb']:.0f} MB + worker process peak RSS "
        f"{figures['worker_mb']:.0f} MB (goal < {RSS_MB_GOAL:.0f} MB: {verdict})"
    )
    for mode, p99 in figures["p99"].items():
        verdict = goal(
            backend.name,
            f"/me p99 < {ME_P99_MS_GOAL:.0f} ms during export, {mode}",
            f"{p99:.0f} ms",
            p99 < ME_P99_MS_GOAL,
        )
        print(
            f"  /me p99 during the export, {mode}: {p99:.0f} ms "
            f"(goal < {ME_P99_MS_GOAL:.0f} ms: {verdict})"
        )
    print()


def worker_peaks(exclude: set[int]) -> dict[int, tuple[int, int]]:
    """(VmHWM, VmRSS) in KiB of this process's other children: a worker process the export
    runs in."""
    peaks = {}
    for child in multiprocessing.active_children():
        if child.pid is None or child.pid in exclude:
            continue
        try:
            status = Path(f"/proc/{child.pid}/status").read_text().splitlines()
        except OSError:
            continue
        values = {line.split(":")[0]: int(line.split()[1]) for line in status if "kB" in line}
        peaks[child.pid] = (values.get("VmHWM", 0), values.get("VmRSS", 0))
    return peaks


async def export_child(url: str, export_year: int, instructors: list[int]) -> None:
    """Part 3 proper, in a fresh process: nothing else has grown its memory yet."""
    standin = StandInProcess()
    figures: dict[str, Any] = {"p99": {}}
    rows: list[tuple[str, ...]] = [("", "seconds", "/me", "p50 ms", "p99 ms", "max ms")]
    try:
        async with bot(url, standin) as (app, _engine):
            export_handler = next(
                handler
                for handler in app.handlers[0]
                if isinstance(handler, CommandHandler) and "export" in handler.commands
            )
            built_block = bool(export_handler.block)
            export_ended = asyncio.Event()
            export_end = [0.0]
            original = export_handler.callback

            async def timed_export(update: Update, context: Any) -> None:
                try:
                    await original(update, context)
                finally:
                    export_end[0] = time.perf_counter()
                    export_ended.set()

            export_handler.callback = timed_export
            command = f"/export {export_year}"

            def me_updates() -> list[dict[str, Any]]:
                return [
                    message_update(instructors[i % len(instructors)], "/me")
                    for i in range(ME_COMMANDS)
                ]

            for data in me_updates()[:20]:
                await feed(app, data)  # warm: connections, imports, caches
            print(
                f"  /export handler as built: block={built_block}; "
                f"stand-in pid {standin._process.pid}"
            )

            # A: the export alone (the first one: a worker process, if any, starts here);
            # peak RSS of this process over it, and of any worker process.
            gc.collect()
            rss_before = proc_status("VmRSS")
            resettable = reset_peak_rss()
            hwm_before = proc_status("VmHWM")
            export_alone = await feed(app, message_update(HQ_ID, command, "总工会"))
            hwm_after = proc_status("VmHWM")
            growth_kib = hwm_after - (rss_before if resettable else hwm_before)
            workers = worker_peaks({standin._process.pid or 0})
            figures["bot_growth_mb"] = growth_kib / 1024
            figures["worker_mb"] = sum(peak for peak, _ in workers.values()) / 1024
            figures["rss_growth_mb"] = figures["bot_growth_mb"] + figures["worker_mb"]
            summary = await standin.summary()
            name, size = summary["documents"][-1]
            print(
                f"  export alone (/export through process_update, until its handler ended): "
                f"{export_alone:.2f} s; sent {name} ({size / 2**20:.1f} MiB)"
            )
            print(
                f"  bot process RSS {rss_before / 1024:.0f} MiB before, peak {hwm_after / 1024:.0f}"
                f" MiB during: +{growth_kib / 1024:.0f} MiB"
                + ("" if resettable else " (VmHWM could not be reset: peak since start)")
                + (
                    "; worker process "
                    + ", ".join(
                        f"pid {pid}: peak {peak / 1024:.0f} MiB, {rss / 1024:.0f} MiB still "
                        "resident after"
                        for pid, (peak, rss) in workers.items()
                    )
                    if workers
                    else "; no worker process"
                )
            )
            rows.append(("export alone", f"{export_alone:.2f}", "", "", "", ""))

            # Baseline: /me with nothing else running.
            _, alone = await run_sequentially(app, me_updates())
            rows.append(
                (
                    "/me alone, one after another",
                    f"{sum(alone):.2f}",
                    str(len(alone)),
                    ms(median(alone)),
                    ms(percentile(alone, 99)),
                    ms(max(alone)),
                )
            )
            # /me arrive at an even pace that spreads the 200 over 80 % of the export alone.
            interval = export_alone * 0.8 / ME_COMMANDS
            rows.append(("(pace of /me below, s)", f"{interval:.3f}", "", "", "", ""))

            # B: the export as a task, /me processed one after another meanwhile (each
            # process_update timed), at that pace.
            export_ended.clear()
            start = time.perf_counter()
            export_update = Update.de_json(message_update(HQ_ID, command, "总工会"), app.bot)
            if built_block:
                task = asyncio.create_task(app.process_update(export_update))
            else:
                # Returns at once: the handler runs as a task of the application's.
                task = asyncio.ensure_future(app.process_update(export_update))
                await task
            during: list[float] = []
            for data in me_updates():
                if export_ended.is_set():
                    break
                latency = await feed(app, data)
                if not export_ended.is_set():
                    during.append(latency)
                await asyncio.sleep(max(0.0, interval - latency))
            await task
            await export_ended.wait()
            mode = "B: export task + /me via process_update"
            figures["p99"][mode] = percentile(during, 99) * 1000 if during else float("nan")
            rows.append(
                (
                    mode,
                    f"{export_end[0] - start:.2f}",
                    f"{len(during)} during",
                    ms(median(during)) if during else "-",
                    ms(percentile(during, 99)) if during else "-",
                    ms(max(during)) if during else "-",
                )
            )

            # C (and D): PTB's own update fetcher, which run_polling feeds: the 200 /me are put
            # on app.update_queue at that pace, whether or not the bot keeps up.
            finished: dict[int, float] = {}

            async def mark(update: Update, context: Any) -> None:
                finished[update.update_id] = time.perf_counter()

            app.add_handler(TypeHandler(Update, mark), group=99)
            modes = [(f"C: PTB update fetcher, as built (block={built_block})", built_block)]
            if built_block:
                modes.append(("D: PTB update fetcher, /export block=False", False))
            for mode, block in modes:
                export_handler.block = block
                export_ended.clear()
                await app.start()
                start = time.perf_counter()
                await app.update_queue.put(
                    Update.de_json(message_update(HQ_ID, command, "总工会"), app.bot)
                )
                sent: dict[int, float] = {}
                for data in me_updates():
                    update = Update.de_json(data, app.bot)
                    sent[update.update_id] = time.perf_counter()
                    await app.update_queue.put(update)
                    await asyncio.sleep(interval)
                await app.update_queue.join()
                await export_ended.wait()
                await app.stop()
                waits = [finished[uid] - at for uid, at in sent.items()]
                ended_during = sum(finished[uid] < export_end[0] for uid in sent)
                figures["p99"][mode] = percentile(waits, 99) * 1000
                rows.append(
                    (
                        mode,
                        f"{export_end[0] - start:.2f}",
                        f"{ended_during} during",
                        ms(median(waits)),
                        ms(percentile(waits, 99)),
                        ms(max(waits)),
                    )
                )
            export_handler.block = built_block
            summary = await standin.summary(["抱歉，出了点问题"])
            print(table(rows))
            print(
                f"  check: {len(summary['documents'])} workbooks sent, "
                f"{summary['methods'].get('sendMessage', 0)} messages, "
                f"{summary['markers']['抱歉，出了点问题']} errors shown, "
                f"{ERRORS.count} errors logged"
            )
            print(
                "  /me latency: B = process_update of each /me that ran while the export did; "
                "C, D = from putting each of the 200 on app.update_queue to the end of its "
                "handlers; 'during' = finished before the export did"
            )
    finally:
        try:
            from bot import offload  # type: ignore[attr-defined]

            offload.shutdown()
        except ImportError:
            pass
        standin.stop()
    print("RESULT " + json.dumps(figures))


# --- main ------------------------------------------------------------------------------------


def postgres_server_url() -> str:
    return (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("TEST_DATABASE_URL")
        or "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )


async def main(arguments: argparse.Namespace) -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logging.basicConfig(level=logging.WARNING, format="  log %(levelname)s %(name)s: %(message)s")
    logging.getLogger().addHandler(ERRORS)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if arguments.export_child:
        await export_child(
            arguments.export_child,
            arguments.year,
            [int(i) for i in arguments.instructors.split(",")],
        )
        return

    print("reports benchmark")
    for line in machine_lines():
        print(line)
    backends: list[Backend] = []
    with tempfile.TemporaryDirectory(prefix="xs-bench-") as folder:
        backends.append(sqlite_backend(Path(folder)))
        if arguments.postgres:
            server = postgres_server_url()
            print(
                f"  postgres: {await postgres_version(server)} at "
                f"{make_url(server).render_as_string(hide_password=True)}"
            )
            backends.append(postgres_backend(server))
        print()
        parts = [arguments.part] if arguments.part else [1, 2, 3]
        started = time.perf_counter()
        for backend in backends:
            for part in parts:
                if part == 1:
                    await part_submission(backend)
                elif part == 2:
                    await part_stats(backend, arguments.repetitions)
                else:
                    await part_export(backend)
    print("goals")
    print(table([("backend", "goal", "figure", ""), *GOALS]))
    print()
    print(f"whole run: {time.perf_counter() - started:.0f} s")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reports", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--part", type=int, choices=(1, 2, 3), help="run only this part")
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL")
    parser.add_argument("--repetitions", type=int, default=REPETITIONS, help="/stats runs")
    parser.add_argument("--export-child", help=argparse.SUPPRESS)
    parser.add_argument("--year", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--instructors", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_arguments()))
