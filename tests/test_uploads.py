"""Admins send spreadsheets in the chat: rosters and enterprise registries, all or nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from storage.db import Sessions
from storage.models import Enterprise, Instructor, Report
from tests.conftest import HQ_ID
from tests.files import (
    PNG_BYTES,
    SAMPLE_ROSTER,
    csv_bytes,
    replace_cell,
    roster_rows,
    with_values,
    xlsx,
)
from tests.harness import World


async def count(sessions: Sessions, model: type) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def make_district_admin(world: World, telegram_id: int, district: str) -> None:
    replies = await world.person(HQ_ID).send(f"/admin add {telegram_id} district {district}")
    assert "✅" in replies.text, replies.text


async def test_a_roster_comes_back_with_counts_and_an_invite_sheet(
    world: World, sessions: Sessions
) -> None:
    """HQ's roster upload answers created/updated/unchanged and sends one invite link per person."""
    hq = world.person(HQ_ID)
    replies = await hq.upload(xlsx(SAMPLE_ROSTER), "花名册.xlsx")
    assert "新增 3 人，更新 0 人，未变 0 人" in replies.text
    name, content = replies.documents[0]
    assert name == "邀请名单.xlsx"
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "所属区", "邀请码", "邀请链接")
    assert {r[0] for r in rows[1:]} == {"王建国", "李红", "赵敏"}
    assert all(str(r[3]).startswith("https://t.me/xieshang_test_bot?start=") for r in rows[1:])
    again = await hq.upload(xlsx(SAMPLE_ROSTER), "花名册.xlsx")
    assert "新增 0 人，更新 0 人，未变 3 人" in again.text
    assert await count(sessions, Instructor) == 3


async def test_every_bad_row_is_listed_and_nothing_is_written(
    world: World, sessions: Sessions
) -> None:
    """A roster with bad rows is refused whole, naming each bad row and why."""
    rows = [list(r) for r in SAMPLE_ROSTER]
    rows[1][3] = "火星区"  # row 2: unknown district
    rows[2][1] = "省级"  # row 3: unknown level
    rows[3][7] = "2024-13-45"  # row 4: bad date
    replies = await world.person(HQ_ID).upload(xlsx(rows), "roster.xlsx")
    text = replies.text
    assert "导入失败，没有写入任何数据" in text
    assert "第 2 行 所属区" in text and "火星区" in text
    assert "第 3 行 层级" in text and "省级" in text
    assert "第 4 行 入职日期" in text
    assert await count(sessions, Instructor) == 0


async def test_a_long_list_of_problems_also_comes_as_a_file(
    world: World, sessions: Sessions
) -> None:
    """More than 30 bad rows: the first 30 in the chat, all of them in an attached CSV."""
    rows = roster_rows(40)
    for row in rows[1:]:
        row[1] = "省级"
    replies = await world.person(HQ_ID).upload(xlsx(rows), "roster.xlsx")
    assert "共 40 处问题" in replies.text and "另有 10 处问题" in replies.text
    name, content = replies.documents[0]
    assert name == "导入问题.csv"
    assert content.decode("utf-8-sig").count("省级") == 40
    assert await count(sessions, Instructor) == 0


async def test_gb18030_csv_is_read_with_chinese_intact(world: World, sessions: Sessions) -> None:
    """A CSV saved by Chinese Excel (GB18030) imports with its names intact."""
    replies = await world.person(HQ_ID).upload(
        csv_bytes(SAMPLE_ROSTER, encoding="gb18030"), "roster.csv"
    )
    assert "新增 3 人" in replies.text
    async with sessions() as session:
        names = set(await session.scalars(select(Instructor.name)))
    assert names == {"王建国", "李红", "赵敏"}


async def test_files_that_are_not_spreadsheets_are_refused(world: World) -> None:
    """A picture, an empty table or an unknown layout each get their own clear answer."""
    hq = world.person(HQ_ID)
    assert "请发送 .xlsx 或 .csv" in (await hq.upload(PNG_BYTES, "photo.png")).text
    assert "表格是空的" in (await hq.upload(b"", "empty.csv")).text
    unknown = await hq.upload(csv_bytes([["颜色", "数量"], ["红", 3]]), "x.csv")
    assert "看不出这是哪种表格" in unknown.text


async def test_a_file_over_20_mb_is_refused_before_downloading(world: World) -> None:
    """Telegram lets bots download at most 20 MB: a bigger file is refused with its size."""
    replies = await world.person(HQ_ID).upload(
        xlsx(SAMPLE_ROSTER), "big.xlsx", file_size=25 * 1024 * 1024
    )
    assert "文件太大（25.0 MB）" in replies.text
    assert world.standin.calls_to("getFile") == []


async def test_a_district_admin_imports_only_their_district(
    world: World, sessions: Sessions
) -> None:
    """A district admin's upload with another district's row is refused whole."""
    await make_district_admin(world, 2001, "西城")
    replies = await world.person(2001).upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    assert "第 4 行 所属区" in replies.text and "不是你管理的区" in replies.text
    assert await count(sessions, Instructor) == 0
    only_xicheng = [r for r in SAMPLE_ROSTER if r[3] != "平谷"]
    assert "新增 2 人" in (await world.person(2001).upload(xlsx(only_xicheng), "r.xlsx")).text


async def test_instructors_and_strangers_cannot_import(world: World, sessions: Sessions) -> None:
    """An upload from a non-admin gets a one-line refusal and changes nothing."""
    replies = await world.person(777).upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    assert "还没有登记" in replies.text
    assert await count(sessions, Instructor) == 0


async def test_an_enterprise_registry_is_recognised_and_imported(
    world: World, sessions: Sessions
) -> None:
    """A file with enterprise columns goes to the enterprise registry."""
    rows = [
        ["企业名称", "所属区", "街道乡镇", "区域", "行业", "职工人数", "是否建会"],
        ["维达纸业（北京）有限公司", "平谷", "兴谷街道", "东部", "制造业", 320, "是"],
        ["京西商贸", "门头沟", None, "西部", "商贸", "45", "否"],
    ]
    replies = await world.person(HQ_ID).upload(xlsx(rows), "企业名录.xlsx")
    assert "企业名录已导入：新增 2 家" in replies.text
    assert await count(sessions, Enterprise) == 2
    rows[2][5] = "很多"
    bad = await world.person(HQ_ID).upload(xlsx(rows), "企业名录.xlsx")
    assert "第 3 行 职工人数" in bad.text


FORMULA_CASES = {
    "roster": (
        replace_cell(SAMPLE_ROSTER, 4, "姓名", '="赵"&"敏"'),
        ("A4", "赵敏"),
        '第 4 行 姓名：“="赵"&"敏"”是公式',
        Instructor.name,
    ),
    "registry": (
        [["企业名称", "所属区", "职工人数"], ["维达纸业", "平谷", "=300+20"]],
        ("C2", 320),
        "第 2 行 职工人数：“=300+20”是公式",
        Enterprise.employees,
    ),
    "history": (
        [
            ["日期", "指导员", "层级", "所属区", "类型", "对象", "人次", "备注"],
            ["2017-03-02", "王建国", "市级", "西城", "指导", '=B2&"的企业"', 60, None],
        ],
        ("F2", "维达纸业"),
        '第 2 行 对象：“=B2&"的企业"”是公式',
        Report.target,
    ),
}


@pytest.mark.parametrize("case", FORMULA_CASES)
async def test_a_formula_without_a_value_is_refused_naming_it(
    world: World, sessions: Sessions, case: str
) -> None:
    """A cell holding a formula the file keeps no value for (written by a program, not by
    Excel) is refused by its formula, not as empty, and nothing is written; with the value
    Excel would keep, the file imports with that value."""
    rows, (cell, value), refusal, column = FORMULA_CASES[case]
    hq = world.person(HQ_ID)
    if case == "history":
        await hq.upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    model = column.class_
    before = await count(sessions, model)
    replies = await hq.upload(xlsx(rows), "file.xlsx")
    assert "导入失败，没有写入任何数据" in replies.text and refusal in replies.text
    assert "不能为空" not in replies.text
    assert await count(sessions, model) == before
    replies = await hq.upload(with_values(xlsx(rows), {cell: value}), "file.xlsx")
    assert "已导入" in replies.text, replies.text
    async with sessions() as session:
        assert value in set(await session.scalars(select(column)))
