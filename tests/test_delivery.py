"""The outbox sender keeps Telegram's limits by itself and loses nothing on 429, 403, 400, a lost
response, a group migration or a crash."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import select

from bot.app import build_application
from bot.context import XieshangApp
from schedules.delivery import Limits, Pacer, Sender
from storage.db import Sessions
from storage.messaging import outbox
from storage.models import Group, OutboxMessage
from tests.conftest import make_settings
from tests.standin import BotApiStandIn, Call


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


async def enqueue(sessions: Sessions, messages: Sequence[outbox.Outgoing]) -> int:
    async with sessions.begin() as session:
        return await outbox.enqueue(session, messages)


async def rows(sessions: Sessions) -> dict[int, OutboxMessage]:
    """Outbox rows by chat id."""
    async with sessions() as session:
        return {r.chat_id: r for r in await session.scalars(select(OutboxMessage))}


def sends(standin: BotApiStandIn) -> list[Call]:
    """Sends Telegram accepted (not refused with an error)."""
    return [c for c in standin.calls_to("sendMessage") if not c.rejected]


def most_in_window(times: Sequence[float], window: float) -> int:
    """The most events in any sliding window of `window` seconds."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_a_thousand_recipients_get_one_message_each_within_the_limits(
    app: XieshangApp, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """1,050 instructors and 17 groups: each gets exactly one message, no 429, no sliding second
    above 30 sends, no private chat twice in a second, no group above 20 a minute."""
    chats = [*range(1, 1051), *(-5000 - g for g in range(17))]
    assert await enqueue(sessions, [message(f"n:1:{c}", c) for c in chats]) == len(chats)
    await Sender(app.bot, sessions).drain()
    accepted = sends(standin)
    assert Counter(int(c.params["chat_id"]) for c in accepted) == Counter(chats)
    assert standin.too_many_requests == 0
    assert most_in_window([c.at for c in accepted], 1.0) <= 30
    per_chat: dict[int, list[float]] = defaultdict(list)
    for call in accepted:
        per_chat[int(call.params["chat_id"])].append(call.at)
    assert all(most_in_window(t, 1.0) <= 1 for c, t in per_chat.items() if c > 0)
    assert all(most_in_window(t, 60.0) <= 20 for c, t in per_chat.items() if c < 0)
    assert {r.status for r in (await rows(sessions)).values()} == {"sent"}


async def test_a_429_pauses_everything_and_the_message_is_sent_afterwards(
    app: XieshangApp, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """After a 429 with retry_after=2 nothing is sent for 2 s, the refused message goes out
    afterwards, and the sends resume evenly, without a burst."""
    await enqueue(sessions, [message(f"n:1:{c}", c) for c in range(1, 91)])
    standin.fail_next(
        "sendMessage",
        chat_id=20,
        error_code=429,
        description="Too Many Requests: retry after 2",
        parameters={"retry_after": 2},
    )
    await Sender(app.bot, sessions).drain()
    refused = next(c for c in standin.calls_to("sendMessage", 20) if c.rejected)
    accepted = sends(standin)
    assert Counter(int(c.params["chat_id"]) for c in accepted) == Counter(range(1, 91))
    after = [c.at for c in accepted if c.at > refused.at]
    assert min(after) >= refused.at + 2.0
    # Even spacing after the pause: no second holds more than 30, and no 100 ms more than 4.
    assert most_in_window(after, 1.0) <= 30
    assert most_in_window(after, 0.1) <= 4
    assert (await rows(sessions))[20].status == "sent"


async def test_blocked_and_refused_recipients_are_marked_and_not_retried(
    app: XieshangApp, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """A 403 marks the recipient unreachable, a 400 failed with Telegram's reason; each was
    asked once, and everyone else got the message."""
    standin.blocked.add(3)
    standin.fail_next(
        "sendMessage", chat_id=4, error_code=400, description="Bad Request: chat not found"
    )
    await enqueue(sessions, [message(f"n:1:{c}", c) for c in range(1, 7)])
    await Sender(app.bot, sessions).drain()
    stored = await rows(sessions)
    assert stored[3].status == "unreachable" and "blocked" in (stored[3].error or "")
    assert stored[4].status == "failed" and stored[4].error == "Chat not found"
    assert len(standin.calls_to("sendMessage", 3)) == 1
    assert len(standin.calls_to("sendMessage", 4)) == 1
    assert {stored[c].status for c in (1, 2, 5, 6)} == {"sent"}


async def test_a_lost_response_is_unknown_and_not_sent_again(
    app: XieshangApp, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """When Telegram performed the send but the answer never came, the row is `unknown` and the
    message is not repeated."""
    standin.drop_next("sendMessage", chat_id=2)
    await enqueue(sessions, [message(f"n:1:{c}", c) for c in (1, 2, 3)])
    await Sender(app.bot, sessions).drain()
    stored = await rows(sessions)
    assert stored[2].status == "unknown"
    assert len(standin.calls_to("sendMessage", 2)) == 1
    assert stored[1].status == stored[3].status == "sent"


async def test_a_bad_gateway_is_retried_and_delivered_once(
    app: XieshangApp, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """A 502 (Telegram did not send) puts the row back with a backoff; it is then sent once."""
    standin.fail_next("sendMessage", chat_id=2, error_code=502, description="Bad Gateway")
    await enqueue(sessions, [message(f"n:1:{c}", c) for c in (1, 2)])
    await Sender(app.bot, sessions).drain()
    stored = await rows(sessions)
    assert stored[2].status == "sent" and stored[2].attempts == 1
    assert [c.rejected for c in standin.calls_to("sendMessage", 2)] == [True, False]


async def test_a_group_that_became_a_supergroup_gets_the_message_at_its_new_id(
    app: XieshangApp, sessions: Sessions, standin: BotApiStandIn
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
    await enqueue(sessions, [message("n:1:g", -4001)])
    await Sender(app.bot, sessions).drain()
    assert [c.rejected for c in standin.calls_to("sendMessage", -1004001)] == [False]
    async with sessions() as session:
        assert (await session.scalars(select(Group.chat_id))).all() == [-1004001]
    assert (await rows(sessions))[-1004001].status == "sent"


async def test_enqueueing_the_same_message_twice_sends_it_once(
    app: XieshangApp, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """The second enqueue of a key adds nothing; one message arrives."""
    assert await enqueue(sessions, [message("n:7:1", 1)]) == 1
    assert await enqueue(sessions, [message("n:7:1", 1)]) == 0
    await Sender(app.bot, sessions).drain()
    assert len(sends(standin)) == 1


async def test_a_crash_in_the_middle_resumes_without_losing_anyone(
    app: XieshangApp, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """A sender killed after 60 sends and a new one on the same database: everyone gets the
    message, and only requests in flight at the crash can arrive twice."""
    standin.latency = 0.05  # so that requests are in flight when the crash comes
    chats = list(range(1, 201))
    await enqueue(sessions, [message(f"n:1:{c}", c) for c in chats])
    first = Sender(app.bot, sessions)
    await first.run(stop_after=60)
    in_flight = first.crash()
    await asyncio.sleep(0)  # let the cancelled tasks unwind, as a dead process would
    in_flight_chats = {r.chat_id for r in (await rows(sessions)).values() if r.id in set(in_flight)}
    await Sender(app.bot, sessions).drain()
    received = Counter(int(c.params["chat_id"]) for c in sends(standin))
    assert set(received) == set(chats)
    twice = {chat for chat, count in received.items() if count > 1}
    assert twice <= in_flight_chats
    assert {r.status for r in (await rows(sessions)).values()} == {"sent"}


# --- the pacer on a controlled clock -------------------------------------------------------


class FakeTime:
    """A clock that moves only when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


async def test_a_group_gets_at_most_twenty_a_minute() -> None:
    """The 21st message to one group waits until the first is a minute old."""
    fake = FakeTime()
    pacer = Pacer(Limits(), clock=fake.clock, sleep=fake.sleep)
    times = []
    for _ in range(25):
        await pacer.wait_for_slot(-4001, bulk=True)
        times.append(fake.now)
    assert times[19] < 1.0
    assert times[20] >= 60.0
    assert most_in_window(times, 60.0) <= 20


async def test_bulk_sends_are_evenly_spaced_at_under_thirty_a_second() -> None:
    """100 bulk sends to different chats: never more than 30 in a second, never two closer than
    1/30 s, so there is no burst to make up for a pause."""
    fake = FakeTime()
    pacer = Pacer(Limits(), clock=fake.clock, sleep=fake.sleep)
    pacer.pause(5)
    times = []
    for chat in range(1, 101):
        await pacer.wait_for_slot(chat, bulk=True)
        times.append(fake.now)
    assert times[0] >= 5.0
    assert most_in_window(times, 1.0) <= 30
    assert min(b - a for a, b in itertools.pairwise(times)) >= 1 / 30


async def test_a_reply_goes_ahead_of_waiting_bulk_sends() -> None:
    """While bulk sends queue for slots, a reply to a user who just spoke takes the next one."""
    pacer = Pacer(Limits())
    order: list[str] = []

    async def send(name: str, chat: int, bulk: bool) -> None:
        await pacer.wait_for_slot(chat, bulk=bulk)
        order.append(name)

    bulk = [asyncio.create_task(send(f"b{i}", i, True)) for i in range(1, 11)]
    await asyncio.sleep(0.05)  # a couple of bulk sends have gone; the rest wait
    reply = asyncio.create_task(send("reply", 9999, False))
    await asyncio.gather(*bulk, reply)
    assert order.index("reply") <= 4
