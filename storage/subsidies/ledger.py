"""The subsidy ledger (补贴台账): a year's allowances per instructor and district, who bears them.

The rules, which the README states for users:

- An instructor's year is `monthly_allowance` × the months of the year they serve: all 12 when
  they started before the year or the roster has no 入职日期, from their start month (counted in
  full) to December when they started in it, none when they start after it. The months still
  ahead in the current year count: the ledger is what the year costs.
- The roster has no end date. An instructor whose status is 离任 (ended) counts no month in any
  year, since nothing says when they left; the answer says how many were left out. 请假 (on
  leave) counts like 在职.
- Instructors without a 月补贴 are not in the ledger (the answer counts them). A blank
  区承担比例 means the district bears nothing: the city bears it all.
- Each instructor's district part is total × share / 100 rounded to the nearest yuan, halves
  up; the city's part is the rest, so the two always add up to the total. District and city
  totals are the sums of those rows, so every figure adds up to the yuan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.spreadsheets import xlsx_bytes
from storage.models import District, Instructor, Status

SHEET_INSTRUCTORS = "指导员"
SHEET_DISTRICTS = "各区"
INSTRUCTOR_COLUMNS: tuple[str, ...] = (
    "姓名",
    "所属区",
    "月补贴",
    "月数",
    "全年补贴",
    "区承担比例",
    "区承担",
    "市承担",
)
DISTRICT_COLUMNS: tuple[str, ...] = ("所属区", "人数", "全年补贴", "区承担", "市承担")
TOTAL_LABEL = "合计"
# The years a ledger may be asked for: before the first roster, after any budget.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_year(text: str) -> int | None:
    """The year `text` names (2025, 2025年), None when it is no year the ledger knows."""
    clean = "".join(text.split()).removesuffix("年")
    if not (clean.isascii() and clean.isdigit()):
        return None
    year = int(clean)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def months_in_service(start: date | None, year: int) -> int:
    """The months of `year` an instructor who started on `start` serves (its month in full)."""
    if start is None or start.year < year:
        return 12
    if start.year > year:
        return 0
    return 13 - start.month


def split(total: int, share: int | None) -> tuple[int, int]:
    """(the district's part, the city's part) of `total` yuan for a district share in percent:
    the district's rounded to the yuan, halves up; the city's the rest."""
    district = (total * (share or 0) + 50) // 100
    return district, total - district


@dataclass(frozen=True)
class LedgerRow:
    """One instructor's year."""

    name: str
    district: str
    monthly_allowance: int
    months: int
    total: int
    district_share: int | None  # percent; None when the roster leaves it blank
    district_part: int
    city_part: int


@dataclass
class DistrictTotal:
    """One district's sums."""

    district: str
    instructors: int = 0
    total: int = 0
    district_part: int = 0
    city_part: int = 0

    def add(self, row: LedgerRow) -> None:
        self.instructors += 1
        self.total += row.total
        self.district_part += row.district_part
        self.city_part += row.city_part


@dataclass
class Ledger:
    """A year's ledger for the city (district None) or one district."""

    year: int
    district: str | None
    rows: list[LedgerRow] = field(default_factory=list)
    districts: list[DistrictTotal] = field(default_factory=list)
    totals: DistrictTotal = field(default_factory=lambda: DistrictTotal(TOTAL_LABEL))
    without_allowance: int = 0  # not ended, no 月补贴: not in the ledger
    ended: int = 0  # 离任 with a 月补贴: not counted (no end date)
    not_started: int = 0  # start after the year: not in it
    without_share: int = 0  # in the ledger with a blank 区承担比例 (the city bears all)


async def compute_ledger(session: AsyncSession, year: int, district_id: int | None) -> Ledger:
    """The ledger of `year` for a district, or for the city when `district_id` is None."""
    query = select(
        District.id,
        Instructor.id,
        Instructor.name,
        District.name,
        Instructor.monthly_allowance,
        Instructor.district_share,
        Instructor.start_date,
        Instructor.status,
    ).join(District, District.id == Instructor.district_id)
    district = None
    if district_id is not None:
        query = query.where(Instructor.district_id == district_id)
        district = await session.scalar(select(District.name).where(District.id == district_id))
    ledger = Ledger(year, district)
    by_district: dict[str, DistrictTotal] = {}
    # Sorted here, not by ORDER BY name: SQLite and PostgreSQL collate Chinese names differently,
    # and the chat, the sheet and the command line must list them alike (code point order).
    found = sorted((await session.execute(query)).all(), key=lambda r: (r[0], r[2], r[1]))
    for _, _, name, district_name, monthly, share, start, status in found:
        if monthly is None:
            if status != Status.ENDED.value:
                ledger.without_allowance += 1
            continue
        if status == Status.ENDED.value:
            ledger.ended += 1
            continue
        months = months_in_service(start, year)
        if months == 0:
            ledger.not_started += 1
            continue
        total = monthly * months
        district_part, city_part = split(total, share)
        row = LedgerRow(
            name, district_name, monthly, months, total, share, district_part, city_part
        )
        ledger.rows.append(row)
        ledger.without_share += share is None
        by_district.setdefault(district_name, DistrictTotal(district_name)).add(row)
        ledger.totals.add(row)
    ledger.districts = list(by_district.values())
    return ledger


def ledger_json(ledger: Ledger) -> dict[str, Any]:
    """The ledger as plain data, the figures `xieshang subsidies --json` prints."""

    def sums(total: DistrictTotal) -> dict[str, Any]:
        return {
            "instructors": total.instructors,
            "total": total.total,
            "district_part": total.district_part,
            "city_part": total.city_part,
        }

    return {
        "year": ledger.year,
        "district": ledger.district,
        **sums(ledger.totals),
        "districts": [{"district": d.district, **sums(d)} for d in ledger.districts],
        "rows": [
            {
                "name": row.name,
                "district": row.district,
                "monthly_allowance": row.monthly_allowance,
                "months": row.months,
                "total": row.total,
                "district_share": row.district_share,
                "district_part": row.district_part,
                "city_part": row.city_part,
            }
            for row in ledger.rows
        ],
        "without_allowance": ledger.without_allowance,
        "ended_not_counted": ledger.ended,
        "not_started": ledger.not_started,
        "without_share": ledger.without_share,
    }


def _percent(share: int | None) -> str | None:
    return None if share is None else f"{share}%"


def ledger_sheet(ledger: Ledger) -> bytes:
    """The .xlsx: 指导员 (one row per instructor) and 各区 (one per district and the 合计);
    text cells never start a formula (xlsx_bytes)."""
    people: list[list[Any]] = [list(INSTRUCTOR_COLUMNS)]
    for row in ledger.rows:
        people.append(
            [
                row.name,
                row.district,
                row.monthly_allowance,
                row.months,
                row.total,
                _percent(row.district_share),
                row.district_part,
                row.city_part,
            ]
        )
    districts: list[list[Any]] = [list(DISTRICT_COLUMNS)]
    for total in [*ledger.districts, ledger.totals]:
        districts.append(
            [total.district, total.instructors, total.total, total.district_part, total.city_part]
        )
    return xlsx_bytes({SHEET_INSTRUCTORS: people, SHEET_DISTRICTS: districts})
