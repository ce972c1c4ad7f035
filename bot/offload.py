"""CPU-heavy work (the .xlsx of 100k rows) in a worker process, so the bot keeps answering.

A thread is not enough: openpyxl holds the GIL while it writes cells, and bench/reports.py
measured /me taking seconds while an export ran in a thread. A process has its own GIL; it
opens its own database connection and hands back the finished workbook.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

from storage import db
from storage.common.periods import Period
from storage.reports import exports

# One export at a time, in a process of its own that exits after it (its ~150 MB go back).
# Not ProcessPoolExecutor(max_tasks_per_child=1): on Python 3.11 a pool whose worker exits at
# that limit may never spawn the next one (CPython gh-115634), and the next export hangs.
_one_at_a_time = threading.Lock()


def _build_export(
    url: str, period: Period, district_id: int | None, tag: str | None
) -> exports.ExportResult:
    """Runs in the worker process: its own engine, one read-only session."""

    async def build() -> exports.ExportResult:
        engine = db.create_engine(url)
        try:
            async with db.create_sessions(engine)() as session:
                return await exports.write_export(session, period, district_id=district_id, tag=tag)
        finally:
            await engine.dispose()

    return asyncio.run(build())


def _in_own_process(
    url: str, period: Period, district_id: int | None, tag: str | None
) -> exports.ExportResult:
    """Waits for the export before it, then builds this one in a fresh process (spawn, not
    fork: a forked child would inherit the running event loop and sockets)."""
    with (
        _one_at_a_time,
        ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn")
        ) as worker,
    ):
        return worker.submit(_build_export, url, period, district_id, tag).result()


async def export_workbook(
    url: str, period: Period, *, district_id: int | None, tag: str | None = None
) -> exports.ExportResult:
    """The export workbook of `period` (bytes in `.data`), of the reports carrying `tag` if
    one is given, built in a worker process."""
    return await asyncio.to_thread(_in_own_process, url, period, district_id, tag)
