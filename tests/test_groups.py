"""Binding groups to the city or a district, and keeping it through a supergroup upgrade."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Sessions
from storage.models import Group
from tests.conftest import HQ_ID
from tests.harness import World


async def groups_in(sessions: Sessions) -> dict[int, tuple[str, int | None]]:
    async with sessions() as session:
        return {g.chat_id: (g.scope, g.district_id) for g in await session.scalars(select(Group))}


async def test_hq_binds_a_city_group_and_is_told_about_privacy_mode(
    world: World, sessions: Sessions
) -> None:
    """/bindgroup city binds the group and, with privacy mode on, says how to fix it."""
    group = world.group(-5001, "市总协商群")
    replies = await world.person(HQ_ID).send("/bindgroup city", chat=group)
    assert "本群已绑定为全市群" in replies.text
    assert "隐私模式" in replies.text and "/setprivacy" in replies.text
    assert await groups_in(sessions) == {-5001: ("city", None)}


async def test_no_privacy_hint_when_the_bot_is_a_group_admin(world: World) -> None:
    """A bot that is a group admin sees every message, so no hint is given."""
    world.standin.member_status[-5002] = "administrator"
    replies = await world.person(HQ_ID).send("/bindgroup city", chat=world.group(-5002))
    assert "本群已绑定为全市群" in replies.text and "隐私模式" not in replies.text


async def test_a_district_admin_binds_only_their_district(world: World, sessions: Sessions) -> None:
    """A district admin may bind their own district's group, not another's nor the city's."""
    await world.person(HQ_ID).send("/admin add 2001 district 西城")
    admin = world.person(2001)
    group = world.group(-5003)
    assert "只能管理西城区" in (await admin.send("/bindgroup district 平谷", chat=group)).text
    assert "只能管理西城区" in (await admin.send("/bindgroup city", chat=group)).text
    assert await groups_in(sessions) == {}
    assert "西城区群" in (await admin.send("/bindgroup district 西城区", chat=group)).text
    scope, district_id = (await groups_in(sessions))[-5003]
    assert scope == "district" and district_id is not None


async def test_binding_by_buttons(world: World, sessions: Sessions) -> None:
    """/bindgroup alone offers the scopes as buttons; pressing one binds."""
    hq = world.person(HQ_ID)
    group = world.group(-5004)
    offered = await hq.send("/bindgroup", chat=group)
    assert "请选择本群要绑定的范围" in offered.text
    pressed = await hq.press("平谷", chat=group)
    assert "平谷区群" in pressed.text
    assert (await groups_in(sessions))[-5004][0] == "district"


async def test_a_binding_survives_the_upgrade_to_a_supergroup(
    world: World, sessions: Sessions
) -> None:
    """The migration service messages move the binding to the supergroup's new id, once."""
    hq = world.person(HQ_ID)
    old = world.group(-5005)
    await hq.send("/bindgroup city", chat=old)
    new = world.group(-1005005, supergroup=True)
    await world.process({"message": hq._message(old, migrate_to_chat_id=new.id)}, old)
    await world.process({"message": hq._message(new, migrate_from_chat_id=old.id)}, new)
    assert await groups_in(sessions) == {-1005005: ("city", None)}
    assert "已解除本群的绑定" in (await hq.send("/unbindgroup", chat=new)).text
    assert await groups_in(sessions) == {}


async def test_commands_in_the_wrong_kind_of_chat_say_where_to_use_them(world: World) -> None:
    """/bindgroup in private points to the group; admin commands in a group point to private."""
    hq = world.person(HQ_ID)
    assert "请在要绑定的群里" in (await hq.send("/bindgroup city")).text
    group = world.group(-5006)
    assert "请在与我的私聊中" in (await hq.send("/people", chat=group)).text
    assert "请在与我的私聊中" in (await hq.send("/admin list", chat=group)).text


async def test_instructors_cannot_bind_groups(world: World, sessions: Sessions) -> None:
    """A stranger's /bindgroup gets a one-line refusal and binds nothing."""
    replies = await world.person(4242).send("/bindgroup city", chat=world.group(-5007))
    assert "还没有登记" in replies.text
    assert await groups_in(sessions) == {}
