"""Rewards benchmark: /rewards for the city over 4,311 enterprises × 5 years.

Run with `python -m bench.honours`; add `--postgres [URL]` (or set BENCH_DATABASE_URL /
TEST_DATABASE_URL) for PostgreSQL beside SQLite. Each backend gets a fresh migrated database,
seeded in bulk: 4,311 enterprises in 6 districts of 3 regions each (70 % with a collective
contract), and for each of 5 years a quota per region, nominations of a fifth of the
enterprises (four in five 达标 with 10,000 yuan, the rest 未达标), a contract text uploaded by
two in five enterprises, one in ten of them featured with 5,000 yuan. Then the storage function
behind /rewards (storage.honours.figures.reward_totals, the city, this year) runs RUNS times in
a session of its own each, and once more with its .xlsx (rewards_sheet). Goal: p95 < 100 ms.
Nothing is asserted; the figures are printed. bench/cases.py calls measure_rewards() too.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from bench.common import (
    bench_arguments,
    max_rss_mib,
    median,
    ms,
    percentile,
    postgres_databases,
    postgres_server_url,
    postgres_version,
    print_header,
    shown,
    sqlite_databases,
)
from storage import db
from storage.honours import figures
from storage.models import (
    Acceptance,
    ContractText,
    Enterprise,
    ModelNomination,
    ModelQuota,
)
from storage.people.districts import district_ids

ENTERPRISES = 4_311
DISTRICTS = ("平谷", "密云", "昌平", "怀柔", "西城", "顺义")
REGIONS = ("东部", "西部", "北部")
YEARS = 5
RUNS = 50
SEED = 14
ADMIN = 1000


async def _seed(sessions: db.Sessions, year: int) -> dict[str, int]:
    """Writes the registry and five years of honours in bulk; returns the row counts."""
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        ids = await district_ids(session)
        await session.execute(
            insert(Enterprise),
            [
                {
                    "name": f"基准企业{i:05d}",
                    "district_id": ids[DISTRICTS[i % len(DISTRICTS)]],
                    "region": REGIONS[(i // len(DISTRICTS)) % len(REGIONS)],
                    "collective_contract": rng.random() < 0.7,
                }
                for i in range(ENTERPRISES)
            ],
        )
        rows = (
            await session.execute(
                select(Enterprise.id, Enterprise.district_id, Enterprise.region)
                .where(Enterprise.name.startswith("基准企业"))
                .order_by(Enterprise.id)
            )
        ).all()
    quotas: list[dict[str, Any]] = []
    nominations: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    for y in range(year - YEARS + 1, year + 1):
        for name in DISTRICTS:
            for region in REGIONS:
                quotas.append(
                    {
                        "year": y,
                        "district_id": ids[name],
                        "region": region,
                        "quota": 60,
                        "set_by": ADMIN,
                    }
                )
        for enterprise_id, district_id, region in rows:
            if rng.random() < 0.2:
                passed = rng.random() < 0.8
                nominations.append(
                    {
                        "year": y,
                        "enterprise_id": enterprise_id,
                        "district_id": district_id,
                        "region": region,
                        "nominated_by": ADMIN,
                        "nominated_at": now,
                        "acceptance": (Acceptance.PASSED if passed else Acceptance.FAILED).value,
                        "accepted_by": ADMIN,
                        "accepted_at": now,
                        "reward": 10_000 if passed else None,
                        "rewarded_by": ADMIN if passed else None,
                        "rewarded_at": now if passed else None,
                    }
                )
            if rng.random() < 0.4:
                featured = rng.random() < 0.1
                texts.append(
                    {
                        "enterprise_id": enterprise_id,
                        "year": y,
                        "file_id": f"BQACAgIAAx{enterprise_id}-{y}",
                        "file_name": "集体合同.pdf",
                        "featured": featured,
                        "reward": 5_000 if featured else None,
                        "uploaded_by": ADMIN,
                        "uploaded_at": now,
                        "featured_by": ADMIN if featured else None,
                        "featured_at": now if featured else None,
                    }
                )
    async with sessions.begin() as session:
        await session.execute(insert(ModelQuota), quotas)
        await session.execute(insert(ModelNomination), nominations)
        await session.execute(insert(ContractText), texts)
    return {"nominations": len(nominations), "texts": len(texts)}


def _backend(url: str) -> str:
    return "PostgreSQL" if make_url(url).get_backend_name() == "postgresql" else "SQLite"


async def measure_rewards(database_url: str) -> list[str]:
    """Migrates and seeds the database at `database_url` (empty, or migrated without these
    rows), times /rewards for the city, and returns the lines to print."""
    await asyncio.to_thread(db.upgrade, database_url)
    engine = db.create_engine(database_url)
    sessions = db.create_sessions(engine)
    year = datetime.now(UTC).year
    try:
        started = time.perf_counter()
        counts = await _seed(sessions, year)
        seeded = time.perf_counter() - started
        timings: list[float] = []
        totals = None
        for _ in range(RUNS):
            started = time.perf_counter()
            async with sessions() as session:
                totals = await figures.reward_totals(session, year, None)
            timings.append(time.perf_counter() - started)
        with_sheet: list[float] = []
        for _ in range(5):
            started = time.perf_counter()
            async with sessions() as session:
                found = await figures.reward_totals(session, year, None)
                await figures.rewards_sheet(session, found, None)
            with_sheet.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    assert totals is not None
    city = totals.all
    name = _backend(database_url)
    return [
        f"/rewards benchmark, {name}: {ENTERPRISES:,} enterprises in {len(DISTRICTS)} districts × "
        f"{len(REGIONS)} regions, {YEARS} years: {counts['nominations']:,} nominations, "
        f"{counts['texts']:,} contract texts (seeded in {seeded:.1f} s)",
        f"  /rewards {year}, the city: {city.model_count:,} model enterprises "
        f"{city.model_yuan:,} yuan + {city.featured_count:,} featured contracts "
        f"{city.featured_yuan:,} yuan = {city.total:,} yuan",
        f"  reward_totals   p50 {ms(median(timings))} ms, p95 {ms(percentile(timings, 95))} ms, "
        f"max {ms(max(timings))} ms over {RUNS} runs (goal p95 < 100 ms)",
        f"  with its .xlsx  p50 {ms(median(with_sheet))} ms, max {ms(max(with_sheet))} ms over "
        f"{len(with_sheet)} runs",
    ]


async def main(arguments: argparse.Namespace) -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    server = arguments.postgres or postgres_server_url()
    versions = [f"PostgreSQL {await postgres_version(server)}"] if server else []
    print_header("rewards benchmark (model enterprises, featured contracts)", *versions)
    if server:
        print(f"  postgres: {shown(server)}")
    print()
    with tempfile.TemporaryDirectory(prefix="xs-bench-") as folder:
        async with sqlite_databases(Path(folder), "honours")() as url:
            for line in await measure_rewards(url):
                print(line)
    if server:
        async with postgres_databases(server)() as url:
            for line in await measure_rewards(url):
                print(line)
    print(f"process max RSS (whole run): {max_rss_mib():.0f} MiB")


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = bench_arguments("python -m bench.honours", __doc__)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_arguments()))
