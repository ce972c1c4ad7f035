"""China's working days: public holidays (法定节假日) and the adjusted working days (调休).

The one place that answers "is this a working day" — for `工作日` reminders, the weekly report
nudge and the monthly summary's first working day. The calendar is the `chinesecalendar`
package's copy of the State Council's yearly notice (published each November; a new release of
the package brings the next year, and reaches the bot by upgrading it). A year the installed
package does not cover is taken as Monday to Friday, and a warning is logged once per year, so a
tick never fails on it.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar

logger = logging.getLogger(__name__)

# Years found missing from the calendar and already warned about (once each per process).
_WARNED: set[int] = set()


def _package_version() -> str:
    try:
        return version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover - installed with the bot
        return "?"


def is_workday(day: date) -> bool:
    """True if `day` is a working day in China: Monday to Friday unless a public holiday, and the
    weekend days that 调休 makes working days; Monday to Friday in a year without data."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # The package raises this for a year its data does not reach (before 2004, or past the
        # last State Council notice it carries).
        if day.year not in _WARNED:
            _WARNED.add(day.year)
            logger.warning(
                "China's calendar (chinesecalendar %s) has no holidays for %s: taking Monday to "
                "Friday as its working days; upgrade the package once the State Council's notice "
                "for %s is out",
                _package_version(),
                day.year,
                day.year,
            )
        return day.weekday() < 5


def week_workdays(day: date) -> list[date]:
    """The working days of the Monday-to-Sunday week of `day`, in order (none in a week that is
    all holiday, six with a 调休 Saturday)."""
    monday = day - timedelta(days=day.weekday())
    return [d for d in (monday + timedelta(days=i) for i in range(7)) if is_workday(d)]


def first_workday(year: int, month: int) -> date:
    """The first working day of the month (2026-10-08 for October 2026, after National Day)."""
    day = date(year, month, 1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day
