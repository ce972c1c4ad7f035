"""The outbox sender keeps Telegram's limits by itself and loses nothing on 429, 403, 400, a lost
response, a group migration or a crash.

Every test but one runs the real pacer and sender on fake time (`FakeTime`: a sleep returns at
once, that much later), so the limits are checked on the moments the pacer chose, without
waiting for them. The one marked REAL TIME sends 1,050 messages through the real Application to
the stand-in, which enforces Telegram's limits on the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.app import build_application
from bot.context import XieshangApp
from bot.sandbox.botapi import BotApiStandIn, Call
from schedules.delivery import Limits, Pacer, Sender
from storage.db import Sessions
from storage.messaging import outbox
from storage.models import Group, OutboxMessage
from tests.conftest import make_settings

# A bot whose rate limiter is the pacer.
PacedBot = ExtBot[dict[str, Any]]


class FakeTime:
    """A clock that moves only when something sleeps: a sleep returns at once, that much later.

    Sleepers side by side each wait for their own moment, so time goes to the latest of those
    moments, not to their sum.
    """

    def __init__(self) -> None:
        self.start = datetime.now(UTC)
        self.elapsed = 0.0

    def monotonic(self) -> float:
        return self.elapsed

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    async def sleep(self, seconds: float) -> None:
        until = self.elapsed + max(seconds, 0.0)
        await asyncio.sleep(0)  # the others due at this moment go to sleep too
        self.elapsed = max(self.elapsed, until)


class RecordingPacer(Pacer):
    """The real pacer, noting when it let each send through and when a 429 paused it."""

    def __init__(self, clock: FakeTime) -> None:
        super().__init__(Limits(), clock=clock)
        self.slots: list[tuple[int | None, float]] = []
        self.paused_at: list[float] = []
        self._counts: list[tuple[int, asyncio.Event]] = []

    async def wait_for_slot(self, chat_id: int | None, *, bulk: bool) -> None:
        await super().wait_for_slot(chat_id, bulk=bulk)
        self.slots.append((chat_id, self.clock.monotonic()))
        for count, event in self._counts:
            if len(self.slots) >= count:
                event.set()

    def pause(self, seconds: float) -> None:
        self.paused_at.append(self.clock.monotonic())
        super().pause(seconds)

    def after(self, count: int) -> asyncio.Event:
        """An event set once `count` sends were let through."""
        event = asyncio.Event()
        self._counts.append((count, event))
        return event

    def times(self, chat_id: int | None = None) -> list[float]:
        """When sends were let through: all of them, or those to one chat."""
        return [at for chat, at in self.slots if chat_id is None or chat == chat_id]


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def pacer(fake: FakeTime) -> RecordingPacer:
    return RecordingPacer(fake)


@pytest.fixture
async def bot(standin: BotApiStandIn, pacer: RecordingPacer) -> AsyncIterator[PacedBot]:
    """A bot with the real pacer on fake time, talking to the stand-in (which counts no limits:
    its clock is the wall clock)."""
    bot: PacedBot = ExtBot(
        "123456:TEST",
        base_url=f"{standin.url}/bot",
        base_file_url=f"{standin.url}/file/bot",
        request=HTTPXRequest(connection_pool_size=16),
        rate_limiter=pacer,
    )
    async with bot:
        yield bot


@pytest.fixture
async def app(
    database_url: str, sessions: Sessions, standin: BotApiStandIn
) -> AsyncIterator[XieshangApp]:
    """The real Application (with its pacer) talking to the stand-in, which enforces the limits."""
    standin.rate_limits = True
    application = build_application(make_settings(database_url, standin), sessions)
    async with application:
        yield application


def message(key: str, chat_id: int, text: str = "通知：周五前提交小结") -> outbox.Outgoing:
    return outbox.Outgoing(key=key, chat_id=chat_id, text=text, kind="notice", ref_id=1)


async def enqueue(
    sessions: Sessions, messages: Sequence[outbox.Outgoing], fake: FakeTime | None = None
) -> int:
    async with sessions.begin() as session:
        return await outbox.enqueue(session, messages, now=fake.now() if fake else None)


async def rows(sessions: Sessions) -> dict[int, OutboxMessage]:
    """Outbox rows by chat id."""
    async with sessions() as session:
        return {r.chat_id: r for r in await session.scalars(select(OutboxMessage))}


def sends(standin: BotApiStandIn) -> list[Call]:
    """Sends Telegram accepted (not refused with an error)."""
    return [c for c in standin.calls_to("sendMessage") if not c.rejected]


def received(standin: BotApiStandIn) -> Counter[int]:
    """How many messages each chat got."""
    return Counter(int(c.params["chat_id"]) for c in sends(standin))


async def until(event: asyncio.Event, running: asyncio.Task[None]) -> None:
    """Waits for `event` while the sender runs; a sender that stops first fails the test."""
    waiter = asyncio.create_task(event.wait())
    await asyncio.wait({waiter, running}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if not event.is_set():
        running.result()
        raise AssertionError("the sender returned before the event")


def most_in_window(times: Sequence[float], window: float) -> int:
    """The most events in any sliding window of `window` seconds."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


# --- REAL TIME: the one test on the wall clock (about 40 s per database) ------------------


async def test_real_time_a_thousand_recipients_get_one_message_each_within_the_limits(
    app: XieshangApp, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """REAL TIME. 1,050 instructors and 17 groups through the real Application: each gets
    exactly one message, no 429, no sliding second above 30 sends, no private chat twice in a
    second, no group above 20 a minute."""
    chats = [*range(1, 1051), *(-5000 - g for g in range(17))]
    assert await enqueue(sessions, [message(f"n:1:{c}", c) for c in chats]) == len(chats)
    await Sender(app.bot, sessions).drain()
    accepted = sends(standin)
    assert received(standin) == Counter(chats)
    assert standin.too_many_requests == 0
    assert most_in_window([c.at for c in accepted], 1.0) <= 30
    per_chat: dict[int, list[float]] = defaultdict(list)
    for call in accepted:
        per_chat[int(call.params["chat_id"])].append(call.at)
    assert all(most_in_window(t, 1.0) <= 1 for c, t in per_chat.items() if c > 0)
    assert all(most_in_window(t, 60.0) <= 20 for c, t in per_chat.items() if c < 0)
    assert {r.status for r in (await rows(sessions)).values()} == {"sent"}


# --- the sender on fake time ---------------------------------------------------------------


async def test_a_groups_backlog_does_not_hold_back_a_private_chat(
    bot: PacedBot,
    pacer: RecordingPacer,
    fake: FakeTime,
    sessions: Sessions,
    standin: BotApiStandIn,
) -> None:
    """200 messages queued for one group, then 1 for a private chat: the private one goes out in
    the sender's first pass, and the group's still go at 20 a minute."""
    await enqueue(sessions, [message(f"n:1:g:{i}", -4001, f"第{i}条") for i in range(200)], fake)
    await enqueue(sessions, [message("n:2:1", 1)], fake)
    sender = Sender(bot, sessions)
    assert await sender.send_due() == 2
    await sender.stop()
    assert received(standin) == Counter({-4001: 1, 1: 1})
    running = asyncio.create_task(sender.run())
    await until(pacer.after(1 + 41), running)  # the private one and 2 minutes of the group's
    await sender.stop()
    await running
    group = pacer.times(-4001)
    assert received(standin)[-4001] == len(group) >= 41
    assert most_in_window(group, 60.0) == 20
    assert group[20] - group[0] >= 60.0 and group[40] - group[20] >= 60.0


async def test_a_429_pauses_everything_and_the_message_is_sent_afterwards(
    bot: PacedBot,
    pacer: RecordingPacer,
    fake: FakeTime,
    sessions: Sessions,
    standin: BotApiStandIn,
) -> None:
    """After a 429 with retry_after=2 nothing is sent for 2 s, the refused message goes out
    afterwards, and the sends resume evenly, without a burst."""
    await enqueue(sessions, [message(f"n:1:{c}", c) for c in range(1, 91)], fake)
    standin.fail_next(
        "sendMessage",
        chat_id=20,
        error_code=429,
        description="Too Many Requests: retry after 2",
        parameters={"retry_after": 2},
    )
    await Sender(bot, sessions).drain()
    assert [c.rejected for c in standin.calls_to("sendMessage", 20)] == [True, False]
    assert received(standin) == Counter(range(1, 91))
    # Sends let through before the 429 arrived were already on their way; none after it.
    [paused_at] = pacer.paused_at
    after = [at for at in pacer.times() if at > paused_at]
    assert min(after) >= paused_at + 2.0
    assert pacer.times(20)[1] >= paused_at + 2.0
    # Even spacing after the pause: no second holds more than 30, and no 100 ms more than 4.
    assert most_in_window(after, 1.0) <= 30
    assert most_in_window(after, 0.1) <= 4
    assert (await rows(sessions))[20].status == "sent"


async def test_blocked_and_refused_recipients_are_marked_and_not_retried(
    bot: PacedBot, fake: FakeTime, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """A 403 marks the recipient unreachable, a 400 failed with Telegram's reason; each was
    asked once, and everyone else got the message."""
    standin.blocked.add(3)
    standin.fail_next(
        "sendMessage", chat_id=4, error_code=400, description="Bad Request: chat not found"
    )
    await enqueue(sessions, [message(f"n:1:{c}", c) for c in range(1, 7)], fake)
    await Sender(bot, sessions).drain()
    stored = await rows(sessions)
    assert stored[3].status == "unreachable" and "blocked" in (stored[3].error or "")
    assert stored[4].status == "failed" and stored[4].error == "Chat not found"
    assert len(standin.calls_to("sendMessage", 3)) == 1
    assert len(standin.calls_to("sendMessage", 4)) == 1
    assert {stored[c].status for c in (1, 2, 5, 6)} == {"sent"}


async def test_a_lost_response_is_unknown_and_not_sent_again(
    bot: PacedBot, fake: FakeTime, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """When Telegram performed the send but the answer never came, the row is `unknown` and the
    message is not repeated."""
    standin.drop_next("sendMessage", chat_id=2)
    await enqueue(sessions, [message(f"n:1:{c}", c) for c in (1, 2, 3)], fake)
    await Sender(bot, sessions).drain()
    stored = await rows(sessions)
    assert stored[2].status == "unknown"
    assert len(standin.calls_to("sendMessage", 2)) == 1
    assert stored[1].status == stored[3].status == "sent"


async def test_a_bad_gateway_is_retried_and_delivered_once(
    bot: PacedBot, fake: FakeTime, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """A 502 (Telegram did not send) puts the row back with a backoff; it is then sent once."""
    standin.fail_next("sendMessage", chat_id=2, error_code=502, description="Bad Gateway")
    await enqueue(sessions, [message(f"n:1:{c}", c) for c in (1, 2)], fake)
    await Sender(bot, sessions).drain()
    stored = await rows(sessions)
    assert stored[2].status == "sent" and stored[2].attempts == 1
    assert [c.rejected for c in standin.calls_to("sendMessage", 2)] == [True, False]
    assert fake.elapsed >= 1.0  # the backoff of a first retry


async def test_a_group_that_became_a_supergroup_gets_the_message_at_its_new_id(
    bot: PacedBot, fake: FakeTime, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """A 400 with migrate_to_chat_id moves the group's binding and the message to the new id."""
    async with sessions.begin() as session:
        session.add(Group(chat_id=-4001, title="西城协商群", scope="city", bound_by=1000))
    standin.fail_next(
        "sendMessage",
        chat_id=-4001,
        error_code=400,
        description="Bad Request: group chat was upgraded to a supergroup chat",
        parameters={"migrate_to_chat_id": -1004001},
    )
    await enqueue(sessions, [message("n:1:g", -4001)], fake)
    await Sender(bot, sessions).drain()
    assert [c.rejected for c in standin.calls_to("sendMessage", -1004001)] == [False]
    async with sessions() as session:
        assert (await session.scalars(select(Group.chat_id))).all() == [-1004001]
    assert (await rows(sessions))[-1004001].status == "sent"


async def test_enqueueing_the_same_message_twice_sends_it_once(
    bot: PacedBot, fake: FakeTime, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """The second enqueue of a key adds nothing; one message arrives."""
    assert await enqueue(sessions, [message("n:7:1", 1)], fake) == 1
    assert await enqueue(sessions, [message("n:7:1", 1)], fake) == 0
    await Sender(bot, sessions).drain()
    assert len(sends(standin)) == 1


async def test_a_crash_in_the_middle_resumes_without_losing_anyone(
    bot: PacedBot,
    pacer: RecordingPacer,
    fake: FakeTime,
    sessions: Sessions,
    standin: BotApiStandIn,
) -> None:
    """A sender killed after 60 sends and a new one on the same database: everyone gets the
    message, and only requests in flight at the crash can arrive twice."""
    standin.latency = 0.05  # so that requests are in flight when the crash comes
    chats = list(range(1, 201))
    await enqueue(sessions, [message(f"n:1:{c}", c) for c in chats], fake)
    running = asyncio.create_task(Sender(bot, sessions).run())
    await until(pacer.after(60), running)
    # The process dies: the requests in flight are abandoned and nothing more is recorded.
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    stored = await rows(sessions)
    # Telegram got these, but their outcome never reached the database.
    in_flight = {chat for chat in received(standin) if stored[chat].status == "pending"}
    assert in_flight
    await Sender(bot, sessions).drain()
    assert set(received(standin)) == set(chats)
    twice = {chat for chat, count in received(standin).items() if count > 1}
    assert twice <= in_flight
    assert {r.status for r in (await rows(sessions)).values()} == {"sent"}


# --- the pacer on fake time ----------------------------------------------------------------


async def test_a_group_gets_at_most_twenty_a_minute(fake: FakeTime) -> None:
    """The 21st message to one group waits until the first is a minute old."""
    pacer = Pacer(Limits(), clock=fake)
    times = []
    for _ in range(25):
        await pacer.wait_for_slot(-4001, bulk=True)
        times.append(fake.elapsed)
    assert times[19] < 1.0
    assert times[20] >= 60.0
    assert most_in_window(times, 60.0) <= 20


async def test_bulk_sends_are_evenly_spaced_at_under_thirty_a_second(fake: FakeTime) -> None:
    """100 bulk sends to different chats: never more than 30 in a second, never two closer than
    1/30 s, so there is no burst to make up for a pause."""
    pacer = Pacer(Limits(), clock=fake)
    pacer.pause(5)
    times = []
    for chat in range(1, 101):
        await pacer.wait_for_slot(chat, bulk=True)
        times.append(fake.elapsed)
    assert times[0] >= 5.0
    assert most_in_window(times, 1.0) <= 30
    assert min(b - a for a, b in itertools.pairwise(times)) >= 1 / 30


async def test_a_reply_goes_ahead_of_waiting_bulk_sends(fake: FakeTime) -> None:
    """While bulk sends queue for slots, a reply to a user who just spoke takes the next one."""
    pacer = Pacer(Limits(), clock=fake)
    order: list[str] = []
    two_gone = asyncio.Event()

    async def send(name: str, chat: int, bulk: bool) -> None:
        await pacer.wait_for_slot(chat, bulk=bulk)
        order.append(name)
        if len(order) == 2:
            two_gone.set()

    bulk = [asyncio.create_task(send(f"b{i}", i, True)) for i in range(1, 11)]
    await two_gone.wait()  # a couple of bulk sends have gone; the rest wait
    reply = asyncio.create_task(send("reply", 9999, False))
    await asyncio.gather(*bulk, reply)
    assert order.index("reply") <= 3


async def test_the_pacer_tells_which_chats_wait_for_their_own_limit(fake: FakeTime) -> None:
    """After a send a private chat waits a second, and a group with 20 sends until the first of
    them is a minute old; then neither waits."""
    pacer = Pacer(Limits(), clock=fake)
    await pacer.wait_for_slot(7, bulk=True)
    for _ in range(20):
        await pacer.wait_for_slot(-4001, bulk=True)
    assert set(pacer.waiting_chats()) == {7, -4001}
    assert not pacer.chat_ready(7) and not pacer.chat_ready(-4001)
    await fake.sleep(2)
    waiting = pacer.waiting_chats()
    assert set(waiting) == {-4001}
    assert 57.0 < waiting[-4001] <= 58.1
    await fake.sleep(waiting[-4001])
    assert pacer.waiting_chats() == {}
    assert pacer.chat_ready(-4001) and pacer.chat_ready(7)
