"""Trainings benchmark: invitations to 1,050 instructors, and 300 check-ins while reminders go out.

Run with `python -m bench.trainings` (or `make bench-trainings`); add `--postgres [URL]` (or set
BENCH_DATABASE_URL / TEST_DATABASE_URL) for PostgreSQL beside SQLite. Each backend gets a fresh
migrated database with the broadcast benchmark's world (1,050 bound instructors, 17 groups, 10
district admins), and the bot runs as deployed: `bot.runtime.Runtime`, i.e. the real
Application with its Pacer, getUpdates long-polling into the inbox, the dispatcher, the outbox
`Sender` and the 0.5 s tick, over HTTP to the Bot API stand-in (bot/sandbox/botapi.py) with
Telegram's flood limits on (a 429 when exceeded) and 50 ms added to every answer. Every update
is pushed to the stand-in's getUpdates, as Telegram hands it to the bot.

1. Invitations: HQ sends a one-line `/training … 对象:全体` and presses the draft's 发出邀请;
   the handler releases the training (one outbox row per joined instructor, 1,050) and wakes
   the sender. Measured from the release's commit (the press's answerCallbackQuery reaching the
   stand-in, which the handler sends right after committing) to the last invitation at the
   stand-in, beside the floor Telegram's 30 sends a second allow (1,050 / 30 = 35 s).
2. Check-in: a training starting now with 300 attending (its check-in open, its reminders and
   code sent earlier) is written in one transaction, and its 300 attendees send
   `/checkin <code>`, arriving uniformly at random over 60 s (seeded). A check-in's delay is the
   arrival at the stand-in of its answer (sent by the handler, not through the outbox) minus
   the moment its update was pushed to getUpdates. Goal: p95 under 2 s. Two scenarios on the
   same database, one after the other: "quiet" (only the check-ins), and "reminders": the same
   transaction also writes 10 other trainings of 100 attending each, released three days ago,
   5 starting in 23 h 50 min (the 1-day reminder due) and 5 in 50 min (the 1-hour reminder
   due), so that the next tick enqueues 1,000 reminders that the sender paces out while the
   check-ins come. A handler in group -1 notes when the Application starts on each update,
   which splits the delay into the wait before the handler (getUpdates, inbox, dispatcher
   queue) and the handling up to the answer's arrival.

Real time throughout (no compressed clock); it takes about 3 minutes a backend. Nothing is
asserted; the figures are printed.
"""

from __future__ import annotations

import os

# RetryAfter reads retry_after as a timedelta only with this set; it must precede PTB's import.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import argparse
import asyncio
import logging
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from telegram import Update
from telegram.ext import TypeHandler

from bench.broadcast import HQ_ID, INSTRUCTOR_BASE, INSTRUCTORS, busiest
from bench.broadcast import seed as seed_world
from bench.common import (
    Fresh,
    LogCounter,
    bench_arguments,
    deployed_bot,
    max_rss_mib,
    percentile,
    postgres_databases,
    postgres_server_url,
    postgres_version,
    print_header,
    shown,
    sqlite_databases,
    table,
)
from bench.reports.standin import message_update
from bot.context import Context
from bot.sandbox.botapi import SEND_METHODS, BotApiStandIn, Call
from bot.texts import t
from schedules.callups import voice
from schedules.delivery import Pacer
from storage import db
from storage.messaging.notices import Audience
from storage.models import (
    Instructor,
    NoticeAudience,
    OutboxMessage,
    SeatStatus,
    Training,
    TrainingFormat,
    TrainingSeat,
    TrainingStatus,
)
from storage.trainings.parsing import TrainingSpec
from storage.trainings.records import INVITE_KIND, REMIND_KIND, create_draft

SEED = 20261127
LANG = "zh_CN"
TIMEZONE = "Asia/Shanghai"
LATENCY = 0.05  # added by the stand-in to every answer
PER_SECOND = 30  # Telegram's global limit: the floor of a broadcast's time
INVITED_TITLE = "集体协商实务培训"
CHECKIN_TITLE = "工资集体协商要约实务"
REMINDED_TITLE = "协商能力提升班"  # + " 第 k 期"
CHECKINS = 300
SPREAD = 60.0  # the check-ins arrive uniformly over this many seconds
REMINDED = 10  # other trainings whose reminders fall due as the check-ins begin
REMINDED_EACH = 100
DELAY_GOAL = 2.0
WATCH_EVERY = 0.02  # seconds between two looks at the stand-in's calls
GIVE_UP_AFTER = 180.0  # seconds a phase waits past its last push before it stops waiting
SCENARIOS = (("quiet", 0), ("reminders", REMINDED))  # (name, trainings reminded meanwhile)
NOTES: list[str] = []


# --- the stand-in's calls ------------------------------------------------------------------


def sent(call: Call) -> bool:
    return call.method in SEND_METHODS and not call.rejected


def text_of(call: Call) -> str:
    return str(call.params.get("text") or call.params.get("caption") or "")


def chat_of(call: Call) -> int:
    return int(call.params.get("chat_id") or 0)


def is_instructor(chat_id: int) -> bool:
    return INSTRUCTOR_BASE <= chat_id < INSTRUCTOR_BASE + INSTRUCTORS


async def wait_until(condition: Callable[[], bool], what: str, seconds: float) -> bool:
    """Waits until `condition()` holds; False (and a note) if `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            NOTES.append(f"gave up after {seconds:.0f} s waiting for {what}")
            return False
        await asyncio.sleep(WATCH_EVERY)
    return True


def button_data(call: Call, label: str) -> str | None:
    markup = call.params.get("reply_markup")
    if not isinstance(markup, dict):
        return None
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if button.get("text") == label and "callback_data" in button:
                return str(button["callback_data"])
    return None


def press_update(call: Call, data: str) -> dict[str, Any]:
    """HQ's press on a button of the message `call` sent, as Telegram sends it."""
    user = {"id": HQ_ID, "is_bot": False, "first_name": "市总", "language_code": "zh"}
    message = dict(call.result) if isinstance(call.result, dict) else {}
    return {
        "callback_query": {
            "id": f"press-{time.monotonic_ns()}",
            "from": user,
            "chat_instance": str(HQ_ID),
            "data": data,
            "message": message,
        }
    }


@dataclass
class Trouble:
    """The stand-in's 429s and the pacer's pauses, counted from a phase's start."""

    standin: BotApiStandIn
    pacer: Pacer | None
    first_429: int = 0
    first_pause: int = 0

    def __post_init__(self) -> None:
        self.first_429 = self.standin.too_many_requests
        self.first_pause = self.pacer.pauses if self.pacer else 0

    def figure(self) -> str:
        pauses = (self.pacer.pauses if self.pacer else 0) - self.first_pause
        return f"{self.standin.too_many_requests - self.first_429} / {pauses}"


# --- 1. the invitations --------------------------------------------------------------------


async def invite_everyone(
    standin: BotApiStandIn, sessions: db.Sessions, pacer: Pacer | None
) -> list[tuple[str, str]]:
    """/training for everyone and 发出邀请, through the bot; the figures of the broadcast."""
    trouble = Trouble(standin, pacer)
    today = datetime.now(UTC).astimezone(voice(t, LANG, TIMEZONE).timezone).date()
    day = (today + timedelta(days=7)).isoformat()
    command = f"/training {INVITED_TITLE} 时间:{day} 9:00-12:00 地点:市总工会303会议室 对象:全体"
    before = len(standin.calls)
    standin.push_update(message_update(HQ_ID, command, "市总"))
    label = t(LANG, "training.button.send")
    draft: list[tuple[Call, str]] = []

    def drafted() -> bool:
        for call in standin.calls[before:]:
            data = button_data(call, label) if chat_of(call) == HQ_ID else None
            if data is not None:
                draft.append((call, data))
                return True
        return False

    if not await wait_until(drafted, "the draft", 30.0):
        return []
    call, data = draft[0]
    before = len(standin.calls)
    pressed = time.monotonic()
    standin.push_update(press_update(call, data))
    invited: set[int] = set()
    cursor = before
    last = pressed

    def all_invited() -> bool:
        nonlocal cursor, last
        calls = standin.calls[cursor:]
        cursor += len(calls)
        for one in calls:
            if sent(one) and is_instructor(chat_of(one)) and INVITED_TITLE in text_of(one):
                invited.add(chat_of(one))
                last = one.at
        return len(invited) >= INSTRUCTORS

    await wait_until(all_invited, "the invitations", GIVE_UP_AFTER)
    calls = standin.calls[before:]
    answers = [c.at for c in calls if c.method == "answerCallbackQuery"]
    committed = answers[0] if answers else float("nan")
    invitations = [c for c in calls if sent(c) and INVITED_TITLE in text_of(c)]
    others = sum(1 for c in calls if sent(c) and c.at <= last) - len(invitations)
    edits = sum(1 for c in calls if c.method == "editMessageText" and c.at <= last)
    async with sessions() as session:
        rows = await session.scalar(select(func.count()).where(OutboxMessage.kind == INVITE_KIND))
    seconds = last - committed
    floor = INSTRUCTORS / PER_SECOND
    return [
        ("outbox rows of the release", str(rows)),
        ("invitations sent (distinct invitees)", f"{len(invitations)} ({len(invited)})"),
        ("press → release committed (s)", f"{committed - pressed:.2f}"),
        ("committed → last invitation (s)", f"{seconds:.1f}"),
        (f"floor: {INSTRUCTORS} / {PER_SECOND} (s)", f"{floor:.1f}"),
        ("time / floor", f"{seconds / floor:.3f}"),
        ("rate (invitations/s)", f"{len(invited) / seconds:.1f}"),
        ("most sends in a sliding 1 s", str(busiest([c.at for c in calls if sent(c)], 1.0))),
        ("other sends meanwhile / edits", f"{others} / {edits}"),
        ("429 answers (stand-in) / pacer pauses", trouble.figure()),
        ("process max RSS so far (MiB)", f"{max_rss_mib():.0f}"),
    ]  # fmt: skip


# --- 2. check-in ---------------------------------------------------------------------------


@dataclass
class Setup:
    training_id: int
    code: str
    checkers: list[int]  # Telegram ids of the attendees checking in
    reminders: int  # seats whose reminder falls due
    seconds: float  # the setup's transaction


def spec(title: str, starts_at: datetime) -> TrainingSpec:
    return TrainingSpec(
        title=title,
        format=TrainingFormat.LECTURE,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        place="市总工会303会议室",
        audience=Audience(NoticeAudience.ALL),
        capacity=None,
        deadline=starts_at,
    )


async def set_up(sessions: db.Sessions, scenario: str, reminded: int) -> Setup:
    """In one transaction: a training starting now with CHECKINS attending (its reminders and
    code already sent), and `reminded` trainings of REMINDED_EACH attending whose 1-day or
    1-hour reminder is due, all released three days ago."""
    rng = random.Random(f"{SEED}:{scenario}")
    start = time.perf_counter()
    now = datetime.now(UTC)
    released = now - timedelta(days=3)
    async with sessions.begin() as session:
        people = dict((await session.execute(select(Instructor.id, Instructor.telegram_id))).all())
        ids = sorted(people)
        sent_before = {
            "day_reminded_at": now - timedelta(days=1),
            "hour_reminded_at": now - timedelta(hours=1),
            "code_sent_at": now - timedelta(minutes=15),
        }
        plans = [(f"{CHECKIN_TITLE}（{scenario}）", now, rng.sample(ids, CHECKINS), sent_before)]
        for k in range(reminded):
            by_day = k < reminded // 2
            starts = now + (timedelta(hours=23, minutes=50) if by_day else timedelta(minutes=50))
            done = {} if by_day else {"day_reminded_at": now - timedelta(hours=23)}
            title = f"{REMINDED_TITLE} 第 {k + 1} 期"
            plans.append((title, starts, rng.sample(ids, REMINDED_EACH), done))
        trainings = []
        for title, starts, attendees, done in plans:
            training = await create_draft(
                session, spec(title, starts), created_by=HQ_ID, scope_district_id=None,
                now=released,
            )  # fmt: skip
            trainings.append(training)
            await session.execute(
                update(Training)
                .where(Training.id == training.id)
                .values(status=TrainingStatus.OPEN.value, released_at=released,
                        scheduled_at=released, **done)
            )  # fmt: skip
            await session.execute(
                insert(TrainingSeat),
                [
                    {"training_id": training.id, "instructor_id": iid,
                     "status": SeatStatus.ATTENDING.value, "invited_at": released,
                     "answered_at": released + timedelta(hours=1), "lead": False}
                    for iid in attendees
                ],
            )  # fmt: skip
    checkers = [int(people[i] or 0) for i in plans[0][2]]
    seconds = time.perf_counter() - start
    first = trainings[0]
    return Setup(first.id, first.checkin_code, checkers, reminded * REMINDED_EACH, seconds)


@dataclass
class CheckIns:
    """What one check-in scenario saw, by the checker's Telegram id."""

    pushed: dict[int, float] = field(default_factory=dict)
    started: dict[int, float] = field(default_factory=dict)  # the Application took the update
    answered: dict[int, float] = field(default_factory=dict)
    answers: dict[int, str] = field(default_factory=dict)
    reminders: list[float] = field(default_factory=list)  # arrivals at the stand-in


class StartWatch:
    """A handler in group -1 that notes when the Application starts on each /checkin."""

    def __init__(self) -> None:
        self.seen = CheckIns()

    async def __call__(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None and (message.text or "").startswith("/checkin"):
            self.seen.started.setdefault(message.chat_id, time.monotonic())


async def check_in(
    standin: BotApiStandIn,
    sessions: db.Sessions,
    pacer: Pacer | None,
    watch: StartWatch,
    scenario: str,
    reminded: int,
) -> list[tuple[str, str]]:
    """One check-in scenario: the setup, then the pushes over SPREAD s; its figures."""
    seen = watch.seen = CheckIns()
    trouble = Trouble(standin, pacer)
    before = len(standin.calls)
    setup = await set_up(sessions, scenario, reminded)
    begin = time.monotonic()
    rng = random.Random(f"{SEED}:{scenario}:arrivals")
    arrivals = sorted(rng.uniform(0, SPREAD) for _ in setup.checkers)

    async def push_all() -> None:
        for at, telegram_id in zip(arrivals, setup.checkers, strict=True):
            wait = begin + at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            seen.pushed[telegram_id] = time.monotonic()
            standin.push_update(message_update(telegram_id, f"/checkin {setup.code}"))

    pushing = asyncio.create_task(push_all())
    cursor = before

    def done() -> bool:
        nonlocal cursor
        calls = standin.calls[cursor:]
        cursor += len(calls)
        for call in calls:
            if not sent(call):
                continue
            chat, text = chat_of(call), text_of(call)
            if REMINDED_TITLE in text:
                seen.reminders.append(call.at)
            elif chat in seen.pushed and chat not in seen.answered:
                seen.answered[chat] = call.at
                seen.answers[chat] = text
        return (
            pushing.done()
            and len(seen.answered) >= len(setup.checkers)
            and len(seen.reminders) >= setup.reminders
        )

    await wait_until(done, f"the {scenario} check-ins", SPREAD + GIVE_UP_AFTER)
    pushing.cancel()
    calls = standin.calls[before:]
    async with sessions() as session:
        checked_in = await session.scalar(
            select(func.count()).where(
                TrainingSeat.training_id == setup.training_id,
                TrainingSeat.checked_in_at.is_not(None),
            )
        )
        queued = await session.scalar(select(func.count()).where(OutboxMessage.kind == REMIND_KIND))
    return figures(seen, setup, calls, begin, checked_in or 0, queued or 0, trouble)


def figures(
    seen: CheckIns,
    setup: Setup,
    calls: list[Call],
    begin: float,
    checked_in: int,
    queued: int,
    trouble: Trouble,
) -> list[tuple[str, str]]:
    def spread(values: list[float]) -> str:
        if not values:
            return "-"
        return f"{percentile(values, 50):.3f} / {percentile(values, 95):.3f}"

    delays = [seen.answered[i] - at for i, at in seen.pushed.items() if i in seen.answered]
    waits = [seen.started[i] - at for i, at in seen.pushed.items() if i in seen.started]
    handling = [seen.answered[i] - seen.started[i] for i in seen.answered if i in seen.started]
    success = t(LANG, "checkin.ok", title="", when="", place="").split("\n")[0]
    ok = sum(1 for text in seen.answers.values() if text.startswith(success))
    p95 = percentile(delays, 95) if delays else float("nan")
    reminders = (
        f"{min(seen.reminders) - begin:.1f} / {max(seen.reminders) - begin:.1f}"
        if seen.reminders
        else "-"
    )
    floor = (len(seen.reminders) + len(seen.answered)) / PER_SECOND
    return [
        ("setup transaction (ms)", f"{setup.seconds * 1000:.0f}"),
        ("/checkin pushed / answered", f"{len(seen.pushed)} / {len(seen.answered)}"),
        ("answered 签到成功 / seats checked in", f"{ok} / {checked_in}"),
        ("delay p50 (s)", f"{percentile(delays, 50):.3f}" if delays else "-"),
        ("delay p95 (s)", f"{p95:.3f}"),
        ("delay max (s)", f"{max(delays):.3f}" if delays else "-"),
        (f"p95 < {DELAY_GOAL:.0f} s", "met" if p95 < DELAY_GOAL else "MISSED"),
        ("before the handler p50 / p95 (s)", spread(waits)),
        ("handler to answer p50 / p95 (s)", spread(handling)),
        ("reminders enqueued / at the stand-in", f"{queued} / {len(seen.reminders)}"),
        ("first / last reminder after setup (s)", reminders),
        ("floor: (reminders + answers) / 30 (s)", f"{floor:.1f}"),
        ("most sends in a sliding 1 s", str(busiest([c.at for c in calls if sent(c)], 1.0))),
        ("429 answers (stand-in) / pacer pauses", trouble.figure()),
    ]  # fmt: skip


# --- the runs ------------------------------------------------------------------------------


@dataclass
class Results:
    broadcast: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    checkins: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


async def backend(name: str, fresh: Fresh, errors: LogCounter, results: Results) -> None:
    """Both parts on a fresh database of one kind, the bot running as deployed."""
    errors.count, errors.first = 0, None
    async with fresh() as url:
        start = time.perf_counter()
        await asyncio.to_thread(db.upgrade, url)
        engine = db.create_engine(url)
        try:
            sessions = db.create_sessions(engine)
            await seed_world(sessions)
            seeded = time.perf_counter() - start
            watch = StartWatch()
            async with deployed_bot(
                url, hq_id=HQ_ID, language=LANG, timezone=TIMEZONE, latency=LATENCY,
                announce=NOTES.append, watchers=[TypeHandler(Update, watch)],
            ) as bot:  # fmt: skip
                standin, pacer = bot.standin, bot.pacer
                polling = await wait_until(
                    lambda: any(c.method == "getUpdates" for c in standin.calls),
                    "the bot to poll",
                    30.0,
                )
                broadcast = await invite_everyone(standin, sessions, pacer) if polling else []
                for scenario, reminded in SCENARIOS:
                    results.checkins[f"{name} {scenario}"] = await check_in(
                        standin, sessions, pacer, watch, scenario, reminded
                    )
            async with sessions() as session:
                pending = await session.scalar(
                    select(func.count()).where(OutboxMessage.status == "pending")
                )
        finally:
            await engine.dispose()
    if errors.first:
        NOTES.append(f"{name}: {errors.count} errors logged, the first: {errors.first}")
    results.broadcast[name] = [
        ("seeding 1,050 instructors (s)", f"{seeded:.1f}"),
        *broadcast,
        ("outbox rows still pending at the end", str(pending)),
        ("errors logged (whole run)", str(errors.count)),
    ]


def print_table(title: str, runs: dict[str, list[tuple[str, str]]]) -> None:
    names = list(runs)
    rows: list[tuple[str, ...]] = [(title, *names)]
    for index, (label, _) in enumerate(runs[names[0]]):
        rows.append((label, *(runs[n][index][1] if index < len(runs[n]) else "-" for n in names)))
    print(table(rows))
    print()


async def main(arguments: argparse.Namespace) -> None:
    errors = LogCounter(logging.ERROR)
    logging.getLogger().addHandler(errors)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    server = arguments.postgres or postgres_server_url()
    versions = [f"PostgreSQL {await postgres_version(server)}"] if server else []
    print_header("trainings benchmark", *versions)
    print(
        f"  setup   : {INSTRUCTORS} instructors; 1. a training for all through /training and "
        f"发出邀请; 2. {CHECKINS} /checkin over {SPREAD:.0f} s, alone and while {REMINDED} "
        f"trainings × {REMINDED_EACH} attending get their reminders"
    )
    print(
        f"  bot     : as deployed (bot.runtime: getUpdates → inbox → dispatcher, outbox sender, "
        f"tick); stand-in latency {LATENCY * 1000:.0f} ms, Telegram's limits on"
    )
    if server:
        print(f"  postgres: {shown(server)}")
    print()
    results = Results()
    with tempfile.TemporaryDirectory(prefix="xs-bench-") as folder:
        await backend("SQLite", sqlite_databases(Path(folder), "trainings"), errors, results)
    if server:
        await backend("PostgreSQL", postgres_databases(server), errors, results)
    print_table("1. invitations to everyone", results.broadcast)
    print_table("2. /checkin, 300 over 60 s", results.checkins)
    for note in NOTES:
        print(note)
    print(f"process max RSS (whole run): {max_rss_mib():.0f} MiB")


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = bench_arguments("python -m bench.trainings", __doc__)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_arguments()))
