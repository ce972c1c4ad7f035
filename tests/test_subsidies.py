"""The subsidy ledger: the roster's 月补贴 and 区承担比例, /subsidies in each role's scope, its
.xlsx, and `xieshang subsidies`, which must give the chat's figures."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from storage.db import Sessions
from storage.models import Instructor
from storage.subsidies.ledger import months_in_service, split
from tests.conftest import HQ_ID
from tests.files import ROSTER_HEADERS, Text, replace_cell, xlsx
from tests.harness import Replies, World

HEADERS = [*ROSTER_HEADERS, "状态", "月补贴", "区承担比例"]
LI = 501


def person(
    name: str,
    district: str,
    start: date | None,
    allowance: Any,
    share: Any,
    *,
    status: str | None = None,
    telegram_id: int | None = None,
) -> list[Any]:
    return [name, "街乡级", "兼职", district, None, None, None, start, None, None, telegram_id,
            None, status, allowance, share]  # fmt: skip


# Xicheng's street social workers: 5,560 yuan a month (66,720 a year), half borne by the
# district. 李红's 50% is what Excel keeps for a cell formatted as a percentage (0.5).
ROSTER: list[list[Any]] = [
    HEADERS,
    person("王建国", "西城", date(2019, 3, 1), "5,560", "50%"),
    person("李红", "西城区", date(2024, 3, 1), 5560, 0.5, telegram_id=LI),
    person("赵敏", "平谷", date(2025, 7, 15), "￥3000元", 30),  # from July: 6 months in 2025
    person("钱七", "平谷", None, None, None),  # no allowance: not in the ledger
    person("孙八", "平谷", date(2020, 1, 1), 1000, 40, status="离任"),  # ended: not counted
]


async def load(world: World, rows: list[list[Any]] = ROSTER) -> None:
    replies = await world.person(HQ_ID, "总部").upload(xlsx(rows), "花名册.xlsx")
    assert "✅ 花名册已导入" in replies.text, replies.text


def sheets(replies: Replies) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet of the .xlsx the bot sent, as rows of values."""
    (_, content) = replies.documents[0]
    book = load_workbook(io.BytesIO(content))
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


async def allowances(sessions: Sessions) -> dict[str, tuple[int | None, int | None]]:
    async with sessions() as session:
        people = (await session.scalars(select(Instructor))).all()
        return {p.name: (p.monthly_allowance, p.district_share) for p in people}


async def xieshang(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs `python -m bot ARGS` on the test's database, in a directory without a .env."""
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "PTB_TIMEDELTA": "true"}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_seed_figure_xicheng_pays_half(world: World, sessions: Sessions) -> None:
    """5,560 a month × 12 = 66,720 a year per instructor, of which 西城 bears 33,360 (50 %)."""
    await load(world)
    assert (await allowances(sessions))["王建国"] == (5560, 50)
    assert (await allowances(sessions))["李红"] == (5560, 50)
    replies = await world.person(HQ_ID).send("/subsidies 2025 西城")
    assert "2025 年补贴台账 · 西城" in replies.text
    assert "共 2 人，全年补贴 133,440 元：区承担 66,720 元，市承担 66,720 元" in replies.text
    book = sheets(replies)
    assert list(book) == ["指导员", "各区"]
    assert book["指导员"] == [
        ("姓名", "所属区", "月补贴", "月数", "全年补贴", "区承担比例", "区承担", "市承担"),
        ("李红", "西城", 5560, 12, 66720, "50%", 33360, 33360),
        ("王建国", "西城", 5560, 12, 66720, "50%", 33360, 33360),
    ]
    assert book["各区"] == [
        ("所属区", "人数", "全年补贴", "区承担", "市承担"),
        ("西城", 2, 133440, 66720, 66720),
        ("合计", 2, 133440, 66720, 66720),
    ]


async def test_the_city_sums_every_district(world: World) -> None:
    """HQ's /subsidies sums per district and for the city, and says who is left out and why."""
    await load(world)
    text = (await world.person(HQ_ID).send("/subsidies 2025")).text
    assert "2025 年补贴台账 · 全市" in text
    assert "共 3 人，全年补贴 151,440 元：区承担 72,120 元，市承担 79,320 元" in text
    assert "· 西城：2 人，133,440 元（区 66,720，市 66,720）" in text
    assert "· 平谷：1 人，18,000 元（区 5,400，市 12,600）" in text
    assert "另有 1 人未填月补贴" in text and "离任 1 人不计入" in text


async def test_a_start_in_the_year_counts_from_its_month(world: World) -> None:
    """赵敏, who started on 2025-07-15, counts July to December of 2025, all of 2026, none of
    2024; the months still ahead in a year count."""
    await load(world)
    hq = world.person(HQ_ID)
    rows = {r[0]: r for r in sheets(await hq.send("/subsidies 2025 平谷"))["指导员"]}
    assert rows["赵敏"] == ("赵敏", "平谷", 3000, 6, 18000, "30%", 5400, 12600)
    rows = {r[0]: r for r in sheets(await hq.send("/subsidies 2026年 平谷区"))["指导员"]}
    assert rows["赵敏"][3:5] == (12, 36000)
    before = await hq.send("/subsidies 2024 平谷")
    assert "没有可计的补贴" in before.text and "1 人入职日期在 2024 年之后" in before.text
    assert before.documents == []
    assert [months_in_service(date(2025, m, 28), 2025) for m in (1, 7, 12)] == [12, 6, 1]
    assert months_in_service(None, 2025) == 12 and months_in_service(date(2026, 1, 1), 2025) == 0


def test_rounding_keeps_the_shares_summing_to_the_total() -> None:
    """The district's part is the nearest yuan (halves up) and the city's the rest, for every
    total and share."""
    for total in range(0, 400):
        for share in range(0, 101):
            district, city = split(total, share)
            assert district + city == total and district >= 0 and city >= 0
            assert abs(district - total * share / 100) <= 0.5
            if (total * share) % 100 == 50:
                assert district == (total * share + 50) // 100  # a half goes up
    assert split(1001, 33) == (330, 671) and split(5, 50) == (3, 2) and split(7, None) == (0, 7)


async def test_rounded_rows_add_up_in_the_chat(world: World) -> None:
    """Odd amounts: every row's and every sum's parts add up to its total, to the yuan."""
    rows = [HEADERS]
    for index, (allowance, share) in enumerate([(1001, 33), (333, 50), (777, 1), (5, 67)]):
        rows.append(person(f"指导员{index}", "东城", date(2025, 12, 1), allowance, f"{share}%"))
    await load(world, rows)
    replies = await world.person(HQ_ID).send("/subsidies 2025 东城")
    book = sheets(replies)
    people = book["指导员"][1:]
    assert [(r[4], r[6], r[7]) for r in people] == [
        (1001, 330, 671),
        (333, 167, 166),
        (777, 8, 769),
        (5, 3, 2),
    ]
    assert all(r[6] + r[7] == r[4] for r in people)
    assert book["各区"][-1] == ("合计", 4, 2116, 508, 1608)
    assert "全年补贴 2,116 元：区承担 508 元，市承担 1,608 元" in replies.text


async def test_district_admins_see_their_district_only(world: World) -> None:
    """A district admin's ledger is their district's; another district is refused, and so is
    an instructor, with the reason."""
    await load(world)
    await world.person(HQ_ID).send("/admin add 2001 district 平谷")
    admin = world.person(2001)
    own = await admin.send("/subsidies 2025")
    assert "2025 年补贴台账 · 平谷" in own.text and "共 1 人，全年补贴 18,000 元" in own.text
    assert [r[0] for r in sheets(own)["指导员"][1:]] == ["赵敏"]
    other = await admin.send("/subsidies 2025 西城")
    assert "只能管理平谷区" in other.text and other.documents == []
    li = world.person(LI)
    refused = await li.send("/subsidies 2025")
    assert "仅限管理员" in refused.text and refused.documents == []


async def test_bad_words_are_explained(world: World) -> None:
    """An unknown district or a year that is none gets a reason, never silence."""
    await load(world)
    hq = world.person(HQ_ID)
    assert "没有“火星”这个区" in (await hq.send("/subsidies 2025 火星")).text
    assert "“1850”不是年份" in (await hq.send("/subsidies 1850")).text
    assert "“2025-03”不是年份" in (await hq.send("/subsidies 2025-03")).text


BAD_VALUES = [
    ("月补贴", "-5560", "“-5560”是负数"),
    ("月补贴", 5560.5, "“5560.5”带小数"),
    ("月补贴", "五千", "“五千”不是金额"),
    ("区承担比例", 120, "“120”超出范围"),
    ("区承担比例", "-10%", "“-10%”超出范围"),
    ("区承担比例", "一半", "“一半”不是比例"),
    ("区承担比例", 1, "“1”看不出是 1% 还是 100%"),
]


async def test_bad_roster_values_are_refused_with_row_and_reason(
    world: World, sessions: Sessions
) -> None:
    """A bad 月补贴 or 区承担比例 fails the whole file, naming row, column and reason; the
    database keeps the figures it had."""
    await load(world)
    before = await allowances(sessions)
    hq = world.person(HQ_ID)
    for header, value, reason in BAD_VALUES:
        rows = replace_cell(ROSTER, 2, "备注", "改了")  # a good edit that must not be written
        rows = replace_cell(rows, 3, header, value)
        replies = await hq.upload(xlsx(rows), "花名册.xlsx")
        assert "导入失败，没有写入任何数据" in replies.text, value
        assert f"第 3 行 {header}：{reason}" in replies.text, replies.text
        assert await allowances(sessions) == before
    async with sessions() as session:
        notes = (await session.scalars(select(Instructor.note))).all()
    assert "改了" not in notes


async def test_cli_gives_the_chat_figures(world: World, database_url: str, tmp_path: Path) -> None:
    """`xieshang subsidies --json` holds the chat's figures, `--out` the same workbook, and a
    bad district or year is one line on stderr with exit 2."""
    await load(world, [*ROSTER, person(Text("=1+1"), "东城", None, 100, 0)])
    replies = await world.person(HQ_ID).send("/subsidies 2025")
    chat = sheets(replies)
    names = load_workbook(io.BytesIO(replies.documents[0][1]))["指导员"]["A"]
    formula = next(cell for cell in names if cell.value == "=1+1")
    assert formula.data_type == "s"  # a name stays text, never a formula
    district_chat = sheets(await world.person(HQ_ID).send("/subsidies 2025 西城"))
    # The command line runs after every message: nothing of it is in flight during an update.
    ran = await xieshang(database_url, tmp_path, "subsidies", "--year", "2025", "--json")
    assert ran.returncode == 0, ran.stderr
    figures = json.loads(ran.stdout)
    assert (figures["year"], figures["district"]) == (2025, None)
    chat_rows = [tuple(row) for row in chat["指导员"][1:]]
    cli_rows = [
        (
            r["name"],
            r["district"],
            r["monthly_allowance"],
            r["months"],
            r["total"],
            None if r["district_share"] is None else f"{r['district_share']}%",
            r["district_part"],
            r["city_part"],
        )
        for r in figures["rows"]
    ]
    assert cli_rows == chat_rows
    xicheng = next(r for r in figures["rows"] if r["name"] == "王建国")
    assert (xicheng["total"], xicheng["district_part"]) == (66720, 33360)
    sums = [(d["district"], d["instructors"], d["total"], d["district_part"], d["city_part"])
            for d in figures["districts"]]  # fmt: skip
    total = (figures["instructors"], figures["total"], figures["district_part"])
    assert [*sums, ("合计", *total, figures["city_part"])] == chat["各区"][1:]
    assert (figures["without_allowance"], figures["ended_not_counted"]) == (1, 1)

    out_file = tmp_path / "out" / "补贴.xlsx"
    args = ("subsidies", "--year", "2025", "--district", "西城区", "--out", str(out_file))
    ran = await xieshang(database_url, tmp_path, *args)
    assert ran.returncode == 0, ran.stderr
    assert "共 2 人，全年补贴 133,440 元" in ran.stdout and str(out_file) in ran.stdout
    written = load_workbook(out_file)
    assert list(written["指导员"].iter_rows(values_only=True)) == district_chat["指导员"]

    for bad in (("--district", "火星"), ("--year", "20x5")):
        ran = await xieshang(database_url, tmp_path, "subsidies", *bad)
        assert ran.returncode == 2 and ran.stdout == "", ran
        assert len(ran.stderr.strip().splitlines()) == 1 and bad[1] in ran.stderr
