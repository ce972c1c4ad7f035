"""What reports add up to, asked in the chat and on the command line, in each role's scope."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import HQ_ID
from tests.files import SAMPLE_ROSTER, csv_bytes, xlsx
from tests.harness import World
from tests.support import import_sample

HEADER = ["日期", "指导员", "层级", "所属区", "类型", "对象", "人次", "备注"]
# The seed's figures: 西城's instructors gave 180 person-times of guidance and held 3 trainings
# with 200 trainees in 2017; 平谷 and 2018 must not leak into them.
HISTORY = [
    HEADER,
    [date(2017, 3, 2), "王建国", "市级", "西城", "指导", "维达纸业", 60, "工资协商辅导"],
    [date(2017, 5, 9), "李红", "区级", "西城", "指导", "德胜街道", 70, None],
    [date(2017, 9, 1), "王建国", "市级", "西城", "指导", "金融街街道", 50, "=1+1"],
    [date(2017, 4, 1), "李红", "区级", "西城", "培训", "西城区总工会", 80, "集体协商培训"],
    [date(2017, 6, 1), "李红", "区级", "西城", "培训", "德胜街道", 70, None],
    [date(2017, 11, 1), "王建国", "市级", "西城", "培训", "金融街街道", 50, None],
    [date(2017, 6, 5), "赵敏", "街乡级", "平谷", "指导", "兴谷街道", 99, None],
    [date(2018, 1, 5), "李红", "区级", "西城", "指导", "德胜街道", 11, None],
]


async def load_history(world: World) -> None:
    hq = world.person(HQ_ID)
    await hq.upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    # CSV keeps "=1+1" as text; an .xlsx written by openpyxl would make it a formula.
    replies = await hq.upload(csv_bytes(HISTORY), "工作动态.csv")
    assert "工作动态已导入：新增 8 条" in replies.text, replies.text


async def test_the_seed_figures_show_in_stats_and_export(world: World) -> None:
    """/stats 2017 西城 and /export 2017 西城 show exactly 180 guidance and 3 trainings of 200."""
    await load_history(world)
    hq = world.person(HQ_ID)
    text = (await hq.send("/stats 2017 西城")).text
    assert "西城 · 2017" in text
    assert "指导：3 次，180 人次" in text and "培训：3 次，200 人次" in text
    exported = await hq.send("/export 2017 西城")
    _, content = exported.documents[0]
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["工作动态", "指导员汇总", "各区汇总"]
    rows = list(book["各区汇总"].iter_rows(values_only=True))
    header, xicheng = rows[0], next(r for r in rows if r[0] == "西城")
    assert xicheng[header.index("指导")] == 3 and xicheng[header.index("培训")] == 3
    assert xicheng[header.index("指导人次")] == 180 and xicheng[header.index("培训人次")] == 200
    reports = list(book["工作动态"].iter_rows(values_only=True))
    assert list(reports[0]) == [*HEADER, "标签"] and len(reports) == 7
    formula = next(c for c in book["工作动态"]["H"] if c.value == "=1+1")
    assert formula.data_type == "s"


async def test_instructors_see_only_their_own_figures(world: World) -> None:
    """An instructor's /stats counts their own reports and refuses a district."""
    await load_history(world)
    codes = await import_sample(world)
    li = world.person(501, "Li")
    await li.send(f"/start {codes['李红']}")
    text = (await li.send("/stats 2017")).text
    assert (
        "我的 · 2017" in text and "指导：1 次，70 人次" in text and "培训：2 次，150 人次" in text
    )
    assert "只能查看自己的统计" in (await li.send("/stats 2017 西城")).text
    assert "仅限管理员" in (await li.send("/export 2017")).text


async def test_district_admins_stay_in_their_district(world: World) -> None:
    """A district admin's figures are their district's; another district is refused."""
    await load_history(world)
    await world.person(HQ_ID).send("/admin add 2001 district 平谷")
    admin = world.person(2001)
    assert "指导：1 次，99 人次" in (await admin.send("/stats 2017")).text
    assert "只能管理平谷区" in (await admin.send("/stats 2017 西城")).text


async def test_a_bad_period_is_explained(world: World) -> None:
    """/stats 2026-13 names the forms a period can take."""
    replies = await world.person(HQ_ID).send("/stats 2026-13")
    assert "看不懂时间段“2026-13”" in replies.text and "2026-Q3" in replies.text


async def test_chart_is_a_png(world: World) -> None:
    """/chart sends a PNG picture."""
    await load_history(world)
    replies = await world.person(HQ_ID).send("/chart 2017 西城")
    photos = [c for c in replies.calls if c.method == "sendPhoto"]
    assert photos and photos[0].files["photo"][1].startswith(b"\x89PNG")


async def test_coverage_lists_enterprises_not_yet_visited(world: World) -> None:
    """/coverage counts this round's visited enterprises and names the others."""
    hq = world.person(HQ_ID)
    codes = await import_sample(world)
    await hq.upload(
        xlsx([["企业名称", "所属区"], ["维达纸业", "西城"], ["德胜科技", "西城"]]), "e.xlsx"
    )
    li = world.person(501, "Li")
    await li.send(f"/start {codes['李红']}")
    await li.send("/report 走访 维达纸业 2人次")
    text = (await hq.send("/coverage 西城")).text
    assert "已走访 1/2 家企业" in text and "尚未走访：德胜科技" in text


def test_cli_stats_and_export_give_the_same_figures(tmp_path: Path, sqlite_template: Path) -> None:
    """`xieshang reports import`, `stats --json` and `export` agree with the chat's figures."""
    import shutil

    database = tmp_path / "cli.db"
    shutil.copy(sqlite_template, database)
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "PTB_TIMEDELTA": "true",
    }
    (tmp_path / "roster.xlsx").write_bytes(xlsx(SAMPLE_ROSTER))
    (tmp_path / "history.csv").write_bytes(csv_bytes(HISTORY))

    def xieshang(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert xieshang("roster", "import", "roster.xlsx").returncode == 0
    imported = xieshang("reports", "import", "history.csv")
    assert imported.returncode == 0 and "新增 8 条" in imported.stdout
    figures = json.loads(
        xieshang("stats", "--period", "2017", "--district", "西城", "--json").stdout
    )
    assert figures["by_type"]["guidance"] == {"reports": 3, "person_times": 180}
    assert figures["by_type"]["training"] == {"reports": 3, "person_times": 200}
    bad = xieshang("stats", "--period", "2026-13")
    assert bad.returncode == 2 and "2026-13" in bad.stderr
    out = tmp_path / "out" / "export.xlsx"
    assert xieshang("export", "--period", "2017", "--out", str(out)).returncode == 0
    assert len(list(load_workbook(out)["工作动态"].iter_rows())) == 8  # 7 of 2017 + header
