"""Enterprise registry import: all-or-nothing, identified by name city-wide."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from storage import enterprises
from storage.common.spreadsheets import ERROR_CODES, ImportResult, RowError
from storage.db import Sessions
from storage.models import Enterprise
from storage.people.districts import district_ids
from tests.conftest import HQ_ID
from tests.files import csv_bytes, replace_cell, with_values, xlsx
from tests.harness import World

HEADERS = ["企业名称", "所属区", "街道乡镇", "区域", "行业", "职工人数", "是否建会"]
REGISTRY: list[list[Any]] = [
    HEADERS,
    ["维达纸业（中国）有限公司", "平谷区", "兴谷街道", "东部", "制造业", 1200, "是"],
    ["京东物流北京分公司", "大兴", "亦庄镇", "南部", "物流", "3,500", "已建会"],
    ["小马餐饮店", "西城", None, None, "餐饮", 8.0, "否"],
]


async def run_import(
    sessions: Sessions, data: bytes, *, district: str | None = None
) -> ImportResult:
    """Imports in one transaction that commits even when the import refuses the file."""
    async with sessions.begin() as session:
        only = (await district_ids(session))[district] if district else None
        result = await enterprises.import_enterprises(
            session, data, "registry.xlsx", only_district_id=only
        )
        assert all(error.code in ERROR_CODES for error in result.errors)
        if not result.ok:
            # Committed anyway: a refused file must not have added or changed anything.
            assert not session.new and not session.dirty
    return result


async def registry(sessions: Sessions) -> dict[str, tuple[Any, ...]]:
    """Every enterprise by name with its district name and columns, updated_at included."""
    async with sessions() as session:
        rows = await enterprises.list_enterprises(session, None)
        return {
            e.name: (
                e.district.name, e.street, e.region, e.industry, e.employees, e.unionized,
                e.updated_at,
            )
            for e in rows
        }  # fmt: skip


async def test_good_registry(sessions: Sessions) -> None:
    """A good file creates every enterprise with typed columns."""
    result = await run_import(sessions, xlsx(REGISTRY))
    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 3, 0, 0)
    found = {name: row[:6] for name, row in (await registry(sessions)).items()}
    assert found == {
        "维达纸业（中国）有限公司": ("平谷", "兴谷街道", "东部", "制造业", 1200, True),
        "京东物流北京分公司": ("大兴", "亦庄镇", "南部", "物流", 3500, True),
        "小马餐饮店": ("西城", None, None, "餐饮", 8, False),
    }
    async with sessions() as session:
        pinggu = (await district_ids(session))["平谷"]
        listed = await enterprises.list_enterprises(session, pinggu)
    assert [e.name for e in listed] == ["维达纸业（中国）有限公司"]


async def test_bad_cells_are_all_listed(sessions: Sessions) -> None:
    """Bad numbers, yes/no answers and districts are all reported and nothing is written."""
    rows = replace_cell(REGISTRY, 2, "职工人数", "很多")
    rows = replace_cell(rows, 3, "职工人数", -3)
    rows = replace_cell(rows, 3, "是否建会", "也许")
    rows = replace_cell(rows, 4, "所属区", "火星")
    rows = replace_cell(rows, 4, "职工人数", 2.5)
    rows.append([None, "东城", None, None, None, None, None])
    result = await run_import(sessions, xlsx(rows))
    assert [(e.row, e.field, e.code, e.value) for e in result.errors] == [
        (2, "employees", "bad_number", "很多"),
        (3, "employees", "bad_number", "-3"),
        (3, "unionized", "bad_bool", "也许"),
        (4, "district", "unknown_district", "火星"),
        (4, "employees", "bad_number", "2.5"),
        (5, "name", "missing_value", None),
    ]
    assert await registry(sessions) == {}


async def test_formulas_are_read_by_their_values_never_worked_out(sessions: Sessions) -> None:
    """A formula counts by the value the file keeps for it; one without a value is refused
    naming the formula, and nothing is written."""
    rows = replace_cell(REGISTRY, 3, "企业名称", '="京东物流"&"北京分公司"')
    rows = replace_cell(rows, 4, "职工人数", "=4+4")
    result = await run_import(sessions, xlsx(rows))
    assert [(e.row, e.field, e.code, e.value) for e in result.errors] == [
        (3, "name", "formula", '="京东物流"&"北京分公司"'),
        (4, "employees", "formula", "=4+4"),
    ]
    assert await registry(sessions) == {}
    result = await run_import(
        sessions, with_values(xlsx(rows), {"A3": "京东物流北京分公司", "F4": 8})
    )
    assert (result.ok, result.created) == (True, 3)
    found = await registry(sessions)
    assert found["京东物流北京分公司"][0] == "大兴" and found["小马餐饮店"][4] == 8


async def test_missing_columns(sessions: Sessions) -> None:
    """A file without the name or the district column is refused on row 1."""
    rows = [[row[0], row[4]] for row in REGISTRY]
    result = await run_import(sessions, csv_bytes(rows))
    assert result.errors == [RowError(1, "district", "missing_column")]


async def test_duplicates(sessions: Sessions) -> None:
    """The same enterprise twice is a duplicate, even written with half-width parentheses."""
    rows = [*REGISTRY, ["维达纸业(中国)有限公司", "平谷", None, None, None, None, None]]
    result = await run_import(sessions, xlsx(rows))
    assert result.errors == [RowError(5, "name", "duplicate", "维达纸业（中国）有限公司")]
    assert await registry(sessions) == {}


async def test_reimport_unchanged_and_edits_counted(sessions: Sessions) -> None:
    """Re-importing changes nothing; an edited row alone is updated, empty cells clear."""
    await run_import(sessions, xlsx(REGISTRY))
    before = await registry(sessions)
    again = await run_import(sessions, csv_bytes(REGISTRY, "gb18030"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert await registry(sessions) == before

    edited = replace_cell(REGISTRY, 4, "职工人数", 9)
    edited = replace_cell(edited, 2, "区域", None)
    result = await run_import(sessions, xlsx(edited))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    after = await registry(sessions)
    assert after["小马餐饮店"][4] == 9
    assert after["维达纸业（中国）有限公司"][2] is None
    assert after["京东物流北京分公司"] == before["京东物流北京分公司"]


async def test_district_admin_restriction(sessions: Sessions) -> None:
    """A district admin may neither add another district's enterprise nor take one over."""
    result = await run_import(sessions, xlsx(REGISTRY), district="西城")
    assert [(e.row, e.code, e.value) for e in result.errors] == [
        (2, "not_your_district", "平谷区"),
        (3, "not_your_district", "大兴"),
    ]
    assert await registry(sessions) == {}

    await run_import(sessions, xlsx(REGISTRY))
    takeover = [HEADERS, ["京东物流北京分公司", "西城", None, None, None, None, None]]
    result = await run_import(sessions, xlsx(takeover), district="西城")
    assert result.errors == [RowError(2, "district", "not_your_district", "大兴")]
    own = [HEADERS, ["小马餐饮店", "西城区", "什刹海街道", None, "餐饮", 8, "否"]]
    result = await run_import(sessions, xlsx(own), district="西城")
    assert (result.updated, result.errors) == (1, [])
    async with sessions() as session:
        shop = (
            await session.scalars(select(Enterprise).where(Enterprise.name == "小马餐饮店"))
        ).one()
    assert shop.street == "什刹海街道"


CONTRACT_HEADERS = ["企业名称", "所属区", "集体合同"]


async def contracts(sessions: Sessions) -> dict[str, tuple[bool | None, date | None]]:
    """Each enterprise's 集体合同 as stored: (signed, signed on)."""
    async with sessions() as session:
        rows = await enterprises.list_enterprises(session, None)
        return {e.name: (e.collective_contract, e.contract_signed_on) for e in rows}


async def test_collective_contract_column(sessions: Sessions) -> None:
    """是/否 in their usual spellings, or a signing date in any usual form (an Excel date cell
    too), which means 是; re-importing the file changes nothing."""
    rows: list[list[Any]] = [
        CONTRACT_HEADERS,
        ["甲厂", "平谷", "是"],
        ["乙厂", "平谷", "否"],
        ["丙厂", "平谷", "有"],
        ["丁厂", "平谷", "无"],
        ["戊厂", "平谷", "✓"],
        ["己厂", "平谷", "No"],
        ["庚厂", "平谷", "2024-05-01"],
        ["辛厂", "平谷", "2024/5/1"],
        ["壬厂", "平谷", "2024年5月1日"],
        ["癸厂", "平谷", datetime(2023, 12, 8)],
        ["子厂", "平谷", None],
        ["丑厂", "平谷", "已签订"],
    ]
    result = await run_import(sessions, xlsx(rows))
    assert (result.ok, result.created) == (True, 12)
    may_day = date(2024, 5, 1)
    expected = {
        "甲厂": (True, None),
        "乙厂": (False, None),
        "丙厂": (True, None),
        "丁厂": (False, None),
        "戊厂": (True, None),
        "己厂": (False, None),
        "庚厂": (True, may_day),
        "辛厂": (True, may_day),
        "壬厂": (True, may_day),
        "癸厂": (True, date(2023, 12, 8)),
        "子厂": (None, None),
        "丑厂": (True, None),
    }
    assert await contracts(sessions) == expected
    before = await registry(sessions)
    for again in (xlsx(rows), csv_bytes(rows)):
        same = await run_import(sessions, again)
        assert (same.created, same.updated, same.unchanged) == (0, 0, 12)
    assert await registry(sessions) == before
    assert await contracts(sessions) == expected

    english = [["name", "district", "collective_contract"], ["甲厂", "平谷", "no"]]
    result = await run_import(sessions, csv_bytes(english))
    assert (result.updated, result.unchanged) == (1, 0)
    assert (await contracts(sessions))["甲厂"] == (False, None)


async def test_collective_contract_left_out_keeps_what_is_known(sessions: Sessions) -> None:
    """A registry without the 集体合同 column leaves the contracts on record alone."""
    await run_import(sessions, xlsx([CONTRACT_HEADERS, ["甲厂", "平谷", "2024-05-01"]]))
    result = await run_import(sessions, xlsx([["企业名称", "所属区"], ["甲厂", "平谷"]]))
    assert (result.ok, result.unchanged) == (True, 1)
    assert await contracts(sessions) == {"甲厂": (True, date(2024, 5, 1))}


async def test_bad_collective_contract_is_refused_with_the_reason(
    sessions: Sessions, world: World
) -> None:
    """A word that is neither 是/否 nor a date, and a date that does not exist, are row errors;
    nothing is written, and the upload names the row, the column and why."""
    rows: list[list[Any]] = [
        CONTRACT_HEADERS,
        ["甲厂", "平谷", "是"],
        ["乙厂", "平谷", "也许"],
        ["丙厂", "平谷", "2024-02-30"],
    ]
    result = await run_import(sessions, xlsx(rows))
    assert [(e.row, e.field, e.code, e.value) for e in result.errors] == [
        (3, "collective_contract", "bad_bool", "也许"),
        (4, "collective_contract", "bad_date", "2024-02-30"),
    ]
    assert await registry(sessions) == {}
    replies = await world.person(HQ_ID).upload(xlsx(rows), "企业名录.xlsx")
    assert "第 3 行 集体合同：“也许”请填“是”或“否”" in replies.text
    assert "第 4 行 集体合同：“2024-02-30”不是有效日期" in replies.text
    assert await registry(sessions) == {}
