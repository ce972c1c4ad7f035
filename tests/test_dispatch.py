"""The dispatch board: HQ records with /assign (or the roster's 派驻 columns) which districts and
industries an instructor covers; /dispatch shows who covers what and what nobody covers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.chunks import split_messages
from storage.db import Sessions
from storage.messaging.notices import TEXT_LIMIT, telegram_length
from storage.models import Conversation, Instructor
from storage.people.districts import district_ids
from tests.conftest import HQ_ID
from tests.files import SAMPLE_ROSTER, xlsx
from tests.harness import Person, World
from tests.support import joined

ADMIN = 2001

# The sample roster with the two dispatch columns: 王建国 (市级) covers 东城 and 朝阳 and the
# manufacturing industry; the others cover nothing.
DISPATCH_ROSTER: list[list[Any]] = [
    [*SAMPLE_ROSTER[0], "派驻区", "派驻产业"],
    [*SAMPLE_ROSTER[1], "东城区、朝阳", "制造业"],
    [*SAMPLE_ROSTER[2], None, None],
    [*SAMPLE_ROSTER[3], None, None],
]

ENTERPRISES: list[list[Any]] = [
    ["企业名称", "所属区", "行业"],
    ["维达纸业", "西城", "制造业"],
    ["京城银行", "西城", "金融"],
    ["顺达物流", "平谷", "物流"],
]


async def assignments(sessions: Sessions) -> dict[str, tuple[list[str], list[str]]]:
    """Each instructor's covered district names and industries, by instructor name."""
    async with sessions() as session:
        names = {i: n for n, i in (await district_ids(session)).items()}
        people = (await session.scalars(select(Instructor).order_by(Instructor.id))).all()
        return {
            p.name: ([names[i] for i in p.assigned_districts], list(p.assigned_industries))
            for p in people
        }


async def district_admin(world: World) -> Person:
    """A 西城 district admin."""
    replies = await world.person(HQ_ID).send(f"/admin add {ADMIN} district 西城")
    assert "✅" in replies.text, replies.text
    return world.person(ADMIN, "Zhang")


async def test_hq_assigns_and_the_board_shows_coverage_and_gaps(
    world: World, sessions: Sessions
) -> None:
    """`/assign 王建国 区:东城,朝阳 行业:制造业` records both lists; /dispatch names him under each
    district and industry and lists the districts and registry industries nobody covers."""
    hq, _, _ = await joined(world)
    await hq.upload(xlsx(ENTERPRISES), "企业名录.xlsx")
    answer = await hq.send("/assign 王建国 区:东城,朝阳区 行业:制造业")
    assert "✅ 已记录王建国（西城，市级专职）的派驻" in answer.text
    assert "区：东城、朝阳" in answer.text and "产业：制造业" in answer.text
    assert "不是市级" not in answer.text
    saved = await assignments(sessions)
    assert saved["王建国"] == (["东城", "朝阳"], ["制造业"])
    assert saved["李红"] == ([], [])

    board = (await hq.send("/dispatch")).text
    assert "东城：王建国（西城）" in board and "朝阳：王建国（西城）" in board
    assert "制造业：王建国（西城）" in board
    open_districts = board.split("无人派驻的区：")[1].splitlines()[0]
    assert "西城" in open_districts and "平谷" in open_districts
    assert "东城" not in open_districts and "朝阳" not in open_districts
    assert len(open_districts.split("、")) == 14
    open_industries = board.split("无人派驻的产业：")[1].splitlines()[0]
    assert set(open_industries.split("、")) == {"金融", "物流"}


async def test_a_second_assign_changes_only_the_lists_it_names(
    world: World, sessions: Sessions
) -> None:
    """Only the key given is changed; `区:清空` empties the districts; the same again is
    answered as unchanged; /assign with a name alone shows the assignment and the usage."""
    hq, _, _ = await joined(world)
    await hq.send("/assign 王建国 区:东城 行业:制造业")
    await hq.send("/assign 王建国 行业：制造业、建筑业")
    assert (await assignments(sessions))["王建国"] == (["东城"], ["制造业", "建筑业"])
    await hq.send("/assign 王建国 区:清空")
    assert (await assignments(sessions))["王建国"] == ([], ["制造业", "建筑业"])
    again = await hq.send("/assign 王建国 区:无")
    assert "派驻没有变化" in again.text
    shown = await hq.send("/assign 王建国")
    assert "现在的派驻" in shown.text and "产业：制造业、建筑业" in shown.text
    assert "用法：/assign" in shown.text


async def test_assigning_a_district_level_instructor_is_noted(
    world: World, sessions: Sessions
) -> None:
    """李红 is 区级: the assignment is recorded and the answer says she is not 市级; she shows on
    the board with her level."""
    hq, _, _ = await joined(world)
    answer = await hq.send("/assign 李红 区:平谷")
    assert "✅" in answer.text and "李红是区级指导员，不是市级" in answer.text
    assert (await assignments(sessions))["李红"] == (["平谷"], [])
    assert "平谷：李红（西城·区级）" in (await hq.send("/dispatch")).text


async def test_district_admins_and_instructors_may_not_assign(
    world: World, sessions: Sessions
) -> None:
    """A district admin is told only HQ may assign and an instructor that it is for admins;
    nothing is stored. A district admin may read the board."""
    _, li, _ = await joined(world)
    admin = await district_admin(world)
    refused = await admin.send("/assign 王建国 区:东城")
    assert "仅限市总工会管理员" in refused.text
    assert "仅限管理员" in (await li.send("/assign 王建国 区:东城")).text
    assert "仅限管理员" in (await li.send("/dispatch")).text
    assert all(lists == ([], []) for lists in (await assignments(sessions)).values())
    assert "🗺 派驻情况" in (await admin.send("/dispatch")).text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/assign 张无忌 区:东城", "找不到叫“张无忌”的指导员"),
        ("/assign 王建国 区:东城,火星 行业:制造业", "没有“火星”这个区，什么也没有记录"),
        ("/assign 王建国 东城,朝阳", "看不懂“东城,朝阳”"),
        ("/assign 王建国 区:东城 备注:好", "看不懂“备注:好”"),
        ("/assign", "用法：/assign 姓名 区:西城,东城 行业:制造业"),
    ],
)
async def test_a_bad_assign_is_explained_and_stores_nothing(
    world: World, sessions: Sessions, line: str, expected: str
) -> None:
    """An unknown name, an unknown district or words outside 区:/行业: get a clear answer, and
    nobody's assignment changes."""
    hq, _, _ = await joined(world)
    answer = await hq.send(line)
    assert expected in answer.text
    assert all(lists == ([], []) for lists in (await assignments(sessions)).values())


async def test_namesakes_are_offered_as_buttons(world: World, sessions: Sessions) -> None:
    """Two 张伟 in two districts: /assign offers both as buttons and records nothing until one is
    pressed; the button records for that one only; naming the district picks one at once."""
    hq = world.person(HQ_ID, "总部")
    rows = [
        ["姓名", "层级", "类别", "所属区"],
        ["张伟", "市级", "专职", "西城"],
        ["张伟", "市级", "专职", "平谷"],
    ]
    assert "✅" in (await hq.upload(xlsx(rows), "roster.xlsx")).text
    offered = await hq.send("/assign 张伟 区:东城 行业:金融")
    assert "有几位指导员符合“张伟”" in offered.text
    assert (await assignments(sessions))["张伟"] == ([], [])
    chosen = await hq.press("张伟（平谷）")
    assert "✅ 已记录张伟（平谷，市级专职）" in chosen.text
    async with sessions() as session:
        people = (await session.scalars(select(Instructor).order_by(Instructor.id))).all()
        assert [p.assigned_industries for p in people] == [[], ["金融"]]
        assert await session.get(Conversation, HQ_ID) is None
    stale = await hq.press("张伟（西城）")
    assert "已过期" in stale.text
    direct = await hq.send("/assign 张伟 西城 行业:物流")
    assert "✅ 已记录张伟（西城，市级专职）" in direct.text
    async with sessions() as session:
        people = (await session.scalars(select(Instructor).order_by(Instructor.id))).all()
        assert [p.assigned_industries for p in people] == [["物流"], ["金融"]]


async def test_the_roster_reads_the_dispatch_columns(world: World, sessions: Sessions) -> None:
    """派驻区 and 派驻产业 are imported; the same file again is all unchanged; /dispatch shows
    them."""
    hq = world.person(HQ_ID, "总部")
    first = await hq.upload(xlsx(DISPATCH_ROSTER), "花名册.xlsx")
    assert "新增 3 人" in first.text, first.text
    saved = await assignments(sessions)
    assert saved["王建国"] == (["东城", "朝阳"], ["制造业"])
    assert saved["李红"] == ([], [])
    again = await hq.upload(xlsx(DISPATCH_ROSTER), "花名册.xlsx")
    assert "新增 0 人，更新 0 人，未变 3 人" in again.text
    assert "东城：王建国（西城）" in (await hq.send("/dispatch")).text


async def test_a_bad_district_in_the_dispatch_column_refuses_the_roster(
    world: World, sessions: Sessions
) -> None:
    """An unknown district under 派驻区 is named with its row number and nothing is written."""
    rows = [list(row) for row in DISPATCH_ROSTER]
    rows[2][-2] = "东城、火星"  # row 3
    replies = await world.person(HQ_ID).upload(xlsx(rows), "roster.xlsx")
    assert "导入失败，没有写入任何数据" in replies.text
    assert "第 3 行 派驻区：没有“火星”这个区" in replies.text
    assert await assignments(sessions) == {}


async def test_an_assignment_survives_a_roster_without_the_columns(
    world: World, sessions: Sessions
) -> None:
    """A roster without 派驻区/派驻产业 leaves what /assign recorded as it was."""
    hq, _, _ = await joined(world)
    await hq.send("/assign 王建国 区:东城 行业:制造业")
    again = await hq.upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    assert "未变 3 人" in again.text
    assert (await assignments(sessions))["王建国"] == (["东城"], ["制造业"])


def test_a_long_board_is_split_under_telegrams_limit() -> None:
    """Lines are packed into messages of at most 4096 UTF-16 units, a very long line cut
    after a separator; nothing is lost."""
    names = [f"指导员{i:04d}（西城）" for i in range(600)]
    lines = ["🗺 派驻情况", "东城：" + "、".join(names), "无人派驻的区：西城"]
    messages = split_messages(lines, "、")
    assert len(messages) > 1
    assert all(telegram_length(message) <= TEXT_LIMIT for message in messages)
    joined_text = "".join(messages).replace("\n", "")
    assert all(name in joined_text for name in names)
    assert messages[-1].endswith("无人派驻的区：西城")


async def test_an_instructor_on_leave_covers_nothing_on_the_board(
    world: World, sessions: Sessions
) -> None:
    """An instructor whose status is 请假 keeps the assignment, is noted as not counted, and the
    board lists the district as uncovered."""
    hq, _, _ = await joined(world)
    async with sessions.begin() as session:
        wang = (await session.scalars(select(Instructor).where(Instructor.name == "王建国"))).one()
        wang.status = "on_leave"
    answer = await hq.send("/assign 王建国 区:东城")
    assert "目前请假，在 /dispatch 中不计入" in answer.text
    board = (await hq.send("/dispatch")).text
    assert "东城：" not in board and "还没有派驻记录" in board
    assert "东城" in board.split("无人派驻的区：")[1]
