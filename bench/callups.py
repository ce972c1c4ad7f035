"""Call-ups benchmark: ranking 1,050 instructors, and a 婉拒 passing the place on under load.

Run with `python -m bench.callups` (or `make bench-callups`); add `--postgres [URL]` (or set
BENCH_DATABASE_URL / TEST_DATABASE_URL) for PostgreSQL beside SQLite. Each run gets a fresh
migrated database with a year of history: 1,050 instructors and 3,000 enterprises (the reports
benchmark's world), 5,000 reports, 200 past call-ups (5 members each, some declines, rated),
100 leaves, and 60 city-level instructors on the dispatch board.

1. Ranking: `rank()` for a new call-up (劳资人事, 法律; a target district and industry; dates
   next month), 20 times, each in a fresh session. Goal: median under 100 ms on SQLite.
2. Recruiting: 20 call-ups of 5 are released (100 invitations) and the outbox Sender runs in
   the background, through the real Application's bot and its Pacer, over HTTP to the Bot API
   stand-in (bot/sandbox/botapi.py) with Telegram's flood limits on and 50 ms added to every answer.
   Every invitation reaching the stand-in is declined at once (`recruiting.decline` in its own
   transaction, then `sender.wake()`, as the 婉拒 handler does) until each call-up has had 15
   declines: 300 in all. A decline's delay is the arrival at the stand-in of the invitation it
   caused minus the moment the press began. Goal: p95 under 2 s. Three scenarios, each on a
   fresh database: "quiet" (only the call-ups talk), "notice" (a notice to all 1,050
   instructors is enqueued right after the call-ups are released, so the outbox paces it
   alongside), and "spread" (as quiet, but each invitee presses 婉拒 0–20 s after the
   invitation arrives). Pressed at once, the 100 open invitations form a closed loop that keeps
   Telegram's 30 sends a second busy: each waits for the other 99 (about 100 / 30 = 3.3 s), so
   "quiet" measures the outbox saturated; "spread" one that is not.

Nothing is asserted; the figures are printed.
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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

from bench.common import (
    Fresh,
    LogCounter,
    bench_arguments,
    max_rss_mib,
    median,
    percentile,
    postgres_databases,
    postgres_server_url,
    postgres_version,
    print_header,
    shown,
    sqlite_databases,
    table,
)
from bench.reports.world import Seeded, bulk_reports
from bench.reports.world import seed as seed_world
from bench.roster import INDUSTRIES
from bot.app import build_application
from bot.sandbox.botapi import BotApiStandIn, Call
from bot.settings import Settings
from bot.texts import t
from schedules.callups import voice
from schedules.delivery import Pacer, Sender
from storage import db
from storage.callups import recruiting
from storage.callups.parsing import CallUpSpec
from storage.callups.ranking import Wanted, rank
from storage.callups.records import create_draft
from storage.messaging import notices
from storage.models import (
    CallUp,
    CallUpInvitation,
    CallUpStatus,
    Instructor,
    InvitationStatus,
    Leave,
    NoticeAudience,
    OutboxMessage,
)
from storage.models import Status as InstructorStatus

SEED = 20261126
TOKEN = "123456:BENCH"
HQ_ID = 1000  # bench.reports.world's HQ: in settings.hq_admin_ids, not an instructor
LANG = "zh_CN"
TIMEZONE = "Asia/Shanghai"
REPORTS = 5000
PAST_CALLUPS = 200
LEAVES = 100
DISPATCHED = 60  # city-level instructors HQ assigned districts and industries to
RANKINGS = 20
RANK_GOAL_MS = 100.0
CALLUPS = 20
SIZE = 5
DECLINES_PER_CALLUP = 15
DELAY_GOAL = 2.0
LATENCY = 0.05  # added by the stand-in to every answer
WATCH_EVERY = 0.005  # seconds between two looks at the stand-in's calls
THINK = 20.0  # the "spread" scenario's invitees press 婉拒 after 0–THINK s (uniform)
GIVE_UP_AFTER = 240.0  # seconds of recruiting before a scenario stops waiting
WANTED_SKILLS = ("劳资人事", "法律")
SKILL_PAIRS = (("劳资人事", "法律"), ("劳资人事", "财务"), ("工会工作", "法律"), ("财务",))
NOTICE_TEXT = "各位指导员：请于本周五前完成第四季度工资集体协商要约行动情况统计。"
# (name, a notice to all enqueued after the release, the longest think time before a press)
SCENARIOS = (("quiet", False, 0.0), ("notice", True, 0.0), ("spread", False, THINK))
NOTES: list[str] = []


# --- the database ------------------------------------------------------------------------


@dataclass
class World:
    seeded: Seeded
    districts: list[int]
    seconds: float


def _today() -> date:
    return datetime.now(UTC).astimezone(voice(t, LANG, TIMEZONE).timezone).date()


async def seed(url: str) -> World:
    """Migrates, then the reports benchmark's roster and registry, 5,000 reports over the last
    year, the dispatch board, 200 past call-ups and 100 leaves, in bulk."""
    start = time.perf_counter()
    await asyncio.to_thread(db.upgrade, url)
    seeded = await seed_world(url)
    today = _today()
    await bulk_reports(url, seeded, REPORTS, today - timedelta(days=365), today)
    rng = random.Random(SEED)
    districts = sorted(seeded.districts.values())
    engine = db.create_engine(url)
    try:
        sessions = db.create_sessions(engine)
        async with sessions.begin() as session:
            people = list(
                await session.execute(
                    select(Instructor.id, Instructor.level, Instructor.status).order_by(
                        Instructor.id
                    )
                )
            )
            city = [i for i, level, _ in people if level == "city"]
            active = [i for i, _, status in people if status == InstructorStatus.ACTIVE.value]
            # ORM bulk UPDATE by primary key: the dispatch board.
            await session.execute(
                update(Instructor),
                [
                    {
                        "id": i,
                        "assigned_districts": rng.sample(districts, rng.randint(1, 3)),
                        "assigned_industries": rng.sample(INDUSTRIES, rng.randint(0, 2)),
                    }
                    for i in rng.sample(city, DISPATCHED)
                ],
            )
            await session.execute(insert(CallUp), _past_callups(rng, today, districts))
            ids = list(await session.scalars(select(CallUp.id).order_by(CallUp.id)))
            starts = {cid: s for cid, s in await session.execute(select(CallUp.id, CallUp.starts))}
            await session.execute(
                insert(CallUpInvitation), _past_invitations(rng, ids, starts, active)
            )
            await session.execute(insert(Leave), _leaves(rng, today, active))
    finally:
        await engine.dispose()
    return World(seeded, districts, time.perf_counter() - start)


def _past_callups(rng: random.Random, today: date, districts: list[int]) -> list[dict[str, Any]]:
    rows = []
    for n in range(PAST_CALLUPS):
        starts = today - timedelta(days=rng.randint(15, 360))
        deadline = datetime.combine(starts - timedelta(days=3), datetime.min.time(), UTC)
        rows.append(
            {
                "title": f"历史攻关 {n + 1}",
                "target": "某企业工资协商",
                "target_district_id": rng.choice(districts),
                "target_industry": rng.choice(INDUSTRIES),
                "size": SIZE,
                "per_district": 2,
                "skills": list(rng.choice(SKILL_PAIRS)),
                "districts": [],
                "starts": starts,
                "ends": starts + timedelta(days=rng.randint(1, 10)),
                "answer_minutes": 120,
                "deadline": deadline,
                "status": CallUpStatus.RECRUITING.value,
                "members": SIZE,
                "version": 0,
                "created_by": HQ_ID,
                "released_at": deadline - timedelta(days=5),
                "full_told_at": deadline - timedelta(days=4),
                "deadline_told_at": deadline,
                "rating_asked_at": deadline + timedelta(days=15),
            }
        )
    return rows


def _past_invitations(
    rng: random.Random, ids: list[int], starts: dict[int, date], active: list[int]
) -> list[dict[str, Any]]:
    rows = []
    for cid in ids:
        invited_at = datetime.combine(starts[cid] - timedelta(days=8), datetime.min.time(), UTC)
        declined = rng.randint(0, 4)
        chosen = rng.sample(active, SIZE + declined)
        statuses = [InvitationStatus.DECLINED] * declined + [InvitationStatus.ACCEPTED] * SIZE
        rng.shuffle(statuses)
        for position, (instructor_id, status) in enumerate(zip(chosen, statuses, strict=True)):
            accepted = status is InvitationStatus.ACCEPTED
            rows.append(
                {
                    "call_up_id": cid,
                    "instructor_id": instructor_id,
                    "rank": position + 1,
                    "status": status.value,
                    "invited_at": invited_at,
                    "expires_at": invited_at + timedelta(hours=2),
                    "answered_at": invited_at + timedelta(minutes=rng.randint(1, 100)),
                    "reason": None if accepted else rng.choice(("时间冲突", "身体原因", None)),
                    "rating": rng.randint(3, 5) if accepted else None,
                    "rated_by": HQ_ID if accepted else None,
                }
            )
    return rows


def _leaves(rng: random.Random, today: date, active: list[int]) -> list[dict[str, Any]]:
    rows = []
    for instructor_id in rng.sample(active, LEAVES):
        starts = today + timedelta(days=rng.randint(-330, 60))
        rows.append(
            {
                "instructor_id": instructor_id,
                "starts": starts,
                "ends": starts + timedelta(days=rng.randint(1, 14)),
                "reason": "年假",
                "cancelled_at": datetime.now(UTC) if rng.random() < 0.1 else None,
            }
        )
    return rows


# --- 1. ranking --------------------------------------------------------------------------


async def time_rank(url: str, world: World) -> tuple[list[float], int]:
    """`rank()` for a new call-up RANKINGS times, each in a fresh session; returns the seconds
    of each and how many candidates it found."""
    today = _today()
    wanted = Wanted(
        starts=today + timedelta(days=30),
        ends=today + timedelta(days=40),
        skills=WANTED_SKILLS,
        districts=(),
        target_district_id=world.districts[5],
        target_industry="制造业",
    )
    engine = db.create_engine(url)
    seconds = []
    found = 0
    try:
        sessions = db.create_sessions(engine)
        async with sessions() as session:  # warms the pool and the caches, not timed
            await rank(session, wanted, today=today)
        for _ in range(RANKINGS):
            start = time.perf_counter()
            async with sessions() as session:
                found = len(await rank(session, wanted, today=today))
            seconds.append(time.perf_counter() - start)
    finally:
        await engine.dispose()
    return seconds, found


# --- 2. recruiting -----------------------------------------------------------------------


@dataclass
class Recruiting:
    """What one recruiting scenario saw."""

    owner: dict[int, int] = field(default_factory=dict)  # invitation id → call-up id
    pressed: dict[int, float] = field(default_factory=dict)  # new invitation id → press start
    committed: dict[int, float] = field(default_factory=dict)  # new invitation id → its commit
    arrived: dict[int, float] = field(default_factory=dict)  # invitation id → at the stand-in
    declines: Counter[int] = field(default_factory=Counter)  # call-up id → declines pressed
    transactions: list[float] = field(default_factory=list)  # seconds of each decline's commit
    invitations: list[int] = field(default_factory=list)  # chat ids, in arrival order
    no_successor: int = 0  # declines that invited nobody
    refused: int = 0  # answers other than "declined"

    def delays(self) -> list[float]:
        return [self.arrived[i] - at for i, at in self.pressed.items() if i in self.arrived]

    def outbox_delays(self) -> list[float]:
        """From the decline's commit to the stand-in: the outbox and the pacer's share."""
        return [self.arrived[i] - at for i, at in self.committed.items() if i in self.arrived]


def invitation_of(call: Call) -> int | None:
    """The invitation id behind a sent message's 婉拒 button, if it is an invitation."""
    if call.method != "sendMessage" or call.rejected:
        return None
    markup = call.params.get("reply_markup")
    if not isinstance(markup, dict):
        return None
    for row in markup.get("inline_keyboard", []):
        for button in row:
            parts = str(button.get("callback_data", "")).split(":")
            if len(parts) == 3 and parts[0] == "callup_inv" and parts[2] == "decline":
                return int(parts[1])
    return None


def specs(world: World, today: date, now: datetime) -> list[tuple[CallUpSpec, int]]:
    """20 call-ups of 5 for next month: skills, dates and districts vary, so that they do not
    all ask the same people (two districts each, 5 from one district allowed)."""
    found = []
    for k in range(CALLUPS):
        starts = today + timedelta(days=25 + k % 10)
        pair = [world.districts[(2 * k) % 16], world.districts[(2 * k + 1) % 16]]
        spec = CallUpSpec(
            title=f"工资集体协商攻关 {k + 1}",
            size=SIZE,
            target=f"攻关企业 {k + 1}",
            starts=starts,
            ends=starts + timedelta(days=7),
            deadline=now + timedelta(days=5),
            skills=list(SKILL_PAIRS[k % len(SKILL_PAIRS)]),
            industry=INDUSTRIES[k % len(INDUSTRIES)],
            districts=pair,
            per_district=SIZE,
        )
        found.append((spec, pair[k % 2]))
    return found


async def recruit(
    url: str, world: World, with_notice: bool, think: float, errors: LogCounter
) -> list[str]:
    """One recruiting scenario on a seeded database; returns its column of figures."""
    engine = db.create_engine(url)
    errors.count, errors.first = 0, None
    seen = Recruiting()
    speaker = voice(t, LANG, TIMEZONE)
    try:
        sessions = db.create_sessions(engine)
        async with BotApiStandIn(username="xieshang_bench_bot") as standin:
            standin.rate_limits = True
            standin.latency = LATENCY
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                telegram_bot_token=TOKEN,
                telegram_api_url=standin.url,
                database_url=url,
                hq_admin_ids=frozenset({HQ_ID}),
                bot_timezone=TIMEZONE,
            )
            application = build_application(settings, sessions)
            async with application:
                sender = Sender(application.bot, sessions)
                begin = time.monotonic()
                now = datetime.now(UTC)
                releasing = []
                for spec, target in specs(world, speaker.today(now), now):
                    async with sessions.begin() as session:
                        draft = await create_draft(
                            session,
                            spec,
                            created_by=HQ_ID,
                            enterprise=None,
                            target_district_id=target,
                        )
                    start = time.perf_counter()
                    async with sessions.begin() as session:
                        await recruiting.release(session, draft.id, speaker, now=now)
                    releasing.append(time.perf_counter() - start)
                async with sessions() as session:
                    rows = await session.execute(
                        select(CallUpInvitation.id, CallUpInvitation.call_up_id)
                    )
                    seen.owner.update({iid: cid for iid, cid in rows})
                notice_rows = 0
                if with_notice:
                    notice_rows = await enqueue_notice(sessions)
                released = time.monotonic()
                sending = asyncio.create_task(sender.run())
                try:
                    await watch(standin, sessions, sender, speaker, seen, think)
                finally:
                    await sender.stop()
                    sending.cancel()
                    await asyncio.gather(sending, return_exceptions=True)
                end = time.monotonic()
                pacer = application.bot.rate_limiter
                pauses = pacer.pauses if isinstance(pacer, Pacer) else 0
            too_many = standin.too_many_requests
            notice_sent = sum(
                1
                for c in standin.calls
                if c.method == "sendMessage" and not c.rejected and invitation_of(c) is None
            )
        async with sessions() as session:
            pending = await session.scalar(
                select(func.count()).where(OutboxMessage.status == "pending")
            )
    finally:
        await engine.dispose()

    delays = seen.delays() or [float("nan")]
    commits = seen.transactions or [float("nan")]
    after = seen.outbox_delays() or [float("nan")]
    per_chat = Counter(seen.invitations)
    release_ms = [s * 1000 for s in releasing]
    figures = [
        ("release of one call-up (rank + 5 invitations), median ms", f"{median(release_ms):.0f}"),
        ("release of one call-up, max ms", f"{max(release_ms):.0f}"),
        ("notice rows enqueued after the release", str(notice_rows)),
        ("declines pressed", str(sum(seen.declines.values()))),
        ("  answered other than 'declined'", str(seen.refused)),
        ("  passed on to nobody", str(seen.no_successor)),
        ("decline transaction (with fill) p50 ms", f"{percentile(commits, 50) * 1000:.0f}"),
        ("decline transaction p95 ms", f"{percentile(commits, 95) * 1000:.0f}"),
        ("decline transaction max ms", f"{max(commits) * 1000:.0f}"),
        ("next invitation at the stand-in: count", str(len(seen.delays()))),
        ("  delay p50 (s)", f"{percentile(delays, 50):.3f}"),
        ("  delay p95 (s)", f"{percentile(delays, 95):.3f}"),
        ("  delay max (s)", f"{max(delays):.3f}"),
        ("  of which commit to stand-in p50 (s)", f"{percentile(after, 50):.3f}"),
        ("  of which commit to stand-in p95 (s)", f"{percentile(after, 95):.3f}"),
        (f"  p95 < {DELAY_GOAL:.0f} s", "met" if percentile(delays, 95) < DELAY_GOAL else "MISSED"),
        ("invitations sent (distinct invitees)", f"{len(seen.invitations)} ({len(per_chat)})"),
        ("most invitations to one chat", str(max(per_chat.values(), default=0))),
        ("other messages sent (notice, HQ)", str(notice_sent)),
        ("outbox rows still pending at the end", str(pending)),
        ("429 answers (stand-in) / pacer pauses", f"{too_many} / {pauses}"),
        ("recruiting time, release to last (s)", f"{end - released:.1f}"),
        ("whole scenario (s)", f"{end - begin:.1f}"),
        ("errors logged", str(errors.count)),
        ("process max RSS so far (MiB)", f"{max_rss_mib():.0f}"),
    ]  # fmt: skip
    if errors.first:
        NOTES.append(f"{errors.count} errors logged, the first: {errors.first}")
    LABELS[:] = [label for label, _ in figures]
    return [figure for _, figure in figures]


LABELS: list[str] = []


async def enqueue_notice(sessions: db.Sessions) -> int:
    """A notice to all instructors, released now: 1,000-odd outbox rows at once."""
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        notice = await notices.create_notice(
            session,
            created_by=HQ_ID,
            scope_district_id=None,
            audience=notices.Audience(NoticeAudience.ALL),
            text=NOTICE_TEXT,
            confirm=False,
            send_at=now,
        )
        return await notices.release(session, notice, t, LANG, now=now)


async def watch(
    standin: BotApiStandIn,
    sessions: db.Sessions,
    sender: Sender,
    speaker: recruiting.Voice,
    seen: Recruiting,
    think: float,
) -> None:
    """Declines every invitation as it reaches the stand-in, until each call-up had its
    declines and every decline's successor arrived (or GIVE_UP_AFTER passed)."""
    rng = random.Random(SEED)
    cursor = 0
    presses: set[asyncio.Task[None]] = set()
    target = CALLUPS * DECLINES_PER_CALLUP
    deadline = time.monotonic() + GIVE_UP_AFTER
    while time.monotonic() < deadline:
        calls = standin.calls[cursor:]
        cursor += len(calls)
        for call in calls:
            iid = invitation_of(call)
            if iid is None:
                continue
            seen.arrived[iid] = call.at
            seen.invitations.append(int(call.params["chat_id"]))
            cid = seen.owner.get(iid)
            if cid is None or seen.declines[cid] >= DECLINES_PER_CALLUP:
                continue
            seen.declines[cid] += 1
            task = asyncio.create_task(
                press(
                    sessions,
                    sender,
                    speaker,
                    seen,
                    iid,
                    int(call.params["chat_id"]),
                    cid,
                    rng.uniform(0, think),
                )
            )
            presses.add(task)
            task.add_done_callback(presses.discard)
        done = sum(seen.declines.values()) >= target and not presses
        if done and all(i in seen.arrived for i in seen.pressed):
            return
        await asyncio.sleep(WATCH_EVERY)
    NOTES.append(f"gave up after {GIVE_UP_AFTER:.0f} s: {len(presses)} presses unfinished")
    for task in presses:
        task.cancel()


async def press(
    sessions: db.Sessions,
    sender: Sender,
    speaker: recruiting.Voice,
    seen: Recruiting,
    invitation_id: int,
    telegram_id: int,
    call_up_id: int,
    think: float,
) -> None:
    """婉拒 on one invitation after `think` s, in its own transaction, then a wake for the
    sender; remembers the invitation it caused."""
    await asyncio.sleep(think)
    start = time.monotonic()
    async with sessions.begin() as session:
        answer = await recruiting.decline(
            session, invitation_id, telegram_id, speaker, now=datetime.now(UTC)
        )
        # The call-up is still locked: its newest invitation is the one this decline made.
        newest = await session.scalar(
            select(func.max(CallUpInvitation.id)).where(CallUpInvitation.call_up_id == call_up_id)
        )
    sender.wake()
    seen.transactions.append(time.monotonic() - start)
    if answer.outcome != "declined":
        seen.refused += 1
    if newest is None or newest in seen.owner:
        seen.no_successor += 1
        return
    seen.owner[newest] = call_up_id
    seen.pressed[newest] = start
    seen.committed[newest] = start + seen.transactions[-1]


# --- the runs ----------------------------------------------------------------------------


async def backend(name: str, fresh: Fresh, errors: LogCounter) -> dict[str, list[str]]:
    """Ranking and both recruiting scenarios on one kind of database; prints as it goes."""
    columns: dict[str, list[str]] = {}
    for scenario, with_notice, think in SCENARIOS:
        async with fresh() as url:
            world = await seed(url)
            if scenario == "quiet":
                seconds, found = await time_rank(url, world)
                p50, p95 = median(seconds) * 1000, percentile(seconds, 95) * 1000
                verdict = "met" if p50 < RANK_GOAL_MS else "MISSED"
                print(
                    f"{name}: seeded in {world.seconds:.1f} s; rank() of {found} candidates, "
                    f"{RANKINGS} runs: min {min(seconds) * 1000:.1f} ms, median {p50:.1f} ms, "
                    f"p95 {p95:.1f} ms, max {max(seconds) * 1000:.1f} ms "
                    f"(goal < {RANK_GOAL_MS:.0f} ms: {verdict})"
                )
            columns[f"{name} {scenario}"] = await recruit(url, world, with_notice, think, errors)
    return columns


async def main(arguments: argparse.Namespace) -> None:
    errors = LogCounter(logging.ERROR)
    logging.getLogger().addHandler(errors)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    server = arguments.postgres or postgres_server_url()
    versions = [f"PostgreSQL {await postgres_version(server)}"] if server else []
    print_header("call-ups benchmark", *versions)
    print(
        f"  setup   : 1,050 instructors, {REPORTS} reports, {PAST_CALLUPS} past call-ups, "
        f"{LEAVES} leaves; {CALLUPS} call-ups of {SIZE}, {DECLINES_PER_CALLUP} declines each; "
        f"stand-in latency {LATENCY * 1000:.0f} ms, Telegram's limits on"
    )
    if server:
        print(f"  postgres: {shown(server)}")
    print()
    results: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="xs-bench-") as folder:
        results |= await backend("SQLite", sqlite_databases(Path(folder), "callups"), errors)
    if server:
        results |= await backend("PostgreSQL", postgres_databases(server), errors)
    print()
    rows: list[tuple[str, ...]] = [("", *results)]
    rows += [(label, *(column[i] for column in results.values())) for i, label in enumerate(LABELS)]
    print(table(rows))
    print()
    for note in NOTES:
        print(note)
    print(f"process max RSS (whole run): {max_rss_mib():.0f} MiB")


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = bench_arguments("python -m bench.callups", __doc__)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_arguments()))
