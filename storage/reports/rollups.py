"""Monthly rollups of reports, kept exact on every write.

`report_month_totals` counts the reports and person-times that are not deleted per (month,
district filed in, instructor, type); `report_month_enterprises` counts them per (month,
district, linked enterprise). Every write of reports goes through `count_report` /
`count_reports` (create, edit, delete, import), so that statistics of whole months read a few
thousand rollup rows instead of every report. Rows may fall to zero and stay; readers skip
them. `rebuild_rollups` recomputes both tables from the reports (after raw bulk writes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, delete, func, insert, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import Report, ReportMonthEnterprise, ReportMonthTotal

CHUNK = 500  # rows per upsert: 6 parameters each, well under SQLite's limit

# The fields of a report that the rollups count.
COUNTED: tuple[str, ...] = (
    "date",
    "district_id",
    "instructor_id",
    "type",
    "person_times",
    "enterprise_id",
)

TotalKey = tuple[date, int, int, str]
EnterpriseKey = tuple[date, int, int]


def month_start(day: date | str) -> date:
    """The first day of the day's month."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return day.replace(day=1)


def counted(values: Mapping[str, Any]) -> dict[str, Any]:
    """The counted fields of a report (a mapping or a Report's attributes)."""
    return {name: values[name] for name in COUNTED}


def counted_of(report: Report) -> dict[str, Any]:
    return {name: getattr(report, name) for name in COUNTED}


_insert = dialect_insert


async def apply_counts(
    session: AsyncSession, signed: Iterable[tuple[Mapping[str, Any], int]]
) -> None:
    """Adds `sign` (+1 or -1) times each report's figures to both rollups.

    The changes are summed per rollup row in Python first, then written with one
    INSERT … ON CONFLICT DO UPDATE per chunk of rows, in key order (so that concurrent
    writers lock rows in the same order); rows whose change nets to zero are not written.
    """
    totals: dict[TotalKey, list[int]] = {}
    enterprises: dict[EnterpriseKey, int] = {}
    for values, sign in signed:
        month = month_start(values["date"])
        key = (month, int(values["district_id"]), int(values["instructor_id"]), str(values["type"]))
        figures = totals.setdefault(key, [0, 0])
        figures[0] += sign
        figures[1] += sign * int(values["person_times"])
        if values.get("enterprise_id") is not None:
            enterprise_key = (month, int(values["district_id"]), int(values["enterprise_id"]))
            enterprises[enterprise_key] = enterprises.get(enterprise_key, 0) + sign
    insert_ = _insert(session)
    total_rows = [
        {
            "month": month,
            "district_id": district_id,
            "instructor_id": instructor_id,
            "type": kind,
            "reports": reports,
            "person_times": person_times,
        }
        for (month, district_id, instructor_id, kind), (reports, person_times) in sorted(
            totals.items()
        )
        if reports or person_times
    ]
    for start in range(0, len(total_rows), CHUNK):
        statement = insert_(ReportMonthTotal).values(total_rows[start : start + CHUNK])
        statement = statement.on_conflict_do_update(
            index_elements=[
                ReportMonthTotal.month,
                ReportMonthTotal.district_id,
                ReportMonthTotal.instructor_id,
                ReportMonthTotal.type,
            ],
            set_={
                "reports": ReportMonthTotal.reports + statement.excluded.reports,
                "person_times": ReportMonthTotal.person_times + statement.excluded.person_times,
            },
        )
        await session.execute(statement)
    enterprise_rows = [
        {"month": month, "district_id": district_id, "enterprise_id": enterprise_id, "reports": n}
        for (month, district_id, enterprise_id), n in sorted(enterprises.items())
        if n
    ]
    for start in range(0, len(enterprise_rows), CHUNK):
        statement = insert_(ReportMonthEnterprise).values(enterprise_rows[start : start + CHUNK])
        statement = statement.on_conflict_do_update(
            index_elements=[
                ReportMonthEnterprise.month,
                ReportMonthEnterprise.district_id,
                ReportMonthEnterprise.enterprise_id,
            ],
            set_={"reports": ReportMonthEnterprise.reports + statement.excluded.reports},
        )
        await session.execute(statement)


async def count_report(session: AsyncSession, values: Mapping[str, Any], sign: int) -> None:
    """Counts one report in (+1) or out (-1) of the rollups."""
    await apply_counts(session, [(values, sign)])


async def count_reports(
    session: AsyncSession, rows: Iterable[Mapping[str, Any]], sign: int = 1
) -> None:
    """Counts many reports in (+1) or out (-1) of the rollups, e.g. the rows of an import."""
    await apply_counts(session, ((row, sign) for row in rows))


async def recount_report(
    session: AsyncSession, old: Mapping[str, Any], new: Mapping[str, Any]
) -> None:
    """Moves an edited report's figures from its old values to its new ones."""
    if counted(old) != counted(new):
        await apply_counts(session, [(old, -1), (new, 1)])


def month_expression(session: AsyncSession, column: Any) -> ColumnElement[Any]:
    """The first day of a date column's month, in SQL, for SQLite and PostgreSQL alike."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(literal_column("'month'"), column), Date)
    return func.date(column, literal_column("'start of month'"), type_=Date)


async def rebuild_rollups(session: AsyncSession) -> None:
    """Recomputes both rollups from the reports, for data written around count_report."""
    month = month_expression(session, Report.date)
    counted_reports = Report.deleted_at.is_(None)
    await session.execute(delete(ReportMonthTotal))
    await session.execute(delete(ReportMonthEnterprise))
    await session.execute(
        insert(ReportMonthTotal).from_select(
            ["month", "district_id", "instructor_id", "type", "reports", "person_times"],
            select(
                month,
                Report.district_id,
                Report.instructor_id,
                Report.type,
                func.count(Report.id),
                func.coalesce(func.sum(Report.person_times), 0),
            )
            .where(counted_reports)
            .group_by(month, Report.district_id, Report.instructor_id, Report.type),
        )
    )
    await session.execute(
        insert(ReportMonthEnterprise).from_select(
            ["month", "district_id", "enterprise_id", "reports"],
            select(month, Report.district_id, Report.enterprise_id, func.count(Report.id))
            .where(counted_reports, Report.enterprise_id.is_not(None))
            .group_by(month, Report.district_id, Report.enterprise_id),
        )
    )
