"""Roster import: all-or-nothing, every bad row listed, re-imports change nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from storage.common.spreadsheets import ERROR_CODES, ImportResult, RowError
from storage.db import Sessions
from storage.models import Instructor, Invite
from storage.people import districts, roster
from storage.people.districts import district_ids
from tests.files import (
    PDF_BYTES,
    PNG_BYTES,
    ROSTER_HEADERS,
    SAMPLE_ROSTER,
    csv_bytes,
    replace_cell,
    roster_rows,
    xlsx,
    zip_bytes,
)

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
TTL = timedelta(days=30)


async def run_import(
    sessions: Sessions,
    data: bytes,
    filename: str | None = "roster.xlsx",
    *,
    district: str | None = None,
) -> ImportResult:
    """Imports in one transaction that commits even when the import refuses the file."""
    async with sessions.begin() as session:
        only = (await district_ids(session))[district] if district else None
        result = await roster.import_roster(
            session, data, filename, only_district_id=only, ttl=TTL, now=NOW
        )
        assert all(error.code in ERROR_CODES for error in result.errors)
        assert result.errors == sorted(result.errors, key=lambda error: error.row)
        if not result.ok:
            # Committed anyway: a refused file must not have added or changed anything.
            assert not session.new and not session.dirty
    return result


async def snapshot(sessions: Sessions) -> list[tuple[Any, ...]]:
    """Every instructor column and every invite, to compare the database before and after."""
    async with sessions() as session:
        people = (await session.scalars(select(Instructor).order_by(Instructor.id))).all()
        codes = (await session.scalars(select(Invite.code).order_by(Invite.id))).all()
        return [
            *[tuple(getattr(p, c.key) for c in Instructor.__table__.columns) for p in people],
            tuple(codes),
        ]


async def instructors(sessions: Sessions) -> dict[str, Instructor]:
    async with sessions() as session:
        people = (await session.scalars(select(Instructor))).all()
        return {person.name: person for person in people}


async def test_sample_roster_is_imported(sessions: Sessions) -> None:
    """A good file creates every instructor, typed and linked, with an invite for each."""
    result = await run_import(sessions, xlsx(SAMPLE_ROSTER))
    assert result.ok
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert [(row.name, row.district) for row in result.invites] == [
        ("王建国", "西城"),
        ("李红", "西城"),
        ("赵敏", "平谷"),
    ]
    assert len({row.code for row in result.invites}) == 3
    people = await instructors(sessions)
    wang, li, zhao = people["王建国"], people["李红"], people["赵敏"]
    assert (wang.level, wang.employment, wang.status) == ("city", "full_time", "active")
    assert wang.skills == ["劳资人事", "法律"] and wang.industries == ["金融"]
    assert (wang.start_date, wang.phone, wang.note) == (date(2019, 3, 1), "13800138000", "带教组长")
    assert (li.level, li.mentor_id, li.start_date) == ("district", wang.id, date(2024, 3, 1))
    assert li.phone == "13900139000"
    assert li.district_id == wang.district_id
    assert (zhao.level, zhao.skills, zhao.start_date) == ("street", ["社区工作", "财务"], None)


async def test_missing_required_columns(sessions: Sessions) -> None:
    """A file without a required column is refused column by column on row 1."""
    rows = [[r[0], r[1], r[3]] for r in SAMPLE_ROSTER]  # no 类别
    result = await run_import(sessions, xlsx(rows))
    assert result.errors == [RowError(1, "employment", "missing_column")]
    rows = [["名字", "备注"], ["张三", None]]
    result = await run_import(sessions, csv_bytes(rows), "roster.csv")
    assert [(e.row, e.field) for e in result.errors] == [
        (1, "level"),
        (1, "employment"),
        (1, "district"),
    ]
    assert await snapshot(sessions) == [()]


BAD_CELLS = [
    ("所属区", "西城县城", "district", "unknown_district"),
    ("所属区", None, "district", "missing_value"),
    ("姓名", " ", "name", "missing_value"),
    ("层级", "省级", "level", "unknown_level"),
    ("类别", "临时", "employment", "unknown_employment"),
    ("入职日期", "2024-13-01", "start_date", "bad_date"),
    ("入职日期", "去年春天", "start_date", "bad_date"),
    ("入职日期", date(2026, 11, 26), "start_date", "future_date"),
    ("带教导师", "不存在", "mentor", "unknown_mentor"),
    ("带教导师", "李红", "mentor", "self_mentor"),
    ("telegram_id", "abc", "telegram_id", "bad_number"),
    ("telegram_id", 12.5, "telegram_id", "bad_number"),
    ("telegram_id", -5, "telegram_id", "bad_number"),
    ("姓名", "长" * 65, "name", "too_long"),
    ("手机", "1" * 33, "phone", "too_long"),
    ("手机", '=A3&"x"', "phone", "formula"),
    ("姓名", '="李"&"红"', "name", "formula"),
    ("入职日期", "=TODAY()", "start_date", "formula"),
]


async def test_bad_cell(sessions: Sessions) -> None:
    """One bad cell fails the whole file, naming its row, field and code; nothing is written."""
    for header, value, field, code in BAD_CELLS:
        rows = replace_cell(SAMPLE_ROSTER, 3, header, value)
        result = await run_import(sessions, xlsx(rows))
        assert [(e.row, e.field, e.code) for e in result.errors] == [(3, field, code)], value
        assert (result.created, result.invites) == (0, [])
    assert await snapshot(sessions) == [()]


async def test_one_row_may_have_several_errors(sessions: Sessions) -> None:
    """Every problem of a row is listed, in column order."""
    rows = replace_cell(SAMPLE_ROSTER, 4, "层级", "省级")
    rows = replace_cell(rows, 4, "类别", "临时")
    rows = replace_cell(rows, 4, "入职日期", "2024-02-30")
    result = await run_import(sessions, xlsx(rows))
    assert [(e.row, e.code, e.value) for e in result.errors] == [
        (4, "unknown_level", "省级"),
        (4, "unknown_employment", "临时"),
        (4, "bad_date", "2024-02-30"),
    ]


async def test_several_bad_rows_are_all_listed_and_nothing_is_written(sessions: Sessions) -> None:
    """Bad rows anywhere in the file are all reported, and the database stays as it was."""
    good = roster_rows(30)
    assert (await run_import(sessions, xlsx(good))).created == 30
    before = await snapshot(sessions)
    rows = replace_cell(good, 2, "备注", "改了")  # a valid edit that must not be written
    rows = replace_cell(rows, 5, "所属区", "火星")
    rows = replace_cell(rows, 17, "层级", "国家级")
    rows = replace_cell(rows, 31, "入职日期", "2023/2/29")
    rows.append(["新人", "区级", "专职", "东城", None, None, None, None, None, None, None, None])
    rows.append(list(rows[10]))
    result = await run_import(sessions, xlsx(rows))
    assert [(e.row, e.code) for e in result.errors] == [
        (5, "unknown_district"),
        (17, "unknown_level"),
        (31, "bad_date"),
        (33, "duplicate"),
    ]
    assert await snapshot(sessions) == before


async def test_same_person_twice(sessions: Sessions) -> None:
    """The same name twice in one district is a duplicate on the later row, spaces ignored."""
    rows = [*SAMPLE_ROSTER, ["王　建国", "区级", "兼职", "西城区", *[None] * 8]]
    result = await run_import(sessions, xlsx(rows))
    assert result.errors == [RowError(5, "name", "duplicate", "王建国")]
    elsewhere = [*SAMPLE_ROSTER, ["王建国", "区级", "兼职", "东城", *[None] * 8]]
    assert (await run_import(sessions, xlsx(elsewhere))).created == 4


async def test_not_a_spreadsheet(sessions: Sessions) -> None:
    """A picture, a PDF or a plain zip is refused as a whole file."""
    for data in (PNG_BYTES, PDF_BYTES, zip_bytes()):
        result = await run_import(sessions, data, "roster.xlsx")
        assert (result.file_problem, result.errors, result.ok) == ("not_spreadsheet", [], False)


async def test_empty_file(sessions: Sessions) -> None:
    """An empty file or one with headers only is refused as empty."""
    assert (await run_import(sessions, b"", "roster.csv")).file_problem == "empty"
    headers_only = xlsx([ROSTER_HEADERS])
    assert (await run_import(sessions, headers_only)).file_problem == "empty"


async def test_csv_encodings(sessions: Sessions) -> None:
    """CSV rosters import in GB18030 and in UTF-8 with or without BOM, Chinese intact."""
    rows = [[cell.isoformat() if isinstance(cell, date) else cell for cell in row]
            for row in SAMPLE_ROSTER]  # fmt: skip
    result = await run_import(sessions, csv_bytes(rows, "gb18030"), "花名册.csv")
    assert (result.created, result.errors) == (3, [])
    people = await instructors(sessions)
    assert set(people) == {"王建国", "李红", "赵敏"}
    assert people["王建国"].skills == ["劳资人事", "法律"]
    assert people["李红"].street == "德胜街道"
    assert people["赵敏"].skills == ["社区工作", "财务"]
    for data in (csv_bytes(rows, bom=True), csv_bytes(rows), xlsx(SAMPLE_ROSTER)):
        # The same people read from another encoding: nothing to change.
        result = await run_import(sessions, data, "花名册.csv")
        assert (result.created, result.updated, result.unchanged) == (0, 0, 3)


async def test_numbers_where_text_is_expected(sessions: Sessions) -> None:
    """Numeric cells in text columns become the digits typed: phone, name, telegram_id."""
    rows = [
        ["姓名", "层级", "类别", "所属区", "手机", "telegram_id", "备注"],
        [10086, "区级", "专职", "东城", 13800138000, 123456789.0, 3.5],
        ["张三", "区级", "专职", "东城", 13900139000.0, "987654321", 42],
    ]
    result = await run_import(sessions, xlsx(rows))
    assert (result.created, result.errors) == (2, [])
    people = await instructors(sessions)
    assert (people["10086"].phone, people["10086"].telegram_id) == ("13800138000", 123456789)
    assert people["10086"].note == "3.5"
    assert (people["张三"].phone, people["张三"].telegram_id, people["张三"].note) == (
        "13900139000",
        987654321,
        "42",
    )
    assert [row.name for row in result.invites] == []  # both are bound by their telegram_id


async def test_reimport_changes_nothing(sessions: Sessions) -> None:
    """Importing the same file again counts every row unchanged and writes nothing."""
    data = xlsx(SAMPLE_ROSTER)
    first = await run_import(sessions, data)
    before = await snapshot(sessions)
    again = await run_import(sessions, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.invites == first.invites
    assert await snapshot(sessions) == before


async def test_edited_file_updates_only_the_edited_row(sessions: Sessions) -> None:
    """After one cell is edited only that instructor changes; the others are left alone."""
    await run_import(sessions, xlsx(roster_rows(5)))
    before = {name: p for name, p in (await instructors(sessions)).items()}
    edited = replace_cell(roster_rows(5), 4, "专长", "法律、财务")
    result = await run_import(sessions, xlsx(edited))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    after = await instructors(sessions)
    assert after["指导员0003"].skills == ["法律", "财务"]
    for name in ("指导员0001", "指导员0002", "指导员0004", "指导员0005"):
        assert after[name].updated_at == before[name].updated_at
        assert after[name].skills == before[name].skills


async def test_empty_cells_clear_and_absent_columns_keep(sessions: Sessions) -> None:
    """An empty optional cell clears the field; a column missing from the file keeps it."""
    await run_import(sessions, xlsx(SAMPLE_ROSTER))
    cleared = replace_cell(SAMPLE_ROSTER, 3, "带教导师", None)
    cleared = replace_cell(cleared, 3, "专长", None)
    result = await run_import(sessions, xlsx(cleared))
    assert (result.updated, result.unchanged) == (1, 2)
    li = (await instructors(sessions))["李红"]
    assert (li.mentor_id, li.skills, li.phone) == (None, [], "13900139000")

    keep = [[*row[:4], row[5]] for row in SAMPLE_ROSTER]  # only the required columns and 产业
    keep = replace_cell(keep, 2, "层级", "区级")
    result = await run_import(sessions, xlsx(keep))
    assert (result.updated, result.unchanged) == (1, 2)
    wang = (await instructors(sessions))["王建国"]
    assert (wang.level, wang.phone, wang.skills, wang.note) == (
        "district",
        "13800138000",
        ["劳资人事", "法律"],
        "带教组长",
    )


async def test_mentor_in_the_same_file_in_any_order(sessions: Sessions) -> None:
    """A mentor may be a new instructor further down the same file."""
    rows = [
        ROSTER_HEADERS,
        ["新人甲", "街乡级", "兼职", "平谷", *[None] * 4, "老师傅", None, None, None],
        ["老师傅", "区级", "专职", "平谷", *[None] * 8],
    ]
    result = await run_import(sessions, xlsx(rows))
    assert result.created == 2
    people = await instructors(sessions)
    assert people["新人甲"].mentor_id == people["老师傅"].id


async def test_mentor_is_looked_up_by_district(sessions: Sessions) -> None:
    """A mentor's name resolves in the row's district first, else to the only one elsewhere."""
    await run_import(sessions, xlsx(roster_rows(1, "东城") + roster_rows(1, "海淀")[1:]))
    await run_import(sessions, xlsx(roster_rows(1, "顺义")))
    mentor = "指导员0001"
    rows = [
        ROSTER_HEADERS,
        ["甲", "街乡级", "兼职", "东城", *[None] * 4, mentor, None, None, None],
        ["乙", "街乡级", "兼职", "西城", *[None] * 4, mentor, None, None, None],
        ["丙", "街乡级", "兼职", "西城", *[None] * 4, "赵敏", None, None, None],
    ]
    result = await run_import(sessions, xlsx(rows))
    assert result.errors == [
        RowError(3, "mentor", "ambiguous_mentor", mentor),
        RowError(4, "mentor", "unknown_mentor", "赵敏"),
    ]

    await run_import(sessions, xlsx(SAMPLE_ROSTER))
    result = await run_import(sessions, xlsx([rows[0], rows[1], rows[3]]))
    assert result.created == 2
    async with sessions() as session:
        ids = await district_ids(session)
        found = {(p.name, p.district_id): p for p in (await session.scalars(select(Instructor)))}
    assert found[("甲", ids["东城"])].mentor_id == found[(mentor, ids["东城"])].id
    assert found[("丙", ids["西城"])].mentor_id == found[("赵敏", ids["平谷"])].id


async def test_telegram_id_taken(sessions: Sessions) -> None:
    """A Telegram id bound to someone else, or given twice in the file, is refused."""
    await run_import(sessions, xlsx(replace_cell(SAMPLE_ROSTER, 2, "telegram_id", 5551)))
    rows = replace_cell(SAMPLE_ROSTER, 2, "telegram_id", 5551)  # the same person: fine
    rows = replace_cell(rows, 3, "telegram_id", 5551)
    rows = [*rows, ["孙七", "区级", "专职", "东城", *[None] * 6, 7771, None]]
    rows = [*rows, ["周八", "区级", "专职", "东城", *[None] * 6, "7771", None]]
    result = await run_import(sessions, xlsx(rows))
    assert [(e.row, e.code, e.value) for e in result.errors] == [
        (3, "telegram_id_taken", "5551"),
        (6, "telegram_id_taken", "7771"),
    ]


async def test_empty_telegram_id_keeps_a_binding(sessions: Sessions) -> None:
    """An empty telegram_id cell does not unbind an instructor who joined through an invite."""
    await run_import(sessions, xlsx(SAMPLE_ROSTER))
    async with sessions.begin() as session:
        wang = (await session.scalars(select(Instructor).where(Instructor.name == "王建国"))).one()
        wang.telegram_id = 4242
    result = await run_import(sessions, xlsx(SAMPLE_ROSTER))
    assert (result.updated, result.unchanged) == (0, 3)
    assert (await instructors(sessions))["王建国"].telegram_id == 4242
    assert [row.name for row in result.invites] == ["李红", "赵敏"]


async def test_district_admin_may_import_only_their_district(sessions: Sessions) -> None:
    """A district admin's file with another district's row is refused and nothing is written."""
    result = await run_import(sessions, xlsx(SAMPLE_ROSTER), district="西城")
    assert result.errors == [RowError(4, "district", "not_your_district", "平谷")]
    assert await snapshot(sessions) == [()]
    own = [row for row in SAMPLE_ROSTER if row[3] != "平谷"]
    assert (await run_import(sessions, xlsx(own), district="西城")).created == 2


async def test_status_column(sessions: Sessions) -> None:
    """Status words set the status; those who ended get no invite; unknown words are refused."""
    rows = [
        [*ROSTER_HEADERS[:4], "状态"],
        ["甲", "区级", "专职", "东城", "请假"],
        ["乙", "区级", "专职", "东城", "离任"],
        ["丙", "区级", "专职", "东城", None],
        ["丁", "区级", "专职", "东城", "Active"],
    ]
    result = await run_import(sessions, xlsx(rows))
    people = await instructors(sessions)
    statuses = [people[name].status for name in "甲乙丙丁"]
    assert statuses == ["on_leave", "ended", "active", "active"]
    assert [row.name for row in result.invites] == ["甲", "丙", "丁"]
    bad = await run_import(sessions, xlsx(replace_cell(rows, 2, "状态", "失联")))
    assert bad.errors == [RowError(2, "status", "unknown_status", "失联")]


async def test_english_headers_and_values(sessions: Sessions) -> None:
    """English headers and values import like the Chinese ones."""
    rows = [
        ["Name", "Level", "Employment", "District", "Start Date", "Skills"],
        ["Li Lei", "City", "Full-time", "西城区", "2024/3/1", "law; finance"],
        ["Han Meimei", "enterprise", "part_time", "北京市海淀区", 45352, None],
    ]
    result = await run_import(sessions, xlsx(rows))
    assert (result.created, result.errors) == (2, [])
    people = await instructors(sessions)
    assert (people["Li Lei"].level, people["Li Lei"].employment) == ("city", "full_time")
    assert people["Li Lei"].skills == ["law", "finance"]
    assert people["Han Meimei"].start_date == date(2024, 3, 1)


async def test_roster_queries(sessions: Sessions) -> None:
    """Listing, counting and finding instructors respect the district and the order."""
    await run_import(sessions, xlsx(roster_rows(3, "西城") + roster_rows(2, "东城")[1:]))
    async with sessions.begin() as session:
        ids = await district_ids(session)
        first = (await roster.list_instructors(session, ids["西城"], limit=1))[0]
        first.telegram_id = 99
    async with sessions() as session:
        everyone = await roster.list_instructors(session, None)
        assert [(p.district.name, p.name) for p in everyone][:3] == [
            ("东城", "指导员0001"),
            ("东城", "指导员0002"),
            ("西城", "指导员0001"),
        ]
        page = await roster.list_instructors(session, None, offset=3, limit=10)
        assert [p.id for p in page] == [p.id for p in everyone[3:]]
        assert await roster.count_instructors(session, None) == (5, 1)
        assert await roster.count_instructors(session, ids["东城"]) == (2, 0)
        found = await roster.find_instructors(session, " 指导员0002 ", None)
        assert [p.district.name for p in found] == ["东城", "西城"]
        assert len(await roster.find_instructors(session, "指导员0003", ids["西城"])) == 1
        assert len(await roster.find_instructors(session, "0003", None)) == 1
        assert await roster.find_instructors(session, "%", None) == []


async def test_larger_roster_imports_quickly(sessions: Sessions) -> None:
    """A 150-row roster imports in one go, and re-importing it changes nothing."""
    data = xlsx(roster_rows(150, "平谷"))
    first = await run_import(sessions, data)
    assert (first.created, len(first.invites)) == (150, 150)
    again = await run_import(sessions, data)
    assert (again.unchanged, again.invites) == (150, first.invites)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Invite)) == 150


async def test_districts_added_by_hq_are_accepted(sessions: Sessions) -> None:
    """A district HQ adds is accepted by the import; adding a known one returns it unchanged."""
    async with sessions.begin() as session:
        added = await districts.add_district(session, " 经开区 ")
        again = await districts.add_district(session, "西城区")
        names = [d.name for d in await districts.list_districts(session)]
    assert (added.name, again.name) == ("经开区", "西城")
    assert names[:2] == ["东城", "西城"] and names[-1] == "经开区" and len(names) == 17
    assert districts.find_district(names, "北京市延庆县") == "延庆"
    assert districts.find_district(names, "经开") is None
    rows = [ROSTER_HEADERS[:4], ["张三", "区级", "专职", "经开区"]]
    assert (await run_import(sessions, xlsx(rows))).created == 1


# --- the subsidy columns (月补贴, 区承担比例) --------------------------------------------------

SUBSIDY_HEADERS = [*ROSTER_HEADERS, "月补贴", "区承担比例"]


def with_subsidies(*cells: tuple[Any, Any]) -> list[list[Any]]:
    """The sample roster with a 月补贴 and a 区承担比例 for each of its three people."""
    people = zip(SAMPLE_ROSTER[1:], cells, strict=True)
    return [SUBSIDY_HEADERS, *[[*row, *pair] for row, pair in people]]


async def subsidies(sessions: Sessions) -> dict[str, tuple[int | None, int | None]]:
    people = await instructors(sessions)
    return {name: (p.monthly_allowance, p.district_share) for name, p in people.items()}


async def test_subsidy_columns_are_read_as_people_write_them(sessions: Sessions) -> None:
    """月补贴 takes ￥5,560 or 5560元, 区承担比例 50% or Excel's 0.5; a blank cell is none; the
    same file again changes nothing; a file without the columns keeps them; a blank clears."""
    rows = with_subsidies(("￥5,560", "50%"), ("5560元", 0.5), (None, None))
    assert (await run_import(sessions, xlsx(rows))).created == 3
    expected = {"王建国": (5560, 50), "李红": (5560, 50), "赵敏": (None, None)}
    assert await subsidies(sessions) == expected
    again = await run_import(sessions, xlsx(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    without = await run_import(sessions, xlsx(SAMPLE_ROSTER))
    assert (without.updated, without.unchanged) == (0, 3)
    assert await subsidies(sessions) == expected
    blank = await run_import(sessions, xlsx(replace_cell(rows, 2, "月补贴", None)))
    assert (blank.updated, blank.unchanged) == (1, 2)
    assert (await subsidies(sessions))["王建国"] == (None, 50)
    english = [["name", "level", "employment", "district", "monthly_allowance", "district_share"],
               ["赵敏", "街乡级", "兼职", "平谷", "3,000", 30]]  # fmt: skip
    assert (await run_import(sessions, xlsx(english))).updated == 1
    assert (await subsidies(sessions))["赵敏"] == (3000, 30)


def test_allowance_and_share_forms() -> None:
    """Each written form of an amount or a share gives its value, or the code refusing it."""
    allowances = {
        "5560": 5560, "5,560": 5560, "5，560": 5560, "￥5560": 5560, "¥5,560元": 5560,
        "5560元": 5560, "5560.00": 5560, "５５６０": 5560, "0": 0, "5 560": 5560,
        "-5": "negative_allowance", "5560.5": "fractional_allowance", "五千": "bad_allowance",
        "5560元/月": 5560, "5560块": "bad_allowance", "1000001": "allowance_too_large",
        "": "bad_allowance",
    }  # fmt: skip
    for text, expected in allowances.items():
        value, code = roster.parse_allowance(text)
        assert (value if code is None else code) == expected, text
    shares = {
        "50": 50, "50%": 50, "50％": 50, "0.5": 50, "0.29": 29, "0": 0, "100": 100,
        "100%": 100, "1%": 1, "0%": 0, "1": "ambiguous_share", "1.0": "ambiguous_share",
        "101": "share_out_of_range", "-5": "share_out_of_range", "12.5": "fractional_share",
        "0.125": "fractional_share", "0.5%": "fractional_share", "一半": "bad_share",
    }  # fmt: skip
    for text, expected in shares.items():
        value, code = roster.parse_share(text)
        assert (value if code is None else code) == expected, text


BAD_SUBSIDY_CELLS = [
    ("月补贴", "-1", "monthly_allowance", "negative_allowance"),
    ("月补贴", 5560.5, "monthly_allowance", "fractional_allowance"),
    ("月补贴", "五千", "monthly_allowance", "bad_allowance"),
    ("月补贴", 2_000_000, "monthly_allowance", "allowance_too_large"),
    ("月补贴", "=A1*2", "monthly_allowance", "formula"),
    ("区承担比例", 101, "district_share", "share_out_of_range"),
    ("区承担比例", "-5%", "district_share", "share_out_of_range"),
    ("区承担比例", "12.5%", "district_share", "fractional_share"),
    ("区承担比例", "一半", "district_share", "bad_share"),
    ("区承担比例", 1, "district_share", "ambiguous_share"),
]


async def test_bad_subsidy_cell(sessions: Sessions) -> None:
    """A bad 月补贴 or 区承担比例 fails the whole file with its row, field and value; nothing
    is written."""
    good = with_subsidies((5560, 50), (5560, 50), (3000, 30))
    for header, value, field, code in BAD_SUBSIDY_CELLS:
        result = await run_import(sessions, xlsx(replace_cell(good, 3, header, value)))
        assert [(e.row, e.field, e.code) for e in result.errors] == [(3, field, code)], value
        assert result.errors[0].value is not None
    assert await snapshot(sessions) == [()]
