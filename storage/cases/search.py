"""`/cases <words>`: the full-text search of the case library, best matches first.

SQLite reads the FTS5 table `cases_fts` (ranked by bm25), PostgreSQL the GIN index on the
stored to_tsvector('simple', terms) (ranked by ts_rank); both see the words of storage.cases.words,
quoted, so no input is ever read as search syntax. A case matches when it holds any of the
query's words; holding more of them, and more often, ranks it higher. Ties: the newest first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cases.words import query_words
from storage.models import Case, CaseSearch

PAGE_SIZE = 10
WORDS_KEPT = 500  # characters of a search kept for its pages
KEPT_DAYS = 7  # a search's pages turn this long; the daily purge forgets older ones
SNIPPET_BEFORE = 20
SNIPPET_LENGTH = 80

_SQLITE_PAGE = text(
    "SELECT cases_fts.rowid FROM cases_fts WHERE cases_fts MATCH :query "
    "ORDER BY bm25(cases_fts), cases_fts.rowid DESC LIMIT :limit OFFSET :offset"
)
_SQLITE_COUNT = text("SELECT count(*) FROM cases_fts WHERE cases_fts MATCH :query")
# terms_tsv: to_tsvector('simple', terms), stored by PostgreSQL (migration 0014).
_PG_PAGE = text(
    "SELECT id FROM cases, to_tsquery('simple', :query) AS q "
    "WHERE terms_tsv @@ q "
    "ORDER BY ts_rank(terms_tsv, q, 1) DESC, id DESC "
    "LIMIT :limit OFFSET :offset"
)
_PG_COUNT = text("SELECT count(*) FROM cases WHERE terms_tsv @@ to_tsquery('simple', :query)")


@dataclass(frozen=True)
class Found:
    """One page of a search: its words, the cases in rank order, how many match in all."""

    words: list[str]
    cases: list[Case]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def fts5_query(words: Sequence[str]) -> str:
    """An FTS5 MATCH of any of `words`, each a quoted string (never an operator)."""
    return " OR ".join('"' + word.replace('"', '""') + '"' for word in words)


def tsquery(words: Sequence[str]) -> str:
    """A to_tsquery text of any of `words`, each a quoted lexeme (never an operator)."""
    return " | ".join("'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words)


async def search(session: AsyncSession, query: str, page: int = 1) -> Found:
    """The cases matching `query`, PAGE_SIZE of them from `page` (1-based); none for no words."""
    words = query_words(query)
    if not words:
        return Found([], [], 0, 1)
    postgres = session.get_bind().dialect.name == "postgresql"
    matched = tsquery(words) if postgres else fts5_query(words)
    total = int(
        (
            await session.execute(_PG_COUNT if postgres else _SQLITE_COUNT, {"query": matched})
        ).scalar_one()
    )
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    params = {"query": matched, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    ids = list((await session.execute(_PG_PAGE if postgres else _SQLITE_PAGE, params)).scalars())
    by_id = {case.id: case for case in await session.scalars(select(Case).where(Case.id.in_(ids)))}
    return Found(words, [by_id[i] for i in ids if i in by_id], total, page)


async def remember(session: AsyncSession, telegram_id: int, query: str) -> int:
    """Keeps a search for its ◀ ▶ buttons; its id."""
    kept = CaseSearch(telegram_id=telegram_id, words=query[:WORDS_KEPT])
    session.add(kept)
    await session.flush()
    return kept.id


async def forget_old(session: AsyncSession, *, now: datetime, days: int = KEPT_DAYS) -> int:
    """Deletes searches older than `days` (their ◀ ▶ then answer that the search is gone);
    returns how many."""
    result = await session.execute(
        delete(CaseSearch)
        .where(CaseSearch.created_at < now - timedelta(days=days))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def recall(session: AsyncSession, search_id: int, telegram_id: int) -> str | None:
    """The words of a kept search of `telegram_id`'s; None if it is not theirs or gone."""
    kept = await session.get(CaseSearch, search_id)
    return kept.words if kept is not None and kept.telegram_id == telegram_id else None


# --- marking the matches ------------------------------------------------------------------


def _pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    ordered = sorted(set(words), key=len, reverse=True)  # the longer word where two overlap
    return re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE)


def mark(value: str, words: Sequence[str], left: str = "【", right: str = "】") -> str:
    """`value` with every match of `words` between `left` and `right`."""
    pattern = _pattern(words)
    if pattern is None:
        return value
    return pattern.sub(lambda m: f"{left}{m.group(0)}{right}", value)


def snippet(summary: str, words: Sequence[str]) -> str:
    """About SNIPPET_LENGTH characters of the summary around its first match, marked."""
    flat = " ".join(summary.split())
    pattern = _pattern(words)
    first = pattern.search(flat) if pattern is not None else None
    start = max(0, first.start() - SNIPPET_BEFORE) if first is not None else 0
    end = min(len(flat), start + SNIPPET_LENGTH)
    piece = flat[start:end]
    if start > 0:
        piece = "…" + piece
    if end < len(flat):
        piece += "…"
    return mark(piece, words)
