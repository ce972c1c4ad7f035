"""Annual evaluation benchmark: the dossiers of 1,050 instructors, 300 raters voting, the sheet.

Run with `python -m bench.evaluation` (or `make bench-evaluation`); add `--postgres [URL]` (or set
BENCH_DATABASE_URL / TEST_DATABASE_URL) for PostgreSQL beside SQLite, `--minutes M` to compress
the rating meeting (10 by default). Each backend gets a fresh migrated database with the
broadcast benchmark's world (1,050 bound instructors, 10 district admins) and a year (2026) of
data written in bulk: 24 reports per instructor on average (bench.reports.world's generator:
types, person-times, 80 % at one of 3,000 enterprises, 1 % deleted; 10 % tagged), 20 trainings
(10 for the whole city, one in each of 10 districts) with answers and check-ins, 40 call-ups
with their members and HQ's ratings, 120 mentoring pairs with their sign-offs. The bot runs as
deployed (bench.common.deployed_bot: bot.runtime.Runtime over HTTP to the Bot API stand-in with
Telegram's limits on and 50 ms added to every answer); every update is pushed to the stand-in's
getUpdates, as Telegram hands it to the bot.

1. Dossiers: `storage.evaluation.dossier.dossiers(session, 2026, all ids)`, timed twice (the
   first read of the tables, then again); then HQ's `/evaluation open 2026 截止:…` through the
   bot, timed from the push of the command to the confirmation at the stand-in (the round, its
   1,050 participants and their prompts with dossiers written to the outbox), and on to the
   last prompt at the stand-in (the floor is 1,050 / 30 a second = 35 s).
2. Democratic rating: 300 one-time links (storage.evaluation.raters), spread over the districts
   by their number of instructors as the district meetings hold them; each rater in a private
   chat of their own sends `/start rate_<token>`, grades every instructor of the district page
   by page with the buttons, and presses 提交. The raters start uniformly at random (seeded)
   over the first 60 % of the meeting (10 minutes unless `--minutes`), and each waits for the
   bot's answer before thinking 1–3 s (scaled with the meeting) and pressing the next button.
   An answer's delay is the arrival at the stand-in of the bot's first answer to the update
   (answerCallbackQuery, editMessageText, editMessageReplyMarkup or sendMessage) minus the
   moment the update was pushed; "shown" is the same up to the message's new text or keyboard.
   Goal: p95 under 2 s. The delay is split at the moment the Application starts on the update
   (a handler in group -1): the wait before it (getUpdates, the inbox, the dispatcher's lanes)
   and the handling up to the first answer. `--lanes N` sets bot.runtime.LANES (how many chats
   the dispatcher handles at once) to see what it changes; the header says when it is not as
   deployed. The ballots stored are counted.
3. The result: with self-assessments from 90 % and every district's ratings written, and the
   round's deadline moved into the past in the database, `compute` + `renewal_sheet` of
   storage.evaluation alone, then HQ's `/evaluation result 2026` through the bot up to the
   .xlsx at the stand-in. Goal: under 5 s.

The raters, the stand-in and the bot share one process (and its event loop). It takes about
12 minutes a backend. Nothing is asserted; the figures are printed.
"""

from __future__ import annotations

import os

# RetryAfter reads retry_after as a timedelta only with this set; it must precede PTB's import.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import argparse
import asyncio
import itertools
import logging
import random
import secrets
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, func, insert, select, update
from telegram import Update
from telegram.ext import TypeHandler

from bench.broadcast import HQ_ID, INSTRUCTORS
from bench.broadcast import seed as seed_world
from bench.common import (
    Deployed,
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
)
from bench.reports.standin import message_update
from bench.reports.world import TRADES, Seeded, bulk_reports, rebuild_rollups
from bench.roster import GIVEN, INDUSTRIES
from bench.trainings import NOTES, Trouble, chat_of, print_table, sent, text_of, wait_until
from bot import runtime
from bot.context import Context
from bot.sandbox.botapi import BotApiStandIn, Call
from storage import db
from storage.common.buttons import RATER_START, RaterButton
from storage.evaluation.answers import PROMPT_KIND
from storage.evaluation.dossier import dossiers
from storage.evaluation.raters import LinksRefusal, make_links
from storage.evaluation.renewal import renewal_sheet
from storage.evaluation.result import compute
from storage.evaluation.rounds import create_round, latest_round
from storage.models import (
    Admin,
    Ballot,
    CallUp,
    CallUpInvitation,
    CallUpStatus,
    District,
    DistrictRating,
    Enterprise,
    EvaluationEntry,
    EvaluationRound,
    Grade,
    Instructor,
    InvitationStatus,
    MentoringSignoff,
    OutboxMessage,
    Report,
    ReportTag,
    SeatStatus,
    SignoffResult,
    Training,
    TrainingFormat,
    TrainingSeat,
    TrainingStatus,
    Vote,
)

DEPLOYED_LANES = runtime.LANES
SEED = 20261203
YEAR = 2026
LANG = "zh_CN"
TIMEZONE = "Asia/Shanghai"
TZ = ZoneInfo(TIMEZONE)
LATENCY = 0.05  # added by the stand-in to every answer
PER_SECOND = 30  # Telegram's global limit: the floor of a broadcast's time
ENTERPRISES = 3000
REPORTS_EACH = 24
TAGGED = 0.10  # share of reports with a campaign tag
TAGS = ("四必谈", "要约行动", "春季行动")
CITY_TRAININGS = 10
DISTRICT_TRAININGS = 10
CALLUPS = 40
MENTEES = 120
RATERS = 300
MINUTES = 10.0  # the rating meeting, unless --minutes
STARTS_WITHIN = 0.6  # raters start within this share of the meeting
THINK = (1.0, 3.0)  # seconds between two presses of a rater in a 10-minute meeting
ANSWERED = 0.9  # instructors who wrote their self-assessment
SELF_TEXT = "本年度走访企业、指导工资集体协商，参加市总培训并承担集中攻关任务。"
GRADE_WORDS = [grade.value for grade in Grade]  # best first
GRADE_WEIGHTS = (35, 50, 12, 3)
RATER_BASE = 5_000_000  # rater k writes from the private chat RATER_BASE + k
GRACE = 10.0  # seconds a press waits for a new text or keyboard after its callback's answer
MAX_PRESSES = 400  # a rater stops after this many presses whatever the sheet shows
if os.environ.get("BENCH_QUICK") == "1":  # a smoke run of the bench itself, not its figures
    RATERS = 30
DOSSIER_GOAL = 10.0
ANSWER_GOAL = 2.0
SHEET_GOAL = 5.0
WATCH_EVERY = 0.005  # seconds between two looks at the stand-in's calls
GIVE_UP_AFTER = 120.0  # seconds a step waits for the bot before it stops waiting


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A local time of `day` as an aware datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


# --- a year of data ------------------------------------------------------------------------


@dataclass
class World:
    instructors: list[int]  # ids
    district_of: dict[int, int]  # instructor id → district id
    telegram_of: dict[int, int]  # instructor id → Telegram id
    full_time: list[int]
    districts: dict[str, int]  # name → id
    counts: dict[str, int] = field(default_factory=dict)  # rows written, per kind


async def seed(url: str, sessions: db.Sessions) -> World:
    """The broadcast world, then 2026's reports, trainings, call-ups and mentoring, in bulk."""
    rng = random.Random(SEED)
    await seed_world(sessions)
    async with sessions.begin() as session:
        people = (
            await session.execute(
                select(
                    Instructor.id, Instructor.district_id, Instructor.telegram_id,
                    Instructor.employment,
                ).order_by(Instructor.id)
            )
        ).all()  # fmt: skip
        districts = dict(
            (await session.execute(select(District.name, District.id).order_by(District.id))).all()
        )
        world = World(
            instructors=[p.id for p in people],
            district_of={p.id: p.district_id for p in people},
            telegram_of={p.id: int(p.telegram_id) for p in people},
            full_time=[p.id for p in people if p.employment == "full_time"],
            districts=districts,
        )
        names: set[str] = set()
        places = [*districts, *"华中京港金瑞鑫恒泰通达宏盛新"]
        while len(names) < ENTERPRISES:
            names.add(rng.choice(places) + "".join(rng.choices(GIVEN, k=2)) + rng.choice(TRADES))
        await session.execute(
            insert(Enterprise),
            [
                {"name": name, "district_id": rng.choice(list(districts.values())),
                 "industry": rng.choice(INDUSTRIES), "employees": rng.randint(20, 5000),
                 "unionized": rng.random() < 0.8}
                for name in sorted(names)
            ],
        )  # fmt: skip
        rows = await session.execute(select(Enterprise.id, Enterprise.name).order_by(Enterprise.id))
        enterprises = [(int(i), str(n)) for i, n in rows]
    count = REPORTS_EACH * len(world.instructors)
    seeded = Seeded(
        districts=districts,
        instructor_ids=world.instructors,
        home=world.district_of,
        reporting=world.instructors,
        enterprises=enterprises,
    )
    await bulk_reports(url, seeded, count, date(YEAR, 1, 1), date(YEAR, 12, 2))
    await rebuild_rollups(url)
    async with sessions.begin() as session:
        report_ids = list(await session.scalars(select(Report.id).order_by(Report.id)))
        tagged = rng.sample(report_ids, int(len(report_ids) * TAGGED))
        await session.execute(
            insert(ReportTag), [{"report_id": i, "tag": rng.choice(TAGS)} for i in tagged]
        )
        world.counts["reports"] = len(report_ids)
        world.counts["report tags"] = len(tagged)
        await seed_trainings(session, world, rng)
        await seed_callups(session, world, rng)
        await seed_mentoring(session, world, rng)
    return world


async def seed_trainings(session: Any, world: World, rng: random.Random) -> None:
    """10 city trainings for everyone, one for each of 10 districts, spread over the year; the
    invited answered (65 % 参加, 10 % 请假) and 90 % of those attending checked in."""
    formats = [f.value for f in TrainingFormat]
    by_district: dict[int, list[int]] = defaultdict(list)
    for instructor_id, home in world.district_of.items():
        by_district[home].append(instructor_id)
    plans: list[tuple[int | None, list[int]]] = [(None, world.instructors)] * CITY_TRAININGS
    plans += [(d, by_district[d]) for d in sorted(by_district)[:DISTRICT_TRAININGS]]
    seats: list[dict[str, Any]] = []
    for k, (district_id, invited) in enumerate(plans):
        day = date(YEAR, 1, 15) + timedelta(days=(k * 311) // len(plans) + rng.randint(0, 6))
        starts = at(day, 9)
        values = {
            "title": f"集体协商业务培训 第 {k + 1} 期", "format": rng.choice(formats),
            "starts_at": starts, "ends_at": starts + timedelta(hours=3),
            "place": "市总工会303会议室", "audience": "all" if district_id is None else "district",
            "audience_value": None if district_id is None else str(district_id),
            "scope_district_id": district_id, "capacity": None,
            "deadline": starts - timedelta(days=1), "status": TrainingStatus.OPEN.value,
            "created_by": HQ_ID, "released_at": starts - timedelta(days=10),
            "scheduled_at": starts - timedelta(days=10),
            "day_reminded_at": starts - timedelta(days=1),
            "hour_reminded_at": starts - timedelta(hours=1),
            "code_sent_at": starts - timedelta(minutes=15),
            "checkin_code": f"{rng.randint(0, 99_999_999):08d}",
            "checkin_token": secrets.token_hex(16),
        }  # fmt: skip
        training_id = (
            await session.execute(insert(Training).values(values).returning(Training.id))
        ).scalar_one()
        for instructor_id in invited:
            roll = rng.random()
            status = (
                SeatStatus.ATTENDING if roll < 0.65
                else SeatStatus.LEAVE if roll < 0.75 else SeatStatus.INVITED
            )  # fmt: skip
            checked = status is SeatStatus.ATTENDING and rng.random() < 0.9
            arrived = starts + timedelta(minutes=rng.randint(-10, 20))
            seats.append({
                "training_id": training_id, "instructor_id": instructor_id,
                "status": status.value, "invited_at": values["released_at"],
                "answered_at": None if status is SeatStatus.INVITED else starts - timedelta(days=5),
                "reason": "工作冲突" if status is SeatStatus.LEAVE else None,
                "checked_in_at": arrived if checked else None,
                "lead": False,
            })  # fmt: skip
    await session.execute(insert(TrainingSeat), seats)
    world.counts["trainings"] = len(plans)
    world.counts["training seats"] = len(seats)


async def seed_callups(session: Any, world: World, rng: random.Random) -> None:
    """40 call-ups over the year, each asking twice its size: the team accepted and was rated
    by HQ after the end (1–5, mostly 4), the others declined or let the invitation expire."""
    invitations: list[dict[str, Any]] = []
    for k in range(CALLUPS):
        size = rng.randint(4, 8)
        starts = date(YEAR, 1, 10) + timedelta(days=(k * 320) // CALLUPS)
        ends = starts + timedelta(days=rng.randint(2, 14))
        released = at(starts - timedelta(days=7))
        values = {
            "title": f"集中攻关 第 {k + 1} 组", "target": "重点企业工资集体协商",
            "size": size, "per_district": 2, "skills": ["劳资人事"], "districts": [],
            "starts": starts, "ends": ends, "answer_minutes": 120,
            "deadline": released + timedelta(days=3), "status": CallUpStatus.RECRUITING.value,
            "members": size, "created_by": HQ_ID, "released_at": released,
            "rating_asked_at": at(ends + timedelta(days=1)),
        }  # fmt: skip
        call_up_id = (
            await session.execute(insert(CallUp).values(values).returning(CallUp.id))
        ).scalar_one()
        for rank, instructor_id in enumerate(rng.sample(world.instructors, 2 * size), 1):
            member = rank <= size
            status = (
                InvitationStatus.ACCEPTED if member
                else rng.choice((InvitationStatus.DECLINED, InvitationStatus.EXPIRED))
            )  # fmt: skip
            rated = member and rng.random() < 0.9
            invitations.append({
                "call_up_id": call_up_id, "instructor_id": instructor_id, "rank": rank,
                "status": status.value, "invited_at": released,
                "expires_at": released + timedelta(hours=2),
                "answered_at": released + timedelta(minutes=30),
                "rating": rng.choices((5, 4, 3, 2), (30, 50, 15, 5))[0] if rated else None,
                "rated_by": HQ_ID if rated else None,
                "rated_at": at(ends + timedelta(days=2)) if rated else None,
            })  # fmt: skip
    await session.execute(insert(CallUpInvitation), invitations)
    world.counts["call-ups"] = CALLUPS
    world.counts["call-up invitations"] = len(invitations)


async def seed_mentoring(session: Any, world: World, rng: random.Random) -> None:
    """120 part-time instructors who started in 2026 with a full-time mentor of their district,
    and the sign-offs due so far: 85 % 已达到, 10 % 尚未达到, the rest overdue and escalated."""
    today = datetime.now(TZ).date()
    mentors: dict[int, list[int]] = defaultdict(list)
    for mentor_id in world.full_time:
        mentors[world.district_of[mentor_id]].append(mentor_id)
    candidates = [
        i for i in world.instructors if i not in world.full_time and mentors[world.district_of[i]]
    ]
    pairs: list[dict[str, Any]] = []
    signoffs: list[dict[str, Any]] = []
    for mentee_id in rng.sample(candidates, MENTEES):
        mentor_id = rng.choice(mentors[world.district_of[mentee_id]])
        start = date(YEAR, 1, 5) + timedelta(days=rng.randint(0, 290))
        pairs.append({"b_id": mentee_id, "b_start": start, "b_mentor": mentor_id})
        for step in (1, 2, 3):
            due = start + timedelta(days=30 * step)
            if due >= today:
                break
            roll = rng.random()
            result = (
                SignoffResult.REACHED if roll < 0.85
                else SignoffResult.NOT_REACHED if roll < 0.95 else None
            )  # fmt: skip
            signed = at(due + timedelta(days=rng.randint(0, 5)), 18) if result else None
            signoffs.append({
                "mentee_id": mentee_id, "mentor_id": mentor_id, "step": step, "due_on": due,
                "asked_at": at(due), "result": result.value if result else None,
                "reason": "还需观摩一次完整协商" if result is SignoffResult.NOT_REACHED else None,
                "signed_by": world.telegram_of[mentor_id] if result else None,
                "signed_at": signed,
                "escalated_at": at(due + timedelta(days=7)) if result is None else None,
            })  # fmt: skip
            if result is not SignoffResult.REACHED:
                break
    table = cast(Table, Instructor.__table__)
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(start_date=bindparam("b_start"), mentor_id=bindparam("b_mentor")),
        pairs,
    )
    await session.execute(insert(MentoringSignoff), signoffs)
    world.counts["mentoring pairs"] = len(pairs)
    world.counts["mentoring sign-offs"] = len(signoffs)


# --- 1. the dossiers -----------------------------------------------------------------------


async def time_dossiers(sessions: db.Sessions, world: World) -> list[float]:
    """Seconds of dossiers() for everyone: a first time, then again."""
    seconds = []
    for _ in range(2):
        async with sessions() as session:
            start = time.perf_counter()
            found = await dossiers(session, YEAR, world.instructors, tz=TZ)
            seconds.append(time.perf_counter() - start)
        assert len(found) == len(world.instructors)
    return seconds


# --- the stand-in's calls, chat by chat ----------------------------------------------------

ANSWERS = frozenset(
    {"answerCallbackQuery", "sendMessage", "editMessageText", "editMessageReplyMarkup",
     "sendDocument"}
)  # fmt: skip


class Chats:
    """Hands each of the stand-in's answers to the chat it went to (a callback's answer to the
    chat that pressed): one queue per chat listened to."""

    def __init__(self, standin: BotApiStandIn, started: Started) -> None:
        self.standin = standin
        self.started = started
        self.cursor = len(standin.calls)
        self.queues: dict[int, asyncio.Queue[Call]] = {}
        self.pressed_in: dict[str, int] = {}  # callback_query_id → chat
        self.presses = itertools.count(1)

    def listen(self, chat_id: int) -> asyncio.Queue[Call]:
        return self.queues.setdefault(chat_id, asyncio.Queue())

    async def run(self) -> None:
        while True:
            calls = self.standin.calls[self.cursor :]
            self.cursor += len(calls)
            for call in calls:
                if call.method not in ANSWERS or call.rejected:
                    continue
                if call.method == "answerCallbackQuery":
                    chat = self.pressed_in.get(str(call.params.get("callback_query_id")))
                else:
                    chat = int(call.params.get("chat_id") or 0)
                queue = self.queues.get(chat or 0)
                if queue is not None:
                    queue.put_nowait(call)
            await asyncio.sleep(WATCH_EVERY)

    def press(self, chat_id: int, message: dict[str, Any], data: str) -> tuple[dict[str, Any], str]:
        """A press in `chat_id` on a button of `message`, as Telegram sends it; (update, id)."""
        press_id = f"press-{next(self.presses)}"
        self.pressed_in[press_id] = chat_id
        user = {"id": chat_id, "is_bot": False, "first_name": "测评人", "language_code": "zh"}
        query = {"id": press_id, "from": user, "chat_instance": str(chat_id), "data": data,
                 "message": message}  # fmt: skip
        return {"callback_query": query}, press_id


class Started:
    """A handler in group -1 noting when the Application starts on each update, by key."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}

    async def __call__(self, update: Update, context: Context) -> None:
        if update.callback_query is not None:
            self.at[update.callback_query.id] = time.monotonic()
        elif (message := update.effective_message) is not None:
            self.at[f"{message.chat_id}:{message.message_id}"] = time.monotonic()


def key_of(update: dict[str, Any]) -> str:
    """The key Started notes an update under."""
    if "callback_query" in update:
        return str(update["callback_query"]["id"])
    message = update["message"]
    return f"{message['chat']['id']}:{message['message_id']}"


def private_message(chat_id: int, text: str, first_name: str) -> dict[str, Any]:
    """A private message as Telegram sends it, numbered by the stand-in when pushed (mixed
    with presses, which it numbers too, a number of its own could fall below the offset)."""
    update = message_update(chat_id, text, first_name)
    del update["update_id"]
    return update


@dataclass
class Exchange:
    """One update and what the bot answered: the first answer, and the message shown."""

    pushed: float
    first: float | None = None
    shown: Call | None = None
    calls: list[Call] = field(default_factory=list)


async def exchange(
    standin: BotApiStandIn,
    queue: asyncio.Queue[Call],
    update: dict[str, Any],
    *,
    press_id: str | None = None,
    until: Callable[[Call], bool] | None = None,
    seconds: float = GIVE_UP_AFTER,
) -> Exchange:
    """Pushes `update` and waits for the bot's answers in its chat: for a press, its
    answerCallbackQuery and a new text or keyboard (at most GRACE s after the answer); for a
    message, the first message (or the one `until` accepts)."""
    while not queue.empty():  # late answers to an earlier update
        queue.get_nowait()
    seen = Exchange(time.monotonic())
    standin.push_update(update)
    answered = press_id is None
    deadline = seen.pushed + seconds
    while not (answered and seen.shown is not None):
        now = time.monotonic()
        wait = deadline - now
        if press_id is not None and answered and seen.first is not None:
            wait = min(wait, seen.first + GRACE - now)
        try:
            call = await asyncio.wait_for(queue.get(), max(wait, 0.0))
        except TimeoutError:
            break
        if call.at < seen.pushed:
            continue
        seen.calls.append(call)
        if seen.first is None:
            seen.first = call.at
        if call.method == "answerCallbackQuery":
            answered = True
        elif until is None or until(call):
            seen.shown = call
    return seen


# --- 1. opening the round ------------------------------------------------------------------


async def open_round(
    bot: Deployed, chats: Chats, sessions: db.Sessions, world: World
) -> list[tuple[str, str]]:
    """HQ's /evaluation open through the bot: the confirmation, then the prompts' delivery."""
    standin = bot.standin
    trouble = Trouble(standin, bot.pacer)
    deadline = (datetime.now(TZ) + timedelta(days=30)).date()
    queue = chats.listen(HQ_ID)
    before = len(standin.calls)
    command = f"/evaluation open {YEAR} 截止:{deadline.isoformat()}"
    seen = await exchange(standin, queue, private_message(HQ_ID, command, "市总"))
    confirmed = seen.shown.at - seen.pushed if seen.shown else float("nan")
    if seen.shown is not None:
        NOTES.append(f"/evaluation open answered: {text_of(seen.shown)[:60]!r}…")
    prompted: set[int] = set()
    cursor = before
    last = seen.pushed
    telegram_ids = set(world.telegram_of.values())

    def all_prompted() -> bool:
        nonlocal cursor, last
        calls = standin.calls[cursor:]
        cursor += len(calls)
        for call in calls:
            if sent(call) and chat_of(call) in telegram_ids:
                prompted.add(chat_of(call))
                last = call.at
        return len(prompted) >= len(telegram_ids)

    async with sessions() as session:
        opened = await latest_round(session) is not None
    if opened:
        await wait_until(all_prompted, "the prompts", GIVE_UP_AFTER)
    else:  # so that the rating and the result can still be measured
        NOTES.append("the round was not opened by the bot: opened in the database, no prompts")
        async with sessions.begin() as session:
            await create_round(
                session, YEAR, datetime.now(UTC) + timedelta(days=30), opened_by=HQ_ID,
                now=datetime.now(UTC),
            )  # fmt: skip
    async with sessions() as session:
        queued = await session.scalar(select(func.count()).where(OutboxMessage.kind == PROMPT_KIND))
    spent = last - seen.pushed
    return [
        ("/evaluation open → confirmation (s)", f"{confirmed:.2f}"),
        ("prompts enqueued / at the stand-in", f"{queued} / {len(prompted)}"),
        ("last prompt after the command (s)", f"{spent:.1f}" if prompted else "-"),
        ("floor: prompts / 30 a second (s)", f"{len(prompted) / PER_SECOND:.1f}"),
        ("prompts a second", f"{len(prompted) / spent:.1f}" if spent > 0 else "-"),
        ("429 answers (stand-in) / pacer pauses", trouble.figure()),
    ]  # fmt: skip


# --- 2. the rating meeting -----------------------------------------------------------------


def share(total: int, weights: dict[int, int]) -> dict[int, int]:
    """`total` split by `weights` (largest remainders), each key at least 1 where it weighs."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: max(1, int(value)) for key, value in exact.items()}
    for key in sorted(exact, key=lambda k: exact[k] - int(exact[k]), reverse=True):
        if sum(counts.values()) >= total:
            break
        counts[key] += 1
    return counts


async def make_rater_links(sessions: db.Sessions) -> tuple[list[tuple[int, str]], float]:
    """RATERS links spread over the districts by their participants; ((district, token) in a
    seeded order, seconds)."""
    start = time.perf_counter()
    now = datetime.now(UTC)
    links: list[tuple[int, str]] = []
    async with sessions.begin() as session:
        evaluation = await latest_round(session)
        assert evaluation is not None
        rows = await session.execute(
            select(EvaluationEntry.district_id, func.count())
            .where(EvaluationEntry.round_id == evaluation.id)
            .group_by(EvaluationEntry.district_id)
        )
        participants = {int(district_id): int(count) for district_id, count in rows}
        for district_id, count in sorted(share(RATERS, participants).items()):
            made = await make_links(session, district_id, count, created_by=HQ_ID, now=now)
            assert not isinstance(made, LinksRefusal), made
            links += [(district_id, link.token) for link in made]
    random.Random(f"{SEED}:links").shuffle(links)
    return links, time.perf_counter() - start


@dataclass
class Meeting:
    """What the raters saw."""

    answers: list[float] = field(default_factory=list)  # first answer − push, every update
    shown: list[float] = field(default_factory=list)  # new text or keyboard − push
    unanswered: int = 0
    waits: list[float] = field(default_factory=list)  # the Application starts on it − push
    handling: list[float] = field(default_factory=list)  # first answer − the Application starts
    pushed: int = 0
    grades: int = 0  # grades given (presses on a grade)
    done: int = 0  # raters whose 提交 was confirmed
    last: float = 0.0
    texts: Counter[str] = field(default_factory=Counter)  # the first line of the last answers


def keyboard_of(call: Call) -> list[RaterButton]:
    markup = call.params.get("reply_markup")
    found = []
    if isinstance(markup, dict):
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data and data.startswith(RaterButton.prefix + ":"):
                    found.append(RaterButton.unpack(data))
    return found


def next_press(
    buttons: list[RaterButton], graded: set[int], page: int, choose: Callable[[], str]
) -> RaterButton | None:
    """What a rater presses next: 确认 when asked, an ungraded instructor's grade, the next
    page, 提交; None when the sheet is done."""
    by_action: dict[str, list[RaterButton]] = defaultdict(list)
    for button in buttons:
        by_action[button.action].append(button)
    if by_action["sure"]:
        return by_action["sure"][0]
    for button in by_action["grade"]:
        if button.value not in graded:
            grade = choose()
            return next((b for b in by_action["grade"] if b.value == button.value
                         and b.grade == grade), button)  # fmt: skip
    following = [b for b in by_action["page"] if b.value > page]
    if following:
        return min(following, key=lambda b: b.value)
    if by_action["submit"]:
        return by_action["submit"][0]
    return None


async def rater(
    standin: BotApiStandIn,
    chats: Chats,
    meeting: Meeting,
    chat_id: int,
    token: str,
    start_at: float,
    rng: random.Random,
    think: float,
) -> None:
    """One rater: the link, every instructor's grade page by page, 提交 and its confirmation."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    queue = chats.listen(chat_id)

    def sheet(call: Call) -> bool:
        return call.method == "sendMessage"

    def note(seen: Exchange, key: str) -> None:
        meeting.pushed += 1
        started = chats.started.at.pop(key, None)
        if started is not None:
            meeting.waits.append(started - seen.pushed)
            if seen.first is not None:
                meeting.handling.append(seen.first - started)
        meeting.last = max(meeting.last, seen.calls[-1].at if seen.calls else 0.0)
        if seen.first is None:
            meeting.unanswered += 1
            return
        meeting.answers.append(seen.first - seen.pushed)
        if seen.shown is not None:
            meeting.shown.append(seen.shown.at - seen.pushed)

    update = private_message(chat_id, f"/start {RATER_START}{token}", "测评人")
    seen = await exchange(standin, queue, update, until=sheet)
    note(seen, key_of(update))
    graded: set[int] = set()
    page = 0
    current = seen.shown
    press: RaterButton | None = None
    for _ in range(MAX_PRESSES):
        if current is None or not isinstance(current.result, dict):
            break
        press = next_press(keyboard_of(current), graded, page, lambda: rng.choices(
            GRADE_WORDS, GRADE_WEIGHTS)[0])  # fmt: skip
        if press is None:
            break
        await asyncio.sleep(rng.uniform(*THINK) * think)
        if press.action == "grade":
            graded.add(press.value)
            meeting.grades += 1
        elif press.action == "page":
            page = press.value
        update, press_id = chats.press(chat_id, current.result, press.pack())
        seen = await exchange(standin, queue, update, press_id=press_id)
        note(seen, press_id)
        if seen.shown is not None and keyboard_of(seen.shown):
            current = seen.shown
        elif seen.shown is not None:  # the sheet is gone: cast (提交), or refused
            meeting.texts[text_of(seen.shown).split("\n")[0][:40]] += 1
            if press.action in ("submit", "sure"):
                meeting.done += 1
            break


async def rating_meeting(
    bot: Deployed, chats: Chats, sessions: db.Sessions, minutes: float
) -> list[tuple[str, str]]:
    """RATERS raters in chats of their own, starting over the meeting's first part."""
    trouble = Trouble(bot.standin, bot.pacer)
    links, made = await make_rater_links(sessions)
    meeting = Meeting()
    rng = random.Random(f"{SEED}:raters")
    begin = time.monotonic() + 1.0
    starts = sorted(rng.uniform(0, STARTS_WITHIN * minutes * 60) for _ in links)
    think = minutes / MINUTES
    tasks = [
        asyncio.create_task(rater(bot.standin, chats, meeting, RATER_BASE + k, token,
                                  begin + starts[k], random.Random(f"{SEED}:{k}"), think))
        for k, (_, token) in enumerate(links)
    ]  # fmt: skip
    await asyncio.gather(*tasks)
    async with sessions() as session:
        ballots = await session.scalar(select(func.count()).select_from(Ballot)) or 0
        votes = await session.scalar(select(func.count()).select_from(Vote)) or 0
    spent = meeting.last - begin

    def spread(values: list[float]) -> str:
        if not values:
            return "-"
        return (f"{percentile(values, 50):.3f} / {percentile(values, 95):.3f} / "
                f"{max(values):.3f}")  # fmt: skip

    p95 = percentile(meeting.answers, 95) if meeting.answers else float("nan")
    for text, count in meeting.texts.most_common(3):
        NOTES.append(f"raters' last answer ({count}×): {text!r}")
    return [
        ("links made (ms)", f"{made * 1000:.0f}"),
        ("raters / whose 提交 was taken", f"{len(links)} / {meeting.done}"),
        ("updates pushed / unanswered", f"{meeting.pushed} / {meeting.unanswered}"),
        ("first push → last answer (s)", f"{spent:.0f}"),
        ("updates a second", f"{meeting.pushed / spent:.1f}" if spent > 0 else "-"),
        ("answer p50 / p95 / max (s)", spread(meeting.answers)),
        (f"answer p95 < {ANSWER_GOAL:.0f} s", "met" if p95 < ANSWER_GOAL else "MISSED"),
        ("shown p50 / p95 / max (s)", spread(meeting.shown)),
        ("before the handler p50 / p95 / max (s)", spread(meeting.waits)),
        ("handler to answer p50 / p95 / max (s)", spread(meeting.handling)),
        ("ballots stored / raters", f"{ballots} / {len(links)}"),
        ("votes stored / grades pressed", f"{votes} / {meeting.grades}"),
        ("429 answers (stand-in) / pacer pauses", trouble.figure()),
    ]  # fmt: skip


# --- 3. the result -------------------------------------------------------------------------


async def close_round(sessions: db.Sessions, world: World) -> None:
    """Self-assessments from ANSWERED of the participants, every district's ratings, and the
    deadline moved into the past."""
    rng = random.Random(f"{SEED}:close")
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        admins = dict((await session.execute(select(Admin.district_id, Admin.telegram_id))).all())
        evaluation = await latest_round(session)
        assert evaluation is not None
        entries = (await session.execute(
            select(EvaluationEntry.id, EvaluationEntry.instructor_id, EvaluationEntry.district_id)
            .where(EvaluationEntry.round_id == evaluation.id)
        )).all()  # fmt: skip
        table = cast(Table, EvaluationEntry.__table__)
        await session.execute(
            update(table).where(table.c.id == bindparam("b_id"))
            .values(self_text=bindparam("b_text"), answered_at=bindparam("b_at")),
            [{"b_id": e.id, "b_text": SELF_TEXT * rng.randint(1, 8), "b_at": now}
             for e in entries if rng.random() < ANSWERED],
        )  # fmt: skip
        await session.execute(
            insert(DistrictRating),
            [{"round_id": evaluation.id, "instructor_id": e.instructor_id,
              "grade": rng.choices(GRADE_WORDS, GRADE_WEIGHTS)[0],
              "rated_by": admins.get(e.district_id, HQ_ID), "rated_at": now}
             for e in entries],
        )  # fmt: skip
        await session.execute(
            update(EvaluationRound)
            .where(EvaluationRound.id == evaluation.id)
            .values(deadline=now - timedelta(minutes=1))
        )


async def time_result(sessions: db.Sessions) -> tuple[float, float, int]:
    """Seconds of compute() and of renewal_sheet() for the city, and the sheet's bytes."""
    async with sessions() as session:
        evaluation = await latest_round(session)
        assert evaluation is not None
        start = time.perf_counter()
        result = await compute(session, evaluation)
        computed = time.perf_counter() - start
        start = time.perf_counter()
        data = renewal_sheet(result, TZ)
        return computed, time.perf_counter() - start, len(data)


async def result_sheet(
    bot: Deployed, chats: Chats, sessions: db.Sessions, world: World
) -> list[tuple[str, str]]:
    await close_round(sessions, world)
    computed, sheet, size = await time_result(sessions)
    queue = chats.listen(HQ_ID)
    command = f"/evaluation result {YEAR}"

    def document(call: Call) -> bool:
        return call.method == "sendDocument"

    seen = await exchange(bot.standin, queue, private_message(HQ_ID, command, "市总"),
                          until=document)  # fmt: skip
    summary = next((c.at for c in seen.calls if c.method == "sendMessage"), None)
    spent = seen.shown.at - seen.pushed if seen.shown else float("nan")
    return [
        ("compute() for 1,050 (s)", f"{computed:.2f}"),
        ("renewal_sheet() (s) / size (KiB)", f"{sheet:.2f} / {size / 1024:.0f}"),
        ("/evaluation result → summary (s)",
         f"{summary - seen.pushed:.2f}" if summary is not None else "-"),
        ("/evaluation result → .xlsx (s)", f"{spent:.2f}"),
        (f"< {SHEET_GOAL:.0f} s", "met" if spent < SHEET_GOAL else "MISSED"),
    ]  # fmt: skip


# --- the runs ------------------------------------------------------------------------------


@dataclass
class Results:
    dossiers: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    meeting: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    result: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


async def part(
    name: str, figures: Coroutine[Any, Any, list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """A part's figures; none (and a note) if it failed, so that the next part still runs."""
    try:
        return await figures
    except Exception as error:
        what = getattr(figures, "__name__", "a part")
        NOTES.append(f"{name}: {what} failed: {type(error).__name__}: {error}"[:300])
        return []


def memory() -> tuple[str, str]:
    return ("process max RSS so far (MiB)", f"{max_rss_mib():.0f}")


async def backend(
    name: str, fresh: Fresh, errors: LogCounter, results: Results, minutes: float
) -> None:
    """The three parts on a fresh database of one kind, the bot running as deployed."""
    errors.count, errors.first = 0, None
    noted = len(NOTES)
    async with fresh() as url:
        start = time.perf_counter()
        await asyncio.to_thread(db.upgrade, url)
        engine = db.create_engine(url)
        try:
            sessions = db.create_sessions(engine)
            world = await seed(url, sessions)
            seeded = time.perf_counter() - start
            first, again = await time_dossiers(sessions, world)
            results.dossiers[name] = [
                ("seeding: world + a year (s)", f"{seeded:.1f}"),
                ("reports / training seats / invitations",
                 f"{world.counts['reports']} / {world.counts['training seats']} / "
                 f"{world.counts['call-up invitations']}"),
                ("mentoring pairs / sign-offs",
                 f"{world.counts['mentoring pairs']} / {world.counts['mentoring sign-offs']}"),
                (f"dossiers() for {len(world.instructors)}: first / again (s)",
                 f"{first:.2f} / {again:.2f}"),
                ("dossiers a second (first)", f"{len(world.instructors) / first:.0f}"),
                (f"< {DOSSIER_GOAL:.0f} s", "met" if first < DOSSIER_GOAL else "MISSED"),
            ]  # fmt: skip
            started = Started()
            async with deployed_bot(
                url, hq_id=HQ_ID, language=LANG, timezone=TIMEZONE, latency=LATENCY,
                announce=NOTES.append, watchers=[TypeHandler(Update, started)],
            ) as bot:  # fmt: skip
                chats = Chats(bot.standin, started)
                watching = asyncio.create_task(chats.run())
                try:
                    await wait_until(
                        lambda: any(c.method == "getUpdates" for c in bot.standin.calls),
                        "the bot to poll",
                        30.0,
                    )
                    results.dossiers[name] += [
                        *await part(name, open_round(bot, chats, sessions, world)),
                        memory(),
                    ]
                    results.meeting[name] = [
                        *await part(name, rating_meeting(bot, chats, sessions, minutes)),
                        memory(),
                    ]
                    results.result[name] = [
                        *await part(name, result_sheet(bot, chats, sessions, world)),
                        memory(),
                    ]
                finally:
                    watching.cancel()
        finally:
            await engine.dispose()
    NOTES[noted:] = [n if n.startswith(f"{name}:") else f"{name}: {n}" for n in NOTES[noted:]]
    if errors.first:
        NOTES.append(f"{name}: {errors.count} errors logged, the first: {errors.first}")
    results.result[name].append(("errors logged (whole run)", str(errors.count)))


async def main(arguments: argparse.Namespace) -> None:
    errors = LogCounter(logging.ERROR)
    logging.getLogger().addHandler(errors)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    server = arguments.postgres or postgres_server_url()
    versions = [f"PostgreSQL {await postgres_version(server)}"] if server else []
    print_header("evaluation benchmark", *versions)
    print(
        f"  setup   : {INSTRUCTORS} instructors, {YEAR}: {REPORTS_EACH} reports each on average, "
        f"{CITY_TRAININGS + DISTRICT_TRAININGS} trainings, {CALLUPS} call-ups, {MENTEES} "
        f"mentoring pairs; {RATERS} raters over {arguments.minutes:g} minutes"
    )
    print(
        f"  bot     : as deployed (bot.runtime: getUpdates → inbox → dispatcher, outbox sender, "
        f"tick); stand-in latency {LATENCY * 1000:.0f} ms, Telegram's limits on"
    )
    deployed = "as deployed" if arguments.lanes == DEPLOYED_LANES else "--lanes, NOT as deployed"
    print(f"  lanes   : the dispatcher handles {arguments.lanes} chats at once ({deployed})")
    if server:
        print(f"  postgres: {shown(server)}")
    print()
    runtime.LANES = arguments.lanes  # read by Dispatcher.handle_pending on each pass
    results = Results()
    if not arguments.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="xs-bench-") as folder:
            fresh = sqlite_databases(Path(folder), "evaluation")
            await backend("SQLite", fresh, errors, results, arguments.minutes)
    if server:
        fresh = postgres_databases(server)
        await backend("PostgreSQL", fresh, errors, results, arguments.minutes)
    print_table("1. dossiers and /evaluation open", results.dossiers)
    print_table(f"2. {RATERS} raters in {arguments.minutes:g} min", results.meeting)
    print_table("3. /evaluation result", results.result)
    for note in NOTES:
        print(note)
    print(
        "max RSS is the whole process's: the bot, and the stand-in with every call it recorded "
        "(each rater's sheet and its edits) and the simulated raters"
    )
    print(f"process max RSS (whole run): {max_rss_mib():.0f} MiB")


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = bench_arguments("python -m bench.evaluation", __doc__)
    parser.add_argument(
        "--minutes",
        type=float,
        default=MINUTES,
        help="the rating meeting's length (default: %(default)s)",
    )
    parser.add_argument(
        "--no-sqlite", action="store_true", help="only PostgreSQL (with --postgres)"
    )
    parser.add_argument(
        "--lanes",
        type=int,
        default=runtime.LANES,
        help="chats the dispatcher handles at once (default: as deployed, %(default)s)",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_arguments()))
