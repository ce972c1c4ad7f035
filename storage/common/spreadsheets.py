"""Reading and writing the spreadsheets admins exchange with the bot: rosters, registries, sheets.

Reading turns an uploaded .xlsx or .csv into a `Table` of raw cells; the `cell_*` helpers turn
one cell into a typed value (raising ValueError when it cannot). Every importer opens its file
with `open_import` and reads each row through a `RowReader`, so it only states its columns and
rules. Errors are structured codes (`RowError`, `FileProblem`); the bot renders them in the
user's language.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, Self, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from sqlalchemy import inspect as sa_inspect

Cell = str | int | float | bool | datetime | date | time | None
T = TypeVar("T")
V = TypeVar("V")

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
    "formula",
    # Report history (storage/reports/history.import_reports).
    "unknown_instructor",
    "unknown_type",
    # Campaign tags (storage.common.tags.TAG_PROBLEMS), e.g. the history's 标签 column.
    "bad_tag",
    "tag_too_long",
    "too_many_tags",
    # The roster's subsidy columns (storage/people/roster.parse_allowance, parse_share).
    "bad_allowance",
    "negative_allowance",
    "fractional_allowance",
    "allowance_too_large",
    "bad_share",
    "share_out_of_range",
    "fractional_share",
    "ambiguous_share",
)

# Problems with the file as a whole (`ImportResult.file_problem`, `FileProblem.code`);
# unknown_layout: no importer knows the columns (storage/imports.py).
FILE_PROBLEMS: tuple[str, ...] = ("empty", "not_spreadsheet", "unknown_layout")


class FileProblem(Exception):
    """The upload cannot be read as a table at all; `code` is one of FILE_PROBLEMS."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Formula:
    """A formula cell for which the file keeps no value: a file written by a program, not by
    Excel (openpyxl saves `=A1&"x"` without a value). It is never worked out here; an importer
    refuses the cell, naming `text`."""

    text: str


class Row(NamedTuple):
    """One data row: its row number as the spreadsheet shows it, and one cell per header."""

    number: int
    cells: list[Cell | Formula]


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

    @property
    def ok(self) -> bool:
        return self.file_problem is None and not self.errors

    @classmethod
    def refusing(cls, errors: Iterable[RowError]) -> Self:
        """The refusal listing `errors` by row; a row's own stay in the order they were found."""
        return cls(errors=sorted(errors, key=lambda error: error.row))


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

    With `sheet`, an .xlsx is read from the sheet of that title if it has one. A formula cell
    reads as the value the file keeps for it, else as a `Formula`; none is ever worked out.
    """
    if data.startswith(_ZIP_MAGIC):
        raw = _read_xlsx(data, sheet)
    else:
        raw = _read_csv(data)
    header_index = next((i for i, cells in enumerate(raw) if not _blank_row(cells)), None)
    if header_index is None:
        raise FileProblem("empty")
    headers = [
        "" if isinstance(value, Formula) else cell_text(value) or ""
        for value in map(_clean_cell, raw[header_index])
    ]
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


def _read_xlsx(data: bytes, title: str | None) -> Sequence[Sequence[Any]]:
    """The sheet's rows; a formula cell holds the value the file keeps for it, else a Formula.

    The formulas are read first; only a sheet that has some is read again for their values.
    """
    rows = _read_sheet(data, title, data_only=False)
    formulas = [
        (r, c) for r, row in enumerate(rows) for c, value in enumerate(row) if _formula(value)
    ]
    if not formulas:
        return rows
    values = _read_sheet(data, title, data_only=True)
    for r, c in formulas:
        formula = rows[r][c]
        value = values[r][c] if r < len(values) and c < len(values[r]) else None
        # A text cell that starts with "=" reads the same both times, so stays itself.
        rows[r][c] = value if value is not None else Formula(_formula_text(formula))
    return rows


def _formula(value: Any) -> bool:
    return (isinstance(value, str) and value.startswith("=")) or isinstance(
        value, ArrayFormula | DataTableFormula
    )


def _formula_text(value: Any) -> str:
    if isinstance(value, ArrayFormula):
        return str(value.text)
    if isinstance(value, DataTableFormula):
        return f"=TABLE({value.r1 or ''},{value.r2 or ''})"
    return str(value)


def _read_sheet(data: bytes, title: str | None, *, data_only: bool) -> list[list[Any]]:
    try:
        with warnings.catch_warnings():
            # "Data Validation extension is not supported", "no default style": noise for us.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
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
        return [list(row) for row in sheet.iter_rows(values_only=True)]
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


def _read_csv(data: bytes) -> Sequence[Sequence[Any]]:
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


def _clean_cell(value: Any) -> Cell | Formula:
    if isinstance(value, str):
        stripped = value.strip(_STRIP)
        return stripped or None
    if value is None or isinstance(value, int | float | datetime | date | time | Formula):
        return value
    return str(value)


def _blank_row(cells: Iterable[Any]) -> bool:
    """No cell holds anything; a formula without a value counts as nothing here, since Excel
    saves the "" of a template's =IF(A5="","",…) filled down the sheet the same way."""
    return all(_clean_cell(value) is None or isinstance(value, Formula) for value in cells)


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


@dataclass
class ImportTable:
    """An opened import file: its table and the column of each field it has."""

    table: Table
    columns: dict[str, int]

    def read(self, parse: Callable[[RowReader], T | None]) -> tuple[list[T], list[RowError]]:
        """What `parse` makes of each row (None it drops), and every problem noted meanwhile."""
        errors: list[RowError] = []
        parsed: list[T] = []
        for row in self.table.rows:
            value = parse(RowReader(row, self.columns, errors))
            if value is not None:
                parsed.append(value)
        return parsed, errors


def open_import(
    data: bytes,
    filename: str | None,
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
    *,
    sheet: str | None = None,
) -> ImportTable | ImportResult:
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
    return ImportTable(table, columns)


class RowReader:
    """Reads one row's cells into typed values, noting every problem as a RowError.

    A field the file has no column for reads as empty. A formula cell without a value is
    refused as `formula`, naming it; a field with a problem reads as None.
    """

    def __init__(self, row: Row, columns: Mapping[str, int], errors: list[RowError]) -> None:
        self.number = row.number
        self.ok = True
        self._cells = row.cells
        self._columns = columns
        self._errors = errors

    def has(self, name: str) -> bool:
        """Whether the file has a column for `name`."""
        return name in self._columns

    def error(self, name: str, code: str, value: Cell | Formula = None) -> None:
        """Notes a problem with the row's `name`, quoting `value` as its text."""
        self.ok = False
        text = value.text if isinstance(value, Formula) else cell_text(value)
        self._errors.append(RowError(self.number, name, code, text))

    def text(self, name: str, *, required: bool = False, length: int | None = None) -> str | None:
        """The cell as trimmed text; `too_long` beyond `length` characters."""
        value = self._read(name, cell_text, None, required)
        if value is not None and length is not None and len(value) > length:
            self.error(name, "too_long", value)
            return None
        return value

    def date(self, name: str, *, required: bool = False, latest: date | None = None) -> date | None:
        """The cell as a date (`bad_date`); `future_date` after `latest`."""
        value = self._read(name, cell_date, "bad_date", required)
        if value is not None and latest is not None and value > latest:
            self.error(name, "future_date", self._cell(name))
            return None
        return value

    def integer(self, name: str, *, required: bool = False, least: int | None = None) -> int | None:
        """The cell as a whole number; `bad_number` if it is none or less than `least`."""
        value = self._read(name, cell_int, "bad_number", required)
        if value is not None and least is not None and value < least:
            self.error(name, "bad_number", self._cell(name))
            return None
        return value

    def boolean(self, name: str) -> bool | None:
        """The cell as yes or no (`bad_bool`)."""
        return self._read(name, cell_bool, "bad_bool", False)

    def tags(self, name: str) -> list[str]:
        """The cell as a list of tags (never a problem but a formula)."""
        return self._read(name, cell_list, None, False) or []

    def choice(
        self,
        name: str,
        words: Mapping[str, str],
        code: str,
        *,
        fold: Callable[[str], str],
        required: bool = False,
    ) -> str | None:
        """The value `words` gives the cell's text folded by `fold`; `code` if it has none."""
        text = self.text(name, required=required)
        if text is None:
            return None
        value = words.get(fold(text))
        if value is None:
            self.error(name, code, text)
        return value

    def lookup(
        self,
        name: str,
        find: Callable[[str], tuple[V | None, str | None]],
        *,
        required: bool = False,
    ) -> V | None:
        """What `find` makes of the cell's text: (value, None), or (None, the code refusing it)."""
        text = self.text(name, required=required)
        if text is None:
            return None
        value, code = find(text)
        if code is not None:
            self.error(name, code, text)
            return None
        return value

    def _cell(self, name: str) -> Cell | Formula:
        index = self._columns.get(name)
        return None if index is None else self._cells[index]

    def _read(
        self, name: str, convert: Callable[[Cell], V | None], code: str | None, required: bool
    ) -> V | None:
        """The cell through `convert`: `code` when it raises ValueError (only converters that
        never do go without one), `missing_value` when it gives None for a `required` field."""
        cell = self._cell(name)
        if isinstance(cell, Formula):
            self.error(name, "formula", cell)
            return None
        try:
            value = convert(cell)
        except ValueError:
            if code is None:
                raise
            self.error(name, code, cell)
            return None
        if value is None and required:
            self.error(name, "missing_value")
        return value


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
