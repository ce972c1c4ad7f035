"""Broadcast benchmark: a notice to everyone through the real delivery layer, with users talking.

Run with `python -m bench.broadcast` (or `make bench-broadcast`). A fresh migrated SQLite database
in a temporary directory gets 1,050 bound instructors, 17 bound groups and 10 district admins.
A notice for everyone (with the 收到 button) is released into the outbox in one transaction,
then `Sender.drain()` sends it through the real Application's bot and its Pacer, over HTTP to
the Bot API stand-in (bot/sandbox/botapi.py) with Telegram's flood limits on (a 429 when exceeded)
and 50 ms added to every answer. While it drains, the 10 district admins send 100 `/help`
(one every 0.3 s, round robin: each admin every 3 s), each fed through the real
`Application.process_update` in a task of its own; an answer's delay is its arrival at the
stand-in minus the moment process_update was called.

Two runs, each on a fresh database: "clean", and "trouble" (5% of sends answered 502, 1% lost
after being performed, 30 instructors who blocked the bot). Printed: the time of the broadcast
against the floor Telegram's 30 sends a second allow, the rate achieved, the busiest sliding
second, 429s, the answers' delays, the busiest private chat and group, and the outcomes the
outbox recorded. Nothing is asserted. It takes about 2 × 40 s.
"""

from __future__ import annotations

import os

# RetryAfter reads retry_after as a timedelta only with this set; it must precede PTB's import.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import asyncio
import itertools
import logging
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from telegram import Update

from bench.common import LogCounter, max_rss_mib, percentile, print_columns, print_header
from bench.roster import GIVEN, MIX, SURNAMES
from bot.app import build_application
from bot.context import XieshangApp
from bot.sandbox.botapi import SEND_METHODS, BotApiStandIn, Call
from bot.settings import Settings
from bot.texts import t
from schedules.delivery import Pacer, Sender
from storage import db
from storage.messaging import notices
from storage.models import Admin, Group, Instructor, NoticeAudience, OutboxMessage
from storage.people.districts import district_ids

SEED = 20261125
TOKEN = "123456:BENCH"
HQ_ID = 1  # in settings.hq_admin_ids; the notice's author
LANG = "zh_CN"
INSTRUCTORS = 1050
INSTRUCTOR_BASE = 10_000  # instructor i has Telegram id INSTRUCTOR_BASE + i
GROUPS = 17  # one per district (16) and one for the city
GROUP_BASE = -100_000  # group g has chat id GROUP_BASE - g
ADMINS = 10
ADMIN_BASE = 900_000  # district admin k (1..10) has Telegram id ADMIN_BASE + k
INTERACTIVE = 100  # /help sent during the broadcast
SPACING = 0.3  # seconds between two of them (each admin speaks every ADMINS × SPACING s)
FIRST_AFTER = 1.0  # seconds after the broadcast starts
LATENCY = 0.05  # added by the stand-in to every answer
PER_SECOND = 30  # Telegram's global limit, the floor of a broadcast's time
BLOCKED = 30  # instructors who blocked the bot, in the trouble run
BAD_GATEWAY_RATE = 0.05
LOST_RATE = 0.01
LEVELS = {"市级": "city", "区级": "district", "街乡级": "street", "企业级": "enterprise"}
EMPLOYMENT = {"专职": "full_time", "兼职": "part_time"}
NOTICE_TEXT = (
    "各位指导员：请于本周五前完成第四季度工资集体协商要约行动情况统计，"
    "并通过 /report 报送走访记录。如有问题请联系区总工会。"
)
OUTCOMES = ("sent", "unreachable", "unknown", "failed", "pending", "sending")
NOTES: list[str] = []  # printed under the table


@dataclass(frozen=True)
class Trouble:
    """What the stand-in does wrong in a run."""

    bad_gateway_rate: float = 0.0
    lost_rate: float = 0.0
    blocked: int = 0


@dataclass
class Spoken:
    """One /help: who sent it, when process_update was called and when it returned."""

    chat_id: int
    start: float
    end: float = 0.0


# --- the database ------------------------------------------------------------------------


async def seed(sessions: db.Sessions) -> list[int]:
    """1,050 bound instructors, 17 bound groups and 10 district admins; returns the
    instructors' Telegram ids."""
    rng = random.Random(SEED)
    async with sessions.begin() as session:
        districts = list((await district_ids(session)).values())
        used: dict[int, set[str]] = {district: set() for district in districts}
        rows: list[dict[str, Any]] = []
        for level, employment, count in MIX:
            for index in range(count):
                district = (
                    districts[index % len(districts)]
                    if level != "街乡级"
                    else rng.choice(districts)
                )
                while True:
                    name = rng.choice(SURNAMES) + "".join(
                        rng.choices(GIVEN, k=rng.choice((1, 2, 2)))
                    )
                    if name not in used[district]:
                        used[district].add(name)
                        break
                rows.append(
                    {
                        "name": name,
                        "level": LEVELS[level],
                        "employment": EMPLOYMENT[employment],
                        "district_id": district,
                        "status": "active",
                        "telegram_id": INSTRUCTOR_BASE + len(rows),
                    }
                )
        assert len(rows) == INSTRUCTORS
        await session.execute(insert(Instructor), rows)
        groups = [
            {
                "chat_id": GROUP_BASE - g,
                "title": f"协商群 {g}",
                "scope": "district" if g < len(districts) else "city",
                "district_id": districts[g] if g < len(districts) else None,
                "bound_by": HQ_ID,
            }
            for g in range(GROUPS)
        ]
        await session.execute(insert(Group), groups)
        admins = [
            {
                "telegram_id": ADMIN_BASE + k,
                "role": "district_admin",
                "district_id": districts[k - 1],
                "added_by": HQ_ID,
            }
            for k in range(1, ADMINS + 1)
        ]
        await session.execute(insert(Admin), admins)
    return [row["telegram_id"] for row in rows]


async def release_notice(sessions: db.Sessions) -> int:
    """A notice for everyone with the 收到 button, released now; returns how many messages."""
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        notice = await notices.create_notice(
            session,
            created_by=HQ_ID,
            scope_district_id=None,
            audience=notices.Audience(NoticeAudience.ALL),
            text=NOTICE_TEXT,
            confirm=True,
            send_at=now,
        )
        return await notices.release(session, notice, t, LANG, now=now)


async def outcomes(sessions: db.Sessions) -> tuple[dict[str, int], int, int]:
    """Outbox rows per status, the retries recorded (sum of attempts) and the rows to groups."""
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        counts = {str(status): int(count) for status, count in rows}
        retries = (await session.execute(select(func.sum(OutboxMessage.attempts)))).scalar()
        to_groups = (
            await session.execute(select(func.count()).where(OutboxMessage.chat_id < 0))
        ).scalar()
    return counts, int(retries or 0), int(to_groups or 0)


# --- the conversation --------------------------------------------------------------------

_ids = itertools.count(1)


def help_update(user_id: int) -> dict[str, Any]:
    """A private `/help` as Telegram sends it."""
    message = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "区管理员"},
        "from": {"id": user_id, "is_bot": False, "first_name": "区管理员", "language_code": "zh"},
        "text": "/help",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
    }
    return {"update_id": next(_ids), "message": message}


async def speak(application: XieshangApp, user_id: int) -> Spoken:
    update = Update.de_json(help_update(user_id), application.bot)
    spoken = Spoken(user_id, time.monotonic())
    await application.process_update(update)
    spoken.end = time.monotonic()
    return spoken


async def converse(application: XieshangApp, begin: float) -> list[Spoken]:
    """100 /help, one every SPACING s from FIRST_AFTER s after `begin`, admins in turn."""
    tasks: list[asyncio.Task[Spoken]] = []
    for index in range(INTERACTIVE):
        wait = begin + FIRST_AFTER + index * SPACING - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        user_id = ADMIN_BASE + 1 + index % ADMINS
        tasks.append(asyncio.create_task(speak(application, user_id)))
    return list(await asyncio.gather(*tasks))


@dataclass
class Answers:
    delays: list[float]
    unanswered: int  # nothing delivered while its process_update ran
    first_refused: int  # the first attempt at answering was refused (502, 429)
    error_notices: int  # "something went wrong" sent to an admin
    overlapping: int  # an admin spoke again before the previous /help was done


def match_answers(spoken: Sequence[Spoken], calls: Sequence[Call]) -> Answers:
    """Each /help's answer: the first message delivered to its chat between the call of
    process_update and its return, in order (a later one stays for the next /help)."""
    by_chat: dict[int, list[Call]] = defaultdict(list)
    for call in calls:
        if call.method == "sendMessage":
            by_chat[int(call.params.get("chat_id", 0))].append(call)
    error_texts = {t(lang, "error.generic") for lang in ("zh_CN", "en")}
    answers = Answers([], 0, 0, 0, 0)
    mine: dict[int, list[Spoken]] = defaultdict(list)
    for one in spoken:
        mine[one.chat_id].append(one)
    for chat_id, ones in mine.items():
        ones.sort(key=lambda s: s.start)
        chat_calls = sorted(by_chat.get(chat_id, []), key=lambda c: c.at)
        answers.error_notices += sum(
            not c.rejected and c.params.get("text") in error_texts for c in chat_calls
        )
        taken = 0
        for index, one in enumerate(ones):
            if index + 1 < len(ones) and ones[index + 1].start < one.end:
                answers.overlapping += 1
            while taken < len(chat_calls) and chat_calls[taken].at < one.start:
                taken += 1
            first = True
            answered = False
            while taken < len(chat_calls) and chat_calls[taken].at <= one.end:
                call = chat_calls[taken]
                taken += 1
                if call.rejected:
                    answers.first_refused += first
                    first = False
                    continue
                answers.delays.append(call.at - one.start)
                answered = True
                break
            answers.unanswered += not answered
    return answers


# --- figures -----------------------------------------------------------------------------


def busiest(times: Sequence[float], window: float) -> int:
    """The most events in any sliding window of `window` s (as the stand-in counts: (t-w, t])."""
    ordered = sorted(times)
    best = low = 0
    for high, at in enumerate(ordered):
        while ordered[low] <= at - window:
            low += 1
        best = max(best, high - low + 1)
    return best


# --- one run -----------------------------------------------------------------------------


async def run(
    folder: Path, name: str, trouble: Trouble, errors: LogCounter
) -> list[tuple[str, str]]:
    url = f"sqlite+aiosqlite:///{folder / f'{name}.db'}"
    await asyncio.to_thread(db.upgrade, url)
    engine = db.create_engine(url)
    errors.count, errors.first = 0, None
    try:
        sessions = db.create_sessions(engine)
        instructor_ids = await seed(sessions)
        async with BotApiStandIn(username="xieshang_bench_bot") as standin:
            standin.rate_limits = True
            standin.latency = LATENCY
            standin.bad_gateway_rate = trouble.bad_gateway_rate
            standin.lost_rate = trouble.lost_rate
            standin.blocked = set(random.Random(SEED).sample(instructor_ids, trouble.blocked))
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                telegram_bot_token=TOKEN,
                telegram_api_url=standin.url,
                database_url=url,
                hq_admin_ids=frozenset({HQ_ID}),
            )
            application = build_application(settings, sessions)
            async with application:
                messages = await release_notice(sessions)
                sender = Sender(application.bot, sessions)
                before = len(standin.calls)

                async def drain() -> float:
                    await sender.drain()
                    return time.monotonic()

                begin = time.monotonic()
                broadcast = asyncio.create_task(drain())
                spoken = await converse(application, begin)
                end = await broadcast
                pacer = application.bot.rate_limiter
                pauses = pacer.pauses if isinstance(pacer, Pacer) else 0
            calls = standin.calls[before:]
            too_many = standin.too_many_requests
        counts, retries, groups_count = await outcomes(sessions)
    finally:
        await engine.dispose()

    admins = set(range(ADMIN_BASE + 1, ADMIN_BASE + ADMINS + 1))
    accepted = [c for c in calls if c.method in SEND_METHODS and not c.rejected]
    bulk = [c for c in accepted if int(c.params["chat_id"]) not in admins]
    during = [c for c in accepted if begin <= c.at <= end]
    private: dict[int, list[float]] = defaultdict(list)
    group: dict[int, list[float]] = defaultdict(list)
    for call in accepted:
        chat_id = int(call.params["chat_id"])
        (private if chat_id > 0 else group)[chat_id].append(call.at)
    answers = match_answers(spoken, calls)
    seconds = end - begin
    recipients = messages
    floor = recipients / PER_SECOND
    floor_all = (recipients + INTERACTIVE) / PER_SECOND
    delays = answers.delays or [float("nan")]

    figures: list[tuple[str, str]] = [
        ("recipients (private + groups)", f"{recipients - groups_count} + {groups_count}"),
        ("broadcast time (s)", f"{seconds:.1f}"),
        ("floor: recipients / 30 (s)", f"{floor:.1f}"),
        ("  time / floor", f"{seconds / floor:.3f}"),
        ("floor: (recipients + 100 replies) / 30 (s)", f"{floor_all:.1f}"),
        ("  time / floor with replies", f"{seconds / floor_all:.3f}"),
        ("rate, broadcast sends (/s)", f"{len(bulk) / seconds:.1f}"),
        ("rate, with interactive replies (/s)", f"{len(during) / seconds:.1f}"),
        ("most sends in a sliding 1 s", str(busiest([c.at for c in accepted], 1.0))),
        ("429 answers (stand-in)", str(too_many)),
        ("pacer pauses after a 429", str(pauses)),
        ("/help answered", f"{len(answers.delays)} of {len(spoken)}"),
        ("  delay p50 (s)", f"{percentile(delays, 50):.3f}"),
        ("  delay p95 (s)", f"{percentile(delays, 95):.3f}"),
        ("  delay max (s)", f"{max(delays):.3f}"),
        ("  first answer refused (502/429)", str(answers.first_refused)),
        ("  error notices sent", str(answers.error_notices)),
        ("  admin spoke again before done", str(answers.overlapping)),
        ("most to one private chat in 1 s", str(max(busiest(v, 1.0) for v in private.values()))),
        ("most to one group in 60 s", str(max(busiest(v, 60.0) for v in group.values()))),
        *((f"outbox {status}", str(counts.get(status, 0))) for status in OUTCOMES),
        ("outbox retries (sum of attempts)", str(retries)),
        ("other outbox statuses", str(sum(v for k, v in counts.items() if k not in OUTCOMES))),
        ("errors logged", str(errors.count)),
        ("process max RSS so far (MiB)", f"{max_rss_mib():.0f}"),
    ]
    if errors.first:
        NOTES.append(f"{name}: {errors.count} errors logged, the first: {errors.first}")
    return figures


async def main() -> None:
    errors = LogCounter(logging.ERROR)
    logging.getLogger().addHandler(errors)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    print_header("broadcast benchmark")
    print(
        f"  setup   : {INSTRUCTORS} instructors, {GROUPS} groups, {ADMINS} district admins; "
        f"{INTERACTIVE} /help every {SPACING} s from {FIRST_AFTER} s; "
        f"stand-in latency {LATENCY * 1000:.0f} ms, Telegram's limits on"
    )
    print(
        f"  trouble : {BAD_GATEWAY_RATE:.0%} of sends 502, {LOST_RATE:.0%} lost after being "
        f"performed, {BLOCKED} instructors blocked the bot"
    )
    print()

    runs = {
        "clean": Trouble(),
        "trouble": Trouble(BAD_GATEWAY_RATE, LOST_RATE, BLOCKED),
    }
    results: dict[str, list[tuple[str, str]]] = {}
    with tempfile.TemporaryDirectory(prefix="xs-bench-") as folder:
        for name, trouble in runs.items():
            results[name] = await run(Path(folder), name, trouble, errors)

    print_columns(results, NOTES)


if __name__ == "__main__":
    asyncio.run(main())
