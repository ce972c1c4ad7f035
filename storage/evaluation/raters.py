"""The democratic rating's one-time links (民主测评): `https://t.me/<bot>?start=rate_<token>`.

`/evaluation raters <区名|全市> <n>` makes n links of a scope (a district, or the city), each
with a random token of 144 bits and a number 1..n within its batch, printed on the meeting's
sheet of QR codes and in the .xlsx. Opening a link makes a RatingSession of (link, chat), which
holds the rater's grades until they submit (storage.evaluation.ballots); a link used up, a token
no link has, or a round past its deadline is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.buttons import RATER_START
from storage.common.spreadsheets import Link, xlsx_bytes
from storage.db import dialect_insert
from storage.evaluation.rounds import is_closed, latest_round
from storage.models import (
    District,
    EvaluationEntry,
    EvaluationRound,
    Instructor,
    RaterLink,
    RatingSession,
)

TOKEN_PREFIX = RATER_START  # /start rate_<token>
TOKEN_BYTES = 18  # 144 random bits: 24 URL-safe characters (the column holds 32)
MAX_LINKS = 500  # links made at once
SHEET_HEADERS = ("序号", "范围", "链接")


@dataclass(frozen=True)
class Ratee:
    """An instructor on a rating sheet: id, name, and the district they belonged to when the
    round opened."""

    id: int
    name: str
    district: str


async def ratees(
    session: AsyncSession, round_id: int, district_id: int | None = None
) -> list[Ratee]:
    """The round's participants of a district (None: the city), by district then name (the
    order of rounds.participants)."""
    query = (
        select(Instructor.id, Instructor.name, District.name)
        .join(EvaluationEntry, EvaluationEntry.instructor_id == Instructor.id)
        .join(District, District.id == EvaluationEntry.district_id)
        .where(EvaluationEntry.round_id == round_id)
        .order_by(EvaluationEntry.district_id, Instructor.name, Instructor.id)
    )
    if district_id is not None:
        query = query.where(EvaluationEntry.district_id == district_id)
    return [Ratee(i, name, district) for i, name, district in await session.execute(query)]


async def district_name(session: AsyncSession, district_id: int | None) -> str | None:
    """A district's name; None for the city (or a district that is gone)."""
    if district_id is None:
        return None
    return await session.scalar(select(District.name).where(District.id == district_id))


@dataclass(frozen=True)
class LinksRefusal:
    """Why no links were made: "no_round", "closed" (values: year, deadline), "bad_count"
    (count, most)."""

    code: str
    values: dict[str, object]


OpenOutcome = Literal["ok", "unknown", "used", "closed"]


@dataclass(frozen=True)
class Opened:
    """What opening a link came to: "ok" with the rater's session, the link and its round, or
    why not ("unknown" token, link "used" up, round "closed")."""

    outcome: OpenOutcome
    rating: RatingSession | None = None
    link: RaterLink | None = None
    evaluation: EvaluationRound | None = None


def rater_link(bot_username: str, token: str) -> str:
    """The link a rater opens: it sends /start rate_<token> to the bot."""
    return f"https://t.me/{bot_username.strip().removeprefix('@')}?start={TOKEN_PREFIX}{token}"


async def open_round(session: AsyncSession, *, now: datetime) -> EvaluationRound | LinksRefusal:
    """The round ratings go to: the latest, while before its deadline."""
    evaluation = await latest_round(session)
    if evaluation is None:
        return LinksRefusal("no_round", {})
    if is_closed(evaluation, now=now):
        return LinksRefusal("closed", {"year": evaluation.year, "deadline": evaluation.deadline})
    return evaluation


async def make_links(
    session: AsyncSession, district_id: int | None, count: int, *, created_by: int, now: datetime
) -> list[RaterLink] | LinksRefusal:
    """Makes `count` (1..MAX_LINKS) one-time links of a district (None: the city) for the open
    round, numbered 1..count."""
    if not 1 <= count <= MAX_LINKS:
        return LinksRefusal("bad_count", {"count": count, "most": MAX_LINKS})
    evaluation = await open_round(session, now=now)
    if isinstance(evaluation, LinksRefusal):
        return evaluation
    links = [
        RaterLink(
            round_id=evaluation.id,
            district_id=district_id,
            number=number,
            token=secrets.token_urlsafe(TOKEN_BYTES),
            created_by=created_by,
            created_at=now,
        )
        for number in range(1, count + 1)
    ]
    session.add_all(links)
    await session.flush()
    return links


def links_sheet(links: Sequence[RaterLink], scope: str, bot_username: str) -> bytes:
    """The links as .xlsx: 序号, 范围, 链接 (a hyperlink); every text cell stays text."""
    rows: list[list[object]] = [list(SHEET_HEADERS)]
    for link in links:
        url = rater_link(bot_username, link.token)
        rows.append([link.number, scope, Link(url, url)])
    return xlsx_bytes({"测评链接": rows})


async def open_link(session: AsyncSession, token: str, chat_id: int, *, now: datetime) -> Opened:
    """Opens the link of `token` in a chat: its rating session there (made on first opening,
    the grades kept on a second), or why not."""
    link = await session.scalar(select(RaterLink).where(RaterLink.token == token))
    if link is None:
        return Opened("unknown")
    if link.used_at is not None:
        return Opened("used", link=link)
    evaluation = await session.get_one(EvaluationRound, link.round_id)
    if is_closed(evaluation, now=now):
        return Opened("closed", link=link, evaluation=evaluation)
    # Two openings at once in one chat (a double tap) make one session.
    statement = dialect_insert(session)(RatingSession).values(
        link_id=link.id, chat_id=chat_id, grades={}, page=0
    )
    await session.execute(
        statement.on_conflict_do_nothing(
            index_elements=[RatingSession.link_id, RatingSession.chat_id]
        )
    )
    rating = await session.scalar(
        select(RatingSession)
        .where(RatingSession.link_id == link.id, RatingSession.chat_id == chat_id)
        .execution_options(populate_existing=True)
    )
    assert rating is not None
    return Opened("ok", rating, link, evaluation)


async def forget_unsubmitted(session: AsyncSession, *, now: datetime) -> int:
    """Deletes the rating sessions of rounds past their deadline (grades never submitted, the
    one place a chat met a link); returns how many."""
    closed = select(EvaluationRound.id).where(EvaluationRound.deadline <= now)
    links = select(RaterLink.id).where(RaterLink.round_id.in_(closed))
    result = await session.execute(
        delete(RatingSession)
        .where(RatingSession.link_id.in_(links))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
