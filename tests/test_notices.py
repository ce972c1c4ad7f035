"""Admins post notices; instructors confirm with 收到; /notices shows who has not confirmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.app import build_application
from schedules import jobs
from schedules.delivery import Sender
from storage.db import Sessions
from storage.models import Notice, NoticeRecipient, OutboxMessage
from tests.conftest import HQ_ID, make_settings
from tests.harness import Chat, Person, World
from tests.support import LI, WANG, joined

ADMIN = 2001


async def district_admin(world: World) -> Person:
    """A 西城 district admin."""
    admin = world.person(ADMIN, "Zhang")
    await world.person(HQ_ID).send(f"/admin add {ADMIN} district 西城")
    return admin


async def test_a_notice_reaches_everyone_and_confirmation_is_recorded_once(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """`/notice 全体 …` goes privately to each joined instructor with 收到; the first press
    records the confirmation and turns the button into a receipt, the second changes nothing."""
    hq, li, _ = await joined(world)
    answer = await hq.send("/notice 全体 请于周五前提交季度小结")
    assert "3 名指导员" in answer.text and "1 人尚未登记" in answer.text
    await sender.drain()
    assert "请于周五前提交季度小结" in world.standin.texts(LI)[-1]
    assert "📢 通知" in world.standin.texts(WANG)[-1]
    first = await li.press("收到", chat=Chat(LI))
    assert "已确认收到" in first.text
    receipt = world.standin.calls_to("editMessageReplyMarkup", LI)[-1]
    label = receipt.params["reply_markup"]["inline_keyboard"][0][0]["text"]
    assert label.startswith("✅ 已收到")
    again = await li.press(label, chat=Chat(LI))
    assert "已经确认过了" in again.text
    async with sessions() as session:
        confirmed = (
            await session.scalars(
                select(NoticeRecipient.instructor_id).where(
                    NoticeRecipient.confirmed_at.is_not(None)
                )
            )
        ).all()
    assert len(confirmed) == 1


async def test_status_names_the_unconfirmed_and_reminds_only_them(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """The status lists who has not confirmed; 提醒未确认 re-sends only to them, and a second
    press within 5 minutes is refused."""
    hq, li, _ = await joined(world)
    await hq.send("/notice 区:西城 周三下午开协商例会")
    await sender.drain()
    await li.press("收到", chat=Chat(LI))
    listing = await hq.send("/notices")
    assert "已送达 2/2" in listing.text and "已确认 1" in listing.text
    status = await hq.press("#1")
    assert "未确认：王建国" in status.text and "李红" not in status.text.split("未确认")[1]
    before_li, before_wang = len(world.standin.texts(LI)), len(world.standin.texts(WANG))
    reminded = await hq.press("⏰ 提醒未确认")
    assert "1 位" in reminded.text
    await sender.drain()
    assert len(world.standin.texts(LI)) == before_li
    assert len(world.standin.texts(WANG)) == before_wang + 1
    assert "还没有确认" in world.standin.texts(WANG)[-1]
    refused = await hq.press("⏰ 提醒未确认")
    assert "分钟后再试" in refused.text
    await sender.drain()
    assert len(world.standin.texts(WANG)) == before_wang + 1
    # Five minutes later it may remind again.
    async with sessions.begin() as session:
        await session.execute(
            update(Notice).values(reminded_at=datetime.now(UTC) - timedelta(minutes=6))
        )
    assert "1 位" in (await hq.press("⏰ 提醒未确认")).text


async def test_a_district_admin_reaches_only_their_district(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """A 西城 admin's 全体 means 西城; naming 平谷 is refused and nothing is stored."""
    await joined(world)
    admin = await district_admin(world)
    refused = await admin.send("/notice 区:平谷 明天开会")
    assert "西城区" in refused.text and "只能" in refused.text
    async with sessions() as session:
        assert (await session.scalars(select(Notice))).all() == []
    sent = await admin.send("/notice 全体 明天开会")
    assert "2 名指导员" in sent.text
    async with sessions() as session:
        assert len((await session.scalars(select(NoticeRecipient))).all()) == 2


async def test_bound_groups_get_the_notice_pinned(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """A city-wide notice is posted in the bound group and pinned there."""
    hq, _, _ = await joined(world)
    group = world.group(-4001)
    await hq.send("/bindgroup city", chat=group)
    await hq.send("/notice 全体 全市协商指导员大会通知", chat=Chat(HQ_ID))
    await sender.drain()
    assert "全市协商指导员大会通知" in world.standin.texts(-4001)[-1]
    [pin] = world.standin.calls_to("pinChatMessage", -4001)
    assert (
        pin.params["message_id"]
        == world.standin.calls_to("sendMessage", -4001)[-1].result["message_id"]
    )


async def test_text_over_the_limit_is_refused_not_cut_and_html_arrives_as_typed(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """4,097 characters are refused with the length; `<b>&` arrives exactly as typed."""
    hq, _, _ = await joined(world)
    refused = await hq.send("/notice 全体 " + "字" * 4097)
    assert "4097" in refused.text and "4096" in refused.text
    async with sessions() as session:
        assert (await session.scalars(select(OutboxMessage))).all() == []
    await hq.send("/notice 全体 工资<b>协商</b> & 集体合同 <5%>")
    await sender.drain()
    assert world.standin.texts(LI)[-1].endswith("工资<b>协商</b> & 集体合同 <5%>")
    assert "parse_mode" not in world.standin.calls_to("sendMessage", LI)[-1].params


async def test_the_guided_flow_schedules_a_notice_that_survives_a_restart(
    world: World, sessions: Sessions, sender: Sender, database_url: str
) -> None:
    """/notice with buttons: audience, text, no confirmation, a time; after a restart the tick
    releases it when due, without a 收到 button."""
    hq, _, _ = await joined(world)
    await hq.send("/notice")
    await hq.press("市级")
    await hq.send("下周例会改到周四")
    await hq.press("无需确认")
    await hq.press("定时发送")
    past = await hq.send("2020-01-01 09:00")
    assert "已经过去" in past.text
    review = await hq.send("明天 9:00")
    assert "市级指导员" in review.text and "下周例会改到周四" in review.text
    saved = await hq.press("📢 发送")
    assert "将于" in saved.text
    await sender.drain()
    assert not any("下周例会" in text for text in world.standin.texts(WANG))

    restarted = build_application(make_settings(database_url, world.standin), sessions)
    async with restarted:
        restarted.bot_data["sender"] = Sender(restarted.bot, sessions)
        context = type("Ctx", (), {"bot_data": restarted.bot_data})()
        assert await jobs.send_due_notices(context) == 0  # not yet due
        async with sessions.begin() as session:
            await session.execute(
                update(Notice).values(send_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        assert await jobs.send_due_notices(context) == 1
        assert await jobs.send_due_notices(context) == 0
        await restarted.bot_data["sender"].drain()
    [message] = [
        c for c in world.standin.calls_to("sendMessage", WANG) if "下周例会" in str(c.params)
    ]
    assert "reply_markup" not in message.params
    assert not any("下周例会" in text for text in world.standin.texts(LI))  # 李红 is 区级


async def test_instructors_and_strangers_cannot_post_notices(world: World) -> None:
    """An instructor is told notices are for admins; a stranger is told to register."""
    _, li, _ = await joined(world)
    assert "仅限管理员" in (await li.send("/notice 全体 你好")).text
    assert "还没有登记" in (await world.person(777).send("/notice 全体 你好")).text


async def test_a_malformed_notice_command_gets_the_usage(world: World) -> None:
    """An unknown audience and a missing text are answered with how to write it."""
    hq, _, _ = await joined(world)
    assert "看不懂通知对象" in (await hq.send("/notice 火星 开会")).text
    assert "用法" in (await hq.send("/notice 全体")).text
