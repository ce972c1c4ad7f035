"""The dispatcher handles each stored update once: an update in progress is never picked up
again, its mark waits for the tasks its handling started, and what a handler creates carries the
message that asked for it, so an update handled again after a crash creates nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.runtime import Runtime
from bot.sandbox.botapi import BotApiStandIn
from storage.db import Sessions
from storage.messaging import inbox, outbox
from storage.models import InboxUpdate, Leave, Notice, OutboxMessage, Reminder
from tests.conftest import HQ_ID, make_settings
from tests.harness import World
from tests.reports_data import seed_2017
from tests.support import LI, joined

# Far from the harness's own message ids, which count up from 1 in every chat.
FIRST_ID = 900_000


def command(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """A command typed in the private chat of `user_id`, as Telegram delivers it."""
    user = {"id": user_id, "is_bot": False, "first_name": "User", "language_code": "zh-hans"}
    length = len(text.split()[0])
    return {
        "update_id": update_id,
        "message": {
            "message_id": FIRST_ID + update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "User"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": length}],
        },
    }


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Waits (briefly polling) for `check()` to hold; fails after a minute (a worker process
    starts slowly on a busy machine)."""
    deadline = time.monotonic() + 60
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def inbox_row(sessions: Sessions, update_id: int) -> InboxUpdate:
    row = await stored(sessions, update_id)
    assert row is not None
    return row


async def stored(sessions: Sessions, update_id: int) -> InboxUpdate | None:
    async with sessions() as session:
        return await session.get(InboxUpdate, update_id)


async def handled(sessions: Sessions, update_id: int) -> bool:
    row = await stored(sessions, update_id)
    return row is not None and row.handled_at is not None


async def count(sessions: Sessions, model: type[Any]) -> int:
    async with sessions() as session:
        query = select(func.count()).select_from(model)
        if model is Reminder:
            query = query.where(Reminder.key.is_(None))  # not the built-in schedules
        return int((await session.execute(query)).scalar_one())


@contextlib.asynccontextmanager
async def running(runtime: Runtime) -> AsyncIterator[None]:
    """The whole runtime (poller, dispatcher loop, sender, ticks) runs inside the block."""
    said: list[str] = []
    task = asyncio.create_task(runtime.run(webhook=False, announce=said.append))
    try:
        yield
    finally:
        runtime.stop()
        await asyncio.wait_for(task, 60)


async def test_one_export_brings_one_working_message_and_one_workbook(
    database_url: str, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """/export runs on as a task while a worker process builds the workbook; the dispatcher loop
    does not pick its update up again meanwhile, and marks it done once the workbook is sent,
    after one attempt."""
    await seed_2017(sessions)
    standin.push_update(command(1, HQ_ID, "/export 2017 西城"))

    async def done() -> bool:
        return await handled(sessions, 1) and bool(standin.calls_to("sendDocument", HQ_ID))

    async with running(Runtime(make_settings(database_url, standin))):
        await eventually(done, "the workbook and the mark")
    working = [text for text in standin.texts(HQ_ID) if "正在生成" in text]
    assert len(working) == 1
    assert len(standin.calls_to("sendDocument", HQ_ID)) == 1
    row = await inbox_row(sessions, 1)
    assert row.attempts == 1 and row.error is None


async def test_one_remind_creates_one_reminder_while_other_tasks_come_and_go(
    database_url: str, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """A /remind handled while the outbox sender starts a task per message and the ticks run
    creates one reminder and is marked done after one attempt: tasks it did not start do not
    hold its mark back, and it is never handled twice."""
    async with sessions.begin() as session:
        await outbox.enqueue(
            session,
            [
                outbox.Outgoing(key=f"bulk:{n}", chat_id=7000 + n, text="群发", kind="bulk")
                for n in range(60)
            ],
        )
    standin.latency = 0.2  # each request, the /remind reply too, takes a while
    standin.push_update(command(1, HQ_ID, "/remind in 1m 回电话给维达纸业"))

    async with running(Runtime(make_settings(database_url, standin))):
        await eventually(lambda: handled(sessions, 1), "the mark")
        assert standin.calls_to("sendMessage", 7000)  # the sender was at work
    assert await count(sessions, Reminder) == 1
    row = await inbox_row(sessions, 1)
    assert row.attempts == 1 and row.error is None
    confirmations = [text for text in standin.texts(HQ_ID) if "⏰ 好的" in text]
    assert len(confirmations) == 1


async def test_an_update_in_progress_is_not_picked_again(
    database_url: str, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """While an /export is still being built, another pass over the inbox finds nothing to do;
    the update is marked when the export is done, and the next pass finds nothing either."""
    await seed_2017(sessions)
    async with sessions.begin() as session:
        await inbox.store_updates(session, [command(1, HQ_ID, "/export 2017")])
    runtime = Runtime(make_settings(database_url, standin))
    async with runtime.application:
        await runtime.application.start()
        assert await runtime.dispatcher.handle_pending() == 1
        assert (await inbox_row(sessions, 1)).handled_at is None  # the workbook is on its way
        assert await runtime.dispatcher.handle_pending() == 0
        stop = asyncio.Event()
        stop.set()
        await runtime.dispatcher.run(stop)  # returns once what is in progress is marked
        await runtime.application.stop()
    await runtime.engine.dispose()
    row = await inbox_row(sessions, 1)
    assert row.handled_at is not None and row.attempts == 1
    assert len(standin.calls_to("sendDocument", HQ_ID)) == 1


@pytest.mark.parametrize(
    ("sender_id", "text", "model", "reply"),
    [
        (LI, "/remind in 2h 回电话给维达纸业", Reminder, "⏰ 好的"),
        (LI, "/leave 今天 明天 出差", Leave, "已登记请假"),
        (HQ_ID, "/notice 全体 请于周五前提交季度小结", Notice, "正在发送"),
    ],
)
async def test_an_update_handled_again_after_a_crash_creates_nothing_twice(
    world: World,
    database_url: str,
    sessions: Sessions,
    standin: BotApiStandIn,
    sender_id: int,
    text: str,
    model: type[Any],
    reply: str,
) -> None:
    """The process dies after the handler committed its row but before the update was marked;
    on start the update is handled again (a second attempt) and finds that row instead of
    adding another: one reminder, leave or notice, and no notice message enqueued twice."""
    await joined(world)
    async with sessions.begin() as session:
        await inbox.store_updates(session, [command(1, sender_id, text)])
    settings = make_settings(database_url, standin)

    first = Runtime(settings)
    async with first.application:
        standin.latency = 1.0  # the reply is on its way when the process dies
        said = len(standin.calls_to("sendMessage", sender_id))

        async def replying() -> bool:
            return len(standin.calls_to("sendMessage", sender_id)) > said

        handling = asyncio.create_task(first.dispatcher.handle_pending())
        await eventually(replying, "the reply after the handler's commit")
        assert await count(sessions, model) == 1
        handling.cancel()  # the crash
        with contextlib.suppress(asyncio.CancelledError):
            await handling
        standin.latency = 0.0
    await first.engine.dispose()
    row = await inbox_row(sessions, 1)
    assert row.handled_at is None and row.attempts == 1
    async with sessions() as session:
        enqueued = (await session.execute(select(func.count(OutboxMessage.id)))).scalar_one()

    second = Runtime(settings)
    async with second.application:
        assert await second.dispatcher.handle_pending() == 1
    await second.engine.dispose()
    row = await inbox_row(sessions, 1)
    assert row.handled_at is not None and row.attempts == 2 and row.error is None
    assert await count(sessions, model) == 1
    async with sessions() as session:
        assert (await session.execute(select(func.count(OutboxMessage.id)))).scalar_one() == (
            enqueued
        )
    assert reply in standin.texts(sender_id)[-1]


async def test_chats_are_handled_side_by_side_and_each_chat_in_order(
    database_url: str, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """A reply that Telegram answers slowly holds up its own chat's next update, not another
    chat's: 300 /checkin in a minute no longer wait behind one another's replies."""
    slow, quick = 700_001, 700_002
    standin.delay_next("sendMessage", 1.5, chat_id=slow)
    async with sessions.begin() as session:
        await inbox.store_updates(
            session,
            [command(1, slow, "/help"), command(2, slow, "/start"), command(3, quick, "/help")],
        )
    runtime = Runtime(make_settings(database_url, standin))
    async with runtime.application:
        await runtime.application.start()
        assert await runtime.dispatcher.handle_pending() == 3
        await runtime.application.stop()
    await runtime.engine.dispose()
    first, second = standin.calls_to("sendMessage", slow)
    [other] = standin.calls_to("sendMessage", quick)
    assert other.at < first.at + 1.0  # not behind the slow chat's answer
    assert second.at >= first.at + 1.5  # the slow chat's own order kept
    assert all([await handled(sessions, i) for i in (1, 2, 3)])
