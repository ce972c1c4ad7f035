"""A rater's grades and their anonymous ballot (民主测评).

While rating, the grades live in the rater's RatingSession (link, chat). 提交 casts them in one
transaction: `UPDATE rater_links SET used_at=:today WHERE id=:id AND used_at IS NULL` (the day
only, so that the order links were used in cannot be matched to the order ballots were stored
in), and only when that changed a row a Ballot (a random id, the round and the scope, nothing
else) and its Votes are inserted and every session of the link is deleted. Two presses of 提交
at once (two devices, two chats) cast one ballot: the second finds the link used.

The distribution, for /evaluation votes and the result:

    async def distribution(
        session: AsyncSession, round_id: int, instructor_ids: Collection[int] | None = None
    ) -> dict[int, Counter[str]]

gives, per instructor rated by at least MIN_RATERS (3) raters, the votes per grade (Grade
values: "excellent", "competent", "basic", "incompetent"; a grade nobody gave counts 0); the
number of raters is the Counter's total (a ballot gives an instructor one grade at most). An
instructor rated by fewer is left out ("不足 3 人，不显示"); `rater_counts` gives everyone's
number of raters.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.evaluation.rounds import is_closed
from storage.models import (
    Ballot,
    EvaluationEntry,
    EvaluationRound,
    Grade,
    RaterLink,
    RatingSession,
    Vote,
)

MIN_RATERS = 3  # a distribution is shown only where at least this many raters voted
GRADES: tuple[str, ...] = tuple(grade.value for grade in Grade)  # best first

Outcome = Literal["ok", "gone", "used", "closed", "out_of_scope", "empty"]


@dataclass(frozen=True)
class Pressed:
    """What a rater's press came to: "ok" with their session, link and round; or why not:
    "gone" (no such session in this chat), "used" (the link voted, maybe from another device),
    "closed" (past the deadline), "out_of_scope" (an instructor the link does not rate),
    "empty" (提交 with no grade at all)."""

    outcome: Outcome
    rating: RatingSession | None = None
    link: RaterLink | None = None
    evaluation: EvaluationRound | None = None


async def _pressed(
    session: AsyncSession, rating_id: int, chat_id: int, *, now: datetime
) -> Pressed:
    rating = await session.scalar(
        select(RatingSession)
        .where(RatingSession.id == rating_id, RatingSession.chat_id == chat_id)
        .execution_options(populate_existing=True)
    )
    if rating is None:
        # Deleted when the link voted: from this chat or from another one.
        return Pressed("gone")
    link = await session.get_one(RaterLink, rating.link_id, populate_existing=True)
    evaluation = await session.get_one(EvaluationRound, link.round_id)
    if link.used_at is not None:
        return Pressed("used", rating, link, evaluation)
    if is_closed(evaluation, now=now):
        return Pressed("closed", rating, link, evaluation)
    return Pressed("ok", rating, link, evaluation)


async def in_scope(
    session: AsyncSession, round_id: int, district_id: int | None, instructor_id: int
) -> bool:
    """Whether the instructor is a participant of the round (of the district, where given)."""
    query = select(EvaluationEntry.id).where(
        EvaluationEntry.round_id == round_id, EvaluationEntry.instructor_id == instructor_id
    )
    if district_id is not None:
        query = query.where(EvaluationEntry.district_id == district_id)
    return await session.scalar(query) is not None


async def find(session: AsyncSession, rating_id: int, chat_id: int, *, now: datetime) -> Pressed:
    """The chat's rating session `rating_id`, for turning a page or showing it again."""
    return await _pressed(session, rating_id, chat_id, now=now)


async def set_page(
    session: AsyncSession, rating_id: int, chat_id: int, page: int, *, now: datetime
) -> Pressed:
    """Remembers the page the rater looks at (so that opening the link again shows it)."""
    pressed = await _pressed(session, rating_id, chat_id, now=now)
    if pressed.outcome == "ok" and pressed.rating is not None:
        await _store(session, pressed.rating, page=max(0, page))
    return pressed


async def _store(session: AsyncSession, rating: RatingSession, **values: object) -> None:
    """Writes the session's grades or page by its id: a session that another device's 提交
    deleted meanwhile is simply not there (no ORM flush that would expect the row)."""
    await session.execute(
        update(RatingSession)
        .where(RatingSession.id == rating.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    for name, value in values.items():
        set_committed_value(rating, name, value)


async def set_grade(
    session: AsyncSession,
    rating_id: int,
    chat_id: int,
    instructor_id: int,
    grade: str,
    *,
    now: datetime,
) -> Pressed:
    """Gives (or changes) an instructor's grade in the rater's session; an instructor outside
    the link's scope is refused and nothing is stored."""
    if grade not in GRADES:
        raise ValueError(f"not a grade: {grade!r}")
    pressed = await _pressed(session, rating_id, chat_id, now=now)
    if pressed.outcome != "ok":
        return pressed
    assert pressed.rating is not None and pressed.link is not None
    if not await in_scope(session, pressed.link.round_id, pressed.link.district_id, instructor_id):
        return Pressed("out_of_scope", pressed.rating, pressed.link, pressed.evaluation)
    await _store(
        session, pressed.rating, grades={**pressed.rating.grades, str(instructor_id): grade}
    )
    return pressed


async def submit(
    session: AsyncSession, rating_id: int, chat_id: int, *, now: datetime
) -> tuple[Pressed, int]:
    """Casts the rater's grades as an anonymous ballot; returns the press and how many votes
    were cast. The link is used up by the first 提交 that reaches the database."""
    pressed = await _pressed(session, rating_id, chat_id, now=now)
    if pressed.outcome != "ok":
        return pressed, 0
    rating, link = pressed.rating, pressed.link
    assert rating is not None and link is not None
    grades = {int(key): value for key, value in rating.grades.items() if value in GRADES}
    if not grades:
        return Pressed("empty", rating, link, pressed.evaluation), 0
    # The day only: with the minute, the order the links were used in would follow the order
    # the ballots were stored in, and tie a ballot to the numbered link handed to someone.
    used_on = now.replace(hour=0, minute=0, second=0, microsecond=0)
    claimed = await session.execute(
        update(RaterLink)
        .where(RaterLink.id == link.id, RaterLink.used_at.is_(None))
        .values(used_at=used_on)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        return Pressed("used", rating, link, pressed.evaluation), 0
    # Only the participants of the scope count, whatever the session holds.
    allowed = {
        instructor_id
        for instructor_id in await session.scalars(
            select(EvaluationEntry.instructor_id).where(
                EvaluationEntry.round_id == link.round_id,
                EvaluationEntry.instructor_id.in_(list(grades)),
                *(
                    [EvaluationEntry.district_id == link.district_id]
                    if link.district_id is not None
                    else []
                ),
            )
        )
    }
    ballot = Ballot(id=secrets.token_hex(16), round_id=link.round_id, district_id=link.district_id)
    session.add(ballot)
    await session.flush()
    votes = [
        Vote(ballot_id=ballot.id, instructor_id=instructor_id, grade=grade)
        for instructor_id, grade in sorted(grades.items())
        if instructor_id in allowed
    ]
    session.add_all(votes)
    await session.flush()
    await session.execute(
        delete(RatingSession)
        .where(RatingSession.link_id == link.id)
        .execution_options(synchronize_session=False)
    )
    session.expunge(rating)
    return pressed, len(votes)


def ungraded(grades: dict[str, str], instructor_ids: Sequence[int]) -> int:
    """How many of the instructors have no grade yet."""
    return sum(1 for instructor_id in instructor_ids if str(instructor_id) not in grades)


async def rater_counts(
    session: AsyncSession, round_id: int, instructor_ids: Collection[int] | None = None
) -> dict[int, int]:
    """Per instructor, how many raters gave them a grade (instructors nobody rated left out)."""
    query = (
        select(Vote.instructor_id, func.count())
        .join(Ballot, Ballot.id == Vote.ballot_id)
        .where(Ballot.round_id == round_id)
        .group_by(Vote.instructor_id)
    )
    if instructor_ids is not None:
        query = query.where(Vote.instructor_id.in_(list(instructor_ids)))
    return {instructor_id: int(count) for instructor_id, count in await session.execute(query)}


async def ballot_count(session: AsyncSession, round_id: int, district_id: int | None = None) -> int:
    """Ballots cast in the round (by links of a district, where given; all for None)."""
    query = select(func.count()).select_from(Ballot).where(Ballot.round_id == round_id)
    if district_id is not None:
        query = query.where(Ballot.district_id == district_id)
    return int((await session.execute(query)).scalar_one())


async def distribution(
    session: AsyncSession, round_id: int, instructor_ids: Collection[int] | None = None
) -> dict[int, Counter[str]]:
    """Per instructor rated by at least MIN_RATERS raters of the round, the votes per grade
    (every grade present, 0 where nobody gave it); fewer raters: left out."""
    query = (
        select(Vote.instructor_id, Vote.grade, func.count())
        .join(Ballot, Ballot.id == Vote.ballot_id)
        .where(Ballot.round_id == round_id)
        .group_by(Vote.instructor_id, Vote.grade)
    )
    if instructor_ids is not None:
        query = query.where(Vote.instructor_id.in_(list(instructor_ids)))
    counts: dict[int, Counter[str]] = {}
    for instructor_id, grade, count in await session.execute(query):
        counts.setdefault(instructor_id, Counter({g: 0 for g in GRADES}))[str(grade)] += int(count)
    return {
        instructor_id: counter
        for instructor_id, counter in counts.items()
        if counter.total() >= MIN_RATERS
    }
