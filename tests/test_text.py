"""Chinese text knowledge: numerals, relative days, labels and the fold, the same everywhere."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.texts import zh_CN
from storage.common.text import (
    EMPLOYMENT_LABELS,
    EMPLOYMENTS,
    LEVEL_LABELS,
    LEVELS,
    RELATIVE_DAYS,
    STATUS_LABELS,
    STATUSES,
    TYPE_LABELS,
    TYPE_WORDS,
    chinese_number,
    fold,
    narrow,
    number,
)
from storage.common.when import parse_when
from storage.messaging.notices import Audience, parse_audience
from storage.models import Employment, Level, NoticeAudience, ReportType, Status
from storage.reports.records import parse_day, parse_line

TODAY = date(2026, 11, 25)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("零", 0),
        ("五", 5),
        ("两", 2),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("三十一", 31),
        ("一百", 100),
        ("一百零五", 105),
        ("一百一十", 110),
        ("一百五", 150),
        ("两千", 2000),
        ("两千三", 2300),
        ("一千零五十", 1050),
        ("九千九百九十九", 9999),
        ("零五", 5),
        ("二〇二六", 2026),
    ],
)
def test_chinese_numerals(text: str, expected: int) -> None:
    """Chinese numerals are read with their units, and digits alone one by one (二〇二六)."""
    assert chinese_number(text) == expected
    assert number(text) == expected


@pytest.mark.parametrize("text", ["", "两三", "一两", "二三十", "十十", "百千", "五个", "5"])
def test_what_is_no_chinese_numeral(text: str) -> None:
    """Rough counts (两三), units out of order and other text are no numeral."""
    assert chinese_number(text) is None


@pytest.mark.parametrize(
    ("text", "expected"), [("5", 5), ("0", 0), ("1200", 1200), ("1,200", 1200), ("十五", 15)]
)
def test_numbers_in_digits_or_chinese(text: str, expected: int) -> None:
    """A number is written in digits, with thousands commas or without, or in Chinese."""
    assert number(text) == expected


@pytest.mark.parametrize("text", ["1,20", "-3", "2.5", "五个", "abc"])
def test_what_is_no_number(text: str) -> None:
    """Signs, fractions, misplaced commas and words are no whole number."""
    assert number(text) is None


def test_fold_and_narrow() -> None:
    """The fold ignores width, case, spaces, `_`, `-` and `#`; narrow only width, case and ends."""
    assert fold(" City-Level ") == fold("city_level") == fold("ＣＩＴＹ　ＬＥＶＥＬ") == "citylevel"
    assert fold("＃走访") == fold("#走 访") == "走访"
    assert narrow(" １１月２０日 ") == "11月20日"
    assert narrow("2026-11-20") == "2026-11-20"


def test_every_label_reads_back_as_its_value() -> None:
    """A label the bot or a sheet shows (走访, 市级, 专职, 在职) is understood when typed."""
    for kind in ReportType:
        assert TYPE_WORDS[fold(TYPE_LABELS[kind])] == kind
        assert TYPE_WORDS[fold(kind.value)] == kind
    for level in Level:
        assert LEVELS[fold(LEVEL_LABELS[level])] == level
    for employment in Employment:
        assert EMPLOYMENTS[fold(EMPLOYMENT_LABELS[employment])] == employment
    for status in Status:
        assert STATUSES[fold(STATUS_LABELS[status])] == status


@pytest.mark.parametrize(
    ("prefix", "labels"),
    [
        ("type", TYPE_LABELS),
        ("level", LEVEL_LABELS),
        ("employment", EMPLOYMENT_LABELS),
        ("status", STATUS_LABELS),
    ],
)
def test_the_chinese_catalog_uses_the_same_labels(prefix: str, labels: dict[str, str]) -> None:
    """The bot's Chinese words for types, levels, employments and statuses are storage's."""
    for value, label in labels.items():
        assert zh_CN.MESSAGES[f"{prefix}.{value}"] == label


def test_relative_days_mean_the_same_in_reports_and_reminders() -> None:
    """今天, 昨天, 前天 date a report; 今天, 明天, 后天, 大后天 time a reminder; each is the day
    RELATIVE_DAYS says, and a report never takes a day ahead."""
    now = datetime(2026, 11, 25, 8, 0, tzinfo=SHANGHAI)
    for word, days in RELATIVE_DAYS.items():
        day = TODAY + timedelta(days=days)
        if days <= 0:
            assert parse_day(word, TODAY) == day, word
        else:
            assert parse_day(word, TODAY) is None, word
        if days >= 0:
            assert parse_when(f"{word} 23:00", now, SHANGHAI).rule.date == day, word


def test_report_counts_in_chinese() -> None:
    """一百五十人次 is 150; 两三人次 is a rough count the bot asks about, not 3 or 23."""
    assert parse_line("培训 维达纸业 一百五十人次", today=TODAY).person_times == 150
    rough = parse_line("培训 维达纸业 两三人次", today=TODAY)
    assert rough.person_times is None and rough.codes == ["bad_count"]


def test_other_is_also_written_with_its_variant() -> None:
    """其它 is 其他 for a one-line report as for an imported sheet."""
    assert parse_line("其它 维达纸业", today=TODAY).type == ReportType.OTHER


def test_notice_audience_levels_use_the_same_words() -> None:
    """A notice to 市级 or to City-Level reads the words the roster reads."""
    assert parse_audience("市级", {}) == Audience(NoticeAudience.LEVEL, Level.CITY.value)
    assert parse_audience("City-Level", {}) == Audience(NoticeAudience.LEVEL, Level.CITY.value)
