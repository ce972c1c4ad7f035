"""CPU-heavy work (the .xlsx of 100k rows) in a worker process, so the bot keeps answering.

A thread is not enough: openpyxl holds the GIL while it writes cells, and bench/reports.py
measured /me taking seconds while an export ran in a thread. A process has its own GIL; it
opens its own database connection and hands back the finished workbook.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from storage import db
from storage.common.periods import Period
from storage.reports import exports

_pool: ProcessPoolExecutor | None = None


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: a forked child would inherit the running event loop and sockets.
        # One task per child: the worker gives its ~150 MB back after each export.
        _pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            max_tasks_per_child=1,
        )
    return _pool


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


async def export_workbook(
    url: str, period: Period, *, district_id: int | None, tag: str | None = None
) -> exports.ExportResult:
    """The export workbook of `period` (bytes in `.data`), of the reports carrying `tag` if
    one is given, built in the worker process."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_get_pool(), _build_export, url, period, district_id, tag)


def shutdown() -> None:
    """Stops the worker process, if one was started."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
