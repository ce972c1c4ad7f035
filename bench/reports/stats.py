"""Part 2: /stats over a million reports, the handler beside the SQL aggregates it needs.

The statements one /stats runs are captured from the engine, then each is replayed alone on a
connection of its own; the handler's time is set beside the sum of its aggregates (the
statements that count or sum), so that what the handler adds to the SQL it cannot avoid shows.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, func, select

from bench.common import median, ms, table
from bench.reports.standin import StandInProcess, feed, message_update
from bench.reports.world import (
    HANDLER_FACTOR_GOAL,
    HQ_ID,
    STATS_DISTRICT,
    STATS_MS_GOAL,
    STATS_REPORTS,
    Backend,
    bot,
    bulk_reports,
    goal,
    rebuild_rollups,
    seed,
)
from schedules.delivery import Limits
from storage.models import Report

# The bot's Pacer keeps to Telegram's one message a second in a private chat: HQ asks again
# only after that, so that the handler's time holds no wait for the pace.
PAUSE = Limits().private_interval + 0.1
AGGREGATE = re.compile(r"\b(count|sum)\(|\bGROUP BY\b|\bEXISTS\b", re.IGNORECASE)


@dataclass
class Statement:
    label: str
    sql: str
    parameters: Any
    aggregate: bool  # counts or sums: what /stats cannot do without
    seconds: float = 0.0  # replayed alone, median


@dataclass
class StatsRun:
    handler: dict[str, float] = field(default_factory=dict)  # scope → median seconds
    statements: dict[str, list[Statement]] = field(default_factory=dict)

    def aggregates(self, scope: str) -> float:
        return sum(s.seconds for s in self.statements[scope] if s.aggregate)

    def everything(self, scope: str) -> float:
        return sum(s.seconds for s in self.statements[scope])


def capture(engine: Any) -> tuple[list[tuple[str, Any]], Callable[[], None]]:
    """Records every statement the engine runs until the returned function is called."""
    captured: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    return captured, lambda: event.remove(engine.sync_engine, "before_cursor_execute", listener)


def label(statement: str) -> str:
    flat = " ".join(statement.split())
    if "report_month_totals" in flat:
        return "per instructor and type (report_month_totals)"
    if "report_month_enterprises" in flat:
        return "enterprises covered (report_month_enterprises)"
    if "FROM districts WHERE" in flat and "districts.name" in flat:
        return "district name"
    if flat.startswith("SELECT districts.name, districts.id FROM districts"):
        return "district names (reading the scope asked)"
    if "telegram_users.language" in flat:
        return "the asker's language and admin role"
    if "instructors.telegram_id =" in flat or "admins.telegram_id =" in flat:
        return "who is asking"
    if "NOT (EXISTS" in flat or "NOT EXISTS" in flat:
        return "silent instructors (NOT EXISTS)"
    if "FROM instructors JOIN districts" in flat and "ORDER BY instructors.name" in flat:
        return "ranking: instructors in name order"
    if "count(DISTINCT" in flat:
        return "count(distinct …) over reports"
    if "GROUP BY reports.type" in flat:
        return "by type over reports"
    return flat[:60]


async def run_statement(engine: Any, statement: str, parameters: Any) -> float:
    start = time.perf_counter()
    async with engine.connect() as connection:
        result = await connection.exec_driver_sql(statement, parameters)
        result.fetchall()
    return time.perf_counter() - start


async def measure_stats(
    app: Any, engine: Any, period_key: str, district_id: int, repetitions: int
) -> StatsRun:
    """Medians of the handler and of each statement it ran, replayed alone, per scope."""
    run = StatsRun()
    scopes = {
        "city": f"/stats {period_key}",
        f"district {STATS_DISTRICT}": f"/stats {period_key} {STATS_DISTRICT}",
    }
    for scope, command in scopes.items():
        captured, stop = capture(engine)
        await feed(app, message_update(HQ_ID, command, "总工会"))  # also warms the caches
        stop()
        seen: Counter[str] = Counter()
        statements = []
        for sql, parameters in captured:
            name = label(sql)
            seen[name] += 1
            if seen[name] > 1:
                name += f" #{seen[name]}"
            statements.append(Statement(name, sql, parameters, bool(AGGREGATE.search(sql))))
        handler: list[float] = []
        alone: list[list[float]] = [[] for _ in statements]
        # The handler and its statements take turns, so that other load on the machine meets
        # both alike.
        for _ in range(repetitions):
            await asyncio.sleep(PAUSE)
            handler.append(await feed(app, message_update(HQ_ID, command, "总工会")))
            for times, statement in zip(alone, statements, strict=True):
                times.append(await run_statement(engine, statement.sql, statement.parameters))
        run.handler[scope] = median(handler)
        for times, statement in zip(alone, statements, strict=True):
            statement.seconds = median(times)
        run.statements[scope] = statements
    return run


def stats_table(run: StatsRun) -> str:
    scopes = list(run.handler)
    rows: list[tuple[str, ...]] = [("median ms", *scopes)]
    rows.append(("/stats handler (process_update)", *(ms(run.handler[s]) for s in scopes)))
    labels = list(dict.fromkeys(s.label for scope in scopes for s in run.statements[scope]))
    for name in labels:
        cells = []
        for scope in scopes:
            found = [s for s in run.statements[scope] if s.label == name]
            cells.append(ms(found[0].seconds) if found else "-")
        kind = (
            "aggregate"
            if any(s.aggregate for v in run.statements.values() for s in v if s.label == name)
            else "lookup"
        )
        rows.append((f"  {name} [{kind}], alone", *cells))
    rows.append(("sum of the aggregates, each alone", *(ms(run.aggregates(s)) for s in scopes)))
    rows.append(("sum of every statement, each alone", *(ms(run.everything(s)) for s in scopes)))
    rows.append(
        (
            "handler / sum of the aggregates",
            *(f"{run.handler[s] / run.aggregates(s):.2f}x" for s in scopes),
        )
    )
    return table(rows)


def report_stats_goals(backend: Backend, run: StatsRun) -> None:
    for scope, handler in run.handler.items():
        factor = handler / run.aggregates(scope)
        verdict = goal(
            backend.name,
            f"/stats {scope} handler ≤ {HANDLER_FACTOR_GOAL}x the sum of its aggregates",
            f"{factor:.2f}x",
            factor <= HANDLER_FACTOR_GOAL,
        )
        line = f"  {scope}: handler / aggregates {factor:.2f}x (goal ≤ {HANDLER_FACTOR_GOAL}x: "
        line += verdict + ")"
        if backend.is_sqlite:
            verdict = goal(
                backend.name,
                f"/stats {scope} handler < {STATS_MS_GOAL:.0f} ms",
                f"{handler * 1000:.0f} ms",
                handler * 1000 < STATS_MS_GOAL,
            )
            line += f"; {handler * 1000:.0f} ms (goal < {STATS_MS_GOAL:.0f} ms: {verdict})"
        print(line)


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
            seeded = await seed(url)
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
                run = await measure_stats(app, engine, period_key, district_id, repetitions)
                summary = await standin.summary(["📊"])
                print(stats_table(run))
                report_stats_goals(backend, run)
                print(
                    f"  check: {summary['markers']['📊']} /stats replies; last reply starts "
                    f"{summary['last_text'].splitlines()[0]!r}"
                )
                print()
                await print_plans(engine, run, backend.is_sqlite)
                await print_sizes(engine, backend.is_sqlite)
    finally:
        standin.stop()
    print()


async def plan(engine: Any, statement: str, parameters: Any, sqlite: bool) -> list[str]:
    async with engine.connect() as connection:
        if sqlite:
            rows = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return [str(row[3]) for row in rows]
        rows = await connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters
        )
        return [str(row[0]) for row in rows]


async def print_plans(engine: Any, run: StatsRun, sqlite: bool) -> None:
    kind = "EXPLAIN QUERY PLAN" if sqlite else "EXPLAIN (ANALYZE, BUFFERS)"
    for scope, statements in run.statements.items():
        print(f"  {kind}, {scope}:")
        for statement in statements:
            if not statement.aggregate:
                continue
            lines = await plan(engine, statement.sql, statement.parameters, sqlite)
            if not sqlite:
                keep = ("Index", "Scan", "Execution", "Sort Method", "Aggregate", "Join")
                lines = [line for line in lines if any(word in line for word in keep)]
            print(f"    {statement.label}:")
            for line in lines:
                print(f"      {line.strip()}")
    print()


async def print_sizes(engine: Any, sqlite: bool) -> None:
    """The sizes of the report tables and their indexes."""
    async with engine.connect() as connection:
        if sqlite:
            try:
                rows = await connection.exec_driver_sql(
                    "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE '%report%' "
                    "GROUP BY name ORDER BY name"
                )
            except Exception:  # SQLite built without the dbstat table
                return
        else:
            rows = await connection.exec_driver_sql(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
                "WHERE c.relname LIKE '%report%' AND c.relkind IN ('r', 'i') ORDER BY 1"
            )
        sizes = [(str(n), int(s)) for n, s in rows]
    print("  sizes: " + ", ".join(f"{n} {s / 2**20:.1f} MiB" for n, s in sizes))
