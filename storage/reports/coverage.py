"""Visit coverage: which registered enterprises have been visited (走访) in the current round.

A round is a half-year: 1 January–30 June and 1 July–31 December. An enterprise counts as
visited when a report of type visit that is linked to it (`enterprise_id`) and not deleted
falls in the round, whoever filed it. A district's coverage is about the enterprises
registered in that district.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import District, Enterprise, Report, ReportType


@dataclass
class Coverage:
    """Registered vs. visited enterprises of a round; `not_visited` as (id, name, district)."""

    round_start: date
    round_end: date
    registered: int = 0
    visited: int = 0
    not_visited: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def round_key(self) -> str:
        """The round's key: 2026-H1 or 2026-H2."""
        return f"{self.round_start.year:04d}-H{1 if self.round_start.month == 1 else 2}"


def visit_round(today: date) -> tuple[date, date]:
    """The half-year that holds `today`: (1 Jan, 30 Jun) or (1 Jul, 31 Dec)."""
    if today.month <= 6:
        return date(today.year, 1, 1), date(today.year, 6, 30)
    return date(today.year, 7, 1), date(today.year, 12, 31)


async def coverage(session: AsyncSession, *, district_id: int | None, today: date) -> Coverage:
    """The current round's coverage for a district's enterprises, or the city's."""
    start, end = visit_round(today)
    result = Coverage(start, end)
    visited = exists().where(
        Report.enterprise_id == Enterprise.id,
        Report.type == ReportType.VISIT.value,
        Report.deleted_at.is_(None),
        Report.date >= start,
        Report.date <= end,
    )
    scope = [] if district_id is None else [Enterprise.district_id == district_id]
    counts = select(func.count(Enterprise.id), func.count(case((visited, Enterprise.id)))).where(
        *scope
    )
    registered, seen = (await session.execute(counts)).one()
    result.registered, result.visited = int(registered), int(seen)
    missing = (
        select(Enterprise.id, Enterprise.name, District.name)
        .join(District, District.id == Enterprise.district_id)
        .where(*scope, ~visited)
        .order_by(Enterprise.district_id, Enterprise.name, Enterprise.id)
    )
    result.not_visited = [
        (int(id_), name, district) for id_, name, district in await session.execute(missing)
    ]
    return result
