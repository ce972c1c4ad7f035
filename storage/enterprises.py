"""The enterprise registry: the all-or-nothing import of a registry file, and its queries.

An enterprise is identified by its name, unique city-wide.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.spreadsheets import (
    Cell,
    ImportResult,
    Row,
    RowError,
    cell_bool,
    cell_int,
    cell_text,
    column_length,
    open_import,
)
from storage.models import Enterprise
from storage.people.districts import district_ids, import_district

ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "企业", "单位名称", "名称", "enterprise", "company"),
    "district": ("所属区", "区", "所在区", "区县", "所属区县"),
    "street": ("街道乡镇", "街道", "乡镇", "街乡", "所属街道", "town"),
    "region": ("区域", "片区", "area"),
    "industry": ("行业", "产业", "所属行业"),
    "employees": ("职工人数", "职工数", "员工人数", "人数", "staff"),
    "unionized": ("是否建会", "建会", "已建会", "建会情况", "union"),
}
REQUIRED = ("name", "district")
_TEXT_FIELDS = ("street", "region", "industry")

_SPACES = re.compile(r"[\s\u3000]+")
_CHUNK = 500


def normalize_enterprise_name(text: str) -> str:
    """An enterprise name as stored: trimmed, spaces collapsed, parentheses full-width.

    Registered Chinese names use full-width parentheses; folding them makes "维达纸业(中国)"
    and "维达纸业（中国）" one enterprise.
    """
    return _SPACES.sub(" ", text.strip()).replace("(", "（").replace(")", "）")


@dataclass
class _Parsed:
    row: int
    name: str
    district_id: int
    values: dict[str, Any] = field(default_factory=dict)


def _parse_row(
    row: Row,
    columns: Mapping[str, int],
    districts: Mapping[str, int],
    only_district_id: int | None,
    errors: list[RowError],
) -> _Parsed | None:
    count = len(errors)

    def error(name: str, code: str, value: Cell = None) -> None:
        errors.append(RowError(row.number, name, code, cell_text(value)))

    def cell(name: str) -> Cell:
        return row.cells[columns[name]]

    name = cell_text(cell("name"))
    if name is None:
        error("name", "missing_value")
    else:
        name = normalize_enterprise_name(name)
        if len(name) > (column_length(Enterprise, "name") or len(name)):
            error("name", "too_long", name)
    district = cell_text(cell("district"))
    district_id = None
    if district is None:
        error("district", "missing_value")
    else:
        district_id, problem = import_district(districts, district, only_district_id)
        if problem:
            error("district", problem, district)
    values: dict[str, Any] = {}
    for text_field in _TEXT_FIELDS:
        if text_field in columns:
            text = cell_text(cell(text_field))
            if text is not None and len(text) > (column_length(Enterprise, text_field) or 0):
                error(text_field, "too_long", text)
            values[text_field] = text
    if "employees" in columns:
        try:
            employees = cell_int(cell("employees"))
        except ValueError:
            error("employees", "bad_number", cell("employees"))
        else:
            if employees is not None and employees < 0:
                error("employees", "bad_number", cell("employees"))
            values["employees"] = employees
    if "unionized" in columns:
        try:
            values["unionized"] = cell_bool(cell("unionized"))
        except ValueError:
            error("unionized", "bad_bool", cell("unionized"))
    if len(errors) > count or name is None or district_id is None:
        return None
    return _Parsed(row.number, name, district_id, values)


async def _enterprises_named(session: AsyncSession, names: Sequence[str]) -> dict[str, Enterprise]:
    found: dict[str, Enterprise] = {}
    for start in range(0, len(names), _CHUNK):
        query = select(Enterprise).where(Enterprise.name.in_(names[start : start + _CHUNK]))
        for enterprise in await session.scalars(query):
            found[enterprise.name] = enterprise
    return found


async def import_enterprises(
    session: AsyncSession, data: bytes, filename: str | None, *, only_district_id: int | None
) -> ImportResult:
    """Imports an enterprise registry file all-or-nothing.

    A district admin (`only_district_id`) may neither add another district's enterprise nor
    move one that another district holds.
    """
    opened = open_import(data, filename, ALIASES, REQUIRED)
    if isinstance(opened, ImportResult):
        return opened
    table, columns = opened

    districts = await district_ids(session)
    errors: list[RowError] = []
    rows = [
        row
        for row in (_parse_row(r, columns, districts, only_district_id, errors) for r in table.rows)
        if row is not None
    ]
    existing = await _enterprises_named(session, sorted({row.name for row in rows}))
    parsed: list[_Parsed] = []
    seen: set[str] = set()
    for row in rows:
        if row.name in seen:
            errors.append(RowError(row.row, "name", "duplicate", row.name))
            continue
        seen.add(row.name)
        current = existing.get(row.name)
        if only_district_id is not None and current and current.district_id != only_district_id:
            # Another district holds this enterprise; only HQ may move it.
            held_by = next(name for name, id_ in districts.items() if id_ == current.district_id)
            errors.append(RowError(row.row, "district", "not_your_district", held_by))
            continue
        parsed.append(row)
    if errors:
        errors.sort(key=lambda error: error.row)
        return ImportResult(errors=errors)

    result = ImportResult()
    for row in parsed:
        enterprise = existing.get(row.name)
        if enterprise is None:
            session.add(Enterprise(name=row.name, district_id=row.district_id, **row.values))
            result.created += 1
            continue
        differs = False
        for attribute, value in {"district_id": row.district_id, **row.values}.items():
            if getattr(enterprise, attribute) != value:
                setattr(enterprise, attribute, value)
                differs = True
        if differs:
            result.updated += 1
        else:
            result.unchanged += 1
    await session.flush()
    return result


async def list_enterprises(session: AsyncSession, district_id: int | None) -> list[Enterprise]:
    """The registry (of one district if given), ordered by district, then name."""
    query = select(Enterprise).order_by(Enterprise.district_id, Enterprise.name, Enterprise.id)
    if district_id is not None:
        query = query.where(Enterprise.district_id == district_id)
    return list((await session.scalars(query)).all())
