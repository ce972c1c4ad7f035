"""The report workbook: its sheets and columns, the seed's figures, formula safety, streaming,
and the all-or-nothing import of history that takes the export's layout back."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import delete, func, select

from storage.common.periods import Period, parse_period
from storage.common.spreadsheets import ERROR_CODES, ImportResult, RowError
from storage.db import Sessions
from storage.models import Report, ReportSource, ReportType
from storage.people.districts import district_ids
from storage.reports.exports import (
    DISTRICT_COLUMNS,
    INSTRUCTOR_COLUMNS,
    REPORT_COLUMNS,
    write_export,
)
from storage.reports.history import import_reports
from storage.reports.rollups import rebuild_rollups
from storage.reports.stats import TypeFigures, compute_stats
from tests.files import Text, with_values, xlsx
from tests.reports_data import Y2017, World, add_reports, make_world, report, seed_2017

TODAY = date(2026, 11, 25)
TYPE_COLUMNS = ["走访", "指导", "培训", "协商", "签约", "观摩", "其他"]


def read(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's cell values, headers first, rows padded to the headers' width."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        sheets = {}
        for sheet in workbook.worksheets:
            rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            width = len(rows[0]) if rows else 0
            sheets[sheet.title] = [row + (None,) * (width - len(row)) for row in rows]
        return sheets
    finally:
        workbook.close()


async def export(sessions: Sessions, period: Period = Y2017, district: str | None = None) -> bytes:
    async with sessions() as session:
        district_id = (await district_ids(session))[district] if district else None
        result = await write_export(session, period, district_id=district_id)
    assert result.data is not None
    return result.data


def by_name(rows: list[tuple[Any, ...]], column: int = 0) -> dict[Any, dict[str, Any]]:
    headers = rows[0]
    return {row[column]: dict(zip(headers, row, strict=True)) for row in rows[1:]}


async def test_sheets_and_columns_are_as_specified(sessions: Sessions) -> None:
    """The workbook has the contract's sheets and columns; summaries add 人次 per type."""
    await seed_2017(sessions)
    sheets = read(await export(sessions, district="西城"))
    assert list(sheets) == ["工作动态", "指导员汇总", "各区汇总"]
    assert sheets["工作动态"][0] == (
        "日期",
        "指导员",
        "层级",
        "所属区",
        "类型",
        "对象",
        "人次",
        "备注",
        "标签",
    )
    assert sheets["工作动态"][0] == REPORT_COLUMNS
    per_type = tuple(f"{label}人次" for label in TYPE_COLUMNS)
    assert sheets["指导员汇总"][0] == ("指导员", "所属区", *TYPE_COLUMNS, "人次合计", *per_type)
    assert sheets["指导员汇总"][0] == INSTRUCTOR_COLUMNS
    assert sheets["各区汇总"][0] == (
        "所属区",
        *TYPE_COLUMNS,
        "人次合计",
        *per_type,
        "指导员人数",
        "活跃指导员",
    )
    assert sheets["各区汇总"][0] == DISTRICT_COLUMNS
    reports = sheets["工作动态"][1:]
    assert len(reports) == 7
    assert reports[0] == (
        datetime(2017, 1, 1), "李红", "区级", "西城", "培训", "德胜街道", 70, None, None
    )  # fmt: skip
    assert [row[0] for row in reports] == sorted(row[0] for row in reports)
    assert {row[2] for row in reports} == {"市级", "区级", "街乡级"}


async def test_dates_are_date_cells(sessions: Sessions) -> None:
    """日期 is a real date cell shown as yyyy-mm-dd, not text."""
    await seed_2017(sessions)
    workbook = load_workbook(io.BytesIO(await export(sessions, district="西城")))
    cell = workbook["工作动态"]["A2"]
    assert cell.is_date and cell.value == datetime(2017, 1, 1)
    assert cell.number_format == "yyyy-mm-dd"


async def test_seed_figures_in_the_export(sessions: Sessions) -> None:
    """The export of 2017 for 西城 shows guidance 180 person-times and 3 trainings for 200."""
    await seed_2017(sessions)
    sheets = read(await export(sessions, district="西城"))
    person_times: dict[str, int] = {}
    for row in sheets["工作动态"][1:]:
        person_times[row[4]] = person_times.get(row[4], 0) + row[6]
    assert person_times == {"指导": 180, "培训": 200}
    districts = by_name(sheets["各区汇总"])
    assert list(districts) == ["西城"]
    assert districts["西城"]["指导"] == 4 and districts["西城"]["培训"] == 3
    assert districts["西城"]["人次合计"] == 380
    assert districts["西城"]["走访"] == 0
    assert districts["西城"]["指导员人数"] == 3  # 刘洋 is on leave, 新人 started in 2024
    assert districts["西城"]["活跃指导员"] == 3
    people = by_name(sheets["指导员汇总"])
    assert set(people) == {"王建国", "李红", "张伟"}
    assert (people["王建国"]["指导"], people["王建国"]["培训"], people["王建国"]["人次合计"]) == (
        2, 1, 180
    )  # fmt: skip
    assert sum(person["指导"] for person in people.values()) == 4
    assert sum(person["培训"] for person in people.values()) == 3
    assert sum(person["人次合计"] for person in people.values()) == 380


async def test_city_export_lists_every_district(sessions: Sessions) -> None:
    """HQ's export has one 各区汇总 row per district, zeros included, and no deleted report."""
    await seed_2017(sessions)
    sheets = read(await export(sessions))
    districts = by_name(sheets["各区汇总"])
    assert len(districts) == 16
    assert districts["平谷"]["指导"] == 1 and districts["平谷"]["人次合计"] == 99
    assert districts["东城"]["人次合计"] == 0
    assert len(sheets["工作动态"]) == 1 + 8
    assert 500 not in [row[6] for row in sheets["工作动态"][1:]]
    people = by_name(sheets["指导员汇总"])
    # 孙丽 of 平谷 reported nothing: a row of zeros, as a silent instructor.
    assert people["孙丽"]["所属区"] == "平谷" and people["孙丽"]["人次合计"] == 0


async def test_export_writes_to_a_file(sessions: Sessions, tmp_path: Path) -> None:
    """With a path the workbook is written there, the same as the bytes."""
    world = await seed_2017(sessions)
    path = tmp_path / "out.xlsx"
    async with sessions() as session:
        result = await write_export(session, Y2017, district_id=world.districts["西城"], path=path)
    assert result.data is None and result.reports == 7
    assert read(path.read_bytes()) == read(await export(sessions, district="西城"))


async def test_formula_like_text_stays_text(sessions: Sessions) -> None:
    """Cells starting with = + - @ are stored as text, exactly as typed."""
    values = ["=1+1", '=HYPERLINK("http://x","点我")', "+86 138", "-5", "@SUM(A1)"]
    async with sessions.begin() as session:
        world = await make_world(session)
        await add_reports(
            session,
            [
                report(world, "王建国", date(2017, 5, i + 1), ReportType.OTHER.value, value, 1,
                       note=value)
                for i, value in enumerate(values)
            ],
        )  # fmt: skip
    workbook = load_workbook(io.BytesIO(await export(sessions)))
    sheet = workbook["工作动态"]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(values)
    for row, value in zip(rows, values, strict=True):
        for cell in (row[5], row[7]):  # 对象, 备注
            assert cell.data_type == "s", cell.coordinate
            assert cell.value == value


async def test_export_streams_without_blocking_the_loop(sessions: Sessions) -> None:
    """6,000 reports are exported while the event loop keeps running other work."""
    async with sessions.begin() as session:
        world = await make_world(session)
        people = ["王建国", "李红", "张伟", "赵敏"]
        await add_reports(
            session,
            [
                report(world, people[i % 4], date(2017, 1 + i % 12, 1 + i % 28),
                       ReportType.VISIT.value, f"企业{i % 700}", i % 9, note=f"第{i}次")
                for i in range(6000)
            ],
        )  # fmt: skip
    gaps: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    try:
        data = await export(sessions)
    finally:
        done.set()
        await ticker
    sheets = read(data)
    assert len(sheets["工作动态"]) == 6001
    assert sum(row[6] for row in sheets["工作动态"][1:]) == sum(i % 9 for i in range(6000))
    # Generous: the workbook is built in a thread, so the loop is never held for long.
    assert len(gaps) > 10 and max(gaps) < 1.0


# --- import ----------------------------------------------------------------------------------

HEADERS = list(REPORT_COLUMNS)


async def run_import(
    sessions: Sessions, data: bytes, *, district: str | None = None
) -> ImportResult:
    """Imports in one transaction that commits even when the file is refused."""
    async with sessions.begin() as session:
        only = (await district_ids(session))[district] if district else None
        result = await import_reports(
            session, data, "reports.xlsx", only_district_id=only, today=TODAY
        )
        assert all(error.code in ERROR_CODES for error in result.errors)
        if not result.ok:
            assert not session.new and not session.dirty
    return result


async def count_reports(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count(Report.id))) or 0)


HISTORY: list[list[Any]] = [
    HEADERS,
    [date(2017, 3, 2), "王建国", "市级", "西城", "指导", "维达纸业(中国)", 60, "面对面指导"],
    ["2017-06-09", "王建国", "市级", "西城区", "guidance", "金融街控股", 40, None],
    [date(2017, 9, 1), "李红", "区级", "西城", "指导", "维达纸业（中国）", 50, None],
    [date(2017, 12, 31), "张伟", "街乡级", "西城", "指导", "什刹海街道", 30, None],
    [date(2017, 4, 20), "王建国", "市级", "西城", "培训", "西城区总工会", 80, Text("=1+1 讲座")],
    [date(2017, 1, 1), "李红", "区级", "西城", "培训", "德胜街道", 70, None],
    [date(2017, 11, 11), "张伟", "街乡级", "西城", "培训", "德胜科技", 50, "-3 组"],
    [date(2017, 5, 5), "赵敏", "街乡级", "平谷", "走访", "平谷桃业", 5, None],
    [date(2017, 5, 5), "赵敏", "街乡级", "平谷", "走访", "平谷桃业", 5, None],  # really twice
]


async def test_import_of_history_reproduces_the_seed(sessions: Sessions) -> None:
    """Imported history is counted like reported history; targets link registered enterprises."""
    async with sessions.begin() as session:
        world = await make_world(session)
    result = await run_import(sessions, xlsx(HISTORY, title="工作动态"))
    assert result.ok and (result.created, result.unchanged) == (9, 0)
    async with sessions() as session:
        stats = await compute_stats(session, Y2017, district_id=world.districts["西城"])
        linked = await session.scalar(
            select(func.count(Report.id)).where(
                Report.enterprise_id == world.enterprises["维达纸业（中国）"],
                Report.target == "维达纸业（中国）",
            )
        )
        sources = set((await session.scalars(select(Report.source))).all())
    assert stats.by_type[ReportType.GUIDANCE.value] == TypeFigures(4, 180)
    assert stats.by_type[ReportType.TRAINING.value] == TypeFigures(3, 200)
    assert linked == 2
    assert sources == {ReportSource.IMPORT.value}


async def test_bad_rows_are_all_listed_and_nothing_is_written(sessions: Sessions) -> None:
    """One bad row refuses the file; every bad cell is listed with its row number."""
    async with sessions.begin() as session:
        await make_world(session)
    rows = [
        *HISTORY[:3],
        [date(2017, 3, 2), "无名氏", "市级", "西城", "指导", "某企业", 1, None],
        [date(2017, 3, 2), "王建国", "市级", "西城", "聚餐", "某企业", 1, None],
        ["2017-02-30", "王建国", "市级", "西城", "指导", "某企业", 1, None],
        [date(2027, 1, 1), "王建国", "市级", "西城", "指导", "某企业", 1, None],
        [date(2017, 3, 2), "王建国", "市级", "西城", "指导", "某企业", -1, None],
        [date(2017, 3, 2), "王建国", "市级", "火星", "指导", "某企业", 1, None],
        [date(2017, 3, 2), "王建国", "市级", "西城", "指导", None, 1, None],
        [date(2017, 3, 2), "王建国", "元帅", "西城", "指导", "某企业", "五", None],
    ]
    result = await run_import(sessions, xlsx(rows))
    assert not result.ok
    assert result.errors == [
        RowError(4, "instructor", "unknown_instructor", "无名氏"),
        RowError(5, "type", "unknown_type", "聚餐"),
        RowError(6, "date", "bad_date", "2017-02-30"),
        RowError(7, "date", "future_date", "2027-01-01"),
        RowError(8, "person_times", "bad_number", "-1"),
        RowError(9, "district", "unknown_district", "火星"),
        RowError(10, "target", "missing_value"),
        RowError(11, "level", "unknown_level", "元帅"),
        RowError(11, "person_times", "bad_number", "五"),
    ]
    assert await count_reports(sessions) == 0


async def test_a_formula_without_a_value_is_refused(sessions: Sessions) -> None:
    """A formula counts by the value the file keeps for it; one without a value (a file
    written by a program, not by Excel) is refused naming the formula, and nothing is written."""
    async with sessions.begin() as session:
        await make_world(session)
    rows = [
        HEADERS,
        [date(2017, 3, 2), "王建国", "市级", "西城", "指导", '="维达纸业"&"(中国)"', 60, None],
        [date(2017, 3, 3), "王建国", "市级", "西城", "指导", "金融街控股", "=30+10", None],
    ]
    result = await run_import(sessions, xlsx(rows))
    assert result.errors == [
        RowError(2, "target", "formula", '="维达纸业"&"(中国)"'),
        RowError(3, "person_times", "formula", "=30+10"),
    ]
    assert await count_reports(sessions) == 0
    result = await run_import(sessions, with_values(xlsx(rows), {"F2": "维达纸业(中国)", "G3": 40}))
    assert (result.ok, result.created) == (True, 2)
    async with sessions() as session:
        found = (await session.execute(select(Report.target, Report.person_times))).all()
    assert sorted(found) == [("维达纸业（中国）", 60), ("金融街控股", 40)]


async def test_missing_columns_and_unreadable_files(sessions: Sessions) -> None:
    """A file without the needed columns, or no table at all, is refused as a whole."""
    result = await run_import(sessions, xlsx([["日期", "指导员"], [date(2017, 1, 1), "王建国"]]))
    assert {error.field for error in result.errors} == {"district", "type", "target"}
    assert {error.code for error in result.errors} == {"missing_column"}
    assert (await run_import(sessions, b"%PDF-1.4 nothing")).file_problem == "not_spreadsheet"
    assert await count_reports(sessions) == 0


async def test_district_admin_imports_only_their_district(sessions: Sessions) -> None:
    """A district admin's file with another district's rows is refused."""
    async with sessions.begin() as session:
        await make_world(session)
    result = await run_import(sessions, xlsx(HISTORY), district="西城")
    assert [(error.row, error.code) for error in result.errors] == [
        (9, "not_your_district"),
        (10, "not_your_district"),
    ]
    assert await count_reports(sessions) == 0
    only_xicheng = HISTORY[:8]
    assert (await run_import(sessions, xlsx(only_xicheng), district="西城")).created == 7


async def test_reimport_changes_nothing(sessions: Sessions) -> None:
    """Importing the same file again creates nothing; a row the file holds twice exists twice."""
    async with sessions.begin() as session:
        await make_world(session)
    data = xlsx(HISTORY)
    assert (await run_import(sessions, data)).created == 9
    again = await run_import(sessions, data)
    assert (again.created, again.unchanged) == (0, 9)
    assert await count_reports(sessions) == 9
    # The DB holds the 赵敏 row twice; a file with it three times adds one.
    thrice = await run_import(sessions, xlsx([HEADERS, HISTORY[8], HISTORY[8], HISTORY[8]]))
    assert (thrice.created, thrice.unchanged) == (1, 2)
    assert await count_reports(sessions) == 10


async def test_import_reads_the_report_sheet_of_a_workbook(sessions: Sessions) -> None:
    """An exported workbook is read from its 工作动态 sheet, wherever that sheet is."""
    async with sessions.begin() as session:
        await make_world(session)
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.title = "说明"
    first.append(["这是说明页"])
    reports = workbook.create_sheet("工作动态")
    for row in HISTORY[:3]:
        reports.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = await run_import(sessions, buffer.getvalue())
    assert result.ok and result.created == 2


async def round_trip_world(sessions: Sessions) -> World:
    """A roster, enterprises and history with awkward cells: formulas, blanks, repeats."""
    async with sessions.begin() as session:
        world = await make_world(session)
    rows = [
        *HISTORY,
        [date(2018, 2, 1), "孙丽", "企业级", "平谷", "签约", "@公司", 0, "+86 电话"],
        [date(2018, 2, 1), "孙丽", "企业级", "平谷", "协商", "平谷桃业", 12, "多行\n备注"],
        [date(2018, 2, 1), "王建国", "市级", "平谷", "观摩", "平谷桃业", 3, None],  # away
    ]
    result = await run_import(sessions, xlsx(rows))
    assert result.ok, result.errors
    return world


async def test_export_import_export_is_identical(sessions: Sessions) -> None:
    """Export → import into an empty database with the same roster → export: the same workbook."""
    await round_trip_world(sessions)
    period = parse_period("2017..2018", TODAY)
    first = await export(sessions, period)
    async with sessions.begin() as session:
        await session.execute(delete(Report))
        await rebuild_rollups(session)
    assert await count_reports(sessions) == 0
    result = await run_import(sessions, first)
    assert result.ok and result.created == 12
    second = await export(sessions, period)
    assert read(second) == read(first)
    assert len(read(first)["工作动态"]) == 13
    # And importing the export into the database it came from changes nothing.
    assert (await run_import(sessions, second)).created == 0
    xicheng = await export(sessions, period, "西城")
    async with sessions.begin() as session:
        await session.execute(delete(Report))
        await rebuild_rollups(session)
    assert (await run_import(sessions, xicheng, district="西城")).created == 7
    assert read(await export(sessions, period, "西城")) == read(xicheng)


async def test_exports_one_after_another_each_get_their_worker(
    database_url: str, sessions: Sessions
) -> None:
    """Each export runs in a process of its own, one at a time: three in a row (and two asked
    at once) all come back. A pool with max_tasks_per_child=1 could stop spawning its next
    worker on Python 3.11 (CPython gh-115634), and the next export hung."""
    from bot import offload

    await seed_2017(sessions)
    results = [await offload.export_workbook(database_url, Y2017, district_id=None)]
    results += [await offload.export_workbook(database_url, Y2017, district_id=None)]
    results += await asyncio.gather(
        offload.export_workbook(database_url, Y2017, district_id=None),
        offload.export_workbook(database_url, Y2017, district_id=None, tag="四必谈"),
    )
    assert [r.reports for r in results[:3]] == [results[0].reports] * 3 and results[0].reports
    assert all(r.data is not None for r in results)
