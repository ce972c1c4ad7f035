"""Schedules benchmark: 10,000 stored reminders, the rebuild at start, and 200 due at once.

Run with `python -m bench.schedules` (or `make bench-schedules`). A fresh migrated SQLite
database in a temporary directory gets 10,000 active reminders (bulk insert, not timed): one-off
ones on dates over the next 30 days and recurring ones (daily, weekly on 1-3 weekdays, monthly on
day 1-31, workdays), owned by 2,000 fake Telegram ids, in Asia/Shanghai, `next_at` computed with
storage.common.when.next_time, none due within the next 3 minutes.

"Rebuild at start" is what `xieshang run` does, on a new engine (connecting is part of it): the
real Application (bot.app.build_application, the Bot API stand-in of bot/sandbox/botapi.py as its
API; initialize asks it getMe), `start()`, `storage.reminders.records.restore` in one
transaction and `schedules.jobs.schedule_all` (the jobs are rows, so the rebuild is one restore
and the tick).
The restore is timed with tracemalloc off; its tracemalloc peak comes from a second restore in
a transaction that is rolled back.

"200 due in the same minute": 200 of the reminders (the owner's own, audience None) get a
`next_at` about 3 s ahead, 5 ms apart, all in one wall-clock second. The real PTB JobQueue runs
the tick (every 0.5 s, real time, no fake clock) while the database is polled every 0.1 s until
all 200 have a row in reminder_firings (cap 30 s), then 2 s more for any repeat. A firing's
delay is reminder_firings.fired_at - due_at (fired_at is the `now` of the tick that fired it,
taken when the tick starts); "visible" is when the poll first saw the committed row - due_at.

With BENCH_DATABASE_URL or TEST_DATABASE_URL set, or postgres@127.0.0.1:5432/test answering,
the same on a throwaway PostgreSQL database it creates and drops. Goals of the issue: rebuild
under 2 s, every firing within 1 s of due. Nothing is asserted.
"""

from __future__ import annotations

import os

# RetryAfter reads retry_after as a timedelta only with this set; it must precede PTB's import.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import asyncio
import contextlib
import gc
import logging
import random
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import apscheduler
from apscheduler.events import (
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from sqlalchemy import func, insert, select, update

from bench.common import (
    POSTGRES_DEFAULT,
    LogCounter,
    max_rss_mib,
    percentile,
    postgres_databases,
    postgres_server_url,
    postgres_version,
    print_columns,
    print_header,
    shown,
    sqlite_databases,
)
from bot.app import build_application
from bot.context import XieshangApp
from bot.sandbox.botapi import BotApiStandIn
from bot.settings import Settings
from schedules import jobs
from storage import db
from storage.common.times import aware
from storage.common.when import Rule, next_time
from storage.models import OutboxMessage, Reminder, ReminderFiring, ReminderStatus
from storage.reminders.records import restore

SEED = 20261125
TOKEN = "123456:BENCH"
TIMEZONE = "Asia/Shanghai"
TZ = ZoneInfo(TIMEZONE)
REMINDERS = 10_000
OWNERS = 2_000
OWNER_BASE = 6_000_000_000  # owner k has Telegram id OWNER_BASE + k
DUE = 200  # reminders made due in the same second
DUE_AHEAD = 3  # seconds ahead (from the start of the current second) they fall due
DUE_SPACING = 0.005  # seconds between two of them: 200 × 5 ms within one second
QUIET = timedelta(minutes=3)  # none of the others falls due this soon
POLL = 0.1  # seconds between looks at reminder_firings
CAP = 30.0  # seconds to wait for the 200 at most
AFTER = 2.0  # seconds to wait after the last one for a repeat
# (kind, share of the 10,000)
KINDS = (("once", 0.40), ("daily", 0.15), ("weekly", 0.20), ("monthly", 0.15), ("workdays", 0.10))
TEXTS = (
    "提交本周走访记录", "给区总工会回电话", "准备集体协商要约书", "整理工资台账",
    "参加街道协调会", "复核企业花名册", "填写月度报表", "联系企业工会主席",
)  # fmt: skip
NOTES: list[str] = []  # printed under the table


@dataclass
class Ticks:
    """The tick job's runs as APScheduler reports them (monotonic times)."""

    job_id: str = ""
    submitted: list[float] = field(default_factory=list)
    executed: list[float] = field(default_factory=list)
    skipped: int = 0  # max_instances reached: the previous tick was still running
    missed: int = 0
    first_done: asyncio.Event = field(default_factory=asyncio.Event)

    def listen(self, event: JobEvent) -> None:
        if event.job_id != self.job_id:
            return
        if event.code == EVENT_JOB_SUBMITTED:
            self.submitted.append(time.monotonic())
        elif event.code == EVENT_JOB_EXECUTED:
            self.executed.append(time.monotonic())
            self.first_done.set()
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            self.skipped += 1
        elif event.code == EVENT_JOB_MISSED:
            self.missed += 1

    def durations(self, since: float, until: float) -> list[float]:
        """How long each tick submitted between `since` and `until` ran."""
        return [
            end - start
            for start, end in zip(self.submitted, self.executed, strict=False)
            if since <= start <= until
        ]


# --- the reminders -------------------------------------------------------------------------


def random_rule(rng: random.Random, kind: str, now: datetime) -> Rule:
    at = clock(rng.randint(7, 21), rng.choice(range(0, 60, 5)))
    if kind == "once":
        moment = now + timedelta(seconds=rng.uniform(5 * 60, 30 * 86_400))
        local = moment.astimezone(TZ)
        return Rule("once", clock(local.hour, local.minute), date=local.date())
    if kind == "weekly":
        return Rule("weekly", at, weekdays=tuple(rng.sample(range(7), rng.randint(1, 3))))
    if kind == "monthly":
        return Rule("monthly", at, day=rng.randint(1, 31))
    return Rule(kind, at)


async def seed(sessions: db.Sessions, now: datetime) -> tuple[Counter[str], int]:
    """10,000 active reminders of 2,000 owners, none due before now + 3 min; returns how many
    of each kind and the earliest next_at's distance from now (s)."""
    rng = random.Random(SEED)
    kinds = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS], k=REMINDERS)
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        rule = random_rule(rng, kind, now)
        first = next_time(rule, now + QUIET, TZ)
        assert first is not None
        rows.append(
            {
                "owner_id": OWNER_BASE + rng.randrange(OWNERS),
                "rule": rule.to_json(),
                "next_at": first,
                "text": rng.choice(TEXTS),
                "timezone": TIMEZONE,
                "status": ReminderStatus.ACTIVE.value,
                "created_at": now,
            }
        )
    async with sessions.begin() as session:
        for start in range(0, len(rows), 1000):
            await session.execute(insert(Reminder), rows[start : start + 1000])
    earliest = min(row["next_at"] for row in rows)
    return Counter(kinds), int((earliest - now).total_seconds())


async def make_due(sessions: db.Sessions, rng: random.Random) -> dict[int, datetime]:
    """200 reminders due about 3 s ahead, 5 ms apart within one second; {id: due_at}."""
    async with sessions.begin() as session:
        ids = list(
            await session.scalars(
                select(Reminder.id).where(Reminder.key.is_(None), Reminder.audience.is_(None))
            )
        )
        chosen = sorted(rng.sample(ids, DUE))
        second = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=DUE_AHEAD)
        due = {rid: second + timedelta(seconds=i * DUE_SPACING) for i, rid in enumerate(chosen)}
        await session.execute(
            update(Reminder), [{"id": rid, "next_at": at} for rid, at in due.items()]
        )
    return due


async def fired_ids(sessions: db.Sessions, ids: list[int]) -> set[int]:
    async with sessions() as session:
        rows = await session.scalars(
            select(ReminderFiring.reminder_id).where(ReminderFiring.reminder_id.in_(ids))
        )
        return set(rows)


@dataclass
class Outcome:
    firings: list[tuple[int, datetime, datetime, str]]  # (reminder, due_at, fired_at, outcome)
    outbox_mine: int  # outbox rows of the 200
    outbox_total: int
    outbox_keys_per_reminder: int  # the most outbox rows one of the 200 got


async def outcome(sessions: db.Sessions, ids: list[int]) -> Outcome:
    async with sessions() as session:
        rows = await session.execute(
            select(
                ReminderFiring.reminder_id,
                ReminderFiring.due_at,
                ReminderFiring.fired_at,
                ReminderFiring.outcome,
            ).where(ReminderFiring.reminder_id.in_(ids))
        )
        firings = [(rid, aware(due), aware(fired), str(how)) for rid, due, fired, how in rows]
        per_reminder = await session.execute(
            select(OutboxMessage.ref_id, func.count())
            .where(OutboxMessage.kind == "reminder", OutboxMessage.ref_id.in_(ids))
            .group_by(OutboxMessage.ref_id)
        )
        counts = [int(n) for _, n in per_reminder]
        total = (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar()
    return Outcome(firings, sum(counts), int(total or 0), max(counts, default=0))


# --- one database --------------------------------------------------------------------------


async def traced_restore(sessions: db.Sessions) -> int:
    """A second restore under tracemalloc, rolled back; the peak of Python allocations."""
    gc.collect()
    async with sessions() as session:
        transaction = await session.begin()
        tracemalloc.start()
        try:
            await restore(session, TIMEZONE, now=datetime.now(UTC))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            await transaction.rollback()
    return peak


async def seeded(url: str) -> list[tuple[str, str]]:
    """Migrates and fills the database (not timed as a goal)."""
    started = time.perf_counter()
    await asyncio.to_thread(db.upgrade, url)
    migrated = time.perf_counter() - started
    engine = db.create_engine(url)
    try:
        now = datetime.now(UTC)
        started = time.perf_counter()
        kinds, earliest = await seed(db.create_sessions(engine), now)
        inserted = time.perf_counter() - started
    finally:
        await engine.dispose()
    return [
        ("migrate (s)", f"{migrated:.2f}"),
        ("bulk insert 10,000 (s, not a goal)", f"{inserted:.2f}"),
        ("  once/daily/weekly/monthly/workdays", "/".join(str(kinds[k]) for k, _ in KINDS)),
        ("  earliest next_at from now (s)", str(earliest)),
    ]


async def rebuild(
    application: XieshangApp,
    built: float,
    rss_before: float,
    sessions: db.Sessions,
    ticks: Ticks,
) -> list[tuple[str, str]]:
    """What `xieshang run` does at start after building the Application (`built` s): initialize,
    start, restore in one transaction, schedule the tick; then waits for the first tick's end."""
    begin = time.perf_counter() - built
    start_mono = time.monotonic() - built
    await application.initialize()
    await application.start()
    started = time.perf_counter()
    async with sessions.begin() as session:
        active = await restore(session, TIMEZONE, now=datetime.now(UTC))
    restored = time.perf_counter() - started
    jobs.schedule_all(application.job_queue)
    rebuilt = time.perf_counter() - begin
    rss_after = max_rss_mib()
    assert application.job_queue is not None
    (tick,) = application.job_queue.get_jobs_by_name("tick")
    ticks.job_id = tick.job.id
    application.job_queue.scheduler.add_listener(
        ticks.listen,
        EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED,
    )
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ticks.first_done.wait(), CAP)
    first_tick = ticks.executed[0] - start_mono if ticks.executed else float("nan")
    peak = await traced_restore(sessions)
    return [
        ("rebuild at start, total (s)", f"{rebuilt:.3f}"),
        ("  of it restore() (s)", f"{restored:.3f}"),
        ("  of it build_application (s)", f"{built:.3f}"),
        ("  of it initialize+start+schedule_all (s)", f"{rebuilt - restored - built:.3f}"),
        ("  reminders active after restore", str(active)),
        ("  tracemalloc peak, restore", f"{peak / 2**20:.1f} MiB"),
        ("  max RSS before / after (MiB)", f"{rss_before:.0f} / {rss_after:.0f}"),
        ("  first tick done, from start (s)", f"{first_tick:.3f}"),
    ]


async def due_together(sessions: db.Sessions, ticks: Ticks) -> list[tuple[str, str]]:
    """200 due in one second while the tick runs; waits for their firings, then for repeats."""
    due = await make_due(sessions, random.Random(SEED + 1))
    ids = sorted(due)
    seen: dict[int, datetime] = {}
    wait_from = time.monotonic()
    while len(seen) < DUE and time.monotonic() - wait_from < CAP:
        await asyncio.sleep(POLL)
        looked = datetime.now(UTC)
        for rid in await fired_ids(sessions, ids):
            seen.setdefault(rid, looked)
    waited = time.monotonic() - wait_from
    await asyncio.sleep(AFTER)
    window = ticks.durations(wait_from, time.monotonic())
    result = await outcome(sessions, ids)

    # A recurring reminder moved to this second may also fall due by its own rule moments later
    # (a daily 20:45 moved to 20:44:59): that is a second due time, not a repeat.
    fired = [f for f in result.firings if f[3] == "fired" and f[1] == due[f[0]]]
    own_rule = [f for f in result.firings if f[1] != due[f[0]]]
    nan = [float("nan")]
    delays = [(fired_at - due_at).total_seconds() for _, due_at, fired_at, _ in fired] or nan
    visible = [(seen[rid] - due[rid]).total_seconds() for rid in seen] or nan
    per_due_time = Counter((rid, due_at) for rid, due_at, _, _ in result.firings)
    per_tick = Counter(fired_at for _, _, fired_at, _ in fired)
    first = min(due.values())
    return [
        ("200 due at (UTC, all in one second)", f"{first:%H:%M:%S}.000-.995"),
        ("  waited for all 200 (s)", f"{waited:.1f}"),
        ("  fired", f"{len(fired)} of {DUE}"),
        ("  firings recorded 'missed'", str(sum(f[3] == "missed" for f in result.firings))),
        ("  later firings by their own rule", str(len(own_rule))),
        ("  delay fired_at - due_at p50 (s)", f"{percentile(delays, 50):.3f}"),
        ("  delay p95 (s)", f"{percentile(delays, 95):.3f}"),
        ("  delay max (s)", f"{max(delays):.3f}"),
        ("  delay min (s)", f"{min(delays):.3f}"),
        ("  delays over 1 s", str(sum(d > 1 for d in delays))),
        ("  visible in DB - due_at p50 (s)", f"{percentile(visible, 50):.3f}"),
        ("  visible max (s)", f"{max(visible):.3f}"),
        ("  visible over 1 s", str(sum(v > 1 for v in visible))),
        ("  ticks that fired them", str(len({f[2] for f in fired}))),
        ("  fired per tick", "/".join(str(n) for _, n in sorted(per_tick.items()))),
        ("  ticks run while waiting", str(len(window))),
        ("  longest tick while waiting (s)", f"{max(window, default=float('nan')):.3f}"),
        ("  ticks skipped (still running)", str(ticks.skipped)),
        ("  ticks missed", str(ticks.missed)),
        ("outbox rows of the 200", str(result.outbox_mine)),
        ("  outbox rows in all", str(result.outbox_total)),
        ("  most outbox rows for one", str(result.outbox_keys_per_reminder)),
        ("most firings for one due time", str(max(per_due_time.values(), default=0))),
        ("  due times fired twice or more", str(sum(n > 1 for n in per_due_time.values()))),
    ]


async def measure(fresh: Callable[[], Any], name: str, logs: LogCounter) -> list[tuple[str, str]]:
    """Both parts on one fresh database; (label, figure) in order."""
    logs.count, logs.first = 0, None
    async with fresh() as url:
        figures = await seeded(url)
        # The rebuild on a new engine, as `xieshang run` has: connecting is part of it.
        engine = db.create_engine(url)
        try:
            sessions = db.create_sessions(engine)
            async with BotApiStandIn(username="xieshang_bench_bot") as standin:
                settings = Settings(
                    _env_file=None,  # type: ignore[call-arg]
                    telegram_bot_token=TOKEN,
                    telegram_api_url=standin.url,
                    database_url=url,
                    bot_timezone=TIMEZONE,
                )
                rss_before = max_rss_mib()
                gc.collect()
                started = time.perf_counter()
                application = build_application(settings, sessions)
                built = time.perf_counter() - started
                ticks = Ticks()
                try:
                    figures += await rebuild(application, built, rss_before, sessions, ticks)
                    figures += await due_together(sessions, ticks)
                finally:
                    if application.running:
                        await application.stop()
                    await application.shutdown()
                figures.append(("Bot API calls (stand-in)", str(len(standin.calls))))
        finally:
            await engine.dispose()
    figures.append(("warnings/errors logged", str(logs.count)))
    figures.append(("process max RSS so far (MiB)", f"{max_rss_mib():.0f}"))
    if logs.first:
        NOTES.append(f"{name}: {logs.count} warnings/errors logged, the first: {logs.first}")
    return figures


# --- main ----------------------------------------------------------------------------------


async def postgres_server() -> tuple[str, str] | None:
    """(server URL, version) of the PostgreSQL to use, or None when there is none."""
    explicit = postgres_server_url()
    server = explicit or POSTGRES_DEFAULT
    try:
        version = await asyncio.wait_for(postgres_version(server), 10)
    except Exception as error:
        if explicit:
            raise
        NOTES.append(f"PostgreSQL: skipped, {POSTGRES_DEFAULT} does not answer ({error!r:.120})")
        return None
    return server, version


async def main() -> None:
    logs = LogCounter(logging.WARNING)
    logging.getLogger().addHandler(logs)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    print_header("schedules benchmark", f"APScheduler {apscheduler.__version__}")
    postgres = await postgres_server()
    if postgres:
        server, version = postgres
        print(f"  postgres: {version} at {shown(server)}")
    print(
        f"  setup   : {REMINDERS:,} reminders of {OWNERS:,} owners in {TIMEZONE}; "
        f"{DUE} due {DUE_AHEAD} s ahead, {DUE_SPACING * 1000:.0f} ms apart; tick every "
        f"{jobs.TICK} s; goals: rebuild < 2 s, every firing within 1 s"
    )
    print()

    results: dict[str, list[tuple[str, str]]] = {}
    with tempfile.TemporaryDirectory(prefix="xs-bench-") as folder:
        results["SQLite"] = await measure(sqlite_databases(Path(folder)), "SQLite", logs)
    if postgres:
        results["PostgreSQL"] = await measure(postgres_databases(postgres[0]), "PostgreSQL", logs)

    print_columns(results, NOTES)


if __name__ == "__main__":
    asyncio.run(main())
