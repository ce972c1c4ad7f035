"""The report workbook: export of a period's reports and summaries, and import of history.

The workbook has three sheets, whose titles and column headers are part of the contract:

- 工作动态: one row per report (日期, 指导员, 层级, 所属区, 类型, 对象, 人次, 备注), ordered by
  date, district, instructor name and id. 层级 is the instructor's level, 所属区 the district
  the report was filed in.
- 指导员汇总: one row per instructor and district with reports in the period, plus a row of
  zeros for each silent instructor of the scope (active, no report in the period; the same
  people /stats lists), in district then name order. A type column counts reports of that
  type; 人次合计 sums the person-times of all types.
- 各区汇总: one row per district of the scope (every district for the city, zeros included):
  reports per type, 人次合计, 指导员人数 (active instructors who had started by the period's
  end) and 活跃指导员 (instructors with at least one report there).

Rows are streamed: reports are read in batches (`yield_per`) and each batch is written into
an openpyxl write-only workbook in a worker thread, so neither the event loop nor memory
grows with the number of reports. The summary figures come from the same SQL aggregates as
/stats (storage.stats).

The import takes the layout of the 工作动态 sheet, so an export can be imported again.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.districts import district_ids, import_district, list_districts
from storage.enterprises import normalize_enterprise_name
from storage.models import District, Enterprise, Instructor, Level, Report, ReportSource, ReportType
from storage.periods import Period
from storage.rollups import count_reports
from storage.roster import LEVELS, normalize_name
from storage.spreadsheets import (
    Cell,
    ImportResult,
    Row,
    RowError,
    cell_date,
    cell_int,
    cell_text,
    column_length,
    open_import,
    safe_cell,
)
from storage.stats import (
    TYPES,
    TypeFigures,
    active_in_scope,
    empty_figures,
    grouped_figures,
    report_filter,
    silent_instructors,
)

REPORTS_SHEET = "工作动态"
INSTRUCTORS_SHEET = "指导员汇总"
DISTRICTS_SHEET = "各区汇总"

TYPE_LABELS: dict[str, str] = {
    ReportType.VISIT.value: "走访",
    ReportType.GUIDANCE.value: "指导",
    ReportType.TRAINING.value: "培训",
    ReportType.NEGOTIATION.value: "协商",
    ReportType.CONTRACT.value: "签约",
    ReportType.OBSERVATION.value: "观摩",
    ReportType.OTHER.value: "其他",
}
LEVEL_LABELS: dict[str, str] = {
    Level.CITY.value: "市级",
    Level.DISTRICT.value: "区级",
    Level.STREET.value: "街乡级",
    Level.ENTERPRISE.value: "企业级",
}

REPORT_COLUMNS: tuple[str, ...] = (
    "日期",
    "指导员",
    "层级",
    "所属区",
    "类型",
    "对象",
    "人次",
    "备注",
)
# After the contract's columns (reports per type, 人次合计) come the person-times per type, so
# the sheet itself shows figures like "180 person-times of guidance" without summing by hand.
FIGURE_COLUMNS: tuple[str, ...] = (
    *(TYPE_LABELS[kind] for kind in TYPES),
    "人次合计",
    *(f"{TYPE_LABELS[kind]}人次" for kind in TYPES),
)
INSTRUCTOR_COLUMNS: tuple[str, ...] = ("指导员", "所属区", *FIGURE_COLUMNS)
DISTRICT_COLUMNS: tuple[str, ...] = (
    "所属区",
    *FIGURE_COLUMNS,
    "指导员人数",
    "活跃指导员",
)

BATCH = 1000
_REPORT_WIDTHS = (12, 10, 8, 8, 6, 30, 6, 50)


# --- export ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    """How many reports the workbook lists; `data` holds it when no path was given."""

    reports: int
    data: bytes | None = None


class _Writer:
    """A write-only workbook; each method runs in a worker thread, one call at a time."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)
        self.sheets: dict[str, Any] = {}
        self.rows = 0
        for title, columns, widths in (
            (REPORTS_SHEET, REPORT_COLUMNS, _REPORT_WIDTHS),
            (INSTRUCTORS_SHEET, INSTRUCTOR_COLUMNS, (10, 8, *([6] * len(TYPES)), 10)),
            (DISTRICTS_SHEET, DISTRICT_COLUMNS, (8, *([6] * len(TYPES)), 10, 10, 10)),
        ):
            sheet = self.workbook.create_sheet(title)
            for index, width in enumerate(widths):
                sheet.column_dimensions[get_column_letter(index + 1)].width = width
            sheet.freeze_panes = "A2"
            sheet.append(list(columns))
            self.sheets[title] = sheet

    def append(self, title: str, rows: Iterable[Sequence[Any]]) -> None:
        sheet = self.sheets[title]
        for row in rows:
            sheet.append([safe_cell(sheet, value) for value in row])

    def append_reports(self, rows: Sequence[Sequence[Any]]) -> None:
        self.append(REPORTS_SHEET, (_report_row(row) for row in rows))
        self.rows += len(rows)

    def discard(self) -> None:
        """Closes a workbook that will not be saved, so no half-written sheet is left open."""
        for sheet in self.sheets.values():
            try:
                sheet.close()
                sheet._writer.cleanup()  # the temporary file behind a write-only sheet
            except Exception:  # already closed, or never started: nothing to clean
                continue

    def save(self, path: Path | None) -> bytes | None:
        if path is not None:
            self.workbook.save(path)
            return None
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def _report_row(row: Sequence[Any]) -> list[Any]:
    day, name, level, district, kind, target, person_times, note = row
    return [
        day,
        name,
        LEVEL_LABELS.get(level, level),
        district,
        TYPE_LABELS.get(kind, kind),
        target,
        person_times,
        note,
    ]


def reports_query(period: Period, *, district_id: int | None) -> Any:
    """The 工作动态 rows of a period and scope, in the sheet's order."""
    return (
        select(
            Report.date,
            Instructor.name,
            Instructor.level,
            District.name,
            Report.type,
            Report.target,
            Report.person_times,
            Report.note,
        )
        .join(Instructor, Instructor.id == Report.instructor_id)
        .join(District, District.id == Report.district_id)
        .where(*report_filter(period, district_id=district_id))
        .order_by(Report.date, Report.district_id, Instructor.name, Report.id)
    )


async def write_export(
    session: AsyncSession, period: Period, *, district_id: int | None, path: Path | None = None
) -> ExportResult:
    """Writes the workbook of `period` for a district (or the city) to `path`, or returns it.

    Reports are fetched in batches while the previous batch is written in a worker thread;
    at most two batches are held at once.
    """
    writer = await asyncio.to_thread(_Writer)
    pending: asyncio.Future[None] | None = None
    try:
        query = reports_query(period, district_id=district_id).execution_options(yield_per=BATCH)
        result = await session.stream(query)
        async for partition in result.partitions(BATCH):
            rows = [tuple(row) for row in partition]
            if pending is not None:
                await pending
            pending = asyncio.ensure_future(asyncio.to_thread(writer.append_reports, rows))
        if pending is not None:
            await pending

        instructors = await instructor_summary(session, period, district_id=district_id)
        await asyncio.to_thread(writer.append, INSTRUCTORS_SHEET, instructors)
        districts = await district_summary(session, period, district_id=district_id)
        await asyncio.to_thread(writer.append, DISTRICTS_SHEET, districts)
        data = await asyncio.to_thread(writer.save, path)
    except BaseException:
        if pending is not None and not pending.done():
            # Never leave a thread writing into a workbook nobody waits for.
            await asyncio.gather(pending, return_exceptions=True)
        await asyncio.to_thread(writer.discard)
        raise
    return ExportResult(writer.rows, data)


def _figures_cells(figures: Mapping[str, TypeFigures]) -> list[int]:
    """The cells under FIGURE_COLUMNS."""
    return [
        *(figures[kind].reports for kind in TYPES),
        sum(item.person_times for item in figures.values()),
        *(figures[kind].person_times for kind in TYPES),
    ]


async def instructor_summary(
    session: AsyncSession, period: Period, *, district_id: int | None
) -> list[list[Any]]:
    """The 指导员汇总 rows: reporters per district with their figures, silent ones as zeros."""
    figures = await grouped_figures(
        session, period, Report.instructor_id, Report.district_id, district_id=district_id
    )
    ids = sorted({instructor_id for instructor_id, _ in figures})
    names: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        query = select(Instructor.id, Instructor.name).where(
            Instructor.id.in_(ids[start : start + 500])
        )
        names.update({id_: name for id_, name in await session.execute(query)})
    districts = {district.id: district.name for district in await list_districts(session)}
    rows: list[tuple[tuple[int, str, int], list[Any]]] = []
    for (instructor_id, report_district), per_type in figures.items():
        name = names[instructor_id]
        cells = [name, districts[report_district], *_figures_cells(per_type)]
        rows.append(((report_district, name, instructor_id), cells))
    by_name = {name: id_ for id_, name in districts.items()}
    silent = await silent_instructors(session, period, district_id=district_id)
    for instructor_id, name, district in silent:
        cells = [name, district, *_figures_cells(empty_figures())]
        rows.append(((by_name[district], name, instructor_id), cells))
    rows.sort(key=lambda item: item[0])
    return [cells for _, cells in rows]


async def district_summary(
    session: AsyncSession, period: Period, *, district_id: int | None
) -> list[list[Any]]:
    """The 各区汇总 rows: one per district of the scope, zeros included."""
    figures = await grouped_figures(session, period, Report.district_id, district_id=district_id)
    headcount_query = (
        select(Instructor.district_id, func.count(Instructor.id))
        .where(*active_in_scope(period, district_id, None))
        .group_by(Instructor.district_id)
    )
    headcount = {key: value for key, value in await session.execute(headcount_query)}
    active_query = (
        select(Report.district_id, func.count(Report.instructor_id.distinct()))
        .where(*report_filter(period, district_id=district_id))
        .group_by(Report.district_id)
    )
    active = {key: value for key, value in await session.execute(active_query)}
    rows = []
    for district in await list_districts(session):
        if district_id is not None and district.id != district_id:
            continue
        per_type = figures.get((district.id,), empty_figures())
        rows.append(
            [
                district.name,
                *_figures_cells(per_type),
                int(headcount.get(district.id, 0)),
                int(active.get(district.id, 0)),
            ]
        )
    return rows


# --- import ----------------------------------------------------------------------------------

ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("日期", "工作日期", "时间", "day"),
    "instructor": ("指导员", "指导员姓名", "姓名", "name"),
    "level": ("层级", "级别"),
    "district": ("所属区", "区", "所在区", "区县", "所属区县"),
    "type": ("类型", "工作类型", "kind"),
    "target": ("对象", "工作对象", "企业", "企业名称", "企业或街道"),
    "person_times": ("人次", "人数", "person-times", "persons"),
    "note": ("备注", "内容", "说明", "notes", "remark"),
}
REQUIRED = ("date", "instructor", "district", "type", "target")


def _fold(text: str) -> str:
    return re.sub(r"[\s\u3000_\-#＃]", "", text).casefold()


TYPE_WORDS: dict[str, str] = {
    _fold(word): kind
    for kind, label in TYPE_LABELS.items()
    for word in (kind, label, *(("其它",) if kind == ReportType.OTHER.value else ()))
}

Key = tuple[int, date, str, str, int, str | None]  # instructor, date, type, target, 人次, note


@dataclass
class _Parsed:
    row: int
    name: str
    district_id: int
    date: date
    type: str
    target: str
    person_times: int
    note: str | None


def _parse_row(
    row: Row,
    columns: Mapping[str, int],
    districts: Mapping[str, int],
    only_district_id: int | None,
    today: date,
    errors: list[RowError],
) -> _Parsed | None:
    count = len(errors)

    def error(name: str, code: str, value: Cell = None) -> None:
        errors.append(RowError(row.number, name, code, cell_text(value)))

    def cell(name: str) -> Cell:
        return row.cells[columns[name]] if name in columns else None

    try:
        day = cell_date(cell("date"))
    except ValueError:
        day = None
        error("date", "bad_date", cell("date"))
    else:
        if day is None:
            error("date", "missing_value")
        elif day > today:
            error("date", "future_date", cell("date"))

    name = cell_text(cell("instructor"))
    if name is None:
        error("instructor", "missing_value")
    else:
        name = normalize_name(name)

    district = cell_text(cell("district"))
    district_id = None
    if district is None:
        error("district", "missing_value")
    else:
        district_id, problem = import_district(districts, district, only_district_id)
        if problem:
            error("district", problem, district)

    # 层级 is the instructor's, shown for readers; it is checked but not stored.
    level = cell_text(cell("level"))
    if level is not None and re.sub(r"[\s\u3000_\-]", "", level).casefold() not in LEVELS:
        error("level", "unknown_level", level)

    kind_text = cell_text(cell("type"))
    kind = None
    if kind_text is None:
        error("type", "missing_value")
    else:
        kind = TYPE_WORDS.get(_fold(kind_text))
        if kind is None:
            error("type", "unknown_type", kind_text)

    target = cell_text(cell("target"))
    if target is None:
        error("target", "missing_value")
    elif len(target) > (column_length(Report, "target") or len(target)):
        error("target", "too_long", target)

    try:
        person_times = cell_int(cell("person_times")) or 0
    except ValueError:
        person_times = 0
        error("person_times", "bad_number", cell("person_times"))
    else:
        if person_times < 0:
            error("person_times", "bad_number", cell("person_times"))

    note = cell_text(cell("note"))
    if len(errors) > count:
        return None
    assert day and name and district_id is not None and kind and target
    return _Parsed(row.number, name, district_id, day, kind, target, person_times, note)


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _instructors(
    session: AsyncSession, names: Iterable[str]
) -> tuple[dict[tuple[int, str], int], dict[str, list[int]]]:
    """(district, name) → id, and name → ids city-wide, for the instructors named."""
    by_key: dict[tuple[int, str], int] = {}
    by_name: dict[str, list[int]] = {}
    for chunk in _chunks(sorted(set(names))):
        query = select(Instructor.id, Instructor.district_id, Instructor.name).where(
            Instructor.name.in_(chunk)
        )
        for id_, district_id, name in await session.execute(query):
            by_key[(district_id, name)] = id_
            by_name.setdefault(name, []).append(id_)
    return by_key, by_name


async def _enterprises(session: AsyncSession, targets: Iterable[str]) -> dict[str, int]:
    """Normalized enterprise name → id for the targets that name a registered enterprise."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted({normalize_enterprise_name(target) for target in targets})):
        query = select(Enterprise.name, Enterprise.id).where(Enterprise.name.in_(chunk))
        found.update({name: id_ for name, id_ in await session.execute(query)})
    return found


async def _existing(
    session: AsyncSession, instructor_ids: Sequence[int], first: date, last: date
) -> Counter[Key]:
    """How often each (instructor, date, type, target, 人次, note) is already recorded."""
    found: Counter[Key] = Counter()
    for chunk in _chunks(sorted(set(instructor_ids))):
        query = (
            select(
                Report.instructor_id,
                Report.date,
                Report.type,
                Report.target,
                Report.person_times,
                Report.note,
                func.count(Report.id),
            )
            .where(
                Report.deleted_at.is_(None),
                Report.instructor_id.in_(chunk),
                Report.date >= first,
                Report.date <= last,
            )
            .group_by(
                Report.instructor_id,
                Report.date,
                Report.type,
                Report.target,
                Report.person_times,
                Report.note,
            )
        )
        for *key, count in await session.execute(query):
            found[tuple(key)] += int(count)  # type: ignore[index]
    return found


async def import_reports(
    session: AsyncSession,
    data: bytes,
    filename: str | None,
    *,
    only_district_id: int | None,
    today: date,
) -> ImportResult:
    """Imports report history in the layout of the 工作动态 sheet, all-or-nothing.

    An instructor is found by (所属区, 指导员), or by the name alone when only one instructor
    bears it (someone who has moved since). 对象 naming a registered enterprise links it. A
    row already recorded (same instructor, date, type, target, 人次 and note) is left as it
    is; a row the file holds n times is recorded n times in all, so importing a file again
    changes nothing. Dates may lie far back but not after `today`.
    """
    opened = open_import(data, filename, ALIASES, REQUIRED, sheet=REPORTS_SHEET)
    if isinstance(opened, ImportResult):
        return opened
    table, columns = opened

    districts = await district_ids(session)
    errors: list[RowError] = []
    parsed = [
        row
        for row in (
            _parse_row(r, columns, districts, only_district_id, today, errors) for r in table.rows
        )
        if row is not None
    ]
    by_key, by_name = await _instructors(session, (row.name for row in parsed))
    enterprises = await _enterprises(session, (row.target for row in parsed))
    keyed: list[tuple[Key, _Parsed, int | None]] = []
    for row in parsed:
        instructor_id = by_key.get((row.district_id, row.name))
        if instructor_id is None and len(by_name.get(row.name, [])) == 1:
            instructor_id = by_name[row.name][0]
        if instructor_id is None:
            errors.append(RowError(row.row, "instructor", "unknown_instructor", row.name))
            continue
        enterprise_name = normalize_enterprise_name(row.target)
        enterprise_id = enterprises.get(enterprise_name)
        target = enterprise_name if enterprise_id is not None else row.target
        key: Key = (instructor_id, row.date, row.type, target, row.person_times, row.note)
        keyed.append((key, row, enterprise_id))
    if errors:
        errors.sort(key=lambda error: error.row)
        return ImportResult(errors=errors)
    if not keyed:
        return ImportResult()

    existing = await _existing(
        session,
        [key[0] for key, _, _ in keyed],
        min(key[1] for key, _, _ in keyed),
        max(key[1] for key, _, _ in keyed),
    )
    result = ImportResult()
    new: list[dict[str, Any]] = []
    for key, row, enterprise_id in keyed:
        if existing[key] > 0:
            existing[key] -= 1
            result.unchanged += 1
            continue
        instructor_id, day, kind, target, person_times, note = key
        new.append(
            {
                "instructor_id": instructor_id,
                "district_id": row.district_id,
                "date": day,
                "type": kind,
                "enterprise_id": enterprise_id,
                "target": target,
                "person_times": person_times,
                "note": note,
                "source": ReportSource.IMPORT.value,
            }
        )
    for chunk in _chunks(new, 1000):
        await session.execute(insert(Report), list(chunk))
    await count_reports(session, new)
    result.created = len(new)
    return result
