"""Admins invite to a training: the draft, invitations with 参加 / 请假, capacity with a waiting
list, the .ics, moving and cancelling, reminders 1 day and 1 hour before, /trainings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.sandbox.botapi import BotApiStandIn
from bot.texts import t as text_of
from schedules import jobs
from schedules.callups import voice
from schedules.delivery import Sender
from storage.db import Sessions
from storage.models import (
    Instructor,
    OutboxMessage,
    Reminder,
    SeatStatus,
    Training,
    TrainingSeat,
)
from storage.trainings import rsvp
from tests.conftest import HQ_ID
from tests.files import ROSTER_HEADERS, xlsx
from tests.harness import Chat, Person, World

# name, level, employment, district, telegram id (None: not joined)
ROSTER: list[tuple[str, str, str, str, int | None]] = [
    ("王建国", "市级", "专职", "西城", 701),
    ("李红", "区级", "专职", "西城", 702),
    ("张伟", "市级", "专职", "东城", 703),
    ("刘洋", "区级", "兼职", "西城", 704),
    ("陈静", "市级", "兼职", "东城", 705),
    ("周强", "市级", "专职", "西城", None),
]
IDS = {name: tid for name, _, _, _, tid in ROSTER}
DISTRICT_ADMIN = 2101


def roster() -> bytes:
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for name, level, employment, district, telegram_id in ROSTER:
        rows.append(
            [name, level, employment, district, None, None, None, None, None, None,
             telegram_id, None]
        )  # fmt: skip
    return xlsx(rows)


async def hq_with_roster(world: World) -> Person:
    hq = world.person(HQ_ID, "总部")
    replies = await hq.upload(roster(), "roster.xlsx")
    assert "✅" in replies.text, replies.text
    return hq


def local_today() -> Any:
    return datetime.now(UTC).astimezone(voice(text_of, "zh_CN", "Asia/Shanghai").timezone).date()


def ahead(days: int) -> str:
    day = local_today() + timedelta(days=days)
    return f"{day.month}月{day.day}日"


def line(extra: str = "", *, day: int = 10, deadline: int | None = 8) -> str:
    closing = f" 截止:{ahead(deadline)} 18:00" if deadline is not None else ""
    return (
        f"/training 集体协商实务培训 形式:授课 时间:{ahead(day)} 9:00-12:00 "
        f"地点:市总工会303会议室{closing} {extra}"
    ).strip()


async def seats(sessions: Sessions) -> dict[str, str]:
    async with sessions() as session:
        rows = await session.execute(
            select(Instructor.name, TrainingSeat.status).join(
                TrainingSeat, TrainingSeat.instructor_id == Instructor.id
            )
        )
        return {name: status for name, status in rows}


async def the_training(sessions: Sessions) -> Training:
    async with sessions() as session:
        return (await session.scalars(select(Training))).one()


async def tick(world: World, now: datetime) -> int:
    context = type("Ctx", (), {"bot_data": world.app.bot_data, "bot": world.app.bot})()
    return await jobs.advance_trainings(context, now=now)


async def queued(sessions: Sessions, kind: str) -> list[OutboxMessage]:
    async with sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        return list(await session.scalars(query))


async def sent_training(world: World, sender: Sender, extra: str = "", **kwargs: Any) -> Person:
    hq = await hq_with_roster(world)
    draft = await hq.send(line(extra, **kwargs))
    assert "培训草稿" in draft.text, draft.text
    sent = await hq.press("✅ 发出邀请")
    assert "已发给" in sent.text, sent.text
    await sender.drain()
    return hq


def documents(standin: BotApiStandIn, chat_id: int) -> list[str]:
    """The names of the files sent to one chat."""
    calls = standin.calls_to("sendDocument", chat_id)
    return [call.files["document"][0] for call in calls if not call.rejected]


def person(world: World, name: str) -> tuple[Person, Chat]:
    tid = IDS[name]
    assert tid is not None
    return world.person(tid, name), Chat(tid)


# --- creating -------------------------------------------------------------------------------


async def test_the_draft_sends_nothing_and_the_invitations_reach_the_audience(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """The one-line /training shows a draft with how many it reaches; nothing is sent before
    发出邀请; then every joined instructor gets 参加 / 请假, the unjoined 周强 nobody."""
    hq = await hq_with_roster(world)
    draft = await hq.send(line("名额:60 标签:四必谈"))
    assert "培训草稿" in draft.text and "5 人已绑定" in draft.text, draft.text
    assert "名额：60" in draft.text and "#四必谈" in draft.text
    assert standin.texts(701) == []
    sent = await hq.press("✅ 发出邀请")
    assert "已发给 5 人" in sent.text
    await sender.drain()
    for name, tid in IDS.items():
        if tid is not None:
            assert "培训邀请" in standin.texts(tid)[-1], name
    assert set((await seats(sessions)).values()) == {"invited"}
    training = await the_training(sessions)
    assert training.status == "open" and training.tags == ["四必谈"]
    # A second press on 发出邀请 sends nothing more.
    again = await hq.press("✅ 发出邀请")
    assert "已经不是草稿" in again.text or "已经发出过" in again.text
    assert len(await queued(sessions, "training_invite")) == 5


async def test_the_organizers_confirmation_shows_the_invitations_going_out(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """The 已发给 message is edited by the tick with the broadcast's final counts."""
    await sent_training(world, sender)
    context = type("Ctx", (), {"bot_data": world.app.bot_data, "bot": world.app.bot})()
    await jobs.show_progress(context, now=datetime.now(UTC) + timedelta(seconds=10))
    edits = [c.params["text"] for c in standin.calls_to("editMessageText", HQ_ID)]
    assert "已发给 5 人" in edits[-1] and "发送完毕：送达 5" in edits[-1], edits[-1]


async def test_a_hashtag_in_the_line_tags_the_training_as_reports_are_tagged(
    world: World, sessions: Sessions
) -> None:
    """`#四必谈` anywhere in the line is a campaign tag (normalised as on reports), not part of
    the title or the place; a bad tag is refused with the limits."""
    hq = await hq_with_roster(world)
    draft = await hq.send(line("#四必谈 标签:工资专项"))
    assert "标签：#四必谈 #工资专项" in draft.text, draft.text
    training = await the_training(sessions)
    assert training.tags == ["四必谈", "工资专项"] and training.place == "市总工会303会议室"
    refused = await hq.send(line("标签:a,b,c,d,e,f"))
    assert "最多 5 个" in refused.text


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/training 培训 地点:303", "还缺：时间"),
        (line(day=-2, deadline=None), "已经过去"),
        (line("名额:-3"), "名额“-3”看不懂"),
        (line("名额:很多"), "名额“很多”看不懂"),
        (line("形式:跳舞"), "形式“跳舞”看不懂"),
        (line("对象:群"), "不发到群"),
        (line("对象:火星"), "看不懂对象“火星”"),
        (line(deadline=12), "报名截止要在培训开始之前"),
        ("/training 培训 时间:12月10日 12:00-9:00 地点:303", "结束时间要晚于开始时间"),
    ],
)
async def test_bad_trainings_are_refused_with_the_reason_and_store_nothing(
    world: World, sessions: Sessions, command: str, expected: str
) -> None:
    hq = await hq_with_roster(world)
    answer = await hq.send(command)
    assert expected in answer.text, answer.text
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Training)) == 0


async def test_a_district_admin_invites_only_their_district_and_instructors_cannot_create(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    hq = await hq_with_roster(world)
    await hq.send(f"/admin add {DISTRICT_ADMIN} district 西城")
    admin = world.person(DISTRICT_ADMIN, "区管理员")
    refused = await admin.send(line("对象:区:东城"))
    assert "只能邀请本区" in refused.text, refused.text
    instructor, _ = person(world, "王建国")
    assert "仅限管理员" in (await instructor.send(line())).text
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Training)) == 0
    # 全体 from a district admin means their district: 西城's three joined, not 东城's.
    draft = await admin.send(line())
    assert "对象：西城（3 人已绑定）" in draft.text, draft.text
    await admin.press("✅ 发出邀请")
    await sender.drain()
    assert set(await seats(sessions)) == {"王建国", "李红", "刘洋"}
    assert standin.texts(703) == []


async def test_the_guided_training_asks_step_by_step_with_buttons(
    world: World, sessions: Sessions
) -> None:
    hq = await hq_with_roster(world)
    assert "培训叫什么名字" in (await hq.send("/training")).text
    asked = await hq.send("模拟协商演练")
    assert "什么形式" in asked.text
    await hq.press("分组模拟协商")
    assert "时间“明年吧”看不懂" in (await hq.send("明年吧")).text
    await hq.send(f"{ahead(5)} 14:00-17:00")
    await hq.send("区工会会议室")
    await hq.press("跳过")  # audience: everyone
    await hq.send("30")
    await hq.press("跳过")  # deadline: the start
    draft = await hq.send("#四必谈")
    assert "培训草稿" in draft.text and "分组模拟协商" in draft.text and "名额：30" in draft.text
    training = await the_training(sessions)
    assert training.format == "mock" and training.capacity == 30 and training.tags == ["四必谈"]
    assert training.deadline == training.starts_at


# --- answers, capacity and the waiting list ---------------------------------------------------


async def test_capacity_gives_a_waiting_list_in_order_and_a_leave_moves_the_first_up(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """名额:1 — the first 参加 gets the place and the .ics; the next two wait as 候补第 1 / 2
    位 in the order they pressed (not the roster's); 请假 of the attendee moves the first waiting
    up, who is told with the .ics; the other moves to 第 1 位."""
    await sent_training(world, sender, "名额:1")
    wang, wang_chat = person(world, "王建国")
    chen, chen_chat = person(world, "陈静")
    li, li_chat = person(world, "李红")
    assert "已报名参加" in (await wang.press("参加", chat=wang_chat)).text
    await sender.drain()
    assert any(name.endswith(".ics") for name in documents(standin, 701))
    assert "候补第 1 位" in (await chen.press("参加", chat=chen_chat)).text
    assert "候补第 2 位" in (await li.press("参加", chat=li_chat)).text
    assert "候补第 2 位" in (await li.press("参加", chat=li_chat)).text  # pressing again: same
    # The waiting order is in the database, not in memory: a new session reads it back.
    async with sessions() as session:
        order = list(
            await session.scalars(
                select(Instructor.name)
                .join(TrainingSeat, TrainingSeat.instructor_id == Instructor.id)
                .where(TrainingSeat.status == "waiting")
                .order_by(TrainingSeat.queue_no)
            )
        )
    assert order == ["陈静", "李红"]
    left = await wang.press("请假", chat=wang_chat)
    assert "已请假" in left.text and "请假原因" in left.text
    await wang.press("时间冲突", chat=wang_chat)
    await sender.drain()
    assert "候补转正" in standin.texts(705)[-1]
    assert any(name.endswith(".ics") for name in documents(standin, 705))
    assert await seats(sessions) | {} == {
        "王建国": "leave", "陈静": "attending", "李红": "waiting", "张伟": "invited",
        "刘洋": "invited",
    }  # fmt: skip
    mine = await li.send("/trainings")
    assert "候补 1" in mine.text, mine.text
    async with sessions() as session:
        reason = await session.scalar(
            select(TrainingSeat.reason).where(TrainingSeat.status == "leave")
        )
    assert reason == "时间冲突"


async def test_two_presses_for_the_last_place_at_once_give_one_attendee(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """Two transactions press 参加 at the same moment for one place: one attends, one waits."""
    await sent_training(world, sender, "名额:1")
    async with sessions() as session:
        rows = (
            await session.execute(
                select(TrainingSeat.id, Instructor.telegram_id)
                .join(Instructor, Instructor.id == TrainingSeat.instructor_id)
                .where(Instructor.name.in_(["王建国", "张伟"]))
            )
        ).all()
    speaker = voice(text_of, "zh_CN", "Asia/Shanghai")

    async def press(seat_id: int, telegram_id: int) -> str:
        async with sessions.begin() as session:
            result = await rsvp.attend(
                session, seat_id, telegram_id, speaker, now=datetime.now(UTC)
            )
        return result.outcome

    outcomes = await asyncio.gather(*(press(sid, int(tid)) for sid, tid in rows))
    assert sorted(outcomes) == ["attending", "waiting"]
    async with sessions() as session:
        attending = await session.scalar(
            select(func.count()).where(TrainingSeat.status == SeatStatus.ATTENDING.value)
        )
    assert attending == 1


async def test_answers_change_until_the_deadline_and_not_after(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    await sent_training(world, sender)
    wang, chat = person(world, "王建国")
    await wang.press("参加", chat=chat)
    await wang.press("请假", chat=chat)
    assert "已报名参加" in (await wang.press("参加", chat=chat)).text
    async with sessions.begin() as session:
        await session.execute(
            update(Training).values(deadline=datetime.now(UTC) - timedelta(minutes=1))
        )
    closed = await wang.press("请假", chat=chat)
    assert "报名已截止" in closed.text
    assert (await seats(sessions))["王建国"] == "attending"
    stranger = world.person(9999, "路人")
    zhang_seat = "张伟"
    assert zhang_seat in await seats(sessions)
    refused = await stranger.press("参加", chat=chat)
    assert refused.text  # a stranger pressing someone's button is answered, not ignored
    assert (await seats(sessions))["王建国"] == "attending"


# --- moving, cancelling, reminders ------------------------------------------------------------


async def test_reminders_go_a_day_and_an_hour_before_once_and_follow_a_move(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """The day reminder is queued at start − 1 day, once however often the tick runs. Moving
    the training drops the queued reminder, tells attendee and waiter, and the reminders then
    come for the new time only."""
    hq = await sent_training(world, sender, "名额:1", day=3, deadline=1)
    wang, wang_chat = person(world, "王建国")
    li, li_chat = person(world, "李红")
    await wang.press("参加", chat=wang_chat)
    await li.press("参加", chat=li_chat)
    training = await the_training(sessions)
    starts = training.starts_at.replace(tzinfo=UTC)
    await tick(world, starts - timedelta(days=1, minutes=1))
    assert await queued(sessions, "training_remind") == []
    await tick(world, starts - timedelta(days=1))
    await tick(world, starts - timedelta(days=1) + timedelta(seconds=1))
    rows = await queued(sessions, "training_remind")
    assert [row.chat_id for row in rows] == [701]  # attendees only, once
    assert "明天有培训" in rows[0].payload["text"]
    # Moved two days later before the sender sent it: the queued reminder is dropped.
    await hq.send("/trainings")
    await hq.press(f"#{training.id} 集体协商实务培训")
    await hq.press("🕒 改时间")
    moved = await hq.send(f"{ahead(5)} 14:00-16:00")
    assert "已通知 2 人" in moved.text, moved.text
    assert await queued(sessions, "training_remind") == []
    await sender.drain()
    assert "培训改时间" in standin.texts(701)[-1] and "培训改时间" in standin.texts(702)[-1]
    assert "仍在候补" in standin.texts(702)[-1]
    # The old time's hour reminder never comes; the new time's day and hour reminders do.
    await tick(world, starts - timedelta(hours=1))
    assert await queued(sessions, "training_remind") == []
    new_starts = (await the_training(sessions)).starts_at.replace(tzinfo=UTC)
    await tick(world, new_starts - timedelta(days=1))
    await tick(world, new_starts - timedelta(hours=1))
    texts = [row.payload["text"] for row in await queued(sessions, "training_remind")]
    assert len(texts) == 2 and "明天有培训" in texts[0] and "1 小时后开始" in texts[1]


async def test_a_training_created_within_a_day_skips_the_day_reminder(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """Created three hours before its start: no day reminder (its moment had passed), the hour
    reminder on time."""
    tz = voice(text_of, "zh_CN", "Asia/Shanghai").timezone
    start = (datetime.now(UTC) + timedelta(hours=3)).astimezone(tz).replace(second=0, microsecond=0)
    start = min(start, start.replace(hour=23, minute=50))
    end = start + timedelta(minutes=5)
    hq = await hq_with_roster(world)
    await hq.send(
        f"/training 临时座谈 形式:座谈会 时间:{start:%Y-%m-%d %H:%M}-{end:%H:%M} 地点:303"
    )
    await hq.press("✅ 发出邀请")
    await sender.drain()
    wang, chat = person(world, "王建国")
    await wang.press("参加", chat=chat)
    starts = (await the_training(sessions)).starts_at.replace(tzinfo=UTC)
    await tick(world, starts - timedelta(hours=2))
    assert await queued(sessions, "training_remind") == []
    await tick(world, starts - timedelta(minutes=59))
    texts = [row.payload["text"] for row in await queued(sessions, "training_remind")]
    assert len(texts) == 1 and "1 小时后开始" in texts[0]


async def test_hq_switches_training_reminders_off_in_schedules(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """/schedules lists 培训提醒 (it follows each training, so it cannot be re-timed); switched
    off, no reminder goes; a restart keeps it off; switched on again, they go."""
    hq = await sent_training(world, sender, day=3, deadline=1)
    wang, chat = person(world, "王建国")
    await wang.press("参加", chat=chat)
    await jobs.restore_schedules(world.app.bot_data)
    listing = await hq.send("/schedules")
    assert "培训提醒（training）：培训开始前 1 天和 1 小时" in listing.text, listing.text
    assert "不能改时间" in (await hq.send("/schedules training 9:00")).text
    await hq.press("关闭 培训提醒")
    await jobs.restore_schedules(world.app.bot_data)  # a restart leaves it as HQ set it
    starts = (await the_training(sessions)).starts_at.replace(tzinfo=UTC)
    await tick(world, starts - timedelta(days=1))
    assert await queued(sessions, "training_remind") == []
    async with sessions() as session:
        status = await session.scalar(
            select(Reminder.status).where(Reminder.key == "training_reminders")
        )
    assert status == "paused"
    await hq.send("/schedules")
    await hq.press("开启 培训提醒")
    await tick(world, starts - timedelta(hours=1))
    assert len(await queued(sessions, "training_remind")) == 1


async def test_cancelling_tells_attendees_and_waiters_and_closes_the_buttons(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    hq = await sent_training(world, sender, "名额:1", day=3, deadline=1)
    wang, wang_chat = person(world, "王建国")
    li, li_chat = person(world, "李红")
    await wang.press("参加", chat=wang_chat)
    await li.press("参加", chat=li_chat)
    status = await hq.send(f"/trainings {(await the_training(sessions)).id}")
    assert "参加 1/1" in status.text and "王建国（西城）" in status.text
    await hq.press("取消培训")
    done = await hq.press("确定取消")
    assert "已取消，已通知 2 人" in done.text, done.text
    await sender.drain()
    assert "培训已取消" in standin.texts(701)[-1] and "培训已取消" in standin.texts(702)[-1]
    assert "已取消" in (await wang.press("请假", chat=wang_chat)).text
    starts = (await the_training(sessions)).starts_at.replace(tzinfo=UTC)
    await tick(world, starts - timedelta(hours=1))
    assert await queued(sessions, "training_remind") == []


async def test_the_status_lists_names_and_the_sheet_comes_as_xlsx(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    hq = await sent_training(world, sender, "名额:1")
    wang, wang_chat = person(world, "王建国")
    li, li_chat = person(world, "李红")
    await wang.press("参加", chat=wang_chat)
    await li.press("参加", chat=li_chat)
    listing = await hq.send("/trainings")
    assert "参加 1/1 · 候补 1" in listing.text, listing.text
    status = await hq.press(f"#{(await the_training(sessions)).id} 集体协商实务培训")
    assert "参加：\n王建国（西城）" in status.text and "1. 李红（西城）" in status.text
    await hq.press("📄 签到表")
    assert any(name.endswith(".xlsx") for name in documents(standin, HQ_ID))
    # A district admin of another district may not look at HQ's training.
    await hq.send(f"/admin add {DISTRICT_ADMIN} district 东城")
    admin = world.person(DISTRICT_ADMIN, "区管理员")
    refused = await admin.send(f"/trainings {(await the_training(sessions)).id}")
    assert "不归你管" in refused.text
