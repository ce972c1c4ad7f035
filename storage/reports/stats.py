"""Statistics of progress reports: per type, per district, per instructor, per month.

Every figure is a SQL aggregate (GROUP BY, count(distinct …)) over the reports of a period in
a scope; nothing loads reports into Python. The same queries serve /stats, `xieshang stats`
and the export's summary sheets. Deleted reports never count. A report counts for the
district it was filed in (`Report.district_id`, the reporter's district at the time), so
figures stay true when an instructor moves.

A period of whole months (a month, quarter or year) in the city or a district is read from
the monthly rollups (storage.reports.rollups: report_month_totals, report_month_enterprises), which
every write keeps exact; other periods (weeks, day ranges) and an instructor's own figures
are read from the reports. Both give the same figures.

A campaign tag (`tag`, stored form) narrows every figure to the reports carrying it: the counts,
the coverage, who reported, who is silent (no report with the tag) and the ranking. The rollups
know no tags, so figures with a tag are always read from the reports, by the same queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.periods import Period
from storage.models import (
    District,
    Enterprise,
    Instructor,
    Report,
    ReportMonthEnterprise,
    ReportMonthTotal,
    ReportType,
    Status,
)
from storage.reports.tags import tagged

TYPES: tuple[str, ...] = tuple(kind.value for kind in ReportType)
RANKING_SIZE = 5


@dataclass(frozen=True)
class TypeFigures:
    reports: int = 0
    person_times: int = 0


@dataclass(frozen=True)
class InstructorFigures:
    id: int
    name: str
    district: str
    reports: int
    person_times: int


@dataclass(frozen=True)
class PersonFigures:
    """One instructor's figures of a period: per type, and the enterprises their reports
    covered."""

    by_type: dict[str, TypeFigures]
    enterprises_covered: int = 0

    @property
    def reports(self) -> int:
        return sum(figures.reports for figures in self.by_type.values())

    @property
    def person_times(self) -> int:
        return sum(figures.person_times for figures in self.by_type.values())


@dataclass
class Stats:
    """The figures of one period in one scope (the city, a district, or one instructor).

    `silent_instructors` are active instructors of the scope (by home district) who filed no
    report at all in the period and had started by its end: (id, name, district name), in
    district then name order. With `ranking`, `top` holds the five with most reports (then
    person-times) among those who reported, and `bottom` the five with fewest among all active
    instructors of the scope, zero reporters included, never repeating someone in `top`.
    """

    period: Period
    district_id: int | None = None
    district: str | None = None
    instructor_id: int | None = None
    tag: str | None = None
    by_type: dict[str, TypeFigures] = field(default_factory=dict)
    total_reports: int = 0
    total_person_times: int = 0
    enterprises_covered: int = 0
    active_instructors: int = 0
    silent_instructors: list[tuple[int, str, str]] = field(default_factory=list)
    top: list[InstructorFigures] = field(default_factory=list)
    bottom: list[InstructorFigures] = field(default_factory=list)

    @property
    def silent_count(self) -> int:
        return len(self.silent_instructors)


def report_filter(
    period: Period,
    *,
    district_id: int | None = None,
    instructor_id: int | None = None,
    tag: str | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE clauses that pick the counted reports of a period and scope (with a tag)."""
    clauses: list[ColumnElement[bool]] = [
        Report.deleted_at.is_(None),
        Report.date >= period.start,
        Report.date <= period.end,
    ]
    if district_id is not None:
        clauses.append(Report.district_id == district_id)
    if instructor_id is not None:
        clauses.append(Report.instructor_id == instructor_id)
    if tag is not None:
        clauses.append(tagged(tag))
    return clauses


def figures_query(
    period: Period,
    *group: Any,
    district_id: int | None = None,
    instructor_id: int | None = None,
    tag: str | None = None,
) -> Select[Any]:
    """(*group, type, reports, person-times) of the scope's reports, grouped by `group` and type."""
    scope = report_filter(period, district_id=district_id, instructor_id=instructor_id, tag=tag)
    return (
        select(
            *group,
            Report.type,
            func.count(Report.id),
            func.coalesce(func.sum(Report.person_times), 0),
        )
        .where(*scope)
        .group_by(*group, Report.type)
    )


def empty_figures() -> dict[str, TypeFigures]:
    """A zero for every report type, in ReportType order."""
    return {kind: TypeFigures() for kind in TYPES}


async def grouped_figures(
    session: AsyncSession,
    period: Period,
    *group: Any,
    district_id: int | None = None,
    instructor_id: int | None = None,
    tag: str | None = None,
) -> dict[tuple[Any, ...], dict[str, TypeFigures]]:
    """Figures per type for each value of `group` (e.g. per district), types in order."""
    query = figures_query(
        period, *group, district_id=district_id, instructor_id=instructor_id, tag=tag
    )
    result: dict[tuple[Any, ...], dict[str, TypeFigures]] = {}
    for row in await session.execute(query):
        *key, kind, reports, person_times = row
        figures = result.setdefault(tuple(key), empty_figures())
        if kind in figures:
            figures[kind] = TypeFigures(int(reports), int(person_times))
    return result


def active_in_scope(
    period: Period, district_id: int | None, instructor_id: int | None
) -> list[ColumnElement[bool]]:
    """Active instructors of the scope (by home district) who had started by the period's end."""
    clauses: list[ColumnElement[bool]] = [
        Instructor.status == Status.ACTIVE.value,
        or_(Instructor.start_date.is_(None), Instructor.start_date <= period.end),
    ]
    if district_id is not None:
        clauses.append(Instructor.district_id == district_id)
    if instructor_id is not None:
        clauses.append(Instructor.id == instructor_id)
    return clauses


def month_aligned(period: Period) -> bool:
    """Tells whether the period is whole months: from a 1st to the last day of a month."""
    return (
        period.start <= period.end
        and period.start.day == 1
        and (period.end + timedelta(days=1)).day == 1
    )


def uses_rollups(period: Period, instructor_id: int | None, tag: str | None = None) -> bool:
    """Whole months in the city or a district, without a tag, are read from the monthly
    rollups."""
    return instructor_id is None and tag is None and month_aligned(period)


def rollup_filter(
    table: type[ReportMonthTotal] | type[ReportMonthEnterprise],
    period: Period,
    district_id: int | None,
) -> list[ColumnElement[bool]]:
    """The WHERE clauses that pick a month-aligned period's rollup rows in a scope."""
    clauses: list[ColumnElement[bool]] = [table.month >= period.start, table.month <= period.end]
    if district_id is not None:
        clauses.append(table.district_id == district_id)
    return clauses


async def compute_stats(
    session: AsyncSession,
    period: Period,
    *,
    district_id: int | None = None,
    instructor_id: int | None = None,
    tag: str | None = None,
    ranking: bool = False,
    rollups: bool = True,
) -> Stats:
    """The figures of `period` for the city, a district (`district_id`) or one instructor,
    of the reports carrying `tag` if one is given.

    Whole months in the city or a district without a tag come from the monthly rollups;
    `rollups=False` reads the reports instead (the same figures, slower).
    """
    scope: dict[str, Any] = {"district_id": district_id, "instructor_id": instructor_id, "tag": tag}
    stats = Stats(period=period, district_id=district_id, instructor_id=instructor_id, tag=tag)
    if district_id is not None:
        stats.district = await session.scalar(
            select(District.name).where(District.id == district_id)
        )
    from_rollups = rollups and uses_rollups(period, instructor_id, tag)

    if from_rollups:
        await _stats_from_rollups(session, stats, ranking=ranking)
        return stats

    if instructor_id is not None:
        # One instructor's figures come from the batch that the evaluation's dossiers use.
        person = (
            await instructor_figures(
                session, period, [instructor_id], district_id=district_id, tag=tag
            )
        )[instructor_id]
        stats.by_type = person.by_type
        stats.total_reports = person.reports
        stats.total_person_times = person.person_times
        stats.enterprises_covered = person.enterprises_covered
        stats.active_instructors = 1 if person.reports else 0
    else:
        by_type = (await grouped_figures(session, period, **scope)).get((), empty_figures())
        stats.by_type = by_type
        stats.total_reports = sum(figures.reports for figures in by_type.values())
        stats.total_person_times = sum(figures.person_times for figures in by_type.values())

        covered = select(
            func.count(Report.enterprise_id.distinct()),
            func.count(Report.instructor_id.distinct()),
        ).where(*report_filter(period, **scope))
        enterprises, instructors = (await session.execute(covered)).one()
        stats.enterprises_covered = int(enterprises)
        stats.active_instructors = int(instructors)

    stats.silent_instructors = await silent_instructors(
        session, period, district_id=district_id, instructor_id=instructor_id, tag=tag
    )
    if ranking and instructor_id is None:
        per_instructor = _reports_per_instructor(period, district_id, tag)
        stats.top, stats.bottom = await _ranking(session, period, district_id, per_instructor)
    return stats


# Instructor ids per IN (…) list: well under SQLite's limit of bound parameters.
ID_CHUNK = 500


async def instructor_figures(
    session: AsyncSession,
    period: Period,
    instructor_ids: Sequence[int],
    *,
    district_id: int | None = None,
    tag: str | None = None,
) -> dict[int, PersonFigures]:
    """Each instructor's figures of `period` (zeros for one without reports): two GROUP BY
    queries per 500 instructors, whoever asks — one person's /stats and the evaluation's
    dossiers of a whole city read the same rows the same way."""
    found = {instructor_id: PersonFigures(empty_figures()) for instructor_id in instructor_ids}
    ids = list(found)
    for start in range(0, len(ids), ID_CHUNK):
        chunk = Report.instructor_id.in_(ids[start : start + ID_CHUNK])
        figures = figures_query(
            period, Report.instructor_id, district_id=district_id, tag=tag
        ).where(chunk)
        by_type: dict[int, dict[str, TypeFigures]] = {}
        for instructor_id, kind, reports, person_times in await session.execute(figures):
            person = by_type.setdefault(int(instructor_id), empty_figures())
            if kind in person:
                person[kind] = TypeFigures(int(reports), int(person_times))
        covered = (
            select(Report.instructor_id, func.count(Report.enterprise_id.distinct()))
            .where(*report_filter(period, district_id=district_id, tag=tag), chunk)
            .group_by(Report.instructor_id)
        )
        enterprises = {int(i): int(n) for i, n in await session.execute(covered)}
        for instructor_id, person in by_type.items():
            found[instructor_id] = PersonFigures(person, enterprises.get(instructor_id, 0))
    return found


async def _stats_from_rollups(session: AsyncSession, stats: Stats, *, ranking: bool) -> None:
    """Fills the figures of a whole-month period in the city or a district from the rollups.

    One GROUP BY (instructor, type) over the rollup rows gives the figures per type, per
    instructor and the number who reported; the ranking orders those few rows in Python,
    with the instructors' name order taken from SQL so that it matches the reports path.
    """
    period, district_id = stats.period, stats.district_id
    query = (
        select(
            ReportMonthTotal.instructor_id,
            ReportMonthTotal.type,
            func.sum(ReportMonthTotal.reports),
            func.sum(ReportMonthTotal.person_times),
        )
        .where(*rollup_filter(ReportMonthTotal, period, district_id))
        .group_by(ReportMonthTotal.instructor_id, ReportMonthTotal.type)
    )
    by_type = {kind: [0, 0] for kind in TYPES}
    per_instructor: dict[int, list[int]] = {}
    for instructor_id, kind, reports, person_times in await session.execute(query):
        reports, person_times = int(reports or 0), int(person_times or 0)
        if not reports:
            continue
        if kind in by_type:
            by_type[kind][0] += reports
            by_type[kind][1] += person_times
        figures = per_instructor.setdefault(int(instructor_id), [0, 0])
        figures[0] += reports
        figures[1] += person_times
    stats.by_type = {kind: TypeFigures(*figures) for kind, figures in by_type.items()}
    stats.total_reports = sum(figures.reports for figures in stats.by_type.values())
    stats.total_person_times = sum(figures.person_times for figures in stats.by_type.values())
    stats.active_instructors = len(per_instructor)

    # One probe of ix_report_month_enterprises_enterprise_id_district_id_month per enterprise:
    # a DISTINCT over every (month, district) row of a year took several times as long.
    visited = exists().where(
        ReportMonthEnterprise.enterprise_id == Enterprise.id,
        *rollup_filter(ReportMonthEnterprise, period, district_id),
        ReportMonthEnterprise.reports > 0,
    )
    covered = select(func.count()).select_from(Enterprise).where(visited)
    stats.enterprises_covered = int(await session.scalar(covered) or 0)

    stats.silent_instructors = await silent_instructors(session, period, district_id=district_id)
    if ranking:
        stats.top, stats.bottom = await _ranking_of(session, period, district_id, per_instructor)


async def _ranking_of(
    session: AsyncSession,
    period: Period,
    district_id: int | None,
    per_instructor: dict[int, list[int]],
) -> tuple[list[InstructorFigures], list[InstructorFigures]]:
    """The ranking of `_ranking`, from (reports, person-times) per instructor who reported."""
    in_scope = case((and_(*active_in_scope(period, district_id, None)), 1), else_=0)
    query = (
        select(Instructor.id, Instructor.name, District.name, in_scope)
        .join(District, District.id == Instructor.district_id)
        .order_by(Instructor.name, Instructor.id)
    )
    people = [
        (position, int(id_), name, district, bool(active))
        for position, (id_, name, district, active) in enumerate(await session.execute(query))
    ]

    def figures(id_: int, name: str, district: str) -> InstructorFigures:
        reports, person_times = per_instructor.get(id_, (0, 0))
        return InstructorFigures(id_, name, district, reports, person_times)

    reported = [
        (position, figures(id_, name, district))
        for position, id_, name, district, _ in people
        if id_ in per_instructor
    ]
    reported.sort(key=lambda item: (-item[1].reports, -item[1].person_times, item[0]))
    top = [item for _, item in reported[:RANKING_SIZE]]
    taken = {item.id for item in top}
    # Someone who reported in this scope belongs to it even after moving or leaving.
    candidates = [
        (position, figures(id_, name, district))
        for position, id_, name, district, active in people
        if (active or id_ in per_instructor) and id_ not in taken
    ]
    candidates.sort(key=lambda item: (item[1].reports, item[1].person_times, item[0]))
    bottom = [item for _, item in candidates[:RANKING_SIZE]]
    return top, bottom


def _reports_per_instructor(period: Period, district_id: int | None, tag: str | None) -> Any:
    """(instructor_id, reports, person_times) of those who reported in the scope."""
    return (
        select(
            Report.instructor_id.label("instructor_id"),
            func.count(Report.id).label("reports"),
            func.coalesce(func.sum(Report.person_times), 0).label("person_times"),
        )
        .where(*report_filter(period, district_id=district_id, tag=tag))
        .group_by(Report.instructor_id)
        .subquery()
    )


async def silent_instructors(
    session: AsyncSession,
    period: Period,
    *,
    district_id: int | None = None,
    instructor_id: int | None = None,
    tag: str | None = None,
) -> list[tuple[int, str, str]]:
    """(id, name, district) of the scope's active instructors without any report in the period.

    Silent means no report at all in the period (with `tag`: none carrying it), wherever it
    was filed; someone who had not started by the period's end is not silent. Ordered by
    district, then name.
    """
    reported = exists().where(
        Report.instructor_id == Instructor.id, *report_filter(period, tag=tag)
    )
    query = (
        select(Instructor.id, Instructor.name, District.name)
        .join(District, District.id == Instructor.district_id)
        .where(*active_in_scope(period, district_id, instructor_id), ~reported)
        .order_by(Instructor.district_id, Instructor.name, Instructor.id)
    )
    return [(int(id_), name, district) for id_, name, district in await session.execute(query)]


async def _ranking(
    session: AsyncSession, period: Period, district_id: int | None, per_instructor: Any
) -> tuple[list[InstructorFigures], list[InstructorFigures]]:
    reports = func.coalesce(per_instructor.c.reports, 0)
    person_times = func.coalesce(per_instructor.c.person_times, 0)
    base = (
        select(Instructor.id, Instructor.name, District.name, reports, person_times)
        .join(District, District.id == Instructor.district_id)
        .outerjoin(per_instructor, per_instructor.c.instructor_id == Instructor.id)
    )
    top_query = (
        base.where(per_instructor.c.instructor_id.is_not(None))
        .order_by(reports.desc(), person_times.desc(), Instructor.name, Instructor.id)
        .limit(RANKING_SIZE)
    )
    top = [_figures(row) for row in await session.execute(top_query)]
    # Someone who reported in this scope belongs to it even after moving or leaving.
    in_scope = or_(
        and_(*active_in_scope(period, district_id, None)),
        per_instructor.c.instructor_id.is_not(None),
    )
    bottom_query = base.where(in_scope).order_by(
        reports, person_times, Instructor.name, Instructor.id
    )
    if top:
        bottom_query = bottom_query.where(Instructor.id.not_in([figures.id for figures in top]))
    bottom = [_figures(row) for row in await session.execute(bottom_query.limit(RANKING_SIZE))]
    return top, bottom


def _figures(row: Sequence[Any]) -> InstructorFigures:
    id_, name, district, reports, person_times = row
    return InstructorFigures(int(id_), name, district, int(reports), int(person_times))


def month_of(session: AsyncSession, column: Any) -> ColumnElement[str]:
    """A column's date as "YYYY-MM" in SQL, for SQLite and PostgreSQL alike."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return func.to_char(column, literal_column("'YYYY-MM'"))
    # Inline constants, not bound parameters: the expression must read the same in GROUP BY.
    return func.strftime(literal_column("'%Y-%m'"), column)


async def monthly_counts(
    session: AsyncSession,
    period: Period,
    *,
    district_id: int | None = None,
    instructor_id: int | None = None,
    tag: str | None = None,
    rollups: bool = True,
) -> list[tuple[str, str, int]]:
    """(month "YYYY-MM", type, reports) for each month and type with reports, in order.

    Whole months in the city or a district without a tag come from the monthly rollups
    unless `rollups` is False.
    """
    if rollups and uses_rollups(period, instructor_id, tag):
        rollup_month = month_of(session, ReportMonthTotal.month).label("month")
        reports = func.sum(ReportMonthTotal.reports)
        rollup_query = (
            select(rollup_month, ReportMonthTotal.type, reports)
            .where(*rollup_filter(ReportMonthTotal, period, district_id))
            .group_by(rollup_month, ReportMonthTotal.type)
            .having(reports > 0)
            .order_by(rollup_month, ReportMonthTotal.type)
        )
        rows = await session.execute(rollup_query)
        return [(str(m), str(kind), int(count)) for m, kind, count in rows]
    month = month_of(session, Report.date).label("month")
    scope = report_filter(period, district_id=district_id, instructor_id=instructor_id, tag=tag)
    query = (
        select(month, Report.type, func.count(Report.id))
        .where(*scope)
        .group_by(month, Report.type)
        .order_by(month, Report.type)
    )
    return [(str(m), str(kind), int(count)) for m, kind, count in await session.execute(query)]


def stats_json(stats: Stats) -> dict[str, Any]:
    """The figures as plain JSON-ready values, for `xieshang stats --json`."""

    def person(figures: InstructorFigures) -> dict[str, Any]:
        return {
            "id": figures.id,
            "name": figures.name,
            "district": figures.district,
            "reports": figures.reports,
            "person_times": figures.person_times,
        }

    return {
        "period": {
            "key": stats.period.key,
            "start": stats.period.start.isoformat(),
            "end": stats.period.end.isoformat(),
        },
        "district_id": stats.district_id,
        "district": stats.district,
        "instructor_id": stats.instructor_id,
        "tag": stats.tag,
        "by_type": {
            kind: {"reports": figures.reports, "person_times": figures.person_times}
            for kind, figures in stats.by_type.items()
        },
        "total_reports": stats.total_reports,
        "total_person_times": stats.total_person_times,
        "enterprises_covered": stats.enterprises_covered,
        "active_instructors": stats.active_instructors,
        "silent_count": stats.silent_count,
        "silent_instructors": [
            {"id": id_, "name": name, "district": district}
            for id_, name, district in stats.silent_instructors
        ],
        "top": [person(figures) for figures in stats.top],
        "bottom": [person(figures) for figures in stats.bottom],
    }
