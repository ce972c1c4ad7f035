"""HQ names admins; admins list people and issue invites; menus follow the role."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import publish_menus
from storage.db import Sessions
from storage.models import Admin, Invite
from tests.conftest import HQ_ID
from tests.files import SAMPLE_ROSTER, roster_rows, xlsx
from tests.harness import World


async def admins_in(sessions: Sessions) -> dict[int, str]:
    async with sessions() as session:
        return {a.telegram_id: a.role for a in await session.scalars(select(Admin))}


async def test_hq_adds_a_district_admin_by_username(world: World, sessions: Sessions) -> None:
    """An account that has said /start can be made district admin by @username."""
    hq = world.person(HQ_ID)
    unknown = await hq.send("/admin add @zhangwei district 西城")
    assert "找不到 @zhangwei" in unknown.text
    await world.person(2001, "张伟", username="ZhangWei").send("/start")
    added = await hq.send("/admin add @zhangwei district 西城")
    assert "已将 @zhangwei 设为西城区管理员" in added.text
    assert await admins_in(sessions) == {2001: "district_admin"}
    menu = [
        c
        for c in world.standin.calls_to("setMyCommands")
        if (c.params.get("scope") or {}).get("chat_id") == 2001
    ]
    assert menu and "people" in {cmd["command"] for cmd in menu[-1].params["commands"]}
    listing = await hq.send("/admin list")
    assert "张伟 (@zhangwei) — 西城区管理员" in listing.text
    assert "1000 — 市总工会管理员（HQ_ADMIN_IDS）" in listing.text


async def test_bad_admin_commands_get_the_usage_and_change_nothing(
    world: World, sessions: Sessions
) -> None:
    """Malformed /admin forms and unknown districts are answered; no admin is created."""
    hq = world.person(HQ_ID)
    assert "用法" in (await hq.send("/admin add 2001")).text
    assert "用法" in (await hq.send("/admin promote 2001")).text
    assert "没有“火星”这个区" in (await hq.send("/admin add 2001 district 火星")).text
    assert "HQ_ADMIN_IDS" in (await hq.send(f"/admin remove {HQ_ID}")).text
    assert await admins_in(sessions) == {}


async def test_only_hq_manages_admins(world: World, sessions: Sessions) -> None:
    """A district admin's /admin is refused in one line and changes nothing."""
    await world.person(HQ_ID).send("/admin add 2001 district 西城")
    replies = await world.person(2001).send("/admin add 2002 hq")
    assert replies.text == "此命令仅限市总工会管理员使用。"
    assert await admins_in(sessions) == {2001: "district_admin"}
    assert "已取消 2001 的管理员身份" in (await world.person(HQ_ID).send("/admin remove 2001")).text
    assert await admins_in(sessions) == {}


async def test_admins_see_their_menu_at_start(world: World) -> None:
    """At start every private chat gets the instructor menu and each admin their own."""
    await world.person(HQ_ID).send("/admin add 2001 district 西城")
    world.standin.calls.clear()
    await publish_menus(world.app)
    calls = world.standin.calls_to("setMyCommands")
    by_scope = {
        (
            str((c.params.get("scope") or {}).get("type")),
            (c.params.get("scope") or {}).get("chat_id"),
            c.params.get("language_code"),
        ): {cmd["command"] for cmd in c.params["commands"]}
        for c in calls
    }
    assert by_scope[("all_private_chats", None, None)] == {
        "start",
        "help",
        "report",
        "myreports",
        "stats",
        "chart",
        "remind",
        "reminders",
        "leave",
        "trainings",
        "checkin",
        "evaluation",
        "mentoring",
        "case",
        "cases",
        "me",
        "lang",
    }
    assert {"notices", "training", "breakout", "mentor", "mentoring"} <= by_scope[
        ("chat", 2001, None)
    ]
    assert "schedules" in by_scope[("chat", HQ_ID, None)]
    assert "schedules" not in by_scope[("chat", 2001, None)]
    assert "bindgroup" in by_scope[("all_chat_administrators", None, None)]
    assert "admin" in by_scope[("chat", HQ_ID, None)]
    assert (
        "people" in by_scope[("chat", 2001, None)] and "admin" not in by_scope[("chat", 2001, None)]
    )
    english = next(c for c in calls if c.params.get("language_code") == "en")
    assert any("profile" in cmd["description"] for cmd in english.params["commands"])


async def test_people_lists_the_scope_page_by_page(world: World) -> None:
    """/people pages 30 at a time with ◀ ▶; a district admin sees only their district."""
    hq = world.person(HQ_ID)
    await hq.upload(xlsx(roster_rows(35, "西城")), "r.xlsx")
    await hq.upload(xlsx(SAMPLE_ROSTER), "r.xlsx")
    first = await hq.send("/people 西城")
    assert "西城指导员 37 人，已绑定 0 人（第 1/2 页）" in first.text
    assert "⏳未绑定" in first.text
    second = await hq.press("下一页 ▶")
    assert "（第 2/2 页）" in second.text
    await hq.send("/admin add 2001 district 平谷")
    pinggu = world.person(2001)
    assert "平谷指导员 1 人" in (await pinggu.send("/people")).text
    assert "只能管理平谷区" in (await pinggu.send("/people 西城")).text


async def test_invite_issues_a_fresh_code_and_revokes_the_old(
    world: World, sessions: Sessions
) -> None:
    """/invite gives a new link; the earlier unused code no longer binds."""
    hq = world.person(HQ_ID)
    await hq.upload(xlsx(SAMPLE_ROSTER), "r.xlsx")
    async with sessions() as session:
        old = (
            await session.scalars(
                select(Invite.code)
                .join(Invite.instructor)
                .where(Invite.instructor.has(name="赵敏"))
            )
        ).one()
    replies = await hq.send("/invite 赵敏")
    assert "已为 赵敏（平谷区）生成新的邀请" in replies.text
    assert "https://t.me/xieshang_test_bot?start=" in replies.text
    assert "已作废" in (await world.person(600).send(f"/start {old}")).text
    assert "没有找到指导员“无名”" in (await hq.send("/invite 无名")).text
    assert "用法" in (await hq.send("/invite")).text


async def test_namesakes_are_offered_as_buttons(world: World) -> None:
    """Two instructors of one name in different districts: /invite asks which, by button."""
    hq = world.person(HQ_ID)
    rows = [list(r) for r in SAMPLE_ROSTER]
    rows.append(["李红", "街乡级", "兼职", "平谷", None, None, None, None, None, None, None, None])
    await hq.upload(xlsx(rows), "r.xlsx")
    choice = await hq.send("/invite 李红")
    assert "有多位指导员叫“李红”" in choice.text
    issued = await hq.press("李红（平谷）")
    assert "已为 李红（平谷区）生成新的邀请" in issued.text


async def test_a_district_admin_cannot_invite_for_another_district(world: World) -> None:
    """A district admin's /invite for another district's instructor is refused."""
    hq = world.person(HQ_ID)
    await hq.upload(xlsx(SAMPLE_ROSTER), "r.xlsx")
    await hq.send("/admin add 2001 district 西城")
    admin = world.person(2001)
    assert "只能管理西城区" in (await admin.send("/invite 赵敏 平谷")).text
    assert "没有找到指导员“赵敏”" in (await admin.send("/invite 赵敏")).text
    assert "生成新的邀请" in (await admin.send("/invite 李红")).text


async def test_hq_adds_a_district_once(world: World, sessions: Sessions) -> None:
    """HQ adds a 17th district; adding it again or by its long name adds nothing."""
    hq = world.person(HQ_ID)
    assert "共 16 个区" in (await hq.send("/districts")).text
    assert "已添加“亦庄”" in (await hq.send("/districts add 亦庄")).text
    assert "已经在列表中" in (await hq.send("/districts add 亦庄区")).text
    assert "共 17 个区" in (await hq.send("/districts")).text
    await hq.send("/admin add 2001 district 亦庄")
    assert "仅限市总工会管理员" in (await world.person(2001).send("/districts add 燕山")).text
    assert "共 17 个区" in (await hq.send("/districts")).text
