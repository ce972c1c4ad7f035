"""The report workbook: export of a period's reports and summaries, and import of history.

The workbook has three sheets, whose titles and column headers are part of the contract:

- 工作动态: one row per report (日期, 指导员, 层级, 所属区, 类型, 对象, 人次, 备注, 标签), ordered
  by date, district, instructor name and id. 层级 is the instructor's level, 所属区 the district
  the report was filed in, 标签 its campaign tags without # joined by 、 (四必谈、工资专项).
- 指导员汇总: one row per instructor and district with reports in the period, plus a row of
  zeros for each silent instructor of the scope (active, no report in the period; the same
  people /stats lists), in district then name order. A type column counts reports of that
  type; 人次合计 sums the person-times of all types.
- 各区汇总: one row per district of the scope (every district for the city, zeros included):
  reports per type, 人次合计, 指导员人数 (active instructors who had started by the period's
  end) and 活跃指导员 (instructors with at least one report there).

Rows are streamed: reports are read in batches (`yield_per`), each batch's tags in one more
query, and each batch is written into an openpyxl write-only workbook in a worker thread, so
neither the event loop nor memory grows with the number of reports. The summary figures come
from the same SQL aggregates as /stats (storage.reports.stats). With a campaign tag, every
sheet holds only the reports carrying it (silent instructors: those without such a report).

The import takes the layout of the 工作动态 sheet, so an export can be imported again.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.periods import Period
from storage.common.spreadsheets import (
    safe_cell,
)
from storage.common.text import LEVEL_LABELS, TYPE_LABELS
from storage.models import District, Instructor, Report
from storage.people.districts import list_districts
from storage.reports.stats import (
    TYPES,
    TypeFigures,
    active_in_scope,
    empty_figures,
    grouped_figures,
    report_filter,
    silent_instructors,
)
from storage.reports.tags import tags_of

REPORTS_SHEET = "工作动态"
INSTRUCTORS_SHEET = "指导员汇总"
DISTRICTS_SHEET = "各区汇总"

REPORT_COLUMNS: tuple[str, ...] = (
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
TAG_SEPARATOR = "、"
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
_REPORT_WIDTHS = (12, 10, 8, 8, 6, 30, 6, 50, 16)


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
    day, name, level, district, kind, target, person_times, note, tags = row
    return [
        day,
        name,
        LEVEL_LABELS.get(level, level),
        district,
        TYPE_LABELS.get(kind, kind),
        target,
        person_times,
        note,
        TAG_SEPARATOR.join(tags) or None,
    ]


def reports_query(period: Period, *, district_id: int | None, tag: str | None = None) -> Any:
    """The 工作动态 rows of a period and scope (with a tag), in the sheet's order, each ending
    with the report's id (for its tags)."""
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
            Report.id,
        )
        .join(Instructor, Instructor.id == Report.instructor_id)
        .join(District, District.id == Report.district_id)
        .where(*report_filter(period, district_id=district_id, tag=tag))
        .order_by(Report.date, Report.district_id, Instructor.name, Report.id)
    )


async def write_export(
    session: AsyncSession,
    period: Period,
    *,
    district_id: int | None,
    tag: str | None = None,
    path: Path | None = None,
) -> ExportResult:
    """Writes the workbook of `period` for a district (or the city) to `path`, or returns it;
    with `tag`, of the reports carrying it.

    Reports are fetched in batches while the previous batch is written in a worker thread;
    at most two batches are held at once.
    """
    writer = await asyncio.to_thread(_Writer)
    pending: asyncio.Future[None] | None = None
    try:
        query = reports_query(period, district_id=district_id, tag=tag).execution_options(
            yield_per=BATCH
        )
        result = await session.stream(query)
        async for partition in result.partitions(BATCH):
            tags = await tags_of(session, [row[-1] for row in partition])
            rows = [(*row[:-1], tags.get(row[-1], [])) for row in partition]
            if pending is not None:
                await pending
            pending = asyncio.ensure_future(asyncio.to_thread(writer.append_reports, rows))
        if pending is not None:
            await pending

        instructors = await instructor_summary(session, period, district_id=district_id, tag=tag)
        await asyncio.to_thread(writer.append, INSTRUCTORS_SHEET, instructors)
        districts = await district_summary(session, period, district_id=district_id, tag=tag)
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
    session: AsyncSession, period: Period, *, district_id: int | None, tag: str | None = None
) -> list[list[Any]]:
    """The 指导员汇总 rows: reporters per district with their figures, silent ones as zeros."""
    figures = await grouped_figures(
        session, period, Report.instructor_id, Report.district_id, district_id=district_id, tag=tag
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
    silent = await silent_instructors(session, period, district_id=district_id, tag=tag)
    for instructor_id, name, district in silent:
        cells = [name, district, *_figures_cells(empty_figures())]
        rows.append(((by_name[district], name, instructor_id), cells))
    rows.sort(key=lambda item: item[0])
    return [cells for _, cells in rows]


async def district_summary(
    session: AsyncSession, period: Period, *, district_id: int | None, tag: str | None = None
) -> list[list[Any]]:
    """The 各区汇总 rows: one per district of the scope, zeros included."""
    figures = await grouped_figures(
        session, period, Report.district_id, district_id=district_id, tag=tag
    )
    headcount_query = (
        select(Instructor.district_id, func.count(Instructor.id))
        .where(*active_in_scope(period, district_id, None))
        .group_by(Instructor.district_id)
    )
    headcount = {key: value for key, value in await session.execute(headcount_query)}
    active_query = (
        select(Report.district_id, func.count(Report.instructor_id.distinct()))
        .where(*report_filter(period, district_id=district_id, tag=tag))
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
