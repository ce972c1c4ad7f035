"""Part 1: one-line /report throughput through the real Application against a bare echo bot."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import event, func, select
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from bench.common import median, ms, percentile, table
from bench.reports.standin import StandInProcess, message_update, run_sequentially
from bench.reports.world import (
    BLOCK,
    ENTERPRISES,
    ERRORS,
    INSTRUCTORS,
    NOTES,
    RATIO_GOAL,
    SEED,
    SUBMISSIONS,
    TELEGRAM_BASE,
    TOKEN,
    Backend,
    Seeded,
    bot,
    goal,
    seed,
)
from storage.models import Report, ReportSource


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


async def part_submission(backend: Backend) -> None:
    print(f"--- part 1, {backend.name}: {SUBMISSIONS:,} one-line /report through process_update")
    standin = StandInProcess()
    try:
        async with backend.fresh() as url:
            seeded = await seed(url)
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
