"""The sandbox's demo data: each persona finds the bot as the web chat promises."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.app import build_application
from bot.sandbox import demo
from bot.sandbox.botapi import BotApiStandIn
from storage.common.periods import parse_period
from storage.db import Sessions
from storage.models import (
    Admin,
    Enterprise,
    Group,
    Instructor,
    Invite,
    Report,
    ReportTag,
    TelegramUser,
)
from tests.conftest import make_settings
from tests.harness import Chat, World

TZ = ZoneInfo("Asia/Shanghai")


async def seed(sessions: Sessions) -> None:
    # The bot reads the real clock, so the demo is seeded relative to it too.
    await demo.seed(sessions, now=datetime.now(UTC), tz=TZ)


@pytest.fixture
async def demo_world(
    database_url: str, sessions: Sessions, standin: BotApiStandIn
) -> AsyncIterator[World]:
    """The real Application on a seeded sandbox database, with the demo's HQ as HQ_ADMIN_IDS."""
    await seed(sessions)
    settings = make_settings(database_url, standin, hq_admin_ids=frozenset({demo.HQ_ID}))
    app = build_application(settings, sessions)
    async with app:
        yield World(app, standin)


async def counts(sessions: Sessions) -> dict[str, int]:
    tables = (Instructor, Invite, Enterprise, Report, ReportTag, Admin, Group, TelegramUser)
    async with sessions() as session:
        return {
            table.__tablename__: int(
                await session.scalar(select(func.count()).select_from(table)) or 0
            )
            for table in tables
        }


async def test_seeding_twice_changes_nothing(sessions: Sessions) -> None:
    """A second seed on a seeded database writes nothing: the same rows, the same counts."""
    await seed(sessions)
    first = await counts(sessions)
    assert first["instructors"] == 30 and first["enterprises"] == 40
    assert first["reports"] == demo.REPORTS and first["report_tags"] > 0
    assert first["admins"] == 1 and first["groups"] == 1
    await seed(sessions)
    assert await counts(sessions) == first


async def test_personas_are_bound_and_the_stranger_has_an_open_invite(sessions: Sessions) -> None:
    """Instructor personas are bound to their ids; the stranger's code is open for 刘洋."""
    await seed(sessions)
    async with sessions() as session:
        for someone in demo.PERSONAS:
            if someone.role == "instructor":
                bound = await session.scalar(
                    select(Instructor.name).where(Instructor.telegram_id == someone.telegram_id)
                )
                assert bound == someone.instructor
        invite = (
            await session.scalars(select(Invite).where(Invite.code == demo.STRANGER_CODE))
        ).one()
        assert invite.instructor.name == demo.STRANGER_BECOMES
        assert invite.instructor.telegram_id is None and invite.used_at is None
        group = (await session.scalars(select(Group))).one()
        assert (group.chat_id, group.scope) == (demo.GROUP_ID, "district")
        assert group.district is not None and group.district.name == "西城"


async def test_hq_sees_real_figures_and_a_chart(demo_world: World, sessions: Sessions) -> None:
    """HQ's /stats 本季度 totals the quarter's reports (never zero); /chart answers a photo."""
    period = parse_period("本季度", datetime.now(TZ).date())
    async with sessions() as session:
        expected = await session.scalar(
            select(func.count()).where(Report.date.between(period.start, period.end))
        )
    assert expected
    hq = demo_world.person(demo.HQ_ID, "市总工会")
    text = (await hq.send("/stats 本季度")).text
    assert f"合计：{expected} 条" in text, text
    year = (await hq.send("/stats 本年")).text
    match = re.search(r"合计：(\d+) 条，(\d+) 人次", year)
    assert match and int(match.group(1)) > 0 and int(match.group(2)) > 0, year
    tagged = (await hq.send("/stats 本年 #四必谈")).text
    assert "合计：0 条" not in tagged and "合计：" in tagged, tagged
    chart = await hq.send("/chart")
    photos = [c for c in chart.calls if c.method == "sendPhoto"]
    assert photos and photos[0].files["photo"][1].startswith(b"\x89PNG")


async def test_an_instructor_persona_is_greeted_by_name(demo_world: World) -> None:
    """李红 of 西城 is already joined: /me shows her profile."""
    li = demo.persona("li")
    replies = await demo_world.person(li.telegram_id, li.name_zh).send("/me")
    assert "👤 李红" in replies.text and "西城" in replies.text


async def test_the_xicheng_admin_lists_xicheng_only(demo_world: World) -> None:
    """The 西城 admin's /people lists 西城's ten instructors, none of another district."""
    admin = demo.persona("xicheng_admin")
    text = (await demo_world.person(admin.telegram_id, admin.name_zh).send("/people")).text
    lines = [line for line in text.splitlines() if " · " in line]
    assert len(lines) == 10, text
    assert all(" · 西城 · " in line for line in lines), text
    assert "朝阳" not in text and "陈静" not in text


async def test_the_stranger_joins_with_the_open_code(demo_world: World) -> None:
    """The stranger persona sends /start with the shown code and becomes 刘洋 of 西城."""
    stranger = demo.persona("stranger")
    me = demo_world.person(stranger.telegram_id, "Guest")
    assert "还没有登记" in (await me.send("/me")).text
    joined = await me.send(f"/start {stranger.invite_code}")
    assert "刘洋，欢迎使用协商通" in joined.text, joined.text
    assert "👤 刘洋" in (await me.send("/me")).text


async def test_a_group_post_from_a_xicheng_member_is_recorded(
    demo_world: World, sessions: Sessions
) -> None:
    """王建国's #走访 post in the bound 西城 group is recorded for him and gets its 👍."""
    wang = demo.persona("wang")
    assert wang.telegram_id in demo.GROUP.members and demo.GROUP_ID in wang.chats
    group = Chat(demo.GROUP.chat_id, demo.GROUP.type, demo.GROUP.title)
    before = (await counts(sessions))["reports"]
    await demo_world.person(wang.telegram_id, wang.name_zh).send(
        "#走访 金融街控股 6人次 宣传集体协商", chat=group
    )
    reactions = demo_world.standin.calls_to("setMessageReaction", demo.GROUP_ID)
    assert len(reactions) == 1
    async with sessions() as session:
        newest = (await session.scalars(select(Report).order_by(Report.id.desc()))).first()
    assert newest is not None and (await counts(sessions))["reports"] == before + 1
    assert (newest.target, newest.person_times, newest.source) == ("金融街控股", 6, "group")


def test_reset_deletes_only_the_sandbox_files(tmp_path: Path) -> None:
    """reset removes the sandbox database and its journals, and nothing beside them."""
    path = tmp_path / "sandbox" / "sandbox.db"
    path.parent.mkdir()
    for name in ("sandbox.db", "sandbox.db-wal", "sandbox.db-shm", "other.db"):
        (path.parent / name).write_bytes(b"x")
    assert demo.reset(path) is True
    assert sorted(p.name for p in path.parent.iterdir()) == ["other.db"]
    assert demo.reset(path) is False
    assert demo.database_url(path) == f"sqlite+aiosqlite:///{path}"


def test_personas_agree_with_the_group() -> None:
    """Ids are unique, group members use the group, and only HQ needs HQ_ADMIN_IDS."""
    ids = [someone.telegram_id for someone in demo.PERSONAS]
    assert len(set(ids)) == len(ids) and demo.GROUP.chat_id < 0
    for someone in demo.PERSONAS:
        assert someone.telegram_id in someone.chats
        member = someone.telegram_id in demo.GROUP.members
        assert member == (demo.GROUP.chat_id in someone.chats)
        assert not member or someone.district == demo.GROUP.district
    assert [p.key for p in demo.PERSONAS if p.role == "hq"] == ["hq"]
    assert demo.persona("hq").telegram_id == demo.HQ_ID
    assert demo.persona("stranger").invite_code == demo.STRANGER_CODE
