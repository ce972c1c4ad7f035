"""/mentor: the mentee and the mentor found by name, and the pair set or removed.

A name is matched exactly (normalised as the roster does); `张伟（西城）` names one of several
namesakes. The mentee is looked up in the admin's district first, the mentor in the mentee's
district first, as the roster's 带教导师 column resolves them, so the same pairs come out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import District, Instructor, MentoringSignoff, Status
from storage.people import roster
from storage.people.districts import find_district

_QUALIFIED = re.compile(r"^(?P<name>[^（(]+)[（(](?P<district>[^）)]+)[）)]$")
# `/mentor 李红 无` removes the mentor.
NONE_WORDS = frozenset({"无", "没有", "取消", "none", "-", "—"})


@dataclass(frozen=True)
class Lookup:
    """What a name found: one instructor, or why not ("unknown", "ambiguous", "no_district";
    `options` are the namesakes or near matches to offer)."""

    name: str
    found: Instructor | None = None
    problem: str | None = None
    options: list[Instructor] = field(default_factory=list)


def split_name(text: str) -> tuple[str, str | None]:
    """`张伟（西城）` → ("张伟", "西城"); `张伟` → ("张伟", None)."""
    match = _QUALIFIED.match(text.strip())
    if match is None:
        return roster.normalize_name(text), None
    return roster.normalize_name(match["name"]), match["district"].strip()


async def find_person(
    session: AsyncSession, text: str, *, prefer_district: int | None = None
) -> Lookup:
    """The instructor `text` names (ended ones too: the caller says why they cannot be paired)."""
    name, district_word = split_name(text)
    if not name:
        return Lookup(text, problem="unknown")
    query = select(Instructor).where(Instructor.name == name)
    if district_word is not None:
        names = {d.name: d.id for d in await session.scalars(select(District))}
        found_district = find_district(names, district_word)
        if found_district is None:
            return Lookup(text, problem="no_district")
        query = query.where(Instructor.district_id == names[found_district])
    found = list(await session.scalars(query.order_by(Instructor.district_id, Instructor.id)))
    if not found:
        near = await roster.find_instructors(session, name, None) if len(name) > 1 else []
        return Lookup(name, problem="unknown", options=near[:5])
    if len(found) > 1 and prefer_district is not None:
        local = [i for i in found if i.district_id == prefer_district]
        if len(local) == 1:
            return Lookup(name, found=local[0])
    if len(found) > 1:
        return Lookup(name, problem="ambiguous", options=found)
    return Lookup(name, found=found[0])


@dataclass(frozen=True)
class Change:
    """What /mentor did: the pair now (mentor None: removed) and who mentored before."""

    mentee: Instructor
    mentor: Instructor | None
    previous: Instructor | None


def refusal(mentee: Instructor, mentor: Instructor | None) -> str | None:
    """Why these two cannot be paired ("self", "mentee_ended", "mentor_ended"), or None."""
    if mentee.status == Status.ENDED.value:
        return "mentee_ended"
    if mentor is None:
        return None
    if mentor.id == mentee.id:
        return "self"
    if mentor.status == Status.ENDED.value:
        return "mentor_ended"
    return None


async def set_mentor(
    session: AsyncSession, mentee: Instructor, mentor: Instructor | None
) -> Change:
    """Sets (or removes, with None) the mentee's mentor. Sign-offs not yet signed pass to the
    new mentor, who is asked at the next round (their asked_at cleared)."""
    previous = (
        await session.get(Instructor, mentee.mentor_id) if mentee.mentor_id is not None else None
    )
    new_id = mentor.id if mentor is not None else None
    mentee.mentor_id = new_id
    if mentor is not None and (previous is None or previous.id != mentor.id):
        await session.execute(
            update(MentoringSignoff)
            .where(MentoringSignoff.mentee_id == mentee.id, MentoringSignoff.result.is_(None))
            .values(mentor_id=mentor.id, asked_at=None)
        )
    await session.flush()
    return Change(mentee, mentor, previous)


def labels(people: Sequence[Instructor]) -> list[str]:
    """张伟（西城）, as a name is written to pick one of several."""
    return [f"{p.name}（{p.district.name}）" for p in people]
