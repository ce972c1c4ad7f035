"""The instructor roster: the all-or-nothing import of a roster file, and roster queries.

An instructor is identified by (district, name). Every row is validated before anything is
written; on any error nothing is added or flushed and every bad cell is reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.spreadsheets import (
    ImportResult,
    RowError,
    RowReader,
    column_length,
    open_import,
)
from storage.common.text import EMPLOYMENTS, LEVELS, STATUSES, fold
from storage.models import Instructor, Status
from storage.people.dispatch import cleared, district_ids_of
from storage.people.districts import district_ids, import_district
from storage.people.invites import InviteRow, ensure_invites

ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "指导员", "指导员姓名", "full name"),
    "level": ("层级", "级别", "指导员层级"),
    "employment": ("类别", "专兼职", "专职兼职", "用工类别", "employment type"),
    "district": ("所属区", "区", "所在区", "区县", "所属区县"),
    "street": ("街道乡镇", "街道", "乡镇", "街乡", "所属街道", "town"),
    "industry": ("产业", "行业", "所属产业", "industries"),
    "skills": ("专长", "特长", "skill"),
    "start_date": ("入职日期", "聘任日期", "开始日期", "start"),
    "mentor": ("带教导师", "导师", "带教人"),
    "phone": ("手机", "手机号", "手机号码", "电话", "联系电话", "mobile"),
    "telegram_id": ("telegram", "tg_id", "telegram用户id"),
    "note": ("备注", "notes", "remark", "remarks"),
    "status": ("状态", "在职状态"),
    "assigned_districts": ("派驻区", "派驻区县", "派驻地区"),
    "assigned_industries": ("派驻产业", "派驻行业"),
    "monthly_allowance": ("月补贴", "每月补贴", "月补贴标准", "补贴"),
    "district_share": ("区承担比例", "区承担", "区负担比例", "区级承担比例"),
}
REQUIRED = ("name", "level", "employment", "district")


# Roster field → Instructor attribute, for the plain fields copied as they are.
_ATTRIBUTES = {
    "level": "level",
    "employment": "employment",
    "street": "street",
    "industry": "industries",
    "skills": "skills",
    "start_date": "start_date",
    "phone": "phone",
    "note": "note",
    "status": "status",
}

# The subsidy columns (月补贴, 区承担比例): a monthly allowance above this is a typo, not a wage.
MAX_MONTHLY_ALLOWANCE = 1_000_000
_NUMBER = re.compile(r"([+-]?)(\d+)(?:\.(\d*))?")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])[\s\u3000]+(?=[\u3400-\u9fff])")
_CHUNK = 500
T = TypeVar("T")
Key = tuple[int, str]  # (district_id, name)


def normalize_name(text: str) -> str:
    """A person's name as stored: trimmed, "张　三" → "张三", inner runs of spaces collapsed."""
    return " ".join(_CJK_GAP.sub("", text.strip()).split())


def _number(text: str) -> tuple[bool, Decimal] | None:
    """(written with a minus, the value) of a plain decimal number, None for anything else."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    sign, whole, fraction = match.groups()
    value = Decimal(f"{whole}.{fraction or 0}")
    return sign == "-", -value if sign == "-" else value


def parse_allowance(text: str) -> tuple[int | None, str | None]:
    """A 月补贴 cell as whole yuan a month, or the RowError code refusing it.

    5560, 5,560, ￥5560, 5560元, 5560元/月 and 5560.00 all give 5560; a minus is
    `negative_allowance`, jiao or fen (5560.5) `fractional_allowance`, anything else
    `bad_allowance`.
    """
    clean = "".join(unicodedata.normalize("NFKC", text).split()).replace(",", "")
    clean = clean.removeprefix("¥").removeprefix("RMB").removesuffix("/月").removesuffix("元")
    number = _number(clean)
    if number is None:
        return None, "bad_allowance"
    negative, value = number
    if negative and value:
        return None, "negative_allowance"
    if value != value.to_integral_value():
        return None, "fractional_allowance"
    if value > MAX_MONTHLY_ALLOWANCE:
        return None, "allowance_too_large"
    return int(value), None


def parse_share(text: str) -> tuple[int | None, str | None]:
    """A 区承担比例 cell as a whole percent 0–100, or the RowError code refusing it.

    50, 50% and 50％ give 50. A number between 0 and 1 with a fraction (0.5) is what Excel
    keeps for a cell formatted as a percentage (50%), so it gives 50 too. A bare 1 could be
    1 % or Excel's 100 %: `ambiguous_share` asks for 100 or 1%. Beyond 0–100 (or negative)
    is `share_out_of_range`, 12.5 `fractional_share`, anything else `bad_share`.
    """
    clean = "".join(unicodedata.normalize("NFKC", text).split())
    percent = clean.endswith("%")
    number = _number(clean.removesuffix("%"))
    if number is None:
        return None, "bad_share"
    negative, value = number
    if negative and value:
        return None, "share_out_of_range"
    if not percent:
        if value == 1:
            return None, "ambiguous_share"
        if 0 < value < 1:
            value *= 100
    if value > 100:
        return None, "share_out_of_range"
    if value != value.to_integral_value():
        return None, "fractional_share"
    return int(value), None


@dataclass
class RosterImport(ImportResult):
    """A roster import's outcome; on success, an invite for each unbound instructor in it."""

    invites: list[InviteRow] = field(default_factory=list)


@dataclass
class _Parsed:
    row: int
    name: str | None = None
    district_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)  # attribute → value, columns present
    mentor: str | None = None
    telegram_id: int | None = None
    ok: bool = True

    @property
    def key(self) -> Key:
        assert self.district_id is not None and self.name is not None
        return (self.district_id, self.name)


def _parse_row(
    read: RowReader, districts: Mapping[str, int], only_district_id: int | None, today: date
) -> _Parsed:
    parsed = _Parsed(read.number)
    name = read.text("name", required=True)
    if name is not None:
        parsed.name = normalize_name(name)
        if len(parsed.name) > (column_length(Instructor, "name") or len(parsed.name)):
            read.error("name", "too_long", name)
    level = read.choice("level", LEVELS, "unknown_level", fold=fold, required=True)
    employment = read.choice(
        "employment", EMPLOYMENTS, "unknown_employment", fold=fold, required=True
    )
    parsed.district_id = read.lookup(
        "district", lambda text: import_district(districts, text, only_district_id), required=True
    )
    parsed.values.update(level=level, employment=employment)
    if read.has("street"):
        parsed.values["street"] = read.text("street", length=column_length(Instructor, "street"))
    if read.has("industry"):
        parsed.values["industries"] = read.tags("industry")
    if read.has("skills"):
        parsed.values["skills"] = read.tags("skills")
    if read.has("start_date"):
        parsed.values["start_date"] = read.date("start_date", latest=today)
    if read.has("mentor"):
        mentor = read.text("mentor")
        parsed.mentor = normalize_name(mentor) if mentor else None
    if read.has("phone"):
        parsed.values["phone"] = read.text("phone", length=column_length(Instructor, "phone"))
    if read.has("telegram_id"):
        parsed.telegram_id = read.integer("telegram_id", least=1)
    if read.has("note"):
        parsed.values["note"] = read.text("note")
    if read.has("status"):
        status = read.choice("status", STATUSES, "unknown_status", fold=fold)
        if status is not None:
            parsed.values["status"] = status
    if read.has("assigned_districts"):
        ids, unknown = district_ids_of(cleared(read.tags("assigned_districts")), districts)
        for name in unknown:
            read.error("assigned_districts", "unknown_district", name)
        parsed.values["assigned_districts"] = ids
    if read.has("assigned_industries"):
        parsed.values["assigned_industries"] = cleared(read.tags("assigned_industries"))
    if read.has("monthly_allowance"):
        parsed.values["monthly_allowance"] = read.lookup("monthly_allowance", parse_allowance)
    if read.has("district_share"):
        parsed.values["district_share"] = read.lookup("district_share", parse_share)
    parsed.ok = read.ok and parsed.name is not None and parsed.district_id is not None
    return parsed


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


async def _instructors_named(session: AsyncSession, names: set[str]) -> list[Instructor]:
    found: list[Instructor] = []
    for chunk in _chunks(sorted(names)):
        query = select(Instructor).where(Instructor.name.in_(chunk))
        found.extend((await session.scalars(query)).all())
    return found


async def _instructors_with_ids(session: AsyncSession, ids: set[int]) -> dict[int, Instructor]:
    found: dict[int, Instructor] = {}
    for chunk in _chunks(sorted(ids)):
        query = select(Instructor).where(Instructor.telegram_id.in_(chunk))
        for instructor in await session.scalars(query):
            assert instructor.telegram_id is not None
            found[instructor.telegram_id] = instructor
    return found


def _resolve_mentor(
    parsed: _Parsed, candidates: Mapping[str, set[Key]], errors: list[RowError]
) -> Key | None:
    """The (district, name) of the row's mentor: same district first, else the only one."""
    assert parsed.mentor is not None
    if parsed.mentor == parsed.name:
        errors.append(RowError(parsed.row, "mentor", "self_mentor", parsed.mentor))
        return None
    keys = candidates.get(parsed.mentor, set())
    same = (parsed.key[0], parsed.mentor)
    if same in keys:
        return same
    if len(keys) == 1:
        return next(iter(keys))
    code = "ambiguous_mentor" if keys else "unknown_mentor"
    errors.append(RowError(parsed.row, "mentor", code, parsed.mentor))
    return None


async def import_roster(
    session: AsyncSession,
    data: bytes,
    filename: str | None,
    *,
    only_district_id: int | None,
    ttl: timedelta,
    now: datetime,
) -> RosterImport:
    """Imports a roster file all-or-nothing and returns invites for its unbound instructors.

    `only_district_id` restricts a district admin to their district's rows. `now` decides
    which start dates lie in the future (its own date) and when new invites expire.
    """
    opened = open_import(data, filename, ALIASES, REQUIRED)
    if isinstance(opened, ImportResult):
        return RosterImport(file_problem=opened.file_problem, errors=opened.errors)

    districts = await district_ids(session)
    rows, errors = opened.read(
        lambda read: _parse_row(read, districts, only_district_id, now.date())
    )
    named = [row for row in rows if row.name is not None and row.district_id is not None]

    parsed: list[_Parsed] = []
    seen: set[Key] = set()
    for row in named:
        if row.key in seen:
            errors.append(RowError(row.row, "name", "duplicate", row.name))
        else:
            seen.add(row.key)
            if row.ok:
                parsed.append(row)

    names = {row.key[1] for row in named} | {row.mentor for row in parsed if row.mentor}
    in_db = await _instructors_named(session, names)
    existing = {(i.district_id, i.name): i for i in in_db}
    candidates: dict[str, set[Key]] = {}
    for key in [*existing, *seen]:
        candidates.setdefault(key[1], set()).add(key)
    mentors = {row.row: _resolve_mentor(row, candidates, errors) for row in parsed if row.mentor}

    ids = {row.telegram_id for row in parsed if row.telegram_id is not None}
    owners = await _instructors_with_ids(session, ids)
    claimed: dict[int, Key] = {}
    for row in parsed:
        if row.telegram_id is None:
            continue
        owner = owners.get(row.telegram_id)
        taken = owner is not None and (owner.district_id, owner.name) != row.key
        if taken or claimed.setdefault(row.telegram_id, row.key) != row.key:
            errors.append(
                RowError(row.row, "telegram_id", "telegram_id_taken", str(row.telegram_id))
            )

    if errors:
        return RosterImport.refusing(errors)
    return await _write(session, parsed, mentors, existing, opened.columns, ttl=ttl, now=now)


async def _write(
    session: AsyncSession,
    parsed: Sequence[_Parsed],
    mentors: Mapping[int, Key | None],
    existing: Mapping[Key, Instructor],
    columns: Mapping[str, int],
    *,
    ttl: timedelta,
    now: datetime,
) -> RosterImport:
    result = RosterImport()
    instructors: dict[Key, Instructor] = dict(existing)
    changed: dict[Key, bool] = {}
    for row in parsed:
        instructor = existing.get(row.key)
        if instructor is None:
            values = {"industries": [], "skills": [], **row.values}
            if not values.get("status"):
                values["status"] = Status.ACTIVE.value
            instructor = Instructor(
                name=row.key[1], district_id=row.key[0], telegram_id=row.telegram_id, **values
            )
            session.add(instructor)
            instructors[row.key] = instructor
            result.created += 1
            continue
        differs = False
        for attribute, value in row.values.items():
            if getattr(instructor, attribute) != value:
                setattr(instructor, attribute, value)
                differs = True
        # Bindings come from invites: an empty cell does not unbind anyone.
        if row.telegram_id is not None and instructor.telegram_id != row.telegram_id:
            instructor.telegram_id = row.telegram_id
            differs = True
        changed[row.key] = differs
    await session.flush()  # new instructors get ids before anyone names them as mentor

    if "mentor" in columns:
        for row in parsed:
            instructor = instructors[row.key]
            mentor_key = mentors.get(row.row)
            mentor_id = instructors[mentor_key].id if mentor_key is not None else None
            if instructor.mentor_id != mentor_id:
                instructor.mentor_id = mentor_id
                if row.key in changed:
                    changed[row.key] = True
    result.updated = sum(changed.values())
    result.unchanged = len(changed) - result.updated

    invitable = [
        instructors[row.key] for row in parsed if instructors[row.key].status != Status.ENDED.value
    ]
    result.invites = await ensure_invites(session, invitable, ttl=ttl, now=now)
    return result


def _scope(query: Any, district_id: int | None, include_ended: bool) -> Any:
    if district_id is not None:
        query = query.where(Instructor.district_id == district_id)
    if not include_ended:
        query = query.where(Instructor.status != Status.ENDED.value)
    return query


async def find_instructors(
    session: AsyncSession, name: str, district_id: int | None
) -> list[Instructor]:
    """Instructors called `name` (of one district if given); if none, those whose name has it."""
    clean = normalize_name(name)
    if not clean:
        return []
    order = (Instructor.district_id, Instructor.name, Instructor.id)
    exact = _scope(select(Instructor).where(Instructor.name == clean), district_id, True)
    found = list((await session.scalars(exact.order_by(*order))).all())
    if found:
        return found
    pattern = "%" + clean.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    partial = select(Instructor).where(Instructor.name.like(pattern, escape="\\"))
    query = _scope(partial, district_id, True).order_by(*order)
    return list((await session.scalars(query)).all())


async def list_instructors(
    session: AsyncSession,
    district_id: int | None,
    *,
    offset: int = 0,
    limit: int | None = None,
    include_ended: bool = False,
) -> list[Instructor]:
    """Instructors ordered by district, then name; those who ended only when asked."""
    query = _scope(select(Instructor), district_id, include_ended)
    query = query.order_by(Instructor.district_id, Instructor.name, Instructor.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list((await session.scalars(query)).all())


async def count_instructors(session: AsyncSession, district_id: int | None) -> tuple[int, int]:
    """(instructors who have not ended, how many of them have bound a Telegram account)."""
    query = _scope(
        select(func.count(), func.count(Instructor.telegram_id)).select_from(Instructor),
        district_id,
        False,
    )
    total, bound = (await session.execute(query)).one()
    return int(total), int(bound)
