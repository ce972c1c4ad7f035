"""Part 3: /export of 100,000 reports through the handler, and /me answered meanwhile.

The export is measured in a fresh process (`python -m bench.reports --export-child …`), where
nothing else has grown the memory yet. Everything goes through the bot as built: the export's
end is the moment the stand-in received its workbook, and its handler's task is waited for as
PTB itself waits for it; no handler is replaced or reconfigured.
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import TypeHandler

from bench.common import median, ms, percentile, table
from bench.reports.standin import StandInProcess, feed, message_update, process, run_sequentially
from bench.reports.world import (
    ERRORS,
    EXPORT_REPORTS,
    HQ_ID,
    ME_COMMANDS,
    ME_P99_MS_GOAL,
    RSS_MB_GOAL,
    TELEGRAM_BASE,
    Backend,
    bot,
    bulk_reports,
    goal,
    rebuild_rollups,
    seed,
)


async def part_export(backend: Backend) -> None:
    today = datetime.now(UTC).date()
    export_year = today.year - 1
    print(
        f"--- part 3, {backend.name}: /export {export_year} of {EXPORT_REPORTS:,} reports, "
        f"and {ME_COMMANDS} /me meanwhile"
    )
    async with backend.fresh() as url:
        seeded = await seed(url)
        seconds, _ = await bulk_reports(
            url, seeded, EXPORT_REPORTS, date(export_year, 1, 1), date(export_year, 12, 31)
        )
        rebuilt = await rebuild_rollups(url)
        print(
            f"  seeded and inserted {EXPORT_REPORTS:,} reports in {seconds:.1f} s, rollups "
            f"rebuilt in {rebuilt:.1f} s; measuring in a fresh process"
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

    def export_update() -> dict[str, Any]:
        return message_update(HQ_ID, f"/export {export_year}", "总工会")

    def me_updates() -> list[dict[str, Any]]:
        return [
            message_update(instructors[i % len(instructors)], "/me") for i in range(ME_COMMANDS)
        ]

    async def last_document() -> tuple[str, int, float]:
        """(name, bytes, time.monotonic() on arrival) of the last workbook the stand-in got."""
        name, size, at = (await standin.summary())["documents"][-1]
        return str(name), int(size), float(at)

    try:
        async with bot(url, standin) as (app, _engine):
            for data in me_updates()[:20]:
                await feed(app, data)  # warm: connections, imports, caches
            print(f"  stand-in pid {standin.pid}")

            # A: the export alone (the first one: the worker process starts here); peak RSS
            # of this process over it, and of the worker process.
            gc.collect()
            rss_before = proc_status("VmRSS")
            resettable = reset_peak_rss()
            hwm_before = proc_status("VmHWM")
            export_alone = await feed(app, export_update())
            hwm_after = proc_status("VmHWM")
            growth_kib = hwm_after - (rss_before if resettable else hwm_before)
            workers = worker_peaks({standin.pid})
            figures["bot_growth_mb"] = growth_kib / 1024
            figures["worker_mb"] = sum(peak for peak, _ in workers.values()) / 1024
            figures["rss_growth_mb"] = figures["bot_growth_mb"] + figures["worker_mb"]
            name, size, _ = await last_document()
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

            # B: the export's update processed (its handler runs on as the task it started);
            # /me processed one after another meanwhile, each process_update timed.
            start = time.perf_counter()
            export = asyncio.ensure_future(asyncio.gather(*await process(app, export_update())))
            during: list[float] = []
            for data in me_updates():
                if export.done():
                    break
                latency = await feed(app, data)
                if not export.done():
                    during.append(latency)
                await asyncio.sleep(max(0.0, interval - latency))
            await export
            export_seconds = time.perf_counter() - start
            mode = "B: export task + /me via process_update"
            figures["p99"][mode] = percentile(during, 99) * 1000 if during else float("nan")
            rows.append(
                (
                    mode,
                    f"{export_seconds:.2f}",
                    f"{len(during)} during",
                    ms(median(during)) if during else "-",
                    ms(percentile(during, 99)) if during else "-",
                    ms(max(during)) if during else "-",
                )
            )

            # C: PTB's own update fetcher, which the runtime feeds: the 200 /me are put on
            # app.update_queue at that pace, whether or not the bot keeps up. A handler in a
            # late group notes when each update's handlers are done; the export's end is the
            # workbook's arrival at the stand-in (time.monotonic() is one clock per host).
            finished: dict[int, float] = {}

            async def mark(update: Update, context: Any) -> None:
                finished[update.update_id] = time.monotonic()

            app.add_handler(TypeHandler(Update, mark), group=99)
            await app.start()
            start = time.monotonic()
            await app.update_queue.put(Update.de_json(export_update(), app.bot))
            sent: dict[int, float] = {}
            for data in me_updates():
                update = Update.de_json(data, app.bot)
                sent[update.update_id] = time.monotonic()
                await app.update_queue.put(update)
                await asyncio.sleep(interval)
            await app.update_queue.join()
            await app.stop()  # waits for the handlers' tasks, the export's among them
            _, _, export_end = await last_document()
            waits = [finished[uid] - at for uid, at in sent.items()]
            ended_during = sum(finished[uid] < export_end for uid in sent)
            mode = "C: PTB update fetcher, as built"
            figures["p99"][mode] = percentile(waits, 99) * 1000
            rows.append(
                (
                    mode,
                    f"{export_end - start:.2f}",
                    f"{ended_during} during",
                    ms(median(waits)),
                    ms(percentile(waits, 99)),
                    ms(max(waits)),
                )
            )
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
                "C = from putting each of the 200 on app.update_queue to the end of its "
                "handlers; 'during' = finished before the export did"
            )
    finally:
        standin.stop()
    print("RESULT " + json.dumps(figures))
