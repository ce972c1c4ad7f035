"""The dispatch board (派驻): the districts and industries HQ sends city-level instructors to.

`/assign 张三 区:西城,东城 行业:制造业` is read by `parse_assignment` and recorded by `assign`;
the roster's 派驻区 and 派驻产业 columns fill the same two lists through `district_ids_of`.
`board` tells who covers which district and industry, and what nobody covers. Call-ups rank
candidates by these lists (Instructor.assigned_districts, Instructor.assigned_industries).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.buttons import ButtonData
from storage.common.text import fold, narrow
from storage.models import Enterprise, Instructor, Status
from storage.people.districts import find_district, list_districts

# Key word (as `narrow` leaves it) → list. A value runs until the next key.
KEYS: dict[str, str] = {
    "区": "districts", "派驻区": "districts", "district": "districts", "districts": "districts",
    "行业": "industries", "产业": "industries", "派驻产业": "industries",
    "industry": "industries", "industries": "industries",
}  # fmt: skip
# A value that is (or holds) one of these words empties its list: `区:无`, `行业:清空`; so does
# a key with nothing after it.
CLEAR_WORDS = frozenset({"无", "清空", "none", "clear", "-"})
INDUSTRY_LIMIT = 64  # as long as the registry's 行业 (Enterprise.industry)

_KEY_WORDS = "|".join(sorted(map(re.escape, KEYS), key=len, reverse=True))  # longest first
_KEY = re.compile(rf"(?:^|(?<=\s))({_KEY_WORDS})\s*[:：]", re.IGNORECASE)
_LIST = re.compile(r"[,，、;；\s]+")
_COLON = re.compile(r"[:：]")


@dataclass(frozen=True)
class AssignButton(ButtonData, prefix="assign"):
    """/assign with a name several instructors share (or only part of a name): which one."""

    instructor_id: int


class AssignProblem(Exception):
    """An /assign that cannot be used: `code` (usage, stray, unknown_district, too_long) and
    the offending text."""

    def __init__(self, code: str, value: str = "") -> None:
        super().__init__(code, value)
        self.code = code
        self.value = value


@dataclass(frozen=True)
class AssignRequest:
    """What `/assign` asks: whom (a name, maybe their home district) and the new lists; a list
    left None was not given and stays as it is."""

    name: str
    home_district_id: int | None = None
    districts: list[int] | None = None
    industries: list[str] | None = None

    @property
    def changes(self) -> bool:
        """Whether anything is to be recorded (`/assign 张三` alone only shows)."""
        return self.districts is not None or self.industries is not None


def cleared(words: list[str]) -> list[str]:
    """`words`, or none at all if one of them is a clear word (无, 清空)."""
    return [] if any(narrow(word) in CLEAR_WORDS for word in words) else words


def _words(raw: str) -> list[str]:
    """The items of a list value, repeats dropped; none at all for a clear word."""
    return cleared(list(dict.fromkeys(word for word in _LIST.split(raw.strip()) if word)))


def district_ids_of(words: Iterable[str], names: Mapping[str, int]) -> tuple[list[int], list[str]]:
    """District names → their ids in the federation's order, and the names no district has."""
    ids: set[int] = set()
    unknown: list[str] = []
    for word in words:
        found = find_district(names, word)
        if found is None:
            unknown.append(word)
        else:
            ids.add(names[found])
    return sorted(ids), unknown


def parse_assignment(text: str, names: Mapping[str, int]) -> AssignRequest:
    """Reads `张三 [所属区] 区:西城,东城 行业:制造业`; raises AssignProblem.

    Keys are Chinese or English with `:` or `：`; items are separated by , ， 、 ; or spaces;
    a key given twice adds to its list. The optional word after the name is the instructor's
    own district, to tell namesakes apart.
    """
    matches = list(_KEY.finditer(text))
    head = text[: matches[0].start()] if matches else text
    words = head.split()
    if not words:
        raise AssignProblem("usage")
    if len(words) > 2:
        raise AssignProblem("stray", " ".join(words[1:]))
    home_district_id = None
    if len(words) == 2:
        found = find_district(names, words[1])
        if found is None:
            raise AssignProblem("stray", words[1])
        home_district_id = names[found]

    values: dict[str, list[str]] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        items = values.setdefault(KEYS[narrow(match.group(1))], [])
        for word in _words(text[match.end() : end]):
            if word not in items:
                items.append(word)
    for items in values.values():
        stray = [word for word in items if _COLON.search(word)]
        if stray:
            raise AssignProblem("stray", " ".join(stray))

    districts = None
    if "districts" in values:
        districts, unknown = district_ids_of(values["districts"], names)
        if unknown:
            raise AssignProblem("unknown_district", "、".join(unknown))
    industries = values.get("industries")
    for industry in industries or []:
        if len(industry) > INDUSTRY_LIMIT:
            raise AssignProblem("too_long", industry)
    return AssignRequest(words[0], home_district_id, districts, industries)


async def assign(
    session: AsyncSession,
    instructor: Instructor,
    districts: list[int] | None,
    industries: list[str] | None,
) -> bool:
    """Records the districts and industries `instructor` covers (None keeps a list as it is);
    tells whether anything changed."""
    changed = False
    if districts is not None and list(instructor.assigned_districts or []) != districts:
        instructor.assigned_districts = list(districts)
        changed = True
    if industries is not None and list(instructor.assigned_industries or []) != industries:
        instructor.assigned_industries = list(industries)
        changed = True
    if changed:
        await session.flush()
    return changed


@dataclass(frozen=True)
class Covering:
    """An instructor on the board: whom to name, and their own district and level."""

    instructor_id: int
    name: str
    district: str
    level: str


@dataclass
class Board:
    """Who covers what: each covered district (in the federation's order) and industry with
    its instructors, then the districts and industries nobody covers."""

    districts: list[tuple[str, list[Covering]]] = field(default_factory=list)
    industries: list[tuple[str, list[Covering]]] = field(default_factory=list)
    open_districts: list[str] = field(default_factory=list)
    open_industries: list[str] = field(default_factory=list)


async def known_industries(session: AsyncSession) -> list[str]:
    """The industries of the enterprise registry (most enterprises first), then those only
    instructors name as their own; one spelling each."""
    registry = await session.execute(
        select(Enterprise.industry, func.count())
        .where(Enterprise.industry.is_not(None))
        .group_by(Enterprise.industry)
        .order_by(func.count().desc(), Enterprise.industry)
    )
    own = await session.scalars(
        select(Instructor.industries).where(Instructor.status != Status.ENDED.value)
    )
    found: dict[str, str] = {}
    for industry in [name for name, _ in registry]:
        if industry and industry.strip():
            found.setdefault(fold(industry), industry.strip())
    for industry in sorted({name.strip() for names in own for name in names or [] if name}):
        if industry:
            found.setdefault(fold(industry), industry)
    return list(found.values())


async def board(session: AsyncSession) -> Board:
    """The dispatch board of active instructors (those on leave or gone cover nothing)."""
    districts = await list_districts(session)
    names = {district.id: district.name for district in districts}
    # Most instructors are dispatched nowhere; only the others are loaded.
    dispatched = (
        await session.scalars(
            select(Instructor)
            .where(
                Instructor.status == Status.ACTIVE.value,
                (cast(Instructor.assigned_districts, String) != "[]")
                | (cast(Instructor.assigned_industries, String) != "[]"),
            )
            .order_by(Instructor.district_id, Instructor.name, Instructor.id)
        )
    ).all()
    by_district: dict[int, list[Covering]] = {}
    by_industry: dict[str, tuple[str, list[Covering]]] = {}
    for instructor in dispatched:
        covering = Covering(
            instructor.id, instructor.name, names.get(instructor.district_id, ""), instructor.level
        )
        for district_id in instructor.assigned_districts or []:
            by_district.setdefault(district_id, []).append(covering)
        for industry in instructor.assigned_industries or []:
            by_industry.setdefault(fold(industry), (industry, []))[1].append(covering)

    result = Board()
    for district in districts:
        if district.id in by_district:
            result.districts.append((district.name, by_district[district.id]))
        else:
            result.open_districts.append(district.name)
    known = await known_industries(session)
    order = {fold(industry): index for index, industry in enumerate(known)}
    for key in sorted(by_industry, key=lambda key: (order.get(key, len(order)), key)):
        result.industries.append(by_industry[key])
    result.open_industries = [industry for industry in known if fold(industry) not in by_industry]
    return result
