"""Updates are stored before Telegram is told they arrived, handled from the inbox once, and one
instance at a time polls and sends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import runtime as runtime_module
from bot.runtime import Runtime, WebhookServer, poll
from bot.sandbox.botapi import BotApiStandIn
from storage.db import Sessions
from storage.messaging import inbox
from storage.messaging.instance import InstanceLock
from storage.models import InboxUpdate
from tests.conftest import HQ_ID, make_settings


def start_update(update_id: int, user_id: int = HQ_ID) -> dict[str, Any]:
    """A /start in the private chat of `user_id`."""
    user = {"id": user_id, "is_bot": False, "first_name": "HQ"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "HQ"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def until(check: Callable[[], object], what: str) -> None:
    """Waits (briefly polling) for `check()` to hold; fails after 10 s."""
    deadline = time.monotonic() + 10
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def stored(sessions: Sessions) -> list[InboxUpdate]:
    async with sessions() as session:
        return list(await session.scalars(select(InboxUpdate).order_by(InboxUpdate.update_id)))


def replies(standin: BotApiStandIn) -> list[str]:
    return standin.texts(HQ_ID)


async def test_an_update_is_confirmed_only_once_stored_and_handled_after_a_crash(
    database_url: str, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """The next getUpdates carries the offset only after the update is in the inbox; a crash
    before handling loses nothing: the restarted bot answers it, once, and a second delivery of
    the same update is neither stored nor answered again."""
    settings = make_settings(database_url, standin)
    first = Runtime(settings)
    async with first.application:
        standin.push_update(start_update(1))
        poller = asyncio.create_task(poll(first.application, first.sessions, first.dispatcher))
        await until(
            lambda: any(c.params.get("offset") == 2 for c in standin.calls_to("getUpdates")),
            "the confirming getUpdates",
        )
        assert [u.update_id for u in await stored(sessions)] == [1]
        poller.cancel()  # the crash: stored and confirmed, not yet handled
    await first.engine.dispose()
    assert replies(standin) == []

    second = Runtime(settings)
    async with second.application:
        assert await second.dispatcher.handle_pending() == 1
        assert len(replies(standin)) == 1 and "管理员" in replies(standin)[0]
        standin.push_update(start_update(1))  # Telegram sends it again
        poller = asyncio.create_task(poll(second.application, second.sessions, second.dispatcher))
        await until(
            lambda: (
                len([c for c in standin.calls_to("getUpdates") if c.params.get("offset") == 2]) >= 2
            ),
            "the second delivery",
        )
        poller.cancel()
        assert await second.dispatcher.handle_pending() == 0
    await second.engine.dispose()
    assert len(replies(standin)) == 1
    [row] = await stored(sessions)
    assert row.handled_at is not None and row.attempts == 1


async def test_the_webhook_answers_200_only_once_the_update_is_stored(
    database_url: str, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """A POST with the secret is stored (200), a repeat is stored once, a wrong secret gets 403
    and junk 400, neither stored."""
    settings = make_settings(database_url, standin, webhook_secret="s3cret")
    runtime = Runtime(settings)
    server = WebhookServer(settings, runtime.sessions, runtime.dispatcher)
    body = runtime_module.json.dumps(start_update(7)).encode()
    assert await server.receive("wrong", body) == 403
    assert await server.receive("s3cret", b"{not json") == 400
    assert await server.receive("s3cret", body) == 200
    assert await server.receive("s3cret", body) == 200
    await runtime.engine.dispose()
    assert [u.update_id for u in await stored(sessions)] == [7]


async def test_an_update_that_keeps_crashing_the_bot_is_set_aside(
    database_url: str, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """An update whose handling was begun three times without finishing is not tried a fourth
    time; the rest of the inbox is handled."""
    async with sessions.begin() as session:
        await inbox.store_updates(session, [start_update(1), start_update(2)])
        await inbox.begin_attempt(session, 1)
        await inbox.begin_attempt(session, 1)
        await inbox.begin_attempt(session, 1)
    runtime = Runtime(make_settings(database_url, standin))
    async with runtime.application:
        assert await runtime.dispatcher.handle_pending() == 2
    await runtime.engine.dispose()
    assert len(replies(standin)) == 1
    first, second = await stored(sessions)
    assert first.error == "set aside after repeated crashes" and first.handled_at is not None
    assert second.error is None and second.handled_at is not None
    async with sessions() as session:
        assert await inbox.count_pending(session) == 0


async def test_storing_the_same_updates_twice_keeps_one_row_each(sessions: Sessions) -> None:
    """store_updates ignores an update_id it already holds."""
    async with sessions.begin() as session:
        assert await inbox.store_updates(session, [start_update(1), start_update(2)]) == 2
    async with sessions.begin() as session:
        assert await inbox.store_updates(session, [start_update(2), start_update(3)]) == 1
    async with sessions() as session:
        count = (await session.execute(select(func.count()).select_from(InboxUpdate))).scalar()
    assert count == 3


async def test_a_second_instance_is_refused_until_the_first_lets_go(database_url: str) -> None:
    """Two locks on one database: the second is refused while the first holds, then succeeds."""
    first, second = InstanceLock(database_url), InstanceLock(database_url)
    try:
        assert await first.acquire()
        assert not await second.acquire()
        assert await first.still_held()
        await first.release()
        assert await second.acquire()
        assert not await first.acquire()
    finally:
        await first.release()
        await second.release()


async def test_a_waiting_instance_says_why_and_takes_over(
    database_url: str, standin: BotApiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second runtime announces that it stands by, starts nothing, and takes the lock (and
    says so) once the first instance is gone."""
    monkeypatch.setattr(runtime_module, "LOCK_RETRY", 0.05)
    holder = InstanceLock(database_url)
    assert await holder.acquire()
    runtime = Runtime(make_settings(database_url, standin))
    said: list[str] = []
    waiting = asyncio.create_task(runtime.wait_for_lock(said.append))
    await until(lambda: said, "the announcement")
    assert "待命" in said[0] and not waiting.done()
    assert standin.calls == []
    await holder.release()
    assert await asyncio.wait_for(waiting, 10)
    assert "接管" in said[1]
    await runtime.lock.release()
    await runtime.engine.dispose()
