"""Reading and writing the spreadsheets admins exchange with the bot: rosters, registries, sheets.

Reading turns an uploaded .xlsx or .csv into a `Table` of raw cells; the `cell_*` helpers turn
one cell into a typed value (raising ValueError when it cannot), so each importer only states
its columns and rules. Errors are structured codes (`RowError`, `FileProblem`); the bot renders
them in the user's language.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from sqlalchemy import inspect as sa_inspect

if TYPE_CHECKING:
    from storage.people.invites import InviteRow

Cell = str | int | float | bool | datetime | date | time | None

# Every code a row error can carry; the bot has a translation for each.
ERROR_CODES: tuple[str, ...] = (
    "missing_column",
    "missing_value",
    "unknown_district",
    "unknown_level",
    "unknown_employment",
    "unknown_status",
    "bad_date",
    "bad_number",
    "bad_bool",
    "duplicate",
    "unknown_mentor",
    "ambiguous_mentor",
    "self_mentor",
    "not_your_district",
    "telegram_id_taken",
    "too_long",
    "future_date",
    # Report history (storage/exports.import_reports).
    "unknown_instructor",
    "unknown_type",
)

# Problems with the file as a whole (`ImportResult.file_problem`, `FileProblem.code`).
FILE_PROBLEMS: tuple[str, ...] = ("empty", "not_spreadsheet")


class FileProblem(Exception):
    """The upload cannot be read as a table at all; `code` is one of FILE_PROBLEMS."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Row(NamedTuple):
    """One data row: its row number as the spreadsheet shows it, and one cell per header."""

    number: int
    cells: list[Cell]


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]
    header_row: int = 1


@dataclass(frozen=True)
class RowError:
    """What is wrong with one cell: row number, canonical field name, code, offending text."""

    row: int
    field: str
    code: str
    value: str | None = None


@dataclass
class ImportResult:
    """The outcome of an all-or-nothing import: a file problem, row errors, or the counts."""

    file_problem: str | None = None
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invites: list[InviteRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.file_problem is None and not self.errors


# --- reading ---------------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
# Files people send by mistake; some of them happen to decode as GB18030 text.
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",  # JPEG
    b"\xd0\xcf\x11\xe0",  # OLE2: .xls, .doc
    b"PK\x05\x06",  # an empty zip archive
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",  # gzip
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DELIMITERS = (",", "\t", ";")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def read_table(data: bytes, filename: str | None = None, *, sheet: str | None = None) -> Table:
    """Reads the first sheet of an .xlsx, or a CSV file, into headers and non-blank rows.

    With `sheet`, an .xlsx is read from the sheet of that title if it has one.
    """
    if data.startswith(_ZIP_MAGIC):
        raw = _read_xlsx(data, sheet)
    else:
        raw = _read_csv(data)
    header_index = next((i for i, cells in enumerate(raw) if not _blank_row(cells)), None)
    if header_index is None:
        raise FileProblem("empty")
    headers = [cell_text(value) or "" for value in raw[header_index]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    rows = []
    for index in range(header_index + 1, len(raw)):
        cells = [_clean_cell(value) for value in raw[index][:width]]
        if _blank_row(cells):
            continue
        cells.extend([None] * (width - len(cells)))
        rows.append(Row(index + 1, cells))
    if not rows:
        raise FileProblem("empty")
    return Table(headers=headers, rows=rows, header_row=header_index + 1)


def _read_xlsx(data: bytes, title: str | None = None) -> list[Sequence[Any]]:
    try:
        with warnings.catch_warnings():
            # "Data Validation extension is not supported", "no default style": noise for us.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # BadZipFile, KeyError, InvalidFileException, ...: not a workbook
        raise FileProblem("not_spreadsheet") from exc
    try:
        if not workbook.worksheets:
            raise FileProblem("empty")
        sheet = workbook.worksheets[0]
        if title is not None and title in workbook.sheetnames:
            sheet = workbook[title]
        # The stored dimension is often wrong in files written by other tools; it would
        # truncate rows in read-only mode.
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    except FileProblem:
        raise
    except Exception as exc:
        raise FileProblem("not_spreadsheet") from exc
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if data.startswith(_UTF16_BOMS):
        # Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileProblem("not_spreadsheet") from exc
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data:
        raise FileProblem("not_spreadsheet")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("not_spreadsheet")


def _read_csv(data: bytes) -> list[Sequence[Any]]:
    text = _decode(data)
    if _CONTROL.search(text):
        raise FileProblem("not_spreadsheet")
    if not text.strip():
        raise FileProblem("empty")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(_DELIMITERS, key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise FileProblem("not_spreadsheet") from exc


def _clean_cell(value: Any) -> Cell:
    if isinstance(value, str):
        stripped = value.strip(_STRIP)
        return stripped or None
    if value is None or isinstance(value, int | float | datetime | date | time):
        return value
    return str(value)


def _blank_row(cells: Iterable[Any]) -> bool:
    return all(_clean_cell(value) is None for value in cells)


# --- headers ---------------------------------------------------------------------------------

_STRIP = " \t\r\n\u3000\u00a0\u200b\ufeff"
_HEADER_NOISE = re.compile(r"[\s\u3000_\-/*＊:：]|[(（][^)）]*[)）]")


def header_key(text: str) -> str:
    """Folds a header for matching: case, spaces, underscores, `*` and `(必填)` notes ignored."""
    return _HEADER_NOISE.sub("", text).casefold()


def map_headers(headers: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Maps each canonical field to the index of its column; the first matching column wins."""
    lookup = {header_key(alias): name for name, names in aliases.items() for alias in names}
    lookup.update({header_key(name): name for name in aliases})
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = lookup.get(header_key(header))
        if name is not None and name not in columns:
            columns[name] = index
    return columns


def missing_columns(
    columns: Mapping[str, int], required: Sequence[str], header_row: int = 1
) -> list[RowError]:
    """A `missing_column` error for each required field that has no column."""
    return [
        RowError(header_row, name, "missing_column") for name in required if name not in columns
    ]


def open_import(
    data: bytes,
    filename: str | None,
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
    *,
    sheet: str | None = None,
) -> tuple[Table, dict[str, int]] | ImportResult:
    """The table and its mapped columns, or the ImportResult that refuses the file as a whole
    (not a readable table, or required columns missing). Every importer starts here."""
    try:
        table = read_table(data, filename, sheet=sheet)
    except FileProblem as problem:
        return ImportResult(file_problem=problem.code)
    columns = map_headers(table.headers, aliases)
    missing = missing_columns(columns, required, table.header_row)
    if missing:
        return ImportResult(errors=missing)
    return table, columns


# --- cells -----------------------------------------------------------------------------------


def cell_text(value: Cell) -> str | None:
    """A cell as trimmed text: 13800138000.0 → "13800138000", a datetime → its ISO date."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime):
        text = value.date().isoformat()
    elif isinstance(value, date | time):
        text = value.isoformat()
    else:
        text = str(value)
    return text.strip(_STRIP) or None


_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")


def cell_date(value: Cell) -> date | None:
    """A cell as a date: date cells, 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, Excel serials."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or isinstance(value, time):
        raise ValueError(value)
    if isinstance(value, int | float):
        number = int(value)  # a fraction is the time of day
        if 1 <= number <= 2958465:  # 1900-01-01 .. 9999-12-31 as Excel serials
            return _EXCEL_EPOCH + timedelta(days=number)
        return _date_from_digits(str(number))
    text = cell_text(value)
    if text is None:
        return None
    match = _DATE_TEXT.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return date(year, month, day)  # ValueError on 2024-02-30
    return _date_from_digits(text)


def _date_from_digits(text: str) -> date:
    match = _DATE_DIGITS.fullmatch(text)
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) for part in match.groups())
    return date(year, month, day)


def cell_int(value: Cell) -> int | None:
    """A cell as a whole number: 12, 12.0, "1,200"; anything else raises ValueError."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = cell_text(value)
    if text is None:
        return None
    text = text.replace(",", "").replace("，", "")
    if re.fullmatch(r"[+-]?\d+(?:\.0*)?", text):
        return int(text.split(".")[0])
    raise ValueError(text)


_TRUE = {"是", "已建会", "已建", "建会", "有", "yes", "true", "y", "1", "√", "✓", "✔"}
_FALSE = {"否", "未建会", "未建", "无", "no", "false", "n", "0", "×", "✗", "✘"}


def cell_bool(value: Cell) -> bool | None:
    """A cell as yes/no: 是/否, 已建会/未建会, yes/no, true/false, y/n, 1/0, √/×."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = cell_text(value)
    if text is None:
        return None
    key = text.casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(text)


_LIST_SEPARATORS = re.compile(r"[、,，;；\n]")


def cell_list(value: Cell) -> list[str]:
    """A cell as a list of tags split on 、 , ， ; ；, trimmed, empties and repeats dropped."""
    text = cell_text(value)
    if text is None:
        return []
    items: list[str] = []
    for part in _LIST_SEPARATORS.split(text):
        item = part.strip(_STRIP)
        if item and item not in items:
            items.append(item)
    return items


# --- writing ---------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@")


def xlsx_bytes(sheets: Mapping[str, Sequence[Sequence[Any]]]) -> bytes:
    """Writes sheets (title → rows, the first row the headers) to an .xlsx in write-only mode.

    Text that starts like a formula stays text: the cell is typed as a string and quote-
    prefixed, so Excel shows "=1+1" and does not evaluate it even after the cell is edited.
    """
    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for index, width in enumerate(_column_widths(rows)):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        if rows:
            sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append([_write_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def safe_cell(sheet: Any, value: Any) -> Any:
    """A value for a write-only `sheet`: formula-like text stays text, control chars go."""
    return _write_cell(sheet, value)


def _write_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, Link):
        cell = WriteOnlyCell(sheet, value=value.text)
        cell.data_type = "s"
        cell.hyperlink = value.url
        return cell
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


@dataclass(frozen=True)
class Link:
    """A text cell that is also a hyperlink."""

    text: str
    url: str


def _display_width(value: Any) -> int:
    text = value.text if isinstance(value, Link) else str(value if value is not None else "")
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _column_widths(rows: Sequence[Sequence[Any]]) -> list[float]:
    widths: list[int] = []
    for row in rows[:200]:
        for index, value in enumerate(row):
            if index >= len(widths):
                widths.append(0)
            widths[index] = max(widths[index], _display_width(value))
    return [min(max(width + 2, 8), 60) for width in widths]


def column_length(model: type, name: str) -> int | None:
    """The declared length of a model's string column, for `too_long` checks."""
    length = getattr(sa_inspect(model).columns[name].type, "length", None)
    return length if isinstance(length, int) else None
