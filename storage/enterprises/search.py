"""Finding enterprises of the registry by a few words of their name, and paging the registry.

A search loads the scope's names once (one SELECT of id and name) and ranks them in memory:
the name itself, then names that contain the words, then close names. Chinese names are long
and what people type is short and often a homophone (维大 for 维达) or a shortening (维达纸业 for
维达北方纸业（北京）有限公司), so "close" is measured as the share of the typed characters that
the name holds in the same order (rapidfuzz's LCSseq, the longest common subsequence). WRatio
and partial_ratio compare the words with one window of the name and miss such shortenings:
维大纸业 scores 45 and 50 against 维达北方纸业（北京）有限公司, no more than against any other
paper company, while three of its four characters are in the name in order.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Enterprise

PAGE_SIZE = 10  # enterprises on one page of /enterprises
SHOWN = 10  # search results shown at most
CLOSE_SHARE = 0.7  # a close name holds at least 70 % of the typed characters, in order
HINT_SHARE = 0.5  # with no match at all, names holding half of them are offered as the closest
HINTS = 3
MIN_FUZZY = 3  # fewer typed characters are matched as a part of names only
QUERY_LIMIT = 128  # the length of enterprises.name: more typed characters cannot all be in one

_DROP = str.maketrans("", "", " \t\r\n·・.,，、。'\"“”‘’()（）[]【】-_/\\")


def fold(text: str) -> str:
    """A name or the words typed, folded for matching: full-width letters and digits made
    half-width, case, spaces, brackets and punctuation ignored."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_DROP)


@dataclass
class Found:
    """What a search found: matches best first (`total` in all; the exact name and names
    containing the words come before close names), or else up to HINTS closest names."""

    matches: list[Enterprise] = field(default_factory=list)
    total: int = 0
    closest: list[Enterprise] = field(default_factory=list)


def rank(words: str, names: Sequence[tuple[int, str]]) -> tuple[list[int], list[int]]:
    """The ids of the names matching `words`, best first, and (only when there are none) the
    ids of up to HINTS closest names. Names that contain the words come those starting with
    them first, then the shortest. Pure: no database, so it can be measured alone."""
    query = fold(words)[:QUERY_LIMIT]
    if not query:
        return [], []
    folded = {enterprise_id: fold(name) for enterprise_id, name in names}
    exact = [i for i, name in folded.items() if name == query]
    containing = sorted(
        (i for i, name in folded.items() if query in name and name != query),
        key=lambda i: (not folded[i].startswith(query), len(folded[i]), folded[i], i),
    )
    found = {*exact, *containing}
    close: list[int] = []
    if len(query) >= MIN_FUZZY:
        close = _close(query, folded, found, math.ceil(CLOSE_SHARE * len(query)))
    matches = exact + containing + close
    if matches or len(query) < 2:
        return matches, []
    return [], _close(query, folded, found, math.ceil(HINT_SHARE * len(query)))[:HINTS]


def _close(query: str, folded: dict[int, str], skip: set[int], least: int) -> list[int]:
    """Names holding at least `least` of the query's characters in order, most first, then the
    most alike as a whole (WRatio), then the shortest."""
    choices = {i: name for i, name in folded.items() if i not in skip}
    hits = process.extract(query, choices, scorer=LCSseq.similarity, score_cutoff=least, limit=None)
    scored = [(-int(common), -fuzz.WRatio(query, name), len(name), i) for name, common, i in hits]
    return [i for *_, i in sorted(scored)]


async def search_enterprises(
    session: AsyncSession, words: str, district_id: int | None, *, limit: int = SHOWN
) -> Found:
    """Enterprises of the scope (a district, or the city for None) whose names match `words`."""
    query = select(Enterprise.id, Enterprise.name)
    if district_id is not None:
        query = query.where(Enterprise.district_id == district_id)
    names = [(row.id, row.name) for row in await session.execute(query)]
    matches, closest = rank(words, names)
    wanted = matches[:limit] or closest
    if not wanted:
        return Found()
    loaded = await session.scalars(select(Enterprise).where(Enterprise.id.in_(wanted)))
    by_id = {enterprise.id: enterprise for enterprise in loaded}
    shown = [by_id[i] for i in wanted if i in by_id]
    if matches:
        return Found(matches=shown, total=len(matches))
    return Found(closest=shown)


@dataclass
class Page:
    """One page of the registry: its enterprises, the page (from 1) and how many pages."""

    enterprises: list[Enterprise]
    total: int
    page: int
    pages: int


async def registry_page(session: AsyncSession, district_id: int | None, page: int) -> Page:
    """Page `page` (clamped into range) of the scope's registry, ordered by district, name."""
    count = select(func.count()).select_from(Enterprise)
    query = select(Enterprise).order_by(Enterprise.district_id, Enterprise.name, Enterprise.id)
    if district_id is not None:
        count = count.where(Enterprise.district_id == district_id)
        query = query.where(Enterprise.district_id == district_id)
    total = int(await session.scalar(count) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    query = query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    return Page(list(await session.scalars(query)), total, page, pages)
