"""HQ calls up a task team: ranked candidates, invitations with 接受 / 婉拒, backfill, ratings."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.sandbox.botapi import BotApiStandIn
from bot.texts import t as text_of
from schedules import jobs
from schedules.callups import voice
from schedules.delivery import Sender
from storage.callups import recruiting
from storage.db import Sessions
from storage.models import (
    CallUp,
    CallUpInvitation,
    Instructor,
    InvitationStatus,
    Leave,
    OutboxMessage,
)
from tests.conftest import HQ_ID
from tests.files import ROSTER_HEADERS, xlsx
from tests.harness import Chat, Person, World

# name, level, employment, district, skills, telegram id (None: not joined)
TEAM_ROSTER: list[tuple[str, str, str, str, str, int | None]] = [
    ("王建国", "市级", "专职", "西城", "劳资人事、法律", 601),
    ("李红", "区级", "专职", "西城", "劳资人事", 602),
    ("张伟", "市级", "专职", "东城", "劳资人事、法律", 603),
    ("刘洋", "区级", "兼职", "大兴", "法律", 604),
    ("陈静", "市级", "兼职", "平谷", "工会工作", 605),
    ("杨帆", "街乡级", "兼职", "海淀", "劳资人事", 606),
    ("赵敏", "区级", "专职", "朝阳", "", 607),
    ("周强", "市级", "专职", "通州", "劳资人事、法律", None),
]
IDS = {name: tid for name, _, _, _, _, tid in TEAM_ROSTER}


def roster() -> bytes:
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for name, level, employment, district, skills, telegram_id in TEAM_ROSTER:
        rows.append(
            [name, level, employment, district, None, None, skills, date(2020, 1, 1),
             None, None, telegram_id, None]
        )  # fmt: skip
    return xlsx(rows)


async def hq_with_roster(world: World) -> Person:
    hq = world.person(HQ_ID, "总部")
    replies = await hq.upload(roster(), "roster.xlsx")
    assert "✅" in replies.text, replies.text
    return hq


def ahead(days: int) -> str:
    day = datetime.now(UTC).astimezone().date() + timedelta(days=days)
    return f"{day.month}月{day.day}日"


def line(
    size: int = 2, extra: str = "", *, start: int = 10, end: int = 20, deadline: int = 7
) -> str:
    return (
        f"/callup 维达纸业工资协商攻关 人数:{size} 专长:劳资人事,法律 对象:维达纸业 "
        f"日期:{ahead(start)}..{ahead(end)} 截止:{ahead(deadline)} 18:00 {extra}"
    ).strip()


async def invitations(sessions: Sessions) -> dict[str, str]:
    """Each invited instructor's name and where they stand."""
    async with sessions() as session:
        rows = await session.execute(
            select(Instructor.name, CallUpInvitation.status).join(
                CallUpInvitation, CallUpInvitation.instructor_id == Instructor.id
            )
        )
        return {name: status for name, status in rows}


async def queued_to(sessions: Sessions, chat_id: int) -> list[str]:
    """The texts in the outbox for one chat, oldest first (the tick may date them ahead)."""
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return [row.payload["text"] for row in rows]


async def tick(world: World, now: datetime) -> recruiting.Advanced:
    context = type("Ctx", (), {"bot_data": world.app.bot_data})()
    return await jobs.advance_callups(context, now=now)


async def sent_call_up(world: World, sender: Sender, size: int = 2, extra: str = "") -> Person:
    hq = await hq_with_roster(world)
    draft = await hq.send(line(size, extra))
    assert "抽调草稿" in draft.text, draft.text
    await hq.press(f"✅ 发出邀请（{size} 人）")
    await sender.drain()
    return hq


# --- creating -------------------------------------------------------------------------------


async def test_the_draft_ranks_by_skills_and_level_and_sends_nothing(
    world: World, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """The one-line /callup shows the ranking with the reasons and stores a draft; nobody is
    invited before HQ presses 发出邀请; the unjoined 周强 is never a candidate."""
    hq = await hq_with_roster(world)
    draft = await hq.send(line(2))
    text = draft.text
    assert "抽调草稿" in text and "首轮邀请" in text
    first_round = text.split("首轮邀请")[1].split("依次递补")[0]
    # Both skills, city-level full-time first: 王建国 (西城) and 张伟 (东城).
    assert "1. 王建国（西城·市级专职）" in first_round and "2. 张伟（东城·市级专职）" in first_round
    assert "专长：劳资人事、法律" in first_round and "近12个月抽调 0 次" in first_round
    assert "周强" not in text
    async with sessions() as session:
        call_up = (await session.scalars(select(CallUp))).one()
        invited = await session.scalar(select(func.count()).select_from(CallUpInvitation))
    assert call_up.status == "draft" and call_up.size == 2 and invited == 0
    for tid in (601, 603):
        assert standin.texts(tid) == []


async def test_no_district_gives_more_than_its_share(world: World, sessions: Sessions) -> None:
    """With 每区最多:1 the two from 西城 are not both in the first round."""
    hq = await hq_with_roster(world)
    draft = await hq.send(line(3, "每区最多:1"))
    first_round = draft.text.split("首轮邀请")[1].split("依次递补")[0]
    assert "王建国" in first_round and "李红" not in first_round
    assert first_round.count("（西城") == 1


async def test_people_on_leave_in_a_team_or_inactive_are_never_invited(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """A leave overlapping the dates, membership of an overlapping team, or an ended status
    keeps an instructor out of the ranking."""
    hq = await hq_with_roster(world)
    today = datetime.now(UTC).astimezone().date()
    async with sessions.begin() as session:
        wang = (await session.scalars(select(Instructor).where(Instructor.name == "王建国"))).one()
        session.add(
            Leave(
                instructor_id=wang.id,
                starts=today + timedelta(days=12),
                ends=today + timedelta(days=13),
            )
        )
        await session.execute(
            update(Instructor).where(Instructor.name == "张伟").values(status="ended")
        )
    draft = await hq.send(line(1))
    assert "王建国" not in draft.text and "张伟" not in draft.text
    assert "1. 李红" in draft.text


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/callup 攻关 人数:2 对象:维达纸业", "还缺：日期、截止"),
        (line(0), "人数要大于 0"),
        (line(2, start=-3, end=2, deadline=-4), "已经过去"),
        (line(2, start=10, end=5), "结束日期早于开始日期"),
        (line(9), "符合条件的只有"),
        (line(2, "区:火星"), "没有叫“火星”的区"),
    ],
)
async def test_bad_callups_are_refused_with_the_reason_and_store_nothing(
    world: World, sessions: Sessions, command: str, expected: str
) -> None:
    """Missing keys, n ≤ 0, dates in the past, an end before the start, more places than
    candidates, an unknown district: each answered with why, nothing stored."""
    hq = await hq_with_roster(world)
    answer = await hq.send(command)
    assert expected in answer.text, answer.text
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CallUp)) == 0


async def test_only_hq_may_call_up(world: World, sessions: Sessions) -> None:
    """An instructor and a district admin are refused, and nothing is stored."""
    hq = await hq_with_roster(world)
    await hq.send("/admin add 2001 district 西城")
    district_admin = world.person(2001, "Zhang")
    assert "仅限市总工会" in (await district_admin.send(line(1))).text
    instructor = world.person(601, "Wang")
    assert "仅限管理员" in (await instructor.send(line(1))).text
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CallUp)) == 0


async def test_the_guided_callup_asks_step_by_step(world: World, sessions: Sessions) -> None:
    """`/callup` alone asks each value in turn and ends with the same draft."""
    hq = await hq_with_roster(world)
    assert "请输入标题" in (await hq.send("/callup")).text
    await hq.send("维达纸业工资协商攻关")
    await hq.send("维达纸业")
    assert "人数要大于 0" in (await hq.send("0")).text
    await hq.send("2")
    await hq.send("劳资人事,法律")
    await hq.send(f"{ahead(10)}..{ahead(20)}")
    await hq.send("默认")
    draft = await hq.send(f"{ahead(7)} 18:00")
    assert "抽调草稿" in draft.text and "1. 王建国" in draft.text
    async with sessions() as session:
        call_up = (await session.scalars(select(CallUp))).one()
    assert call_up.answer_minutes == 120 and call_up.skills == ["劳资人事", "法律"]


async def test_hq_adjusts_the_numbers_before_sending(world: World, sessions: Sessions) -> None:
    """人数 +1 redraws the ranking; past what the candidates can fill it is refused."""
    hq = await hq_with_roster(world)
    await hq.send(line(2))
    more = await hq.press("人数 +1")
    assert "人数：3" in more.text
    for _ in range(4):
        await hq.press("人数 +1")
    refused = await hq.press("人数 +1")
    assert "最多能组" in refused.text
    async with sessions() as session:
        assert (await session.scalars(select(CallUp))).one().size == 7


# --- answers --------------------------------------------------------------------------------


async def test_a_decline_passes_the_place_to_the_next_candidate_at_once(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """The best two are invited; 婉拒 with a reason invites the third at once, and the status
    shows the reason."""
    hq = await sent_call_up(world, sender)
    assert await invitations(sessions) == {"王建国": "invited", "张伟": "invited"}
    assert "攻关邀请" in standin.texts(601)[-1]
    wang = world.person(601, "Wang")
    declined = await wang.press("婉拒", chat=Chat(601))
    assert "已婉拒" in declined.text
    await wang.press("时间冲突", chat=Chat(601))
    await sender.drain()
    assert (await invitations(sessions))["李红"] == "invited"
    assert "攻关邀请" in standin.texts(602)[-1]
    status = await hq.send("/callups")
    assert "招募中 0/2" in status.text
    detail = await hq.press("#1")
    assert "婉拒 1：王建国（时间冲突）" in detail.text


async def test_the_team_fills_exactly_and_a_later_accept_becomes_reserve(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """Two 接受 fill the team; members and HQ get the list; a second press changes nothing."""
    await sent_call_up(world, sender)
    wang, zhang = world.person(601, "Wang"), world.person(603, "Zhang")
    assert "已接受" in (await wang.press("接受", chat=Chat(601))).text
    assert "已经接受过了" in (await wang.press("接受", chat=Chat(601))).text
    await zhang.press("接受", chat=Chat(603))
    await sender.drain()
    assert "已满员" in standin.texts(601)[-1] and "张伟（东城）" in standin.texts(601)[-1]
    assert "已满员" in standin.texts(HQ_ID)[-1]
    async with sessions() as session:
        call_up = (await session.scalars(select(CallUp))).one()
    assert call_up.members == 2


async def test_two_accepts_at_once_for_the_last_place_give_one_member(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """Two transactions pressing 接受 at the same moment for one place: exactly one member, the
    other kept as reserve."""
    await sent_call_up(world, sender, size=1)
    async with sessions.begin() as session:
        call_up = (await session.scalars(select(CallUp))).one()
        # A second open invitation for the same single place, as after a withdrawal race.
        zhang = (await session.scalars(select(Instructor).where(Instructor.name == "张伟"))).one()
        session.add(
            CallUpInvitation(
                call_up_id=call_up.id, instructor_id=zhang.id, rank=2, status="invited",
                invited_at=datetime.now(UTC), expires_at=datetime.now(UTC) + timedelta(hours=1),
            )
        )  # fmt: skip
    async with sessions() as session:
        rows = (
            await session.execute(
                select(CallUpInvitation.id, Instructor.telegram_id).join(Instructor)
            )
        ).all()
    speaker = voice(text_of, "zh_CN", "Asia/Shanghai")

    async def press(invitation_id: int, telegram_id: int) -> str:
        async with sessions.begin() as session:
            answer = await recruiting.accept(
                session, invitation_id, telegram_id, speaker, now=datetime.now(UTC)
            )
        return answer.outcome

    outcomes = await asyncio.gather(*(press(iid, int(tid)) for iid, tid in rows))
    assert sorted(outcomes) == ["accepted", "reserve"]
    async with sessions() as session:
        call_up = (await session.scalars(select(CallUp))).one()
        members = await session.scalar(
            select(func.count()).where(CallUpInvitation.status == "accepted")
        )
    assert call_up.members == 1 and members == 1


async def test_an_unanswered_invitation_expires_and_the_next_is_invited_once(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """After the answer window the tick passes the place on; ticking again, as a second
    instance or a restart would, invites nobody more; a late 接受 is told why."""
    await sent_call_up(world, sender, extra="回复:1h")
    later = datetime.now(UTC) + timedelta(hours=1, minutes=1)
    first = await tick(world, later)
    second = await tick(world, later)
    assert first.expired == 2 and second.expired == 0
    state = await invitations(sessions)
    # Next in line: 李红 (one skill, district-level full-time), then 刘洋 (one skill).
    assert (
        state["王建国"] == "expired" and state["李红"] == "invited" and state["刘洋"] == "invited"
    )
    assert list(state.values()).count("invited") == 2
    late = await world.person(601, "Wang").press("接受", chat=Chat(601))
    assert "已过答复时限" in late.text
    assert (await invitations(sessions))["王建国"] == "expired"


async def test_a_blocked_invitee_passes_the_place_on(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """A 403 on an invitation marks it unreachable and the next candidate is invited."""
    standin.blocked.add(601)
    await sent_call_up(world, sender)
    done = await tick(world, datetime.now(UTC))
    assert done.unreachable == 1
    state = await invitations(sessions)
    assert state["王建国"] == "unreachable" and state["李红"] == "invited"


async def test_at_the_deadline_hq_hears_what_is_open_and_nobody_more_is_invited(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """At 截止 open invitations close, HQ gets who is in and how many places are open, and a
    decline afterwards invites nobody."""
    await sent_call_up(world, sender)
    await world.person(601, "Wang").press("接受", chat=Chat(601))
    async with sessions() as session:
        deadline = (await session.scalars(select(CallUp))).one().deadline.replace(tzinfo=UTC)
    done = await tick(world, deadline + timedelta(seconds=1))
    assert done.deadlines == 1
    assert (await tick(world, deadline + timedelta(seconds=2))).deadlines == 0
    told = (await queued_to(sessions, HQ_ID))[-1]
    assert "报名已截止" in told and "1/2" in told and "还差 1 人" in told
    late = await world.person(603, "Zhang").press("婉拒", chat=Chat(603))
    assert "报名已经截止" in late.text
    state = await invitations(sessions)
    assert state == {"王建国": "accepted", "张伟": "closed"}


async def test_cancel_tells_the_members_and_closes_open_invitations(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """取消 (confirmed) tells those who accepted; an open invitation's 接受 answers 已取消."""
    hq = await sent_call_up(world, sender)
    await world.person(601, "Wang").press("接受", chat=Chat(601))
    await hq.send("/callups")
    await hq.press("#1")
    await hq.press("取消抽调")
    done = await hq.press("确定取消")
    assert "已通知 1 名队员" in done.text
    await sender.drain()
    assert "已取消" in standin.texts(601)[-1]
    pressed = await world.person(603, "Zhang").press("接受", chat=Chat(603))
    assert "已取消" in pressed.text
    assert (await invitations(sessions))["张伟"] == "closed"


async def test_a_member_withdraws_before_the_start_and_the_place_passes_on(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """退出 (confirmed) before the start frees the place: HQ is told and the next is invited."""
    await sent_call_up(world, sender)
    wang = world.person(601, "Wang")
    await wang.press("接受", chat=Chat(601))
    await wang.press("退出攻关队", chat=Chat(601))
    left = await wang.press("确定退出", chat=Chat(601))
    assert "你已退出" in left.text
    again = await wang.press("接受", chat=Chat(601))
    assert "你已经退出这个攻关队了" in again.text
    await sender.drain()
    assert "退出了" in standin.texts(HQ_ID)[-1]
    state = await invitations(sessions)
    assert state["王建国"] == "withdrawn" and state["李红"] == "invited"


async def test_add_a_place_invites_one_more(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """增加人数 raises the size and invites the next candidate at once."""
    hq = await sent_call_up(world, sender)
    await hq.send("/callups")
    await hq.press("#1")
    added = await hq.press("➕ 增加人数")
    assert "已增加 1 个名额" in added.text
    assert list((await invitations(sessions)).values()).count("invited") == 3


# --- after the end ----------------------------------------------------------------------------


async def test_after_the_end_hq_rates_each_member_and_me_shows_it(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """The day after the end HQ is asked once to rate; ★★★★ and a comment are kept and shown in
    the member's /me."""
    hq = await sent_call_up(world, sender, size=1)
    wang = world.person(601, "Wang")
    await wang.press("接受", chat=Chat(601))
    async with sessions() as session:
        call_up = (await session.scalars(select(CallUp))).one()
    after_end = datetime.combine(
        call_up.ends + timedelta(days=1), datetime.min.time(), UTC
    ) + timedelta(hours=2)
    assert (await tick(world, after_end)).ratings == 1
    assert (await tick(world, after_end)).ratings == 0
    # The rating waits for the end day to pass in real time too: move the call-up into the past.
    async with sessions.begin() as session:
        await session.execute(update(CallUp).values(starts=date(2026, 1, 5), ends=date(2026, 1, 9)))
    assert "请为 1 名队员评分" in (await queued_to(sessions, HQ_ID))[-1]
    # The tick ran with a clock after the end; the message goes when the real clock allows.
    async with sessions.begin() as session:
        await session.execute(update(OutboxMessage).values(not_before=datetime.now(UTC)))
    await sender.drain()
    ask = await hq.press("⭐ 评分")
    assert "请为 王建国（西城）评分" in ask.text
    kept = await hq.press("★★★★")
    assert "已记 4 分" in kept.text
    done = await hq.send("协调能力强，熟悉工资协商")
    assert "都评好分了" in done.text
    async with sessions() as session:
        invitation = (await session.scalars(select(CallUpInvitation))).one()
    assert invitation.rating == 4 and invitation.rating_comment == "协调能力强，熟悉工资协商"
    me = await wang.send("/me")
    assert "维达纸业工资协商攻关" in me.text and "★4" in me.text


async def test_a_second_instance_ticking_at_once_backfills_once(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """Two ticks in two transactions at the same moment expire each invitation once and invite
    exactly as many as expired."""
    await sent_call_up(world, sender, extra="回复:1h")
    later = datetime.now(UTC) + timedelta(hours=1, minutes=1)
    results = await asyncio.gather(tick(world, later), tick(world, later))
    assert sum(r.expired for r in results) == 2
    async with sessions() as session:
        invited = await session.scalar(
            select(func.count()).where(CallUpInvitation.status == InvitationStatus.INVITED.value)
        )
        messages = await session.scalar(
            select(func.count()).where(OutboxMessage.kind == "callup_invite")
        )
    assert invited == 2 and messages == 4
