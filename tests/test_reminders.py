"""Reminders fire once and on time, in local time, across restarts; /remind, /leave, /schedules."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.app import build_application
from bot.sandbox.botapi import BotApiStandIn
from schedules import jobs, reminders
from schedules.delivery import Sender
from storage.common.when import Rule, describe
from storage.db import Sessions
from storage.mentoring.steps import add_months
from storage.models import Group, Instructor, OutboxMessage, Reminder, ReminderFiring
from storage.reminders import records
from tests.conftest import make_settings
from tests.harness import World
from tests.support import LI, WANG, joined

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = 2001
GRACE = timedelta(hours=1)


def translate(lang: str, key: str, **values: object) -> str:
    from bot.texts import t

    return t(lang, key, **values)


async def fire(sessions: Sessions, now: datetime) -> list[reminders.Fired]:
    return await reminders.fire_due(sessions, translate, "zh_CN", now=now, grace=GRACE)


async def outbox_to(sessions: Sessions, chat_id: int) -> list[str]:
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return [r.payload["text"] for r in rows]


async def only_reminder(sessions: Sessions) -> Reminder:
    async with sessions() as session:
        return (await session.scalars(select(Reminder).where(Reminder.key.is_(None)))).one()


# --- /remind ------------------------------------------------------------------------------


async def test_remind_repeats_the_understood_time_in_full(world: World, sessions: Sessions) -> None:
    """`/remind 明天 15:00 交材料` answers with the full local date, weekday and time, and stores
    the first firing in UTC."""
    _, li, _ = await joined(world)
    answer = await li.send("/remind 明天 15:00 交材料")
    tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=1)
    due = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 15, tzinfo=SHANGHAI)
    assert describe(due, SHANGHAI, "zh_CN") in answer.text and "交材料" in answer.text
    reminder = await only_reminder(sessions)
    assert reminder.next_at is not None
    assert reminder.next_at.replace(tzinfo=UTC) == due.astimezone(UTC)
    assert reminder.owner_id == LI and reminder.audience is None


# 31 January 2030, 07:30 in Shanghai, still the 30th in UTC: 3天后 is in February, and
# 1个月后 is its last day.
FIXED_NOW = datetime(2030, 1, 31, 7, 30, tzinfo=SHANGHAI)


class FixedClock(datetime):
    """A `datetime` whose now() is FIXED_NOW, for the /remind handler's reading of the clock."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return FIXED_NOW.astimezone(tz) if tz is not None else FIXED_NOW.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("line", "due", "text"),
    [
        ("/remind 3天后 10:00 交材料", datetime(2030, 2, 3, 10, 0, tzinfo=SHANGHAI), "交材料"),
        ("/remind 三天后 交材料", datetime(2030, 2, 3, 9, 0, tzinfo=SHANGHAI), "交材料"),
        ("/remind 两周后 9:00 写小结", datetime(2030, 2, 14, 9, 0, tzinfo=SHANGHAI), "写小结"),
        ("/remind 1个月后 9:00 续签", datetime(2030, 2, 28, 9, 0, tzinfo=SHANGHAI), "续签"),
        ("/remind 5分钟后 喝水", datetime(2030, 1, 31, 7, 35, tzinfo=SHANGHAI), "喝水"),
        ("/remind 半小时后 回电话", datetime(2030, 1, 31, 8, 0, tzinfo=SHANGHAI), "回电话"),
    ],
)
async def test_remind_days_weeks_months_and_minutes_ahead(
    world: World,
    sessions: Sessions,
    monkeypatch: pytest.MonkeyPatch,
    line: str,
    due: datetime,
    text: str,
) -> None:
    """`/remind 3天后 10:00 交材料` is due three local days on at 10:00 Shanghai time, and the
    answer shows that day and time; 两周后, 1个月后 and 5分钟后 likewise."""
    _, li, _ = await joined(world)
    monkeypatch.setattr("bot.handlers.reminders.datetime", FixedClock)
    answer = await li.send(line)
    assert describe(due, SHANGHAI, "zh_CN") in answer.text and text in answer.text
    reminder = await only_reminder(sessions)
    assert reminder.next_at is not None
    assert reminder.next_at.replace(tzinfo=UTC) == due.astimezone(UTC)
    assert reminder.text == text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/remind 2020-01-01 09:00 开会", "已经过去"),
        ("/remind 2月30日 9:00 开会", "没有“2月30日”这一天"),
        ("/remind 下下下周 开会", "看不懂时间"),
        ("/remind 明天 15:00", "请在时间后面写上提醒的内容"),
        ("/remind", "用法"),
    ],
)
async def test_a_time_that_cannot_be_used_stores_nothing(
    world: World, sessions: Sessions, line: str, expected: str
) -> None:
    """A past time, an impossible date, unreadable text or no message: a clear answer with an
    example, and no reminder stored."""
    _, li, _ = await joined(world)
    assert expected in (await li.send(line)).text
    async with sessions() as session:
        assert (await session.scalars(select(Reminder).where(Reminder.key.is_(None)))).all() == []


async def test_admins_may_remind_an_audience_and_instructors_may_not(
    world: World, sessions: Sessions
) -> None:
    """HQ reminds 西城 every Friday; an instructor naming an audience and a 西城 admin naming
    平谷 are refused."""
    hq, li, _ = await joined(world)
    answer = await hq.send("/remind 区:西城 每周五 16:00 请提交本周工作动态")
    assert "西城区" in answer.text and "每周五 16:00" in answer.text
    reminder = await only_reminder(sessions)
    assert reminder.audience == "district" and Rule.from_json(reminder.rule).weekdays == (4,)
    assert "只有管理员" in (await li.send("/remind 全体 明天 9:00 开会")).text
    assert "不发到群" in (await hq.send("/remind 群 明天 9:00 开会")).text
    await hq.send(f"/admin add {ADMIN} district 西城")
    refused = await world.person(ADMIN).send("/remind 区:平谷 明天 9:00 开会")
    assert "西城区" in refused.text and "只能" in refused.text
    async with sessions() as session:
        assert (
            len((await session.scalars(select(Reminder.id).where(Reminder.key.is_(None)))).all())
            == 1
        )


async def test_reminders_lists_and_cancels(world: World, sessions: Sessions) -> None:
    """/reminders shows one's reminders with a cancel button; a cancelled one never fires."""
    _, li, _ = await joined(world)
    await li.send("/remind 每天 8:30 写工作日志")
    listing = await li.send("/reminders")
    assert "写工作日志" in listing.text and "每天 08:30" in listing.text
    reminder = await only_reminder(sessions)
    cancelled = await li.press(f"取消 #{reminder.id}")
    assert "已取消" in cancelled.text
    assert "没有待发的提醒" in (await li.send("/reminders")).text
    assert await fire(sessions, datetime.now(UTC) + timedelta(days=2)) == []


# --- firing --------------------------------------------------------------------------------


async def test_a_reminder_fires_once_even_when_ticked_again_or_restarted(
    world: World, sessions: Sessions, database_url: str, standin: BotApiStandIn
) -> None:
    """At its time the reminder enqueues one message; a second tick, and a tick of a restarted
    bot with the due time forced back, send nothing more."""
    _, li, _ = await joined(world)
    await li.send("/remind in 2h 回电话给维达纸业")
    reminder = await only_reminder(sessions)
    assert reminder.next_at is not None
    due = reminder.next_at.replace(tzinfo=UTC)
    assert await fire(sessions, due - timedelta(seconds=1)) == []
    [fired] = await fire(sessions, due)
    assert fired.due_at == due and fired.messages == 1
    assert await fire(sessions, due) == []
    assert (await outbox_to(sessions, LI))[-1] == "⏰ 提醒：回电话给维达纸业"
    # A restart that somehow sees the reminder due again (an old copy of the row): still once.
    async with sessions.begin() as session:
        await session.execute(update(Reminder).values(status="active", next_at=due))
    restarted = build_application(make_settings(database_url, standin), sessions)
    async with restarted:
        await jobs.restore_schedules(restarted.bot_data)
        context = type("Ctx", (), {"bot_data": restarted.bot_data})()
        [again] = await jobs.fire_reminders(context, now=due + timedelta(seconds=5))
    assert again.due_at is None and again.messages == 0
    assert len(await outbox_to(sessions, LI)) == 1
    async with sessions() as session:
        firings = await records.firings(session, reminder.id)
    assert [(f.outcome, f.due_at.replace(tzinfo=UTC)) for f in firings] == [("fired", due)]


async def test_missed_while_down_fires_within_the_grace_and_is_reported_after_it(
    world: World, sessions: Sessions
) -> None:
    """30 minutes late (grace 1 h) it fires at start; 2 hours late it is recorded as missed and
    its owner is told, and it is not sent late."""
    _, li, _ = await joined(world)
    await li.send("/remind in 2h 交材料")
    await li.send("/remind in 3h 开会")
    async with sessions() as session:
        first, second = (await session.scalars(select(Reminder).order_by(Reminder.id))).all()[-2:]
    assert first.next_at is not None
    due = first.next_at.replace(tzinfo=UTC)
    async with sessions.begin() as session:
        await session.execute(
            update(Reminder)
            .where(Reminder.id == second.id)
            .values(next_at=due - timedelta(minutes=90))
        )
    fired = {f.reminder_id: f for f in await fire(sessions, due + timedelta(minutes=30))}
    assert fired[first.id].due_at == due and fired[first.id].missed == 0
    assert fired[second.id].due_at is None and fired[second.id].missed == 1
    texts = await outbox_to(sessions, LI)
    assert "⏰ 提醒：交材料" in texts
    assert not any(text == "⏰ 提醒：开会" for text in texts)
    assert any("开会" in text and "已错过" in text for text in texts)
    async with sessions() as session:
        outcomes = {f.reminder_id: f.outcome for f in await session.scalars(select(ReminderFiring))}
    assert outcomes == {first.id: "fired", second.id: "missed"}


async def test_recurring_times_follow_the_rule_across_daylight_saving_and_month_ends(
    sessions: Sessions,
) -> None:
    """Daily 09:00 in Europe/Berlin stays 09:00 local across 29 March; monthly on the 31st gives
    31 Jan, 28 Feb, 31 Mar — each next time computed from the rule, not by adding days."""
    berlin = ZoneInfo("Europe/Berlin")
    async with sessions.begin() as session:
        daily = await records.create_reminder(
            session,
            owner_id=LI,
            rule=Rule("daily", datetime(2026, 1, 1, 9).time()),
            first=datetime(2026, 3, 27, 9, tzinfo=berlin).astimezone(UTC),
            text="晨会",
            timezone="Europe/Berlin",
        )
        monthly = await records.create_reminder(
            session,
            owner_id=LI,
            rule=Rule("monthly", datetime(2026, 1, 1, 9).time(), day=31),
            first=datetime(2026, 1, 31, 9, tzinfo=SHANGHAI).astimezone(UTC),
            text="月报",
            timezone="Asia/Shanghai",
        )
    seen: dict[int, list[datetime]] = {daily.id: [], monthly.id: []}
    for _ in range(8):  # each tick at the earliest due time, as the clock would reach it
        async with sessions() as session:
            rows = list(await session.scalars(select(Reminder).where(Reminder.key.is_(None))))
        due = min(r.next_at.replace(tzinfo=UTC) for r in rows if r.next_at)
        for fired in await fire(sessions, due):
            assert fired.due_at is not None and fired.missed == 0
            seen[fired.reminder_id].append(fired.due_at)
    local = [d.astimezone(berlin) for d in seen[daily.id][:3]]
    assert [(d.day, d.hour, d.minute) for d in local] == [(27, 9, 0), (28, 9, 0), (29, 9, 0)]
    assert {d.utcoffset() for d in local} == {timedelta(hours=1), timedelta(hours=2)}
    months = [d.astimezone(SHANGHAI).date() for d in seen[monthly.id][:3]]
    assert months == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]


async def test_a_stalled_event_loop_makes_reminders_late_not_lost(
    world: World, sessions: Sessions
) -> None:
    """The tick runs in PTB's JobQueue: blocking the loop for 3 s across a due time (which
    APScheduler's default grace of 1 s would skip) fires the reminder once, late."""
    _, li, _ = await joined(world)
    app = world.app
    await li.send("/remind in 2h 交材料")
    due = datetime.now(UTC) + timedelta(seconds=0.5)
    async with sessions.begin() as session:
        await session.execute(update(Reminder).where(Reminder.key.is_(None)).values(next_at=due))
    assert app.job_queue is not None
    await app.job_queue.start()
    try:
        jobs.schedule_all(app.job_queue)
        jobs.schedule_all(app.job_queue)  # twice: still one tick job
        assert len(app.job_queue.get_jobs_by_name("tick")) == 1
        time.sleep(3)  # the stall: nothing on the loop runs, the due time passes  # noqa: ASYNC251
        deadline = time.monotonic() + 5
        while not await outbox_to(sessions, LI) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    finally:
        await app.job_queue.stop()
    assert await outbox_to(sessions, LI) == ["⏰ 提醒：交材料"]
    async with sessions() as session:
        [firing] = (await session.scalars(select(ReminderFiring))).all()
    assert firing.outcome == "fired"
    assert firing.fired_at.replace(tzinfo=UTC) - due >= timedelta(seconds=2)


async def test_only_the_instance_holding_the_lock_schedules(
    database_url: str, standin: BotApiStandIn, sessions: Sessions
) -> None:
    """While another instance holds the lock, a starting instance schedules no job, makes no
    request and fires nothing, however due its reminders are."""
    from bot.runtime import Runtime
    from storage.messaging.instance import InstanceLock

    holder = InstanceLock(database_url)
    assert await holder.acquire()
    async with sessions.begin() as session:
        await records.create_reminder(
            session,
            owner_id=LI,
            rule=Rule("daily", datetime(2026, 1, 1, 9).time()),
            first=datetime.now(UTC) - timedelta(seconds=1),
            text="晨会",
            timezone="Asia/Shanghai",
        )
    standby = Runtime(make_settings(database_url, standin))
    said: list[str] = []
    running = asyncio.create_task(standby.run(webhook=False, announce=said.append))
    try:
        for _ in range(200):
            if said:
                break
            await asyncio.sleep(0.01)
        assert "待命" in said[0]
        assert standby.application.job_queue is not None
        assert standby.application.job_queue.jobs() == ()
        assert standin.calls == []
        async with sessions() as session:
            assert (await session.scalars(select(ReminderFiring))).all() == []
    finally:
        standby.stop()
        await asyncio.wait_for(running, 10)
        await holder.release()


# --- built-in schedules --------------------------------------------------------------------


async def make_builtin_due(sessions: Sessions, key: str, now: datetime) -> None:
    async with sessions.begin() as session:
        await records.restore(session, "Asia/Shanghai", now=now - timedelta(days=1))
        await session.execute(update(Reminder).where(Reminder.key == key).values(next_at=now))


async def test_the_weekly_nudge_skips_reporters_and_people_on_leave(
    world: World, sessions: Sessions
) -> None:
    """Only active instructors without a report this week and not on leave are nudged."""
    _, li, wang = await joined(world)
    await li.send("/report 走访 维达纸业 5人次")
    today = datetime.now(SHANGHAI).date()
    left = await wang.send(
        f"/leave {today.isoformat()} {(today + timedelta(days=3)).isoformat()} 出差"
    )
    assert "已登记请假" in left.text
    now = datetime.now(UTC)
    await make_builtin_due(sessions, records.WEEKLY_NUDGE, now)
    assert not any("本周还没有" in text for text in await outbox_to(sessions, LI))
    await fire(sessions, now)
    assert not any("本周还没有" in text for text in await outbox_to(sessions, LI))
    assert not any("本周还没有" in text for text in await outbox_to(sessions, WANG))
    # Back from leave (cancelled): next week he is nudged.
    listing = await wang.send("/leave")
    assert "出差" in listing.text
    await wang.press(f"取消 {today.strftime('%m-%d')} 起的请假")
    later = now + timedelta(days=7)
    await make_builtin_due(sessions, records.WEEKLY_NUDGE, later)
    await fire(sessions, later)
    assert any("本周还没有提交工作动态" in text for text in await outbox_to(sessions, WANG))


async def test_leave_refuses_backwards_and_past_dates(world: World, sessions: Sessions) -> None:
    """An end before the start, a leave already over and an impossible date are refused."""
    _, li, _ = await joined(world)
    assert "早于" in (await li.send("/leave 2026-12-10 2026-12-01")).text
    assert "已结束" in (await li.send("/leave 2020-01-01 2020-01-05")).text
    assert "没有“2026-02-30”这一天" in (await li.send("/leave 2026-02-30 2026-03-02")).text
    assert "没有登记的请假" in (await li.send("/leave")).text


async def test_the_weekly_digest_goes_to_bound_district_groups(
    world: World, sessions: Sessions
) -> None:
    """Monday's digest posts last week's reports by type, person-times and who reported."""
    hq, li, _ = await joined(world)
    await hq.send("/bindgroup district 西城", chat=world.group(-4001))
    await li.send("/report 走访 维达纸业 5人次")
    next_week = datetime.now(UTC) + timedelta(days=7)
    await make_builtin_due(sessions, records.WEEKLY_DIGEST, next_week)
    await fire(sessions, next_week)
    [digest] = await outbox_to(sessions, -4001)
    assert "西城上周工作动态" in digest
    assert "走访：1 次，5 人次" in digest and "报告人：李红" in digest


async def test_the_mentoring_builtin_asks_for_a_sign_off_not_a_plain_milestone(
    world: World, sessions: Sessions
) -> None:
    """A month after 李红 started, the MENTORING built-in's firing asks her mentor 王建国 to sign
    off 入门 with 已达到 / 尚未达到, once; the old plain milestone message is gone."""
    await joined(world)
    today = datetime.now(SHANGHAI).date()
    async with sessions.begin() as session:
        await session.execute(
            update(Instructor)
            .where(Instructor.name == "李红")
            .values(start_date=add_months(today, -1))
        )
    now = datetime.now(UTC)
    await make_builtin_due(sessions, records.MENTORING, now)
    await fire(sessions, now)
    await make_builtin_due(sessions, records.MENTORING, now + timedelta(minutes=1))
    await fire(sessions, now + timedelta(minutes=1))
    async with sessions() as session:
        rows = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == WANG))
        )
    asks = [row.payload for row in rows if "李红" in row.payload["text"]]
    assert len(asks) == 1, asks
    assert "第 1 个月：入门" in asks[0]["text"] and "签字确认" not in asks[0]["text"]
    assert [label for label, _ in asks[0]["buttons"][0]] == ["已达到", "尚未达到"]


async def test_hq_switches_off_and_retimes_a_builtin_schedule(
    world: World, sessions: Sessions
) -> None:
    """/schedules lists the built-ins; switching the nudge off stops it; re-timing moves it."""
    hq, li, _ = await joined(world)
    async with sessions.begin() as session:
        await records.restore(session, "Asia/Shanghai", now=datetime.now(UTC))
    listing = await hq.send("/schedules")
    assert "每周催报" in listing.text and "每周五 16:00" in listing.text
    await hq.press("关闭 每周催报")
    async with sessions() as session:
        nudge = (
            await session.scalars(select(Reminder).where(Reminder.key == records.WEEKLY_NUDGE))
        ).one()
    assert nudge.status == "paused" and nudge.next_at is None
    assert "仅限管理员" in (await li.send("/schedules")).text
    retimed = await hq.send("/schedules digest 周二 10:30")
    assert "每周二 10:30" in retimed.text
    async with sessions() as session:
        digest = (
            await session.scalars(select(Reminder).where(Reminder.key == records.WEEKLY_DIGEST))
        ).one()
    assert digest.next_at is not None
    local = digest.next_at.replace(tzinfo=UTC).astimezone(SHANGHAI)
    assert (local.weekday(), local.hour, local.minute) == (1, 10, 30)


async def test_an_audience_reminder_reaches_its_people_through_the_outbox(
    world: World, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """HQ's reminder for 西城 reaches 李红 and 王建国 (not 平谷's 赵敏) via the sender."""
    hq, _, _ = await joined(world)
    await hq.send("/remind 区:西城 in 1h 请提交本周工作动态")
    now = datetime.now(UTC)
    async with sessions.begin() as session:  # as if the hour had passed
        await session.execute(update(Reminder).values(next_at=now - timedelta(seconds=1)))
    [fired] = [f for f in await fire(sessions, now) if f.key is None]
    assert fired.messages == 2
    await Sender(world.app.bot, sessions).drain()
    assert standin.texts(LI)[-1] == "⏰ 提醒：请提交本周工作动态"
    assert standin.texts(WANG)[-1] == "⏰ 提醒：请提交本周工作动态"
    async with sessions() as session:
        groups = (await session.scalars(select(Group))).all()
    assert groups == []
