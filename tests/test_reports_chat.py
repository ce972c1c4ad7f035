"""Instructors report work in the chat: one line, the guided flow, #走访 in groups, /myreports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.app import build_application
from bot.texts import t
from storage.db import Sessions
from storage.models import Leave, Report, ReportRevision
from tests.conftest import HQ_ID, make_settings
from tests.files import xlsx
from tests.harness import Person, World
from tests.support import import_sample

ENTERPRISES = [
    ["企业名称", "所属区", "街道乡镇", "区域", "行业", "职工人数", "是否建会"],
    ["维达纸业（北京）有限公司", "西城", "金融街街道", "中部", "制造业", 320, "是"],
    ["维达纸业", "西城", "金融街街道", "中部", "制造业", 120, "是"],
    ["京西商贸", "门头沟", None, "西部", "商贸", 45, "否"],
]


async def instructor(world: World) -> Person:
    """李红 of 西城, joined by invite, with the enterprise registry loaded."""
    codes = await import_sample(world)
    await world.person(HQ_ID).upload(xlsx(ENTERPRISES), "企业.xlsx")
    li = world.person(501, "Li")
    await li.send(f"/start {codes['李红']}")
    return li


async def stored(sessions: Sessions) -> list[Report]:
    async with sessions() as session:
        return list(await session.scalars(select(Report).order_by(Report.id)))


async def test_a_one_line_report_is_recorded(world: World, sessions: Sessions) -> None:
    """`/report 走访 维达纸业 5人次 讲解…` records a visit matched to the registered enterprise."""
    li = await instructor(world)
    replies = await li.send("/report 走访 维达纸业 5人次 讲解工资协商流程")
    assert "✅ 已记录" in replies.text and "走访 · 维达纸业 · 5人次" in replies.text
    (report,) = await stored(sessions)
    assert (report.type, report.target, report.person_times) == ("visit", "维达纸业", 5)
    assert report.enterprise_id is not None and report.note == "讲解工资协商流程"
    assert report.date == datetime.now(world.app.bot_data["settings"].tz).date()


async def test_an_unknown_target_is_kept_and_close_names_offered(
    world: World, sessions: Sessions
) -> None:
    """An unregistered name is stored as typed; a close registered name can be chosen by button."""
    li = await instructor(world)
    replies = await li.send("/report 指导 京西商贸公司 3人 昨天")
    assert "不在企业名录中" in replies.text
    (report,) = await stored(sessions)
    assert report.enterprise_id is None and report.target == "京西商贸公司"
    linked = await li.press("京西商贸")
    assert "已更正为" in linked.text
    (report,) = await stored(sessions)
    assert report.enterprise_id is not None and report.target == "京西商贸"


async def test_a_report_that_cannot_be_parsed_stores_nothing(
    world: World, sessions: Sessions
) -> None:
    """Each bad one-liner says what was understood and what is wrong; nothing is stored."""
    li = await instructor(world)
    no_target = await li.send("/report 走访")
    assert "类型 走访" in no_target.text and "对象（企业或街道名称）" in no_target.text
    assert "不是工作动态类型" in (await li.send("/report 喝茶 维达纸业")).text
    assert "应为 0 或正整数" in (await li.send("/report 走访 维达纸业 -3人次")).text
    future = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")
    assert "还没到" in (await li.send(f"/report 走访 维达纸业 {future}")).text
    assert "备注太长" in (await li.send("/report 走访 维达纸业 " + "很" * 1500)).text
    assert await stored(sessions) == []


async def test_the_guided_flow_survives_a_restart(
    world: World, sessions: Sessions, database_url: str
) -> None:
    """A flow half done before a restart continues on a new Application over the same database."""
    li = await instructor(world)
    await li.send("/report")
    await li.press("协商")
    asked = await li.send("维达纸业")
    assert "多少人次" in asked.text
    settings = make_settings(database_url, world.standin)
    async with build_application(settings, sessions) as app:
        restarted = World(app, world.standin)
        li = restarted.person(501, "Li")
        assert "哪一天" in (await li.press("5")).text
        assert "补充说明" in (await li.press("昨天")).text
        confirm = await li.send("第二轮工资协商")
        assert "请确认" in confirm.text and "协商 · 维达纸业 · 5人次" in confirm.text
        done = await li.press("✅ 确认")
        assert "✅ 已记录" in done.text
        again = await li.press("✅ 确认")
        assert "已失效" in again.text
    (report,) = await stored(sessions)
    assert (report.type, report.person_times, report.note) == ("negotiation", 5, "第二轮工资协商")
    assert report.date == datetime.now(settings.tz).date() - timedelta(days=1)


async def test_a_group_post_is_recorded_with_a_reaction(world: World, sessions: Sessions) -> None:
    """#走访 in a bound group is recorded and acknowledged with a reaction, not a message."""
    li = await instructor(world)
    group = world.group(-6001, "西城协商群")
    await world.person(HQ_ID).send("/bindgroup district 西城", chat=group)
    replies = await li.send("#走访 维达纸业 3人次 了解工资集体协商意向", chat=group)
    assert list(replies) == []
    reaction = world.standin.calls_to("setMessageReaction", chat_id=-6001)
    assert reaction and reaction[-1].params["reaction"][0]["emoji"] == "👍"
    (report,) = await stored(sessions)
    assert report.chat_id == -6001 and report.type == "visit"


async def test_the_same_group_post_twice_is_recorded_once(world: World, sessions: Sessions) -> None:
    """Feeding the same update again creates no second report."""
    li = await instructor(world)
    group = world.group(-6002)
    await world.person(HQ_ID).send("/bindgroup district 西城", chat=group)
    message = li._message(group, text="#指导 维达纸业 2人次")
    await world.process({"message": message}, group)
    await world.process({"message": message}, group)
    assert len(await stored(sessions)) == 1


async def test_group_posts_that_cannot_count_get_one_private_hint(
    world: World, sessions: Sessions
) -> None:
    """Unbound group or unregistered sender: no record, a private hint, nothing in the group."""
    li = await instructor(world)
    unbound = world.group(-6003, "闲聊群")
    in_group = await li.send("#走访 维达纸业", chat=unbound)
    assert list(in_group) == []
    assert "这个群还没有绑定" in world.standin.texts(501)[-1]
    bound = world.group(-6004, "西城协商群")
    await world.person(HQ_ID).send("/bindgroup district 西城", chat=bound)
    assert list(await world.person(888, "Guest").send("#走访 维达纸业", chat=bound)) == []
    assert "还没有登记为指导员" in world.standin.texts(888)[-1]
    assert list(await world.person(888).send("今天天气不错", chat=bound)) == []
    assert await stored(sessions) == []


async def test_myreports_edits_and_keeps_history(world: World, sessions: Sessions) -> None:
    """An edit replaces the report and keeps what it replaced; a delete removes it from the list."""
    li = await instructor(world)
    await li.send("/report 走访 维达纸业 5人次")
    (report,) = await stored(sessions)
    listing = await li.send("/myreports")
    assert f"#{report.id}" in listing.text
    await li.press(f"✏️ 改 #{report.id}")
    edited = await li.send("指导 维达纸业 8人次 讲解劳动合同")
    assert f"已修改 #{report.id}" in edited.text and "8人次" in edited.text
    async with sessions() as session:
        revisions = list(await session.scalars(select(ReportRevision)))
    assert revisions[0].before["person_times"] == 5 and revisions[0].before["type"] == "visit"
    await li.send("/myreports")
    await li.press(f"🗑 删 #{report.id}")
    assert f"已删除 #{report.id}" in (await li.press("确认删除")).text
    assert "还没有工作动态" in (await li.send("/myreports")).text


async def test_old_and_foreign_reports_cannot_be_changed(world: World, sessions: Sessions) -> None:
    """After 7 days, or for someone else's report, the buttons refuse and nothing changes."""
    li = await instructor(world)
    await li.send("/report 走访 维达纸业 5人次")
    await li.send("/myreports")
    (report,) = await stored(sessions)
    async with sessions.begin() as session:
        await session.execute(
            update(Report).values(created_at=datetime.now(UTC) - timedelta(days=8))
        )
    assert "超过 7 天" in (await li.press(f"✏️ 改 #{report.id}")).text
    codes = await import_sample(world)
    wang = world.person(502, "Wang")
    await wang.send(f"/start {codes['王建国']}")
    forged = {
        "callback_query": {
            "id": "x1",
            "from": wang.user,
            "chat_instance": "502",
            "data": f"rx:{report.id}",
            "message": {"message_id": 1, "date": 0, "chat": {"id": 502, "type": "private"}},
        }
    }
    refused = await world.process(forged, wang.last_chat or li.last_chat)  # type: ignore[arg-type]
    assert "不是你的工作动态" in refused.text
    (report,) = await stored(sessions)
    assert report.deleted_at is None


async def test_a_stranger_cannot_report(world: World, sessions: Sessions) -> None:
    """A stranger's /report is refused with how to join."""
    assert "还没有登记" in (await world.person(999).send("/report 走访 维达纸业")).text
    assert await stored(sessions) == []


async def test_an_admin_who_is_no_instructor_is_told_what_only_instructors_do(
    world: World, sessions: Sessions
) -> None:
    """HQ is no instructor: /report, /myreports and /leave say so, and nothing is stored."""
    hq = world.person(HQ_ID)
    replies = await hq.send("/report 走访 维达纸业 5人次")
    assert list(replies) == [t("zh_CN", "report.only_instructors")]
    assert list(await hq.send("/myreports")) == [t("zh_CN", "report.only_instructors")]
    replies = await hq.send("/leave 2030-12-10 2030-12-12 出差")
    assert list(replies) == [t("zh_CN", "leave.instructors_only")]
    async with sessions() as session:
        assert await session.scalar(select(Report.id)) is None
        assert await session.scalar(select(Leave.id)) is None
