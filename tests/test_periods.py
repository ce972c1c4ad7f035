"""Periods as users type them: keywords, years, quarters, months, ranges; bad ones refused."""

from __future__ import annotations

from datetime import date

import pytest

from storage.common.periods import Period, PeriodProblem, looks_like_period, months_in, parse_period

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "start", "end", "key"),
    [
        (None, date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
        ("", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
        ("本月", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
        ("month", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
        ("本季度", date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
        ("quarter", date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
        ("本年", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("year", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("上月", date(2026, 10, 1), date(2026, 10, 31), "2026-10"),
        ("last-month", date(2026, 10, 1), date(2026, 10, 31), "2026-10"),
        ("2017", date(2017, 1, 1), date(2017, 12, 31), "2017"),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "2026-Q3"),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "2026-Q1"),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "2026-12"),
        ("2026年11月", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
        (
            "2026-11-01..2026-11-30",
            date(2026, 11, 1),
            date(2026, 11, 30),
            "2026-11-01..2026-11-30",
        ),
        ("2026-01..2026-03", date(2026, 1, 1), date(2026, 3, 31), "2026-01-01..2026-03-31"),
        (" 2026-11-20 ", date(2026, 11, 20), date(2026, 11, 20), "2026-11-20..2026-11-20"),
    ],
)
def test_every_form_is_read(text: str | None, start: date, end: date, key: str) -> None:
    """Each documented form gives its inclusive range and key."""
    assert parse_period(text, TODAY) == Period(start, end, key)


@pytest.mark.parametrize(
    ("today", "monday"),
    [
        (date(2026, 11, 23), date(2026, 11, 23)),  # a Monday is its own week's start
        (date(2026, 11, 25), date(2026, 11, 23)),
        (date(2026, 11, 29), date(2026, 11, 23)),  # Sunday ends the week
        (date(2026, 1, 1), date(2025, 12, 29)),  # the week crosses the year
    ],
)
def test_week_runs_monday_to_sunday(today: date, monday: date) -> None:
    """本周 and week are the Monday to Sunday that hold today."""
    for word in ("本周", "week"):
        period = parse_period(word, today)
        assert (period.start, period.end) == (monday, date.fromordinal(monday.toordinal() + 6))
        assert period.start.weekday() == 0 and today in period


def test_last_month_in_january_is_december() -> None:
    """上月 in January is December of the year before."""
    assert parse_period("上月", date(2027, 1, 15)).key == "2026-12"


@pytest.mark.parametrize(
    "text",
    ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-02-30", "2026-11-30..2026-11-01", "西城",
     "abc", "2026..", "0000", "13"],
)  # fmt: skip
def test_bad_periods_are_refused(text: str) -> None:
    """What is not a period raises PeriodProblem("bad_period") naming the text."""
    with pytest.raises(PeriodProblem) as caught:
        parse_period(text, TODAY)
    assert caught.value.code == "bad_period"
    assert caught.value.value == text.strip()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("2017", True),
        ("2026-13", True),  # a period, if a wrong one: refused as a period, not a district
        ("2026-Q3", True),
        ("本月", True),
        ("week", True),
        ("2026-11-01..2026-11-30", True),
        ("西城", False),
        ("西城区", False),
        ("Pinggu", False),
        ("", False),
    ],
)
def test_period_words_are_told_from_district_names(word: str, expected: bool) -> None:
    """/stats 2017 西城: the bot can tell which word is the period."""
    assert looks_like_period(word) is expected


def test_months_of_a_period() -> None:
    """A chart's x axis lists every month the period touches."""
    assert months_in(parse_period("2026-Q3", TODAY)) == ["2026-07", "2026-08", "2026-09"]
    assert months_in(parse_period("2025-12-15..2026-01-02", TODAY)) == ["2025-12", "2026-01"]
