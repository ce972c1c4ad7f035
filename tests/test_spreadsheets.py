"""Reading uploaded tables and turning their cells into values, without a database."""

from __future__ import annotations

import ast
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from storage.common import spreadsheets
from storage.common.spreadsheets import (
    ERROR_CODES,
    FileProblem,
    Formula,
    cell_bool,
    cell_date,
    cell_int,
    cell_list,
    cell_text,
    map_headers,
    read_table,
    xlsx_bytes,
)
from tests.files import PDF_BYTES, PNG_BYTES, Text, csv_bytes, with_values, xlsx, zip_bytes

STORAGE = Path(spreadsheets.__file__).parent.parent


def test_xlsx_keeps_cell_types_and_row_numbers() -> None:
    """An .xlsx reads as stripped headers and typed cells numbered as the spreadsheet shows."""
    data = xlsx(
        [
            [" 姓名 ", "手机", "入职日期", "人数", "建会"],
            ["张三", 13800138000, datetime(2024, 3, 1), 12.5, True],
            [None, None, None, None, None],
            ["李四", "139", None, None, None],
        ]
    )
    table = read_table(data, "roster.xlsx")
    assert table.headers == ["姓名", "手机", "入职日期", "人数", "建会"]
    assert [row.number for row in table.rows] == [2, 4]
    assert table.rows[0].cells == ["张三", 13800138000, datetime(2024, 3, 1), 12.5, True]
    assert table.rows[1].cells == ["李四", "139", None, None, None]


def test_a_formula_reads_as_the_value_the_file_keeps_for_it() -> None:
    """A formula cell reads as the value Excel saved with it; without one, as the formula
    itself (never worked out); text typed with a leading = stays text."""
    rows = [
        ["姓名", "备注", "人数"],
        ["张三", '=A2&"x"', "=1+1"],
        ["李四", '=A3&"x"', "=2+2"],
        [Text("=1+1 讲座"), None, 5],
    ]
    table = read_table(with_values(xlsx(rows), {"B2": "张三x", "C2": 2}), "roster.xlsx")
    assert [row.cells for row in table.rows] == [
        ["张三", "张三x", 2],
        ["李四", Formula('=A3&"x"'), Formula("=2+2")],
        ["=1+1 讲座", None, 5],
    ]


def test_rows_of_formulas_without_values_are_blank() -> None:
    """A row holding nothing but formulas without values (a template filled down) is skipped."""
    rows = [["姓名", "备注"], ["张三", None], ['=IF(A2="","",A2)', '=IF(A2="","",1)'], ["李四", 1]]
    table = read_table(xlsx(rows), "roster.xlsx")
    assert [row.number for row in table.rows] == [2, 4]


def test_csv_delimiters_and_encodings() -> None:
    """CSV reads in UTF-8 with or without BOM and GB18030, separated by comma, tab or semicolon."""
    rows = [["姓名", "所属区"], ["张　三", "西城"]]
    for data in (
        csv_bytes(rows),
        csv_bytes(rows, bom=True),
        csv_bytes(rows, encoding="gb18030"),
        csv_bytes(rows, delimiter="\t"),
        csv_bytes(rows, delimiter=";", encoding="gb18030"),
        "姓名\t所属区\r\n张　三\t西城\r\n".encode("utf-16"),
    ):
        table = read_table(data, "roster.csv")
        assert table.headers == ["姓名", "所属区"]
        assert table.rows == [(2, ["张　三", "西城"])]


def test_csv_blank_lines_are_skipped_but_counted() -> None:
    """Blank CSV rows are skipped, and later rows keep their own row numbers."""
    data = "姓名,所属区\n张三,西城\n,\n\n李四,东城\n".encode()
    assert [row.number for row in read_table(data).rows] == [2, 5]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \r\n \r\n",
        "\ufeff".encode(),
        csv_bytes([["姓名", "所属区"]]),
        xlsx([]),
        xlsx([["姓名", "所属区"], [None, None]]),
    ],
    ids=["nothing", "blank-lines", "bom-only", "headers-only-csv", "blank-xlsx", "headers-only"],
)
def test_empty_files(data: bytes) -> None:
    """A file without a header or without a data row is "empty"."""
    with pytest.raises(FileProblem) as problem:
        read_table(data)
    assert problem.value.code == "empty"


@pytest.mark.parametrize(
    "data",
    [
        PNG_BYTES,
        PDF_BYTES,
        zip_bytes(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
        "姓名\x00,所属区".encode(),
        b"\x81\x30\xff\xfe\xfd" * 10,
        b"PK\x03\x04" + b"garbage" * 10,
    ],
    ids=["png", "pdf", "zip", "xls", "nul", "undecodable", "broken-zip"],
)
def test_not_spreadsheets(data: bytes) -> None:
    """Binary files that are no workbook are "not_spreadsheet", whatever their name says."""
    with pytest.raises(FileProblem) as problem:
        read_table(data, "roster.xlsx")
    assert problem.value.code == "not_spreadsheet"


def test_headers_map_through_aliases() -> None:
    """Headers match their aliases ignoring case, spaces, underscores and notes like (必填)."""
    aliases = {"name": ("姓名",), "start_date": ("入职日期",), "telegram_id": ()}
    headers = ["姓 名（必填）", "Start Date", "Telegram ID", "备注", "姓名"]
    assert map_headers(headers, aliases) == {"name": 0, "start_date": 1, "telegram_id": 2}


def test_cell_text() -> None:
    """Numbers typed into text columns come back as the digits people typed."""
    assert cell_text(13800138000.0) == "13800138000"
    assert cell_text(13800138000) == "13800138000"
    assert cell_text(2.5) == "2.5"
    assert cell_text(datetime(2024, 3, 1, 0, 0)) == "2024-03-01"
    assert cell_text("\u3000 张三 \u00a0") == "张三"
    assert cell_text("   ") is None
    assert cell_text(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 3, 1, 9, 30), date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 3, 1)),
        ("2024-03-01", date(2024, 3, 1)),
        ("2024/3/1", date(2024, 3, 1)),
        ("2024.3.1", date(2024, 3, 1)),
        ("2024年3月1日", date(2024, 3, 1)),
        ("2024-03-01 00:00:00", date(2024, 3, 1)),
        ("20240301", date(2024, 3, 1)),
        (45352, date(2024, 3, 1)),
        (45352.0, date(2024, 3, 1)),
        (None, None),
    ],
)
def test_cell_date(value: spreadsheets.Cell, expected: date | None) -> None:
    """Dates are read from date cells, the usual Chinese spellings and Excel serial numbers."""
    assert cell_date(value) == expected


@pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "去年", "3/1/2024", True, -5])
def test_cell_date_refuses(value: spreadsheets.Cell) -> None:
    """Impossible or unreadable dates raise ValueError."""
    with pytest.raises(ValueError):
        cell_date(value)


def test_cell_int_bool_list() -> None:
    """Whole numbers, yes/no answers and tag lists are read leniently but never guessed."""
    assert [cell_int(v) for v in (12, 12.0, "1,200", " 7 ", "8.0", None)] == [
        12, 12, 1200, 7, 8, None,
    ]  # fmt: skip
    for bad in (2.5, "十二", True, "12人"):
        with pytest.raises(ValueError):
            cell_int(bad)
    yes = ("是", "已建会", "YES", "true", "y", 1, "1", "√", True)
    no = ("否", "未建会", "no", "FALSE", "n", 0, "0", "×", False)
    assert [cell_bool(v) for v in yes] == [True] * len(yes)
    assert [cell_bool(v) for v in no] == [False] * len(no)
    assert cell_bool(None) is None
    for bad in ("也许", 2, "x"):
        with pytest.raises(ValueError):
            cell_bool(bad)
    assert cell_list("劳资人事、法律, 财务，工会工作;法律；  ") == [
        "劳资人事",
        "法律",
        "财务",
        "工会工作",
    ]
    assert cell_list(None) == []


def test_written_text_never_becomes_a_formula() -> None:
    """Text starting with = + - @ is written as text and reads back exactly as given."""
    values = ["=1+1", "+86 138", "-5", "@SUM(A1)", '=HYPERLINK("http://x")', "plain"]
    data = xlsx_bytes({"表": [["值"], *[[value] for value in values]]})
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == values
    assert all(cell.data_type == "s" for cell in cells)


def _codes_used(path: Path) -> set[str]:
    """String constants in a code position: RowError's third argument, error()'s second, ..."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)

    def constants(expr: ast.expr) -> set[str]:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return constants(expr.body) | constants(expr.orelse)
        if isinstance(expr, ast.Name):
            return set().union(*(constants(value) for value in assigned.get(expr.id, [])))
        return set()

    positions = {"RowError": 2, "error": 1, "choice": 2, "_read": 2}
    codes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            position = positions.get(name)
            if position is not None and len(node.args) > position:
                codes |= constants(node.args[position])
        # Checks that answer (value, code), like districts.import_district.
        if (
            isinstance(node, ast.Return)
            and isinstance(node.value, ast.Tuple)
            and len(node.value.elts) == 2
        ):
            codes |= constants(node.value.elts[1])
    return codes


def test_every_error_code_is_listed() -> None:
    """Every code an importer can produce is in ERROR_CODES, and every listed code is used."""
    used = set().union(
        *(
            _codes_used(STORAGE / name)
            for name in (
                "common/spreadsheets.py",
                "people/roster.py",
                "enterprises/registry.py",
                "reports/history.py",
                "people/districts.py",
            )
        )
    )
    assert len(used) >= 15  # the scan itself works
    assert used <= set(ERROR_CODES)
    assert set(ERROR_CODES) <= used
    assert len(set(ERROR_CODES)) == len(ERROR_CODES)
