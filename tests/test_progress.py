"""An admin's confirmation of a broadcast shows its progress: `发送中 k/n` at most every 5 s while
the outbox sends, then the final counts; across a restart, and whatever Telegram says to an edit.

The real Application, its pacer and the outbox sender run on fake time (a sleep returns at once,
that much later), and the tick's progress job is run every half second of that time, so a
broadcast of 400 takes fourteen seconds of it and a fraction of one on the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from bot.app import build_application
from bot.context import XieshangApp
from bot.sandbox.botapi import BotApiStandIn, Call
from schedules import jobs
from schedules.delivery import Pacer, Sender
from storage.db import Sessions
from storage.models import BroadcastProgress, Instructor, Notice, OutboxMessage
from tests.conftest import HQ_ID, make_settings
from tests.files import ROSTER_HEADERS, xlsx
from tests.harness import World

FIRST = 10_001  # the Telegram id of the first of the crowd


class FakeTime:
    """A clock that moves only when something sleeps: a sleep returns at once, that much later.

    Its monotonic time goes on from the real one, so what the pacer counted before it was put on
    this clock (the replies while the test set up) lies in the past."""

    def __init__(self) -> None:
        self.start = datetime.now(UTC)
        self.base = time.monotonic()
        self.elapsed = 0.0
        self._waiters: list[tuple[float, asyncio.Event]] = []

    def monotonic(self) -> float:
        return self.base + self.elapsed

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    async def sleep(self, seconds: float) -> None:
        until = self.elapsed + max(seconds, 0.0)
        await asyncio.sleep(0)  # the others due at this moment go to sleep too
        self.elapsed = max(self.elapsed, until)
        for moment, event in self._waiters:
            if moment <= self.elapsed:
                event.set()

    def at(self, moment: float) -> asyncio.Event:
        """An event set once the clock has reached `moment` seconds."""
        event = asyncio.Event()
        if moment <= self.elapsed:
            event.set()
        self._waiters.append((moment, event))
        return event


async def crowd(sessions: Sessions, count: int) -> None:
    """`count` active instructors on Telegram (ids FIRST, FIRST + 1, …), all in one district."""
    async with sessions.begin() as session:
        await session.execute(
            insert(Instructor),
            [
                {
                    "name": f"指导员{i}",
                    "level": "district",
                    "employment": "part_time",
                    "district_id": 1,
                    "industries": [],
                    "skills": [],
                    "status": "active",
                    "telegram_id": FIRST + i,
                }
                for i in range(count)
            ],
        )


def edits(standin: BotApiStandIn) -> list[Call]:
    """The edits of the bot's messages in HQ's chat that Telegram performed."""
    return [c for c in standin.calls_to("editMessageText", HQ_ID) if not c.rejected]


async def following(sessions: Sessions) -> list[BroadcastProgress]:
    """The confirmations still followed."""
    async with sessions() as session:
        query = select(BroadcastProgress).where(BroadcastProgress.done_at.is_(None))
        return list(await session.scalars(query))


async def show(app: XieshangApp, now: datetime) -> int:
    """One run of the tick's progress job at `now`."""
    context = SimpleNamespace(bot=app.bot, bot_data=app.bot_data)
    return await jobs.show_progress(context, now=now)  # type: ignore[arg-type]


@dataclass
class Clocked:
    """An application whose pacer, outbox sender and progress job run on one fake clock from
    now on (made after the broadcast began, so that the fake time is not before it)."""

    app: XieshangApp
    sessions: Sessions
    standin: BotApiStandIn
    fake: FakeTime = field(default_factory=FakeTime)

    def __post_init__(self) -> None:
        pacer = self.app.bot.rate_limiter
        assert isinstance(pacer, Pacer)
        pacer.clock = self.fake  # the sender built on this bot takes its pacer's clock

    async def show(self, seconds: float | None = None) -> int:
        """One run of the tick's progress job, now or at `seconds` on the fake clock."""
        at = self.fake.now() if seconds is None else self.fake.start + timedelta(seconds=seconds)
        return await show(self.app, at)

    async def run(self, *, edited: int = 0, crash: bool = False) -> list[tuple[float, str]]:
        """Runs the sender, and the progress job every half second it moves the clock, until no
        confirmation is followed any more, or until `edited` edits were made; then stops the
        sender (`crash`: cancels it, as a dying process). Returns the edits as (seconds, text)."""
        sender = Sender(self.app.bot, self.sessions)
        running = asyncio.create_task(sender.run())
        made: list[tuple[float, str]] = []
        moment = self.fake.elapsed
        try:
            while True:
                moment += 0.5
                assert moment < 120, f"not done in 2 minutes: {made}"
                waiter = asyncio.create_task(self.fake.at(moment).wait())
                await asyncio.wait({waiter, running}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                assert not running.done(), running.result()
                at, before = self.fake.elapsed, len(edits(self.standin))
                await self.show(at)
                made += [(at, str(c.params["text"])) for c in edits(self.standin)[before:]]
                if len(made) >= edited > 0 or (not edited and not await following(self.sessions)):
                    break
        finally:
            if crash:
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
            else:
                await sender.stop()
                await running
        return made


# --- notices ---------------------------------------------------------------------------------

DONE = "✅ 发送完毕：送达 {} · 无法送达 {}（已屏蔽或未启动机器人） · 失败 {}"


async def test_a_notice_to_many_shows_its_progress_every_5_s_then_the_final_counts(
    world: World, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """`/notice 全体` to 400, one of whom blocked the bot: the confirmation is edited with
    `发送中 k/400` (k rising) never sooner than 5 s after the start or the previous edit, then
    with 送达 399 · 无法送达 1 · 失败 0 below the confirmation's own text."""
    await crowd(sessions, 400)
    standin.blocked.add(FIRST + 7)
    answer = await world.person(HQ_ID, "总部").send("/notice 全体 周五前提交季度小结")
    assert "共 400 条消息" in answer.text
    clocked = Clocked(world.app, sessions, standin)
    made = await clocked.run()
    times = [at for at, _ in made]
    texts = [text for _, text in made]
    assert all(text.startswith(answer[0] + "\n\n") for text in texts)
    assert len(texts) >= 3 and all(text.endswith("/400") for text in texts[:-1])
    sent = [int(text.split("⏳ 发送中 ")[1].split("/")[0]) for text in texts[:-1]]
    assert 0 < sent[0] and sent == sorted(set(sent)) and sent[-1] < 400
    assert texts[-1] == answer[0] + "\n\n" + DONE.format(399, 1, 0)
    assert times[0] >= 5.0
    assert all(later - earlier >= 5.0 for earlier, later in itertools.pairwise(times))
    assert {c.params["message_id"] for c in edits(standin)} == {
        answer.calls[0].result["message_id"]
    }
    assert await clocked.show(times[-1] + 60) == 0  # nothing more once it is done


async def test_a_broadcast_done_at_once_gets_one_edit_in_the_admins_language(
    world: World, sessions: Sessions
) -> None:
    """Three recipients, all sent within the first second: no progress line, one final edit,
    in English for an admin who chose it."""
    await crowd(sessions, 3)
    hq = world.person(HQ_ID, "HQ")
    await hq.send("/lang en")
    answer = await hq.send("/notice 全体 Meeting on Friday")
    assert "3 messages" in answer.text
    [(at, text)] = await Clocked(world.app, sessions, world.standin).run()
    assert at < 5.0
    assert text == answer[0] + (
        "\n\n✅ Sent: delivered 3 · unreachable 0 (blocked the bot or never started it) · failed 0"
    )


async def schedule_and_release(world: World, sessions: Sessions, audience: str) -> str:
    """HQ schedules a notice to `audience` for tomorrow with the guided /notice; tomorrow comes
    and the tick releases it. Returns the 已保存 confirmation."""
    hq = world.person(HQ_ID, "总部")
    await hq.send("/notice")
    await hq.press(audience)
    await hq.send("明天上午开会")
    await hq.press("需要确认")
    await hq.press("定时发送")
    await hq.send("明天 9:00")
    saved = await hq.press("📢 发送")
    assert "将于" in saved.text
    assert await show(world.app, datetime.now(UTC) + timedelta(minutes=5)) == 0  # not yet
    assert len(await following(sessions)) == 1
    async with sessions.begin() as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(Notice).values(send_at=past))
        await session.execute(update(BroadcastProgress).values(since=past))
    context = SimpleNamespace(bot_data=world.app.bot_data)
    assert await jobs.send_due_notices(context) == 1  # type: ignore[arg-type]
    return saved[0]


async def test_a_scheduled_notice_shows_its_progress_once_it_is_released(
    world: World, sessions: Sessions
) -> None:
    """The guided /notice for tomorrow: its 已保存 message stays as it is until the tick
    releases the notice, then gets the final counts."""
    await crowd(sessions, 4)
    saved = await schedule_and_release(world, sessions, "全体")
    [(_, text)] = await Clocked(world.app, sessions, world.standin).run()
    assert text == saved + "\n\n" + DONE.format(4, 0, 0)


async def test_a_scheduled_notice_that_reaches_nobody_is_shown_done_after_a_minute(
    world: World, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """Released to an audience with nobody on Telegram (no full-time instructor), the notice
    wrote no message: a minute after its time the confirmation says so, and is followed no
    more."""
    await crowd(sessions, 4)  # all part-time
    saved = await schedule_and_release(world, sessions, "专职")
    assert await show(world.app, datetime.now(UTC) + timedelta(seconds=30)) == 0
    assert await show(world.app, datetime.now(UTC) + timedelta(seconds=61)) == 1
    assert edits(standin)[-1].params["text"] == saved + "\n\n" + DONE.format(0, 0, 0)
    assert await following(sessions) == []


# --- call-ups --------------------------------------------------------------------------------

# name, level, employment, district, skills, Telegram id
TEAM = [
    ("王建国", "市级", "专职", "西城", "劳资人事、法律", 601),
    ("张伟", "市级", "专职", "东城", "劳资人事、法律", 603),
    ("刘洋", "区级", "兼职", "大兴", "法律", 604),
    ("杨帆", "街乡级", "兼职", "海淀", "劳资人事", 606),
]


def ahead(days: int) -> str:
    day = datetime.now(UTC).astimezone().date() + timedelta(days=days)
    return f"{day.month}月{day.day}日"


async def test_a_call_up_round_edits_hqs_message_with_its_counts(
    world: World, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """发出邀请 turns the draft into the sent confirmation, which then shows the round's counts
    (one invitee blocked the bot); 增加人数 does the same on the status, its buttons kept, and
    counts only the new invitation."""
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for name, level, employment, district, skills, telegram_id in TEAM:
        rows.append(
            [name, level, employment, district, None, None, skills, date(2020, 1, 1),
             None, None, telegram_id, None]
        )  # fmt: skip
    hq = world.person(HQ_ID, "总部")
    assert "✅" in (await hq.upload(xlsx(rows), "roster.xlsx")).text
    standin.blocked.add(603)
    draft = await hq.send(
        f"/callup 维达纸业工资协商攻关 人数:2 专长:劳资人事,法律 对象:维达纸业 "
        f"日期:{ahead(10)}..{ahead(20)} 截止:{ahead(7)} 18:00"
    )
    assert "抽调草稿" in draft.text
    sent = await hq.press("✅ 发出邀请（2 人）")
    assert "已发出" in sent.text
    clocked = Clocked(world.app, sessions, standin)
    [(_, text)] = await clocked.run()
    assert text == sent[0] + "\n\n" + DONE.format(1, 1, 0)
    assert edits(standin)[-1].params["message_id"] == draft.calls[0].result["message_id"]

    await hq.send("/callups")
    await hq.press("#1")
    added = await hq.press("➕ 增加人数")
    assert "已增加 1 个名额" in added.text
    [(_, text)] = await clocked.run()
    assert text == added[0] + "\n\n" + DONE.format(1, 0, 0)
    keyboard = edits(standin)[-1].params["reply_markup"]["inline_keyboard"]
    assert "➕ 增加人数" in [button["text"] for row in keyboard for button in row]


# --- a restart, and what Telegram refuses ------------------------------------------------------


async def test_a_restart_in_the_middle_still_finishes_the_progress(
    world: World, sessions: Sessions, standin: BotApiStandIn, database_url: str
) -> None:
    """The process dies after the first progress edit; a new one on the same database sends
    the rest and gives the same confirmation its final counts."""
    await crowd(sessions, 200)
    answer = await world.person(HQ_ID, "总部").send("/notice 全体 周五前提交季度小结")
    [(_, first)] = await Clocked(world.app, sessions, standin).run(edited=1, crash=True)
    assert "⏳ 发送中" in first
    async with sessions() as session:
        pending = await session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.status == "pending")
        )
        assert pending.all()

    restarted = build_application(make_settings(database_url, standin), sessions)
    async with restarted:
        made = await Clocked(restarted, sessions, standin).run()
    assert made[-1][1] == answer[0] + "\n\n" + DONE.format(200, 0, 0)
    assert {c.params["message_id"] for c in edits(standin)} == {
        answer.calls[0].result["message_id"]
    }


async def test_an_edit_telegram_refuses_is_logged_and_the_broadcast_completes(
    world: World,
    sessions: Sessions,
    standin: BotApiStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The confirmation was deleted (400 on the edit): the refusal is logged, the message is
    no longer followed, and every recipient still gets the notice."""
    await crowd(sessions, 5)
    await world.person(HQ_ID, "总部").send("/notice 全体 周五前提交季度小结")
    standin.fail_next(
        "editMessageText", error_code=400, description="Bad Request: message to edit not found"
    )
    with caplog.at_level(logging.WARNING, logger="schedules.progress"):
        assert await Clocked(world.app, sessions, standin).run() == []
    assert "message to edit not found" in caplog.text.lower()
    assert len(standin.calls_to("editMessageText", HQ_ID)) == 1
    async with sessions() as session:
        statuses = await session.scalars(select(OutboxMessage.status))
        assert statuses.all() == ["sent"] * 5


async def test_a_429_on_an_edit_waits_its_retry_after(
    world: World, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """A 429 with retry_after 7 on the final edit: nothing is edited for 7 s, then it is, once;
    an edit Telegram calls "not modified" counts as made."""
    await crowd(sessions, 2)
    await world.person(HQ_ID, "总部").send("/notice 全体 周五前提交季度小结")
    clocked = Clocked(world.app, sessions, standin)
    await Sender(world.app.bot, sessions).drain()
    standin.fail_next(
        "editMessageText",
        error_code=429,
        description="Too Many Requests: retry after 7",
        parameters={"retry_after": 7},
    )
    start = clocked.fake.elapsed
    assert await clocked.show(start) == 0
    for later in (1, 3, 6.5):
        await clocked.fake.sleep(start + later - clocked.fake.elapsed)
        assert await clocked.show() == 0
    assert len(standin.calls_to("editMessageText", HQ_ID)) == 1
    await clocked.fake.sleep(start + 7.5 - clocked.fake.elapsed)
    standin.fail_next(
        "editMessageText",
        error_code=400,
        description="Bad Request: message is not modified: specified new message content and"
        " reply markup are exactly the same as a current content and reply markup of the message",
    )
    assert await clocked.show() == 1
    assert await following(sessions) == []
    assert len(standin.calls_to("editMessageText", HQ_ID)) == 2
