"""The reports benchmark's world: constants, goals, the seeded roster, generated reports, the
databases and the real Application on them."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from bench.common import Fresh, LogCounter, postgres_databases, sqlite_databases
from bench.reports.standin import StandInProcess
from bench.roster import GIVEN, INDUSTRIES, MIX, SKILLS, STREETS, SURNAMES
from bot.app import build_application
from bot.context import XieshangApp
from bot.settings import Settings
from storage import db
from storage.models import Enterprise, Instructor, ReportSource, ReportType
from storage.people.districts import district_ids
from storage.reports.rollups import rebuild_rollups as rebuild

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
STATS_MS_GOAL = 150.0
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
GOALS: list[tuple[str, str, str, str]] = []  # (backend, goal, figure, met), printed at the end
ERRORS = LogCounter(logging.ERROR)  # the bot's error handler logs every failed update


def goal(backend: str, what: str, figure: str, met: bool) -> str:
    """Records a goal's outcome for the closing table; returns "met" or "MISSED"."""
    GOALS.append((backend, what, figure, "met" if met else "MISSED"))
    return "met" if met else "MISSED"


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


async def seed(url: str) -> Seeded:
    """1,050 instructors (all bound to a Telegram id) and 3,000 enterprises, in bulk."""
    engine = db.create_engine(url)
    try:
        return await _seed(db.create_sessions(engine), engine.dialect.name)
    finally:
        await engine.dispose()


async def _seed(sessions: db.Sessions, dialect: str) -> Seeded:
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
        enterprise_rows: list[dict[str, Any]] = [
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


async def rebuild_rollups(url: str) -> float:
    """Recomputes the report rollups after the raw bulk insert (storage.reports.rollups);
    returns the seconds it took."""
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
    generating alone). The rollups are rebuilt separately."""
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
    fresh: Fresh  # yields a new migrated database's URL
    server: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.name == "SQLite"


def migrated(fresh: Fresh) -> Fresh:
    """The same databases, migrated to the newest revision before use."""

    @asynccontextmanager
    async def fresh_migrated() -> AsyncIterator[str]:
        async with fresh() as url:
            await asyncio.to_thread(db.upgrade, url)
            yield url

    return fresh_migrated


def sqlite_backend(folder: Path) -> Backend:
    return Backend("SQLite", migrated(sqlite_databases(folder, "reports")))


def postgres_backend(server_url: str) -> Backend:
    return Backend("PostgreSQL", migrated(postgres_databases(server_url)), server_url)


def bot_settings(url: str, standin: StandInProcess) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        telegram_api_url=standin.url,
        database_url=url,
        hq_admin_ids=frozenset({HQ_ID}),
    )


@asynccontextmanager
async def bot(url: str, standin: StandInProcess) -> AsyncIterator[tuple[XieshangApp, Any]]:
    """The real Application (build_application) on `url`; yields (app, engine)."""
    engine = db.create_engine(url)
    try:
        app = build_application(bot_settings(url, standin), db.create_sessions(engine))
        async with app:
            yield app, engine
    finally:
        await engine.dispose()
