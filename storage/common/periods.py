"""Periods that statistics, exports and charts cover: 本周, 本月, 2026-Q3, 2026-11-01..2026-11-30.

`parse_period` turns what a user typed into an inclusive date range with a stable key; what it
cannot read raises `PeriodProblem("bad_period", text)`, which the bot words for the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from storage.common.text import fold, number

# Problems `PeriodProblem.code` can carry; the bot has a text for each.
PERIOD_PROBLEMS: tuple[str, ...] = ("bad_period",)

_MIN_YEAR, _MAX_YEAR = 1900, 2999


class PeriodProblem(ValueError):
    """The text is not a period; `code` is one of PERIOD_PROBLEMS, `value` the text."""

    def __init__(self, code: str, value: str) -> None:
        super().__init__(f"{code}: {value}")
        self.code = code
        self.value = value


@dataclass(frozen=True)
class Period:
    """An inclusive range of days and its key: "2026-11", "2026-Q3", "2026", "a..b"."""

    start: date
    end: date
    key: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def month(year: int, number: int) -> Period:
    """The calendar month `number` of `year`."""
    start = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return Period(start, following - timedelta(days=1), f"{year:04d}-{number:02d}")


def quarter(year: int, number: int) -> Period:
    """Quarter `number` (1–4) of `year`."""
    start = month(year, 3 * number - 2).start
    end = month(year, 3 * number).end
    return Period(start, end, f"{year:04d}-Q{number}")


def year(number: int) -> Period:
    """The calendar year `number`."""
    return Period(date(number, 1, 1), date(number, 12, 31), f"{number:04d}")


def week(day: date) -> Period:
    """Monday to Sunday of the week that holds `day`."""
    start = day - timedelta(days=day.weekday())
    return days(start, start + timedelta(days=6))


def days(start: date, end: date) -> Period:
    """The days from `start` to `end`, both included."""
    return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")


def _relative(today: date) -> dict[str, Period]:
    this_quarter = (today.month - 1) // 3 + 1
    last_month = (
        month(today.year, today.month - 1) if today.month > 1 else month(today.year - 1, 12)
    )
    last_quarter = (
        quarter(today.year, this_quarter - 1) if this_quarter > 1 else quarter(today.year - 1, 4)
    )
    table = {
        ("本周", "这周", "week", "this-week", "thisweek"): week(today),
        ("上周", "last-week", "lastweek"): week(today - timedelta(days=7)),
        ("本月", "这个月", "month", "this-month", "thismonth"): month(today.year, today.month),
        ("上月", "上个月", "last-month", "lastmonth"): last_month,
        ("本季度", "本季", "quarter", "this-quarter", "thisquarter"): quarter(
            today.year, this_quarter
        ),
        ("上季度", "上季", "last-quarter", "lastquarter"): last_quarter,
        ("本年", "今年", "本年度", "year", "this-year", "thisyear"): year(today.year),
        ("去年", "上年", "last-year", "lastyear"): year(today.year - 1),
    }
    return {fold(word): period for words, period in table.items() for word in words}


_SEP = r"\s*[-/.]\s*"
_YEAR = re.compile(r"(\d{4})\s*年?(?:度)?")
_QUARTER_Q = re.compile(r"(\d{4})\s*-?\s*[Qq]\s*(\d+)")
_QUARTER_ZH = re.compile(r"(\d{4})\s*年\s*第?\s*([0-9一二三四])\s*(?:季度|季)")
_ISO_WEEK = re.compile(r"(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})")
_MONTH = re.compile(rf"(\d{{4}})(?:{_SEP}|\s*年\s*)(\d{{1,2}})\s*月?")
_DAY = re.compile(rf"(\d{{4}})(?:{_SEP}|\s*年\s*)(\d{{1,2}})(?:{_SEP}|\s*月\s*)(\d{{1,2}})\s*日?")
_RANGE = re.compile(r"\s*(?:\.\.|~|～|至|—|–)\s*")


def _year_number(text: str) -> int:
    number = int(text)
    if not _MIN_YEAR <= number <= _MAX_YEAR:
        raise ValueError(text)
    return number


def _single(text: str, today: date) -> Period:
    """One period without a range; raises ValueError when `text` is none."""
    relative = _relative(today).get(fold(text))
    if relative is not None:
        return relative
    text = text.strip()
    if match := _DAY.fullmatch(text):
        y, m, d = match.groups()
        day = date(_year_number(y), int(m), int(d))
        return days(day, day)
    if match := _QUARTER_Q.fullmatch(text):
        y, q = match.groups()
        if not 1 <= int(q) <= 4:
            raise ValueError(text)
        return quarter(_year_number(y), int(q))
    if match := _QUARTER_ZH.fullmatch(text):
        y, q = match.groups()
        which = number(q)
        if which is None or not 1 <= which <= 4:
            raise ValueError(text)
        return quarter(_year_number(y), which)
    if match := _ISO_WEEK.fullmatch(text):
        y, w = match.groups()
        monday = date.fromisocalendar(_year_number(y), int(w), 1)  # ValueError on week 54
        return week(monday)
    if match := _MONTH.fullmatch(text):
        y, m = match.groups()
        if not 1 <= int(m) <= 12:
            raise ValueError(text)
        return month(_year_number(y), int(m))
    if match := _YEAR.fullmatch(text):
        return year(_year_number(match.group(1)))
    raise ValueError(text)


def parse_period(text: str | None, today: date) -> Period:
    """The period `text` names, relative to `today`; None or blank means this month.

    Accepts 本周/week, 本月/month, 本季度/quarter, 本年/year, 上周, 上月/last-month, 上季度,
    去年, 2026, 2026-Q3, 2026-11, 2026-11-20, 2026-W48, 2026年11月, and a range of any two of
    them joined by `..` (also `~` or `至`). Raises PeriodProblem("bad_period", text).
    """
    if text is None or not text.strip():
        return month(today.year, today.month)
    raw = text.strip()
    try:
        parts = _RANGE.split(raw)
        if len(parts) == 1:
            return _single(raw, today)
        if len(parts) != 2 or not all(parts):
            raise ValueError(raw)
        first, last = (_single(part, today) for part in parts)
        if last.end < first.start:
            raise ValueError(raw)
        return days(first.start, last.end)
    except ValueError as exc:
        raise PeriodProblem("bad_period", raw) from exc


_SHAPE = re.compile(
    r"[\d\s\-/.年月日季度第一二三四QqWw~～至—–]*\d[\d\s\-/.年月日季度第一二三四QqWw~～至—–]*"
)


def looks_like_period(word: str) -> bool:
    """Tells whether `word` is meant as a period (even a wrong one such as 2026-13), not a name.

    The bot uses it to tell `/stats 2017 西城` from `/stats 西城`; a word that looks like a
    period but is not one should be refused as a bad period, not as an unknown district.
    """
    text = word.strip()
    if not text:
        return False
    if fold(text) in _relative(date(2000, 1, 1)):
        return True
    return _SHAPE.fullmatch(text) is not None


def months_in(period: Period) -> list[str]:
    """Every month ("YYYY-MM") the period touches, in order: the x axis of a chart."""
    months = []
    current = period.start.replace(day=1)
    while current <= period.end:
        months.append(f"{current.year:04d}-{current.month:02d}")
        current = month(current.year, current.month).end + timedelta(days=1)
    return months
