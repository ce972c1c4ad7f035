"""Writing cases: the one-line form, the limits, and the row with its segmented words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cases.words import terms_of
from storage.models import Case, District, Instructor

TITLE_LIMIT = 100
INDUSTRY_LIMIT = 64  # the column's length
SUMMARY_LIMIT = 2000
TAG_LIMIT = 20
TAGS_LIMIT = 5
FILE_NAME_LIMIT = 255

# The one-line form's fields and the tags' separators, half- and full-width.
_FIELDS = re.compile(r"\s*[|｜]\s*")
_TAGS = re.compile(r"[,，、;；\s]+")


class CaseProblem(Exception):
    """Why a case cannot be stored: `code` names the text, `values` fill it in."""

    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class CaseDraft:
    """A case as typed, before it is stored."""

    title: str
    industry: str | None
    summary: str
    tags: list[str] = field(default_factory=list)
    file_id: str | None = None
    file_name: str | None = None


def read_title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise CaseProblem("title_empty")
    if len(title) > TITLE_LIMIT:
        raise CaseProblem("title_too_long", length=len(title), limit=TITLE_LIMIT)
    return title


def read_industry(text: str) -> str | None:
    industry = " ".join(text.split())
    if len(industry) > INDUSTRY_LIMIT:
        raise CaseProblem("industry_too_long", length=len(industry), limit=INDUSTRY_LIMIT)
    return industry or None


def read_summary(text: str) -> str:
    summary = text.strip()
    if not summary:
        raise CaseProblem("summary_empty")
    if len(summary) > SUMMARY_LIMIT:
        raise CaseProblem("summary_too_long", length=len(summary), limit=SUMMARY_LIMIT)
    return summary


def read_tags(text: str) -> list[str]:
    """Tags separated by commas (, ， 、), semicolons or spaces; a leading # is dropped."""
    tags: list[str] = []
    for raw in _TAGS.split(text.strip()):
        tag = raw.lstrip("#＃")
        if tag and tag not in tags:
            tags.append(tag)
    for tag in tags:
        if len(tag) > TAG_LIMIT:
            raise CaseProblem("tag_too_long", tag=tag[:TAG_LIMIT] + "…", limit=TAG_LIMIT)
    if len(tags) > TAGS_LIMIT:
        raise CaseProblem("too_many_tags", count=len(tags), limit=TAGS_LIMIT)
    return tags


def parse_line(text: str) -> CaseDraft:
    """`标题 | 行业 | 摘要 | 标签1,标签2` (full-width ｜ too; the tags may be left out)."""
    parts = _FIELDS.split(text.strip())
    if len(parts) < 3:
        raise CaseProblem("line_fields")
    title, industry, summary, *rest = parts
    # A summary may hold a | of its own: the last part is the tags only with four or more.
    if len(rest) > 1:
        summary = " | ".join([summary, *rest[:-1]])
    return CaseDraft(
        title=read_title(title),
        industry=read_industry(industry),
        summary=read_summary(summary),
        tags=read_tags(rest[-1]) if rest else [],
    )


def _row(
    draft: CaseDraft,
    *,
    author_telegram_id: int,
    instructor_id: int | None,
    district_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "title": draft.title,
        "industry": draft.industry,
        "summary": draft.summary,
        "tags": list(draft.tags),
        "terms": terms_of(draft.title, draft.summary, draft.tags),
        "file_id": draft.file_id,
        "file_name": (draft.file_name or "")[:FILE_NAME_LIMIT] or None,
        "author_telegram_id": author_telegram_id,
        "instructor_id": instructor_id,
        "district_id": district_id,
        "created_at": now,
    }


async def add(
    session: AsyncSession,
    draft: CaseDraft,
    *,
    author_telegram_id: int,
    instructor_id: int | None,
    district_id: int | None,
    now: datetime,
) -> Case:
    """Stores a case with its words; the index follows in the same transaction."""
    row = _row(
        draft,
        author_telegram_id=author_telegram_id,
        instructor_id=instructor_id,
        district_id=district_id,
        now=now,
    )
    case = Case(**row)
    session.add(case)
    await session.flush()
    return case


async def add_many(
    session: AsyncSession,
    drafts: Sequence[tuple[CaseDraft, int, int | None, int | None]],
    *,
    now: datetime,
) -> None:
    """Stores many cases at once: (draft, author's Telegram id, instructor id, district id)."""
    rows = [
        _row(d, author_telegram_id=a, instructor_id=i, district_id=dist, now=now)
        for d, a, i, dist in drafts
    ]
    if rows:
        await session.execute(insert(Case), rows)


async def author_of(session: AsyncSession, case: Case) -> tuple[str | None, str | None]:
    """The name of the case's instructor (if any) and of its district (if any)."""
    name = district = None
    if case.instructor_id is not None:
        name = await session.scalar(
            select(Instructor.name).where(Instructor.id == case.instructor_id)
        )
    if case.district_id is not None:
        district = await session.scalar(
            select(District.name).where(District.id == case.district_id)
        )
    return name, district
