"""Campaign tags on reports (report_tags): writing a report's tags, reading them, filtering by one.

How a tag is written and checked is storage.common.tags, shared with trainings. A report's tags
are read with it (`Report.tags`); a filter by tag (`tagged`) joins the figures' WHERE clauses,
so /stats, /export and /chart read the reports themselves (the monthly rollups know no tags).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Report, ReportTag

CHUNK = 500  # ids or rows per statement


def tagged(tag: str) -> ColumnElement[bool]:
    """The WHERE clause that keeps the reports carrying `tag` (stored form, without #)."""
    return Report.id.in_(select(ReportTag.report_id).where(ReportTag.tag == tag))


async def add_tags(session: AsyncSession, pairs: Iterable[tuple[int, str]]) -> None:
    """Adds (report id, tag) rows; the caller knows none of them is there yet."""
    rows = [{"report_id": report_id, "tag": tag} for report_id, tag in pairs]
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(ReportTag), rows[start : start + CHUNK])


async def set_tags(session: AsyncSession, report: Report, tags: Sequence[str]) -> None:
    """Makes `tags` the report's tags (checked by the caller) and refreshes `report.tags`."""
    await session.execute(delete(ReportTag).where(ReportTag.report_id == report.id))
    await add_tags(session, ((report.id, tag) for tag in dict.fromkeys(tags)))
    await session.refresh(report, ["tag_rows"])


async def tags_of(session: AsyncSession, report_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each report's tags in code-point order; reports without tags are left out."""
    found: dict[int, list[str]] = {}
    for start in range(0, len(report_ids), CHUNK):
        query = select(ReportTag.report_id, ReportTag.tag).where(
            ReportTag.report_id.in_(report_ids[start : start + CHUNK])
        )
        for report_id, tag in await session.execute(query):
            found.setdefault(int(report_id), []).append(tag)
    return {report_id: sorted(tags) for report_id, tags in found.items()}


async def tags_in_use(session: AsyncSession, *, limit: int = 20) -> list[str]:
    """The tags that reports not deleted carry, most used first (then in code-point order)."""
    uses = func.count(ReportTag.report_id)
    query = (
        select(ReportTag.tag)
        .join(Report, Report.id == ReportTag.report_id)
        .where(Report.deleted_at.is_(None))
        .group_by(ReportTag.tag)
        .order_by(uses.desc(), ReportTag.tag)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def tag_in_use(session: AsyncSession, tag: str) -> bool:
    """Tells whether any report not deleted carries `tag`."""
    query = (
        select(ReportTag.report_id)
        .join(Report, Report.id == ReportTag.report_id)
        .where(ReportTag.tag == tag, Report.deleted_at.is_(None))
        .limit(1)
    )
    return (await session.scalar(query)) is not None
