"""Joining by invite, /start, /help, /me and /lang, as the people concerned see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from storage.db import Sessions
from storage.models import Instructor, Invite, TelegramUser
from tests.conftest import HQ_ID
from tests.harness import World
from tests.support import import_sample


async def test_an_invite_link_binds_and_greets_by_name(world: World, sessions: Sessions) -> None:
    """An instructor opening their link is greeted by name and bound to their record."""
    codes = await import_sample(world)
    li = world.person(501, "Li", username="lihong")
    replies = await li.send(f"/start {codes['李红']}")
    assert "李红，欢迎使用协商通" in replies.text
    assert "/me" in replies.text
    async with sessions() as session:
        bound = (await session.scalars(select(Instructor).where(Instructor.name == "李红"))).one()
    assert bound.telegram_id == 501


async def test_used_unknown_and_expired_codes_are_refused(world: World, sessions: Sessions) -> None:
    """A used, unknown or expired code gets a clear refusal and binds nobody."""
    codes = await import_sample(world)
    await world.person(501, "Li").send(f"/start {codes['李红']}")
    other = world.person(502, "Other")
    assert "已经用过" in (await other.send(f"/start {codes['李红']}")).text
    assert "邀请码无效" in (await other.send("/start NOSUCHCODE")).text
    async with sessions.begin() as session:
        await session.execute(
            update(Invite)
            .where(Invite.code == codes["赵敏"])
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    assert "已过期" in (await other.send(f"/start {codes['赵敏']}")).text
    async with sessions() as session:
        bound = await session.scalars(select(Instructor).where(Instructor.telegram_id == 502))
        assert bound.first() is None


async def test_one_account_cannot_bind_two_instructors(world: World, sessions: Sessions) -> None:
    """An account already bound is refused a second instructor's code; that code stays usable."""
    codes = await import_sample(world)
    li = world.person(501, "Li")
    await li.send(f"/start {codes['李红']}")
    replies = await li.send(f"/start {codes['赵敏']}")
    assert "已绑定为 李红" in replies.text
    async with sessions() as session:
        zhao = (await session.scalars(select(Instructor).where(Instructor.name == "赵敏"))).one()
        assert zhao.telegram_id is None
    assert "欢迎" in (await world.person(503, "Zhao").send(f"/start {codes['赵敏']}")).text


async def test_a_stranger_is_told_how_to_join(world: World) -> None:
    """/start without a code, and any admin command, tell a stranger to use their invite."""
    stranger = world.person(900, "Stranger")
    assert "邀请链接" in (await stranger.send("/start")).text
    assert "还没有登记" in (await stranger.send("/people")).text
    assert "还没有登记" in (await stranger.send("你好")).text


async def test_help_lists_the_commands_of_the_role(world: World) -> None:
    """/help shows instructors their commands and admins the admin ones too."""
    codes = await import_sample(world)
    li = world.person(501, "Li")
    await li.send(f"/start {codes['李红']}")
    instructor_help = (await li.send("/help")).text
    assert "/me" in instructor_help and "/people" not in instructor_help
    hq_help = (await world.person(HQ_ID).send("/help")).text
    assert "/people" in hq_help and "/admin" in hq_help and "/invite" in hq_help


async def test_me_shows_the_profile(world: World) -> None:
    """/me shows the instructor's record, mentor included."""
    codes = await import_sample(world)
    li = world.person(501, "Li")
    await li.send(f"/start {codes['李红']}")
    text = (await li.send("/me")).text
    assert "李红" in text and "区级" in text and "兼职" in text and "王建国" in text
    assert "2024-03-01" in text and "工会工作" in text


async def test_lang_switches_to_english_and_back(world: World, sessions: Sessions) -> None:
    """/lang en answers in English from then on; the button switches back to Chinese."""
    codes = await import_sample(world)
    li = world.person(501, "Li")
    await li.send(f"/start {codes['李红']}")
    assert "Language set to English" in (await li.send("/lang en")).text
    assert "Level: district-level" in (await li.send("/me")).text
    buttons = await li.send("/lang")
    assert "Choose your language" in buttons.text
    assert "已切换为中文" in (await li.press("中文")).text
    async with sessions() as session:
        user = await session.get(TelegramUser, 501)
        assert user is not None and user.language == "zh_CN"


async def test_unknown_command_gets_a_pointer(world: World) -> None:
    """An unknown command in private gets a pointer to /help, not silence."""
    assert "没有这个命令" in (await world.person(HQ_ID).send("/nosuch")).text


async def test_an_instructor_is_refused_admin_commands(world: World, sessions: Sessions) -> None:
    """An instructor's admin command gets a one-line refusal and changes nothing."""
    codes = await import_sample(world)
    li = world.person(501, "Li")
    await li.send(f"/start {codes['李红']}")
    assert (await li.send("/people")).text == "此命令仅限管理员使用。"
    assert (await li.send("/invite 赵敏")).text == "此命令仅限管理员使用。"
    async with sessions() as session:
        invites = list(await session.scalars(select(Invite).where(Invite.used_at.is_(None))))
    assert {i.code for i in invites} == {codes["王建国"], codes["赵敏"]}
