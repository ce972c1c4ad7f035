"""Mentoring (传帮带): /mentor pairs two instructors by name, the MENTORING built-in asks the
mentor to sign off each step at 1, 2 and 3 months (once), 尚未达到 takes a reason, an overdue
sign-off goes to the district admin once, the checklist ticks itself, /mentoring shows it all."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from bot.texts import t
from schedules import reminders
from schedules.delivery import Sender
from schedules.mentoring import mentoring_round
from storage.db import Sessions
from storage.mentoring import summaries
from storage.mentoring.progress import checklists
from storage.mentoring.signoffs import open_due
from storage.mentoring.steps import add_months
from storage.messaging import outbox
from storage.models import (
    Instructor,
    MentoringSignoff,
    OutboxMessage,
    Reminder,
    Report,
    SeatStatus,
    Status,
    Training,
    TrainingSeat,
)
from storage.reminders import records
from tests.conftest import HQ_ID
from tests.files import ROSTER_HEADERS, xlsx
from tests.harness import Chat, Person, World

SHANGHAI = ZoneInfo("Asia/Shanghai")
GRACE = timedelta(hours=1)
DISTRICT_ADMIN = 2101  # 西城's
EAST_ADMIN = 2102  # 东城's

# name, level, employment, district, telegram id (None: not joined)
ROSTER: list[tuple[str, str, str, str, int | None]] = [
    ("王建国", "市级", "专职", "西城", 701),
    ("李红", "区级", "专职", "西城", 702),
    ("张伟", "市级", "专职", "东城", 703),
    ("张伟", "街乡级", "兼职", "西城", 704),
    ("刘洋", "区级", "兼职", "东城", 705),
    ("周强", "市级", "专职", "西城", 706),
    ("陈静", "市级", "专职", "东城", None),
]
WANG, LI, ZHANG_EAST, ZHANG_WEST, LIU, ZHOU = 701, 702, 703, 704, 705, 706


def translate(lang: str, key: str, **values: object) -> str:
    return t(lang, key, **values)


def today() -> date:
    return datetime.now(SHANGHAI).date()


async def setup(world: World) -> Person:
    """HQ uploads the roster (everyone but 陈静 bound to Telegram) and adds 西城's admin."""
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for name, level, employment, district, telegram_id in ROSTER:
        rows.append(
            [name, level, employment, district, None, None, None, None, None, None,
             telegram_id, None]
        )  # fmt: skip
    hq = world.person(HQ_ID, "总部")
    replies = await hq.upload(xlsx(rows), "roster.xlsx")
    assert "✅" in replies.text, replies.text
    await hq.send(f"/admin add {DISTRICT_ADMIN} district 西城")
    return hq


async def started(sessions: Sessions, name: str, start: date) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(Instructor).where(Instructor.name == name).values(start_date=start)
        )


async def fire(sessions: Sessions, now: datetime) -> list[reminders.Fired]:
    """The MENTORING built-in fires at `now` (a fake clock), as the tick would make it."""
    async with sessions.begin() as session:
        await records.restore(session, "Asia/Shanghai", now=now - timedelta(days=1))
        await session.execute(
            update(Reminder).where(Reminder.key == records.MENTORING).values(next_at=now)
        )
    return await reminders.fire_due(sessions, translate, "zh_CN", now=now, grace=GRACE)


def at_day(day: date) -> datetime:
    """9:00 in Shanghai on `day`, in UTC."""
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI).astimezone(UTC)


async def outbox_to(sessions: Sessions, chat_id: int) -> list[OutboxMessage]:
    async with sessions() as session:
        query = (
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return list(await session.scalars(query))


async def texts_to(sessions: Sessions, chat_id: int) -> list[str]:
    return [row.payload["text"] for row in await outbox_to(sessions, chat_id)]


async def signoffs(sessions: Sessions) -> list[MentoringSignoff]:
    async with sessions() as session:
        query = select(MentoringSignoff).order_by(MentoringSignoff.mentee_id, MentoringSignoff.step)
        return list(await session.scalars(query))


async def mentor_of(sessions: Sessions, name: str, telegram_id: int | None = None) -> str | None:
    async with sessions() as session:
        query = select(Instructor).where(Instructor.name == name)
        if telegram_id is not None:
            query = query.where(Instructor.telegram_id == telegram_id)
        mentee = (await session.scalars(query)).one()
        if mentee.mentor_id is None:
            return None
        return (await session.get_one(Instructor, mentee.mentor_id)).name


# --- /mentor ---------------------------------------------------------------------------------


async def test_mentor_sets_the_pair_and_tells_the_mentor(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """`/mentor 李红 王建国` stores the pair, answers with the sign-off dates, and 王建国 and
    李红 hear of it; `/mentor 李红 无` removes it and tells 王建国."""
    hq = await setup(world)
    start = today() - timedelta(days=3)
    await started(sessions, "李红", start)
    said = await hq.send("/mentor 李红 王建国")
    assert "✅ 已安排：王建国 带教 李红（西城）" in said.text
    assert f"满 1 个月 {add_months(start, 1)}" in said.text and "已通知王建国" in said.text
    assert await mentor_of(sessions, "李红") == "王建国"
    await sender.drain()
    assert any("您被安排为李红（西城）的带教导师" in x for x in world.standin.texts(WANG))
    assert any("你的带教导师是王建国" in x for x in world.standin.texts(LI))
    again = await hq.send("/mentor 李红 王建国")
    assert "已经是李红的导师了" in again.text
    removed = await hq.send("/mentor 李红 无")
    assert "已取消李红的导师（原导师 王建国）" in removed.text
    assert await mentor_of(sessions, "李红") is None
    await sender.drain()
    assert "您不再担任李红的带教导师。" in world.standin.texts(WANG)


async def test_mentor_refusals_say_why_and_store_nothing(world: World, sessions: Sessions) -> None:
    """An instructor, another district's mentee, an unknown or ambiguous name, oneself and
    someone who left are refused with the reason; nobody gets a mentor."""
    hq = await setup(world)
    admin = world.person(DISTRICT_ADMIN, "区管理员")
    li = world.person(LI, "李红")
    async with sessions.begin() as session:
        await session.execute(
            update(Instructor).where(Instructor.name == "周强").values(status=Status.ENDED.value)
        )
    assert "仅限管理员" in (await li.send("/mentor 李红 王建国")).text
    assert "你只能管理西城区的数据" in (await admin.send("/mentor 刘洋 王建国")).text
    unknown = await hq.send("/mentor 李白 王建国")
    assert "花名册里没有“李白”" in unknown.text
    ambiguous = await hq.send("/mentor 张伟 王建国")
    assert "有 2 位叫“张伟”" in ambiguous.text
    assert "张伟（西城）" in ambiguous.text and "张伟（东城）" in ambiguous.text
    assert "不能做自己的导师" in (await hq.send("/mentor 李红 李红")).text
    assert "周强已经离任，不能当导师" in (await hq.send("/mentor 李红 周强")).text
    assert "周强已经离任，不能再安排导师" in (await hq.send("/mentor 周强 王建国")).text
    assert "用法" in (await hq.send("/mentor 李红")).text
    async with sessions() as session:
        paired = (
            await session.scalars(select(Instructor).where(Instructor.mentor_id.is_not(None)))
        ).all()
    assert paired == []
    # A namesake is named with the district, and a district admin finds their own one.
    assert "张伟 带教 李红" in (await hq.send("/mentor 李红 张伟（东城）")).text
    assert "王建国 带教 张伟（西城）" in (await admin.send("/mentor 张伟 王建国")).text
    assert await mentor_of(sessions, "李红") == "张伟"
    assert await mentor_of(sessions, "张伟", ZHANG_WEST) == "王建国"


async def test_the_roster_column_makes_the_same_pair(world: World, sessions: Sessions) -> None:
    """A roster's 带教导师 column pairs as /mentor does, and /mentoring shows that pair."""
    hq = world.person(HQ_ID, "总部")
    rows: list[list[Any]] = [
        ROSTER_HEADERS,
        ["王建国", "市级", "专职", "西城", None, None, None, None, None, None, 701, None],
        ["李红", "区级", "专职", "西城", None, None, None, "2026-01-05", "王建国", None, 702, None],
    ]
    assert "✅" in (await hq.upload(xlsx(rows), "roster.xlsx")).text
    assert await mentor_of(sessions, "李红") == "王建国"
    shown = await hq.send("/mentoring")
    assert "李红 ← 导师 王建国，入职 2026-01-05" in shown.text


# --- the sign-offs ---------------------------------------------------------------------------


async def test_each_step_is_asked_once_at_one_two_and_three_months(
    world: World, sessions: Sessions
) -> None:
    """王建国 is asked 入门, 进入角色 and 独当一面 on the day each falls due, each once, even when
    two firings run at the same moment and the day's firing runs again."""
    hq = await setup(world)
    start = today()
    await started(sessions, "李红", start)
    await hq.send("/mentor 李红 王建国")
    assert await fire(sessions, at_day(start + timedelta(days=20))) is not None
    assert await signoffs(sessions) == []
    for step in (1, 2, 3):
        day = add_months(start, step)
        # The step's row opened but not asked yet, two rounds at once: one of them asks (and
        # passes the unsigned step before it to 西城's admin).
        async with sessions.begin() as session:
            await open_due(session, day)
        rounds = await asyncio.gather(*(_round(sessions, day, at_day(day)) for _ in range(2)))
        assert sorted(rounds) == [0, 1]
        # The built-in's firings of the day (two at once, one again later) ask nothing more.
        await asyncio.gather(fire(sessions, at_day(day)), fire(sessions, at_day(day)))
        await fire(sessions, at_day(day) + timedelta(hours=3))
        asks = [x for x in await texts_to(sessions, WANG) if "传帮带签字" in x]
        assert len(asks) == step, asks
        stage = ("入门", "进入角色", "独当一面")[step - 1]
        assert f"第 {step} 个月：{stage}" in asks[-1]
    rows = await signoffs(sessions)
    assert [(r.step, r.due_on) for r in rows] == [(s, add_months(start, s)) for s in (1, 2, 3)]
    assert all(r.asked_at is not None for r in rows)


async def _round(sessions: Sessions, day: date, now: datetime) -> int:
    """One mentoring round in a transaction of its own, its messages enqueued as a firing's;
    returns how many mentors it asked."""
    async with sessions.begin() as session:
        messages = await mentoring_round(session, day, translate, _zh, now=now)
        await outbox.enqueue(session, messages, now=now)
        return len([m for m in messages if ":ask:" in m.key])


async def _zh(ids: list[int]) -> dict[int, str]:
    return dict.fromkeys(ids, "zh_CN")


async def test_a_step_missed_while_down_is_asked_within_a_week_only(
    world: World, sessions: Sessions
) -> None:
    """A step that fell due 5 days ago is still asked; one 9 days ago is not."""
    hq = await setup(world)
    await started(sessions, "李红", add_months(today(), -1) - timedelta(days=5))
    await started(sessions, "刘洋", add_months(today(), -1) - timedelta(days=9))
    await hq.send("/mentor 李红 王建国")
    await hq.send("/mentor 刘洋 张伟（东城）")
    await fire(sessions, at_day(today()))
    assert len([x for x in await texts_to(sessions, WANG) if "传帮带签字" in x]) == 1
    assert [x for x in await texts_to(sessions, ZHANG_EAST) if "传帮带签字" in x] == []


async def asked(world: World, sessions: Sessions, sender: Sender) -> tuple[Person, Person]:
    """李红 started a month ago with 王建国 as mentor, who was just asked to sign off 入门."""
    hq = await setup(world)
    await started(sessions, "李红", add_months(today(), -1))
    await hq.send("/mentor 李红 王建国")
    await fire(sessions, datetime.now(UTC))  # now, not at 9:00: the outbox sends nothing early
    await sender.drain()
    return world.person(WANG, "王建国"), world.person(LI, "李红")


async def test_reached_is_stored_confirmed_and_told_once(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """已达到 signs 入门: stored with who and when, confirmed in place, told to 李红; a second
    press changes nothing and says so."""
    wang, _ = await asked(world, sessions, sender)
    said = await wang.press("已达到", chat=Chat(WANG))
    assert "✅ 已签字：李红，第 1 个月：入门 — 已达到" in said.text
    [row] = await signoffs(sessions)
    assert (row.result, row.signed_by, row.reason) == ("reached", WANG, None)
    assert row.signed_at is not None
    await sender.drain()
    assert any("你的导师王建国确认：第 1 个月：入门 — 已达到" in x for x in world.standin.texts(LI))
    again = await wang.press("尚未达到", chat=Chat(WANG))
    assert "这一步已经签过了：已达到" in again.text
    [row] = await signoffs(sessions)
    assert row.result == "reached"


async def test_not_reached_asks_for_a_reason_then_stores_and_tells_it(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """尚未达到 asks for the reason; the typed reason is stored with the result and told to 李红."""
    wang, _ = await asked(world, sessions, sender)
    said = await wang.press("尚未达到", chat=Chat(WANG))
    assert "写下尚未达到的原因" in said.text
    [row] = await signoffs(sessions)
    assert row.result is None
    too_long = await wang.send("长" * 201)
    assert "原因有 201 个字，最多 200 个字" in too_long.text
    [row] = await signoffs(sessions)
    assert row.result is None  # nothing cut, nothing stored; the flow waits for a shorter one
    answered = await wang.send("还没独立走访过企业")
    assert "已签字：李红，第 1 个月：入门 — 尚未达到（还没独立走访过企业）" in answered.text
    [row] = await signoffs(sessions)
    assert (row.result, row.reason, row.signed_by) == ("not_reached", "还没独立走访过企业", WANG)
    await sender.drain()
    assert any("尚未达到。原因：还没独立走访过企业" in x for x in world.standin.texts(LI))


async def test_a_new_mentor_from_the_roster_is_asked_what_is_still_unsigned(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """A roster upload that makes 周强 李红's mentor passes the unsigned 入门 to him at the next
    round; 王建国 can no longer sign it."""
    wang, _ = await asked(world, sessions, sender)
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for name, level, employment, district, telegram_id in ROSTER:
        mentor = "周强" if name == "李红" else None
        rows.append(
            [name, level, employment, district, None, None, None, None, mentor, None,
             telegram_id, None]
        )  # fmt: skip
    hq = world.person(HQ_ID, "总部")
    assert "✅" in (await hq.upload(xlsx(rows), "roster.xlsx")).text
    assert await mentor_of(sessions, "李红") == "周强"
    await fire(sessions, datetime.now(UTC))
    await sender.drain()
    [ask] = [x for x in world.standin.texts(ZHOU) if "传帮带签字" in x]
    assert "周强老师，您带教的李红" in ask and "第 1 个月：入门" in ask
    refused = await wang.press("已达到", chat=Chat(WANG))
    assert "只有李红的导师周强可以签这一步" in refused.text
    signed = await world.person(ZHOU, "周强").press("已达到", chat=Chat(ZHOU))
    assert "✅ 已签字：李红，第 1 个月：入门 — 已达到" in signed.text
    [row] = await signoffs(sessions)
    assert (row.result, row.signed_by) == ("reached", ZHOU)


async def test_a_press_by_anyone_but_the_mentor_is_refused(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """李红 herself or another instructor pressing the mentor's button signs nothing."""
    _, li = await asked(world, sessions, sender)
    zhang = world.person(ZHANG_EAST, "张伟")
    for person in (li, zhang):
        refused = await person.press("已达到", chat=Chat(WANG))
        assert "只有李红的导师王建国可以签这一步" in refused.text
        refused = await person.press("尚未达到", chat=Chat(WANG))
        assert "只有李红的导师王建国可以签这一步" in refused.text
    [row] = await signoffs(sessions)
    assert row.result is None and row.signed_by is None


async def test_an_overdue_sign_off_goes_to_the_district_admin_once(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """Unsigned 7 days after due, 入门 goes to 西城's admin once (not 东城's), escalated_at set."""
    hq = await setup(world)
    await hq.send(f"/admin add {EAST_ADMIN} district 东城")
    await started(sessions, "李红", add_months(today(), -1))
    await hq.send("/mentor 李红 王建国")
    await fire(sessions, at_day(today()))
    await fire(sessions, at_day(today() + timedelta(days=6)))
    assert await texts_to(sessions, DISTRICT_ADMIN) == []
    await fire(sessions, at_day(today() + timedelta(days=7)))
    await fire(sessions, at_day(today() + timedelta(days=8)))
    [told] = await texts_to(sessions, DISTRICT_ADMIN)
    assert "传帮带签字逾期：西城 李红 的第 1 个月：入门" in told and "已过 7 天" in told
    assert await texts_to(sessions, EAST_ADMIN) == []
    [row] = await signoffs(sessions)
    assert row.escalated_at is not None and row.result is None


async def test_without_a_district_admin_the_overdue_sign_off_goes_to_hq_admins(
    world: World, sessions: Sessions
) -> None:
    """东城 has no admin: 刘洋's overdue sign-off goes to the HQ admin added with /admin."""
    hq = await setup(world)
    await hq.send("/admin add 2900 hq")
    await started(sessions, "刘洋", add_months(today(), -1))
    await hq.send("/mentor 刘洋 张伟（东城）")
    await fire(sessions, at_day(today()))
    await fire(sessions, at_day(today() + timedelta(days=7)))
    [told] = await texts_to(sessions, 2900)
    assert "东城 刘洋" in told and "东城还没有区管理员" in told
    assert await texts_to(sessions, DISTRICT_ADMIN) == []


async def test_switched_off_in_schedules_nothing_is_asked(world: World, sessions: Sessions) -> None:
    """HQ switching the mentoring built-in off in /schedules stops the asks."""
    hq = await setup(world)
    await started(sessions, "李红", add_months(today(), -1))
    await hq.send("/mentor 李红 王建国")
    async with sessions.begin() as session:
        await records.restore(session, "Asia/Shanghai", now=datetime.now(UTC))
    listing = await hq.send("/schedules")
    assert "传帮带签字" in listing.text
    await hq.press("关闭 传帮带签字")
    await reminders.fire_due(
        sessions, translate, "zh_CN", now=at_day(today()) + timedelta(days=1), grace=GRACE
    )
    assert await signoffs(sessions) == []
    assert [x for x in await texts_to(sessions, WANG) if "传帮带签字" in x] == []


# --- the checklist and /mentoring ----------------------------------------------------------


async def checked_in(sessions: Sessions, name: str, district: str | None) -> None:
    """`name` checked in at a training of HQ (district None) or of `district`."""
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        person = (await session.scalars(select(Instructor).where(Instructor.name == name))).first()
        assert person is not None
        training = Training(
            title="集体协商实务培训",
            format="lecture",
            starts_at=now - timedelta(days=2),
            ends_at=now - timedelta(days=2, hours=-3),
            place="市总工会303会议室",
            audience="all",
            scope_district_id=person.district_id if district else None,
            deadline=now - timedelta(days=3),
            status="open",
            created_by=HQ_ID,
            checkin_code=f"{person.id:06d}",
            checkin_token=f"token{person.id}{district or 'city'}",
        )
        session.add(training)
        await session.flush()
        session.add(
            TrainingSeat(
                training_id=training.id,
                instructor_id=person.id,
                status=SeatStatus.ATTENDING.value,
                checked_in_at=now - timedelta(days=2),
            )
        )


async def test_the_checklist_ticks_from_a_city_check_in_and_an_observation_report(
    world: World, sessions: Sessions
) -> None:
    """李红's city training check-in and 观摩 report tick her checklist; 刘洋's district
    training and deleted 观摩 report do not; /mentoring shows ✅ and ⬜."""
    hq = await setup(world)
    await hq.send("/mentor 李红 王建国")
    await hq.send("/mentor 刘洋 张伟（东城）")
    li, liu = world.person(LI, "李红"), world.person(LIU, "刘洋")
    before = await hq.send("/mentoring")
    assert "⬜ 参加市级培训  ⬜ 观摩一次完整谈判" in before.text
    await checked_in(sessions, "李红", None)
    await checked_in(sessions, "刘洋", "东城")
    for person in (li, liu):
        report = await person.send("/report 观摩 维达纸业 3人次")
        assert "✅" in report.text or "已记录" in report.text, report.text
    async with sessions.begin() as session:
        await session.execute(
            update(Report)
            .where(
                Report.instructor_id
                == select(Instructor.id).where(Instructor.name == "刘洋").scalar_subquery()
            )
            .values(deleted_at=datetime.now(UTC))
        )
        ids = {
            i.name: i.id
            for i in await session.scalars(
                select(Instructor).where(Instructor.name.in_(["李红", "刘洋"]))
            )
        }
        lists = await checklists(session, list(ids.values()))
    assert (lists[ids["李红"]].city_training, lists[ids["李红"]].observed) == (True, True)
    assert (lists[ids["刘洋"]].city_training, lists[ids["刘洋"]].observed) == (False, False)
    shown = (await hq.send("/mentoring")).text
    li_block = shown[shown.index("李红 ←") :].split("\n")[:3]
    liu_block = shown[shown.index("刘洋 ←") :].split("\n")[:3]
    assert "✅ 参加市级培训  ✅ 观摩一次完整谈判" in li_block[2]
    assert "⬜ 参加市级培训  ⬜ 观摩一次完整谈判" in liu_block[2]


async def test_mentoring_shows_steps_for_hq_and_only_their_district_for_a_district_admin(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """HQ sees both districts' pairs with each step's state; 西城's admin sees only 西城 and
    is refused 东城; an instructor sees their own pair; a long list comes in several messages."""
    wang, _ = await asked(world, sessions, sender)
    hq = world.person(HQ_ID, "总部")
    await started(sessions, "刘洋", today() + timedelta(days=2))
    await hq.send("/mentor 刘洋 张伟（东城）")
    pending = (await hq.send("/mentoring")).text
    assert "🤝 传帮带（全市，共 2 对）" in pending
    assert "【西城】" in pending and "【东城】" in pending
    assert "第 1 个月：入门 — 待签" in pending
    due = add_months(today() + timedelta(days=2), 1)
    assert f"第 1 个月：入门 — 未到（{due}）" in pending
    await wang.press("尚未达到", chat=Chat(WANG))
    await wang.send("谈判准备不足")
    shown = (await hq.send("/mentoring")).text
    assert "第 1 个月：入门 — 尚未达到（谈判准备不足）" in shown
    admin = world.person(DISTRICT_ADMIN, "区管理员")
    mine = (await admin.send("/mentoring")).text
    assert "西城，共 1 对" in mine and "李红" in mine and "刘洋" not in mine
    assert "你只能管理西城区的数据" in (await admin.send("/mentoring 东城")).text
    east = (await hq.send("/mentoring 东城")).text
    assert "刘洋" in east and "李红" not in east
    own = (await wang.send("/mentoring")).text
    assert "你的传帮带" in own and "李红 ← 导师 王建国" in own and "刘洋" not in own
    none = (await world.person(ZHOU, "周强").send("/mentoring")).text
    assert "你现在没有带教关系" in none
    async with sessions.begin() as session:  # 60 more pairs in 西城: several messages
        wang_row = (
            await session.scalars(select(Instructor).where(Instructor.telegram_id == WANG))
        ).one()
        session.add_all(
            Instructor(
                name=f"新人{n:02d}带教关系较长的名字用来把消息撑长一些",
                level="street",
                employment="part_time",
                district_id=wang_row.district_id,
                start_date=today(),
                mentor_id=wang_row.id,
            )
            for n in range(60)
        )
    long = await admin.send("/mentoring")
    assert len(long) >= 2 and all(len(x) <= 4096 for x in long)
    assert sum(x.count("← 导师") for x in long) == 61


async def test_summaries_give_the_dossier_both_sides(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """summaries(): 李红 as mentee (mentor, steps, checklist), 王建国 as mentor (mentees and
    sign-offs given), 赵 nobody: an empty summary."""
    wang, _ = await asked(world, sessions, sender)
    await wang.press("已达到", chat=Chat(WANG))
    async with sessions() as session:
        ids = {
            i.telegram_id: i.id
            for i in await session.scalars(
                select(Instructor).where(Instructor.telegram_id.in_([WANG, LI, LIU]))
            )
        }
        found = await summaries(session, [ids[LI], ids[WANG], ids[LIU]], today=today())
    li, wang_summary, liu = found[ids[LI]], found[ids[WANG]], found[ids[LIU]]
    assert li.is_mentee and li.mentor_name == "王建国" and li.steps is not None
    assert [s.state for s in li.steps] == ["reached", "upcoming", "upcoming"]
    assert wang_summary.is_mentor and (wang_summary.mentees, wang_summary.signoffs_given) == (1, 1)
    assert not liu.is_mentee and not liu.is_mentor


async def test_steps_due_before_anyone_could_ask_are_unrecorded_not_overdue(
    world: World, sessions: Sessions
) -> None:
    """A pair made long after the mentee started (an old roster): its steps fell due before the
    bot could ask, so /mentoring says there is no record instead of counting hundreds of days
    late, and no sign-off is asked for them."""
    hq = await setup(world)
    await started(sessions, "李红", date(2021, 9, 1))
    await hq.send("/mentor 李红 王建国")
    await fire(sessions, datetime.now(UTC))
    shown = (await hq.send("/mentoring")).text
    assert "第 3 个月：独当一面 — 无签字记录（2021-12-01 到期" in shown, shown
    assert "逾期" not in shown
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(MentoringSignoff)) == 0
