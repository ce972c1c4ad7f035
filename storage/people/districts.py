"""Districts (区): the 16 of Beijing seeded by the first migration, and any HQ adds later."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.spreadsheets import column_length
from storage.models import District

_SPACES = " \t\r\n\u3000\u00a0\u200b\ufeff"
# How people write a district's name around the short form stored in the table.
_PREFIXES = ("北京市", "北京")
_SUFFIXES = ("区", "县")  # 密云 and 延庆 were counties (县) until 2015


def normalize_district(name: str) -> str:
    """Trims a district name as typed: surrounding and inner spaces removed."""
    return "".join(name.strip(_SPACES).split())


def find_district(names: Collection[str], raw: str) -> str | None:
    """The known district `raw` means: "西城", "西城区", "北京市西城区" all give "西城"."""
    name = normalize_district(raw)
    if not name:
        return None
    candidates = [name]
    for prefix in _PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            candidates.append(name[len(prefix) :])
    for candidate in list(candidates):
        for suffix in _SUFFIXES:
            if candidate.endswith(suffix) and len(candidate) > len(suffix):
                candidates.append(candidate[: -len(suffix)])
    return next((candidate for candidate in candidates if candidate in names), None)


def import_district(
    names: Mapping[str, int], raw: str, only_district_id: int | None
) -> tuple[int | None, str | None]:
    """The id of the district an import row names, or the RowError code refusing it:
    unknown_district, or not_your_district for a district admin's import of another district."""
    found = find_district(names, raw)
    if found is None:
        return None, "unknown_district"
    if only_district_id is not None and names[found] != only_district_id:
        return None, "not_your_district"
    return names[found], None


async def list_districts(session: AsyncSession) -> list[District]:
    """Every district in the order the federation lists them (the seed order)."""
    return list((await session.scalars(select(District).order_by(District.id))).all())


async def district_ids(session: AsyncSession) -> dict[str, int]:
    """District name → id."""
    rows = await session.execute(select(District.name, District.id))
    return {name: district_id for name, district_id in rows}


async def add_district(session: AsyncSession, name: str) -> District:
    """Adds a district, or returns the existing one that `name` already means.

    Raises ValueError("missing_value") for a blank name and ValueError("too_long") for a name
    longer than the column.
    """
    clean = normalize_district(name)
    if not clean:
        raise ValueError("missing_value")
    if len(clean) > (column_length(District, "name") or len(clean)):
        raise ValueError("too_long")
    known = await district_ids(session)
    existing = find_district(known, clean)
    if existing is not None:
        return await session.get_one(District, known[existing])
    district = District(name=clean)
    session.add(district)
    await session.flush()
    return district
