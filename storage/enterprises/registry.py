"""The enterprise registry: the all-or-nothing import of a registry file, and its queries.

An enterprise is identified by its name, unique city-wide. The optional 集体合同 column holds
是/否, or the day the collective contract was signed (which means 是).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.spreadsheets import (
    ImportResult,
    RowError,
    RowReader,
    cell_bool,
    cell_date,
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
    "collective_contract": (
        "集体合同",
        "签订集体合同",
        "是否签订集体合同",
        "集体合同签订",
        "集体合同签订日期",
        "集体合同签订时间",
        "集体合同情况",
        "集体协商合同",
        "contract",
        "contract_signed_on",
    ),
}
REQUIRED = ("name", "district")
_TEXT_FIELDS = ("street", "region", "industry")

_SPACES = re.compile(r"[\s\u3000]+")
# Words of the 集体合同 column beyond the yes/no every column takes (storage.common.spreadsheets).
_SIGNED = {"已签", "已签订", "签订", "已签约", "签约"}
_UNSIGNED = {"未签", "未签订", "没签", "没有", "未签约"}
_DIGIT = re.compile(r"\d")
_CHUNK = 500


def normalize_enterprise_name(text: str) -> str:
    """An enterprise name as stored: trimmed, spaces collapsed, parentheses full-width.

    Registered Chinese names use full-width parentheses; folding them makes "维达纸业(中国)"
    and "维达纸业（中国）" one enterprise.
    """
    return _SPACES.sub(" ", text.strip()).replace("(", "（").replace(")", "）")


def parse_contract(text: str) -> tuple[tuple[bool, date | None] | None, str | None]:
    """A 集体合同 cell: (signed, signed on) — 是 (True, None), 否 (False, None), a date
    (True, the date) — or None and the code refusing it: bad_date for something like a date
    that is none (2024-02-30), bad_bool for anything else."""
    if text in _SIGNED:
        return (True, None), None
    if text in _UNSIGNED:
        return (False, None), None
    try:
        answer = cell_bool(text)
    except ValueError:
        pass
    else:
        return (bool(answer), None), None
    try:
        signed_on = cell_date(text)
    except ValueError:
        return None, "bad_date" if _DIGIT.search(text) else "bad_bool"
    return (True, signed_on), None


@dataclass
class _Parsed:
    row: int
    name: str
    district_id: int
    values: dict[str, Any] = field(default_factory=dict)


def _parse_row(
    read: RowReader, districts: Mapping[str, int], only_district_id: int | None
) -> _Parsed | None:
    name = read.text("name", required=True)
    if name is not None:
        name = normalize_enterprise_name(name)
        if len(name) > (column_length(Enterprise, "name") or len(name)):
            read.error("name", "too_long", name)
    district_id = read.lookup(
        "district", lambda text: import_district(districts, text, only_district_id), required=True
    )
    values: dict[str, Any] = {}
    for text_field in _TEXT_FIELDS:
        if read.has(text_field):
            length = column_length(Enterprise, text_field)
            values[text_field] = read.text(text_field, length=length)
    if read.has("employees"):
        values["employees"] = read.integer("employees", least=0)
    if read.has("unionized"):
        values["unionized"] = read.boolean("unionized")
    if read.has("collective_contract"):
        # A date cell reads as its ISO text, which parse_contract reads back as the date.
        contract = read.lookup("collective_contract", parse_contract)
        signed, signed_on = contract if contract is not None else (None, None)
        values["collective_contract"] = signed
        values["contract_signed_on"] = signed_on
    if not read.ok or name is None or district_id is None:
        return None
    return _Parsed(read.number, name, district_id, values)


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

    districts = await district_ids(session)
    rows, errors = opened.read(lambda read: _parse_row(read, districts, only_district_id))
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
        return ImportResult.refusing(errors)

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
