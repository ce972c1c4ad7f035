"""`python -m bench.reports`: the parts asked for, on SQLite and optionally PostgreSQL."""

from __future__ import annotations

import os

# RetryAfter reads retry_after as a timedelta only with this set; it must precede PTB's import.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path

from bench.common import (
    POSTGRES_DEFAULT,
    postgres_server_url,
    postgres_version,
    print_header,
    shown,
    table,
)
from bench.reports import __doc__ as overview
from bench.reports.export import export_child, part_export
from bench.reports.stats import part_stats
from bench.reports.submission import part_submission
from bench.reports.world import (
    ERRORS,
    GOALS,
    REPETITIONS,
    Backend,
    postgres_backend,
    sqlite_backend,
)


async def main(arguments: argparse.Namespace) -> None:
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

    print_header("reports benchmark")
    backends: list[Backend] = []
    with tempfile.TemporaryDirectory(prefix="xs-bench-") as folder:
        backends.append(sqlite_backend(Path(folder)))
        if arguments.postgres:
            server = postgres_server_url() or POSTGRES_DEFAULT
            print(f"  postgres: {await postgres_version(server)} at {shown(server)}")
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
        prog="python -m bench.reports", description=(overview or "").split("\n")[0]
    )
    parser.add_argument("--part", type=int, choices=(1, 2, 3), help="run only this part")
    parser.add_argument("--postgres", action="store_true", help="also on a throw-away PostgreSQL")
    parser.add_argument("--repetitions", type=int, default=REPETITIONS, help="/stats runs")
    parser.add_argument("--export-child", help=argparse.SUPPRESS)
    parser.add_argument("--year", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--instructors", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_arguments()))
