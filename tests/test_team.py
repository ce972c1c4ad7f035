"""A call-up's team: HQ binds its group, and notices to the team reach its members and groups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from schedules.delivery import Sender
from storage.db import Sessions
from storage.messaging.notices import Audience, AudienceProblem, parse_audience
from storage.models import (
    CallUp,
    CallUpInvitation,
    Group,
    Instructor,
    Notice,
    NoticeAudience,
    NoticeRecipient,
)
from storage.people import groups
from tests.conftest import HQ_ID
from tests.harness import Chat, Person, World
from tests.support import LI, WANG, joined

ADMIN = 2001
TITLE = "维达纸业工资协商攻关"


async def call_up(
    sessions: Sessions,
    answers: dict[str, str] | None = None,
    *,
    title: str = TITLE,
    status: str = "recruiting",
    ends: date | None = None,
) -> int:
    """A call-up as the call-ups feature leaves it, with one invitation per instructor named in
    `answers` (name → invitation status); returns its id."""
    now = datetime.now(UTC)
    today = now.date()
    answers = answers or {}
    async with sessions.begin() as session:
        row = CallUp(
            title=title,
            target="维达北方纸业（北京）有限公司",
            size=max(1, len(answers)),
            per_district=2,
            skills=["劳资人事"],
            districts=[],
            starts=today,
            ends=ends or today + timedelta(days=10),
            answer_minutes=120,
            deadline=now + timedelta(days=1),
            status=status,
            members=sum(1 for a in answers.values() if a == "accepted"),
            version=0,
            created_by=HQ_ID,
        )
        session.add(row)
        await session.flush()
        people = {
            i.name: i.id
            for i in await session.scalars(select(Instructor).where(Instructor.name.in_(answers)))
        }
        for rank, (name, answer) in enumerate(answers.items(), 1):
            session.add(
                CallUpInvitation(
                    call_up_id=row.id,
                    instructor_id=people[name],
                    rank=rank,
                    status=answer,
                    invited_at=now,
                    expires_at=now + timedelta(hours=2),
                )
            )
        return row.id


async def bound(sessions: Sessions) -> dict[int, tuple[str, int | None]]:
    """Each bound group's scope and team, by chat id."""
    async with sessions() as session:
        return {g.chat_id: (g.scope, g.team_id) for g in await session.scalars(select(Group))}


async def district_admin(world: World) -> Person:
    """A 西城 district admin."""
    await world.person(HQ_ID).send(f"/admin add {ADMIN} district 西城")
    return world.person(ADMIN, "Zhang")


@pytest.mark.parametrize("word", ["队:3", "队：3", "攻关队:3", "攻关队：#3", "team:3", "TEAM：3"])
def test_a_team_is_named_by_its_call_up_id(word: str) -> None:
    """`队:3`, `攻关队：3` and `team:3` (full-width colon, `#` or capitals too) name team 3."""
    assert parse_audience(word, {"西城": 1}) == Audience(NoticeAudience.TEAM, "3")


@pytest.mark.parametrize("word", ["队:", "队:abc", "team:3a", "攻关队:1234567890"])
def test_a_team_without_a_number_is_no_audience(word: str) -> None:
    """A team word whose id is no number names nothing."""
    with pytest.raises(AudienceProblem):
        parse_audience(word, {"西城": 1})


async def test_hq_binds_a_team_group_and_binding_again_moves_it(
    world: World, sessions: Sessions
) -> None:
    """`/bindgroup team <id>` binds the group to that call-up's team; a second /bindgroup moves
    the binding to the new team or scope, as for the city and districts."""
    hq, _, _ = await joined(world)
    first = await call_up(sessions, {"李红": "accepted"})
    second = await call_up(sessions, {"王建国": "accepted"}, title="平谷集体合同攻关")
    group = world.group(-6001, "攻关队群")
    replies = await hq.send(f"/bindgroup team {first}", chat=group)
    assert "攻关队群" in replies.text and f"#{first}" in replies.text and TITLE in replies.text
    assert await bound(sessions) == {-6001: ("team", first)}
    assert "平谷集体合同攻关" in (await hq.send(f"/bindgroup team #{second}", chat=group)).text
    assert await bound(sessions) == {-6001: ("team", second)}
    assert "全市群" in (await hq.send("/bindgroup city", chat=group)).text
    assert await bound(sessions) == {-6001: ("city", None)}


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/bindgroup team 99", "没有编号为 #99 的抽调"),
        ("/bindgroup team {draft}", "还没有发出邀请"),
        ("/bindgroup team {cancelled}", "已取消"),
        ("/bindgroup team abc", "用法：/bindgroup team 抽调编号"),
        ("/bindgroup team", "用法：/bindgroup team 抽调编号"),
        ("/bindgroup team 1 2", "用法：/bindgroup team 抽调编号"),
        ("/bindgroup team 99999999999", "用法：/bindgroup team 抽调编号"),
    ],
)
async def test_a_team_group_is_refused_for_what_names_no_team(
    world: World, sessions: Sessions, command: str, answer: str
) -> None:
    """An unknown, draft or cancelled call-up, or an id that is no number, is refused with the
    reason, and no group is bound."""
    hq, _, _ = await joined(world)
    draft = await call_up(sessions, status="draft")
    cancelled = await call_up(sessions, status="cancelled")
    replies = await hq.send(command.format(draft=draft, cancelled=cancelled), chat=world.group())
    assert answer in replies.text
    assert await bound(sessions) == {}


async def test_only_hq_binds_a_team_group(world: World, sessions: Sessions) -> None:
    """A district admin is told team groups are HQ's; an instructor is told it is for admins."""
    _, li, _ = await joined(world)
    team = await call_up(sessions, {"李红": "accepted"})
    admin = await district_admin(world)
    refused = await admin.send(f"/bindgroup team {team}", chat=world.group())
    assert "只能由市总工会管理员绑定" in refused.text
    assert "仅限管理员" in (await li.send(f"/bindgroup team {team}", chat=world.group())).text
    assert await bound(sessions) == {}


async def test_a_team_group_survives_the_upgrade_to_a_supergroup(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """The supergroup keeps the team binding, and the team's notices are posted there."""
    hq, _, _ = await joined(world)
    team = await call_up(sessions, {"李红": "accepted"})
    old = world.group(-6002, "攻关队群")
    await hq.send(f"/bindgroup team {team}", chat=old)
    new = world.group(-1006002, "攻关队群", supergroup=True)
    await world.process({"message": hq._message(old, migrate_to_chat_id=new.id)}, old)
    await world.process({"message": hq._message(new, migrate_from_chat_id=old.id)}, new)
    assert await bound(sessions) == {-1006002: ("team", team)}
    async with sessions() as session:
        assert [g.chat_id for g in await groups.team_groups(session, team)] == [-1006002]
    await hq.send(f"/notice 队:{team} 周一上午九点在企业会议室碰头")
    await sender.drain()
    assert "周一上午九点在企业会议室碰头" in world.standin.texts(-1006002)[-1]
    assert not any("碰头" in text for text in world.standin.texts(-6002))


async def test_a_team_notice_reaches_only_accepted_members_and_the_team_group(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """`/notice 队:<id>` goes privately to the accepted members only (not to those who declined
    or have not answered) and is posted and pinned in the team's group, not in the city's."""
    hq, _, _ = await joined(world)
    team = await call_up(sessions, {"李红": "accepted", "王建国": "declined", "赵敏": "invited"})
    other = await call_up(sessions, {"王建国": "accepted"}, title="平谷集体合同攻关")
    await hq.send(f"/bindgroup team {team}", chat=world.group(-6003, "攻关队群"))
    await hq.send(f"/bindgroup team {other}", chat=world.group(-6004, "另一支队"))
    await hq.send("/bindgroup city", chat=world.group(-6005, "全市群"))
    before = {chat: len(world.standin.texts(chat)) for chat in (WANG, -6004, -6005)}
    answer = await hq.send(f"/notice 攻关队：{team} 明天上午进企业，带好工资台账")
    assert "1 名指导员" in answer.text and "0 人尚未登记" in answer.text
    await sender.drain()
    assert "明天上午进企业" in world.standin.texts(LI)[-1]
    assert "明天上午进企业" in world.standin.texts(-6003)[-1]
    assert world.standin.calls_to("pinChatMessage", -6003)
    for chat, count in before.items():
        assert len(world.standin.texts(chat)) == count, chat
    async with sessions() as session:
        notice = (await session.scalars(select(Notice))).one()
        assert (notice.audience, notice.audience_value) == ("team", str(team))
        recipients = (await session.scalars(select(NoticeRecipient))).all()
    assert len(recipients) == 1


async def test_a_city_notice_is_not_posted_in_team_groups(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """A team's group gets that team's notices, not everyone's."""
    hq, _, _ = await joined(world)
    team = await call_up(sessions, {"李红": "accepted"})
    await hq.send(f"/bindgroup team {team}", chat=world.group(-6006, "攻关队群"))
    await hq.send("/bindgroup city", chat=world.group(-6007, "全市群"))
    await hq.send("/notice 全体 全市协商指导员大会通知")
    await sender.drain()
    assert "全市协商指导员大会通知" in world.standin.texts(-6007)[-1]
    assert not any("大会通知" in text for text in world.standin.texts(-6006))


async def test_team_notices_are_refused_for_district_admins_and_closed_teams(
    world: World, sessions: Sessions
) -> None:
    """A district admin may not address a team; HQ may not address an unknown, draft or
    cancelled one, nor write an id that is no number. Nothing is stored."""
    hq, _, _ = await joined(world)
    team = await call_up(sessions, {"李红": "accepted"})
    draft = await call_up(sessions, status="draft")
    cancelled = await call_up(sessions, {"王建国": "accepted"}, status="cancelled")
    admin = await district_admin(world)
    assert "只能由市总工会管理员发送" in (await admin.send(f"/notice 队:{team} 明天开会")).text
    assert "没有编号为 #99 的抽调" in (await hq.send("/notice 队:99 明天开会")).text
    assert "还没有发出邀请" in (await hq.send(f"/notice team:{draft} 明天开会")).text
    assert "已取消" in (await hq.send(f"/notice 队:{cancelled} 明天开会")).text
    assert "看不懂通知对象" in (await hq.send("/notice 队:abc 明天开会")).text
    async with sessions() as session:
        assert (await session.scalars(select(Notice))).all() == []


async def test_the_guided_notice_offers_open_teams_to_hq(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """/notice shows 攻关队 to HQ while a call-up recruits; pressing it lists the open teams,
    and the chosen team's members get the notice."""
    hq, _, _ = await joined(world)
    await call_up(sessions, {"王建国": "accepted"}, title="已结束的攻关", ends=date(2020, 1, 1))
    await call_up(sessions, status="draft", title="草稿攻关")
    team = await call_up(sessions, {"李红": "accepted", "王建国": "declined"})
    await hq.send("/notice")
    listed = await hq.press("攻关队")
    assert "发给哪支攻关队" in listed.text
    buttons = [
        button["text"]
        for row in listed.calls[-1].params["reply_markup"]["inline_keyboard"]
        for button in row
    ]
    assert buttons == [f"#{team} {TITLE}", "取消"]
    await hq.press(f"#{team} {TITLE}")
    await hq.send("周三下午到企业开第一次碰头会")
    await hq.press("需要确认")
    review = await hq.press("立即发送")
    assert f"攻关队 #{team}（{TITLE}）" in review.text
    sent = await hq.press("📢 发送")
    assert "1 名指导员" in sent.text
    await sender.drain()
    assert "第一次碰头会" in world.standin.texts(LI)[-1]
    assert not any("第一次碰头会" in text for text in world.standin.texts(WANG))


async def test_no_team_button_without_open_teams_nor_for_district_admins(
    world: World, sessions: Sessions
) -> None:
    """攻关队 is not offered when no call-up recruits (ended, draft, cancelled ones do not
    count), and never to a district admin."""
    hq, _, _ = await joined(world)
    await call_up(sessions, {"王建国": "accepted"}, ends=date(2020, 1, 1))
    await call_up(sessions, status="draft")
    await call_up(sessions, status="cancelled")
    assert "攻关队" not in str((await hq.send("/notice")).calls[-1].params["reply_markup"])
    await call_up(sessions, {"李红": "accepted"})
    assert "攻关队" in str((await hq.send("/notice")).calls[-1].params["reply_markup"])
    admin = await district_admin(world)
    assert "攻关队" not in str((await admin.send("/notice")).calls[-1].params["reply_markup"])


async def test_notices_status_counts_a_team_notice(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """/notices names the team and counts its members: delivered, confirmed, not joined, and
    who has not confirmed yet."""
    hq, li, _ = await joined(world)
    team = await call_up(sessions, {"李红": "accepted", "王建国": "accepted", "赵敏": "accepted"})
    await hq.send(f"/notice 队:{team} 请队员周五前提交攻关方案")
    await sender.drain()
    await li.press("收到", chat=Chat(LI))
    listing = await hq.send("/notices")
    assert f"攻关队 #{team}（{TITLE}）" in listing.text
    assert "已送达 2/3" in listing.text and "已确认 1" in listing.text
    assert "未登记 1" in listing.text
    status = await hq.press("#1")
    unconfirmed = status.text.split("未确认：")[1]
    assert "王建国" in unconfirmed and "赵敏" in unconfirmed and "李红" not in unconfirmed
