"""Import of report history, all or nothing, from the layout of the export's 工作动态 sheet.

The optional 标签 column lists a row's campaign tags: `四必谈`, `#四必谈 #工资专项`, `四必谈、工资`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.spreadsheets import (
    ImportResult,
    RowError,
    RowReader,
    column_length,
    open_import,
)
from storage.common.tags import TagProblem, read_tags
from storage.common.text import LEVELS, TYPE_WORDS, fold
from storage.enterprises import normalize_enterprise_name
from storage.models import Enterprise, Instructor, Report, ReportSource
from storage.people.districts import district_ids, import_district
from storage.people.roster import normalize_name
from storage.reports.exports import REPORTS_SHEET
from storage.reports.rollups import count_reports
from storage.reports.tags import add_tags, tags_of

ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("日期", "工作日期", "时间", "day"),
    "instructor": ("指导员", "指导员姓名", "姓名", "name"),
    "level": ("层级", "级别"),
    "district": ("所属区", "区", "所在区", "区县", "所属区县"),
    "type": ("类型", "工作类型", "kind"),
    "target": ("对象", "工作对象", "企业", "企业名称", "企业或街道"),
    "person_times": ("人次", "人数", "person-times", "persons"),
    "note": ("备注", "内容", "说明", "notes", "remark"),
    "tags": ("标签", "活动标签", "专项行动", "tags", "tag"),
}
REQUIRED = ("date", "instructor", "district", "type", "target")


Key = tuple[int, date, str, str, int, str | None]  # instructor, date, type, target, 人次, note


@dataclass
class _Parsed:
    row: int
    name: str
    district_id: int
    date: date
    type: str
    target: str
    person_times: int
    note: str | None
    tags: list[str]


def _read_tags(read: RowReader) -> list[str]:
    """The row's 标签 as stored tags; `bad_tag`, `tag_too_long` or `too_many_tags` else."""
    text = read.text("tags")
    try:
        return read_tags(text)
    except TagProblem as problem:
        # Spelled out, so that the codes an import can give are plain to read (and to scan).
        code = (
            "bad_tag"
            if problem.code == "bad_tag"
            else "too_many_tags"
            if problem.code == "too_many_tags"
            else "tag_too_long"
        )
        read.error("tags", code, str(problem.value))
        return []


def _parse_row(
    read: RowReader, districts: Mapping[str, int], only_district_id: int | None, today: date
) -> _Parsed | None:
    day = read.date("date", required=True, latest=today)
    name = read.text("instructor", required=True)
    district_id = read.lookup(
        "district", lambda text: import_district(districts, text, only_district_id), required=True
    )
    # 层级 is the instructor's, shown for readers; it is checked but not stored.
    read.choice("level", LEVELS, "unknown_level", fold=fold)
    kind = read.choice("type", TYPE_WORDS, "unknown_type", fold=fold, required=True)
    target = read.text("target", required=True, length=column_length(Report, "target"))
    person_times = read.integer("person_times", least=0) or 0
    note = read.text("note")
    tags = _read_tags(read)
    if not read.ok:
        return None
    assert day and name and district_id is not None and kind and target
    return _Parsed(
        read.number, normalize_name(name), district_id, day, kind, target, person_times, note, tags
    )


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _instructors(
    session: AsyncSession, names: Iterable[str]
) -> tuple[dict[tuple[int, str], int], dict[str, list[int]]]:
    """(district, name) → id, and name → ids city-wide, for the instructors named."""
    by_key: dict[tuple[int, str], int] = {}
    by_name: dict[str, list[int]] = {}
    for chunk in _chunks(sorted(set(names))):
        query = select(Instructor.id, Instructor.district_id, Instructor.name).where(
            Instructor.name.in_(chunk)
        )
        for id_, district_id, name in await session.execute(query):
            by_key[(district_id, name)] = id_
            by_name.setdefault(name, []).append(id_)
    return by_key, by_name


async def _enterprises(session: AsyncSession, targets: Iterable[str]) -> dict[str, int]:
    """Normalized enterprise name → id for the targets that name a registered enterprise."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted({normalize_enterprise_name(target) for target in targets})):
        query = select(Enterprise.name, Enterprise.id).where(Enterprise.name.in_(chunk))
        found.update({name: id_ for name, id_ in await session.execute(query)})
    return found


@dataclass
class _Recorded:
    """A report already recorded under a row's key: its id and its tags."""

    id: int
    tags: set[str]


async def _existing(
    session: AsyncSession,
    instructor_ids: Sequence[int],
    first: date,
    last: date,
    *,
    with_tags: bool,
) -> dict[Key, list[_Recorded]]:
    """The reports recorded under each (instructor, date, type, target, 人次, note), oldest
    first, with their tags if `with_tags` (else their tags read as none)."""
    found: dict[Key, list[_Recorded]] = {}
    for chunk in _chunks(sorted(set(instructor_ids))):
        query = (
            select(
                Report.instructor_id,
                Report.date,
                Report.type,
                Report.target,
                Report.person_times,
                Report.note,
                Report.id,
            )
            .where(
                Report.deleted_at.is_(None),
                Report.instructor_id.in_(chunk),
                Report.date >= first,
                Report.date <= last,
            )
            .order_by(Report.id)
        )
        for instructor_id, day, kind, target, person_times, note, id_ in await session.execute(
            query
        ):
            key: Key = (instructor_id, day, kind, target, person_times, note)
            found.setdefault(key, []).append(_Recorded(int(id_), set()))
    if with_tags:
        recorded = {item.id: item for items in found.values() for item in items}
        for report_id, tags in (await tags_of(session, sorted(recorded))).items():
            recorded[report_id].tags = set(tags)
    return found


def _pair(
    rows: Sequence[tuple[Key, _Parsed, int | None]], existing: dict[Key, list[_Recorded]]
) -> tuple[list[tuple[Key, _Parsed, int | None]], dict[int, list[str]], int]:
    """Matches the file's rows with the reports already recorded under their keys.

    A recorded report stands for one row; rows whose tags it carries are matched first. Returns
    the rows to create, the tags to add to matched reports (those they lack), and how many rows
    matched a report that already carries all their tags.
    """
    new: list[tuple[Key, _Parsed, int | None]] = []
    additions: dict[int, list[str]] = {}
    unchanged = 0
    by_key: dict[Key, list[tuple[Key, _Parsed, int | None]]] = {}
    for item in rows:
        by_key.setdefault(item[0], []).append(item)
    for key, items in by_key.items():
        free = list(existing.get(key, []))
        waiting = []
        for item in items:
            carrier = next((r for r in free if set(item[1].tags) <= r.tags), None)
            if carrier is None:
                waiting.append(item)
                continue
            free.remove(carrier)
            unchanged += 1
        for item in waiting:
            if not free:
                new.append(item)
                continue
            recorded = free.pop(0)
            lacking = [tag for tag in item[1].tags if tag not in recorded.tags]
            if lacking:
                additions[recorded.id] = lacking
            else:
                unchanged += 1
    return new, additions, unchanged


async def import_reports(
    session: AsyncSession,
    data: bytes,
    filename: str | None,
    *,
    only_district_id: int | None,
    today: date,
) -> ImportResult:
    """Imports report history in the layout of the 工作动态 sheet, all-or-nothing.

    An instructor is found by (所属区, 指导员), or by the name alone when only one instructor
    bears it (someone who has moved since). 对象 naming a registered enterprise links it. A
    row already recorded (same instructor, date, type, target, 人次 and note) is left as it
    is, but for the 标签 it lacks, which are added (`updated`; tags are never taken away by
    an import); a row the file holds n times is recorded n times in all, so importing a file
    again changes nothing. Dates may lie far back but not after `today`.
    """
    opened = open_import(data, filename, ALIASES, REQUIRED, sheet=REPORTS_SHEET)
    if isinstance(opened, ImportResult):
        return opened

    districts = await district_ids(session)
    parsed, errors = opened.read(lambda read: _parse_row(read, districts, only_district_id, today))
    by_key, by_name = await _instructors(session, (row.name for row in parsed))
    enterprises = await _enterprises(session, (row.target for row in parsed))
    keyed: list[tuple[Key, _Parsed, int | None]] = []
    for row in parsed:
        instructor_id = by_key.get((row.district_id, row.name))
        if instructor_id is None and len(by_name.get(row.name, [])) == 1:
            instructor_id = by_name[row.name][0]
        if instructor_id is None:
            errors.append(RowError(row.row, "instructor", "unknown_instructor", row.name))
            continue
        enterprise_name = normalize_enterprise_name(row.target)
        enterprise_id = enterprises.get(enterprise_name)
        target = enterprise_name if enterprise_id is not None else row.target
        key: Key = (instructor_id, row.date, row.type, target, row.person_times, row.note)
        keyed.append((key, row, enterprise_id))
    if errors:
        return ImportResult.refusing(errors)
    if not keyed:
        return ImportResult()

    existing = await _existing(
        session,
        [key[0] for key, _, _ in keyed],
        min(key[1] for key, _, _ in keyed),
        max(key[1] for key, _, _ in keyed),
        with_tags=any(row.tags for _, row, _ in keyed),
    )
    to_create, additions, unchanged = _pair(keyed, existing)
    result = ImportResult(unchanged=unchanged, updated=len(additions))
    new: list[dict[str, Any]] = []
    for key, row, enterprise_id in to_create:
        instructor_id, day, kind, target, person_times, note = key
        new.append(
            {
                "instructor_id": instructor_id,
                "district_id": row.district_id,
                "date": day,
                "type": kind,
                "enterprise_id": enterprise_id,
                "target": target,
                "person_times": person_times,
                "note": note,
                "source": ReportSource.IMPORT.value,
            }
        )
    ids: list[int] = []
    returning = insert(Report).returning(Report.id, sort_by_parameter_order=True)
    for chunk in _chunks(new, 1000):
        ids += (await session.scalars(returning, list(chunk))).all()
    await count_reports(session, new)
    for report_id, (_, row, _) in zip(ids, to_create, strict=True):
        additions[report_id] = row.tags
    await add_tags(
        session, ((report_id, tag) for report_id, tags in additions.items() for tag in tags)
    )
    result.created = len(new)
    return result
