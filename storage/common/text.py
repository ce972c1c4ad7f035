"""Chinese text knowledge every feature shares: numerals, relative days, labels, the fold.

- `number` reads 5, 1,200, 十五, 一百零五 and 二〇二六; `chinese_number` the Chinese alone.
- `RELATIVE_DAYS` gives 前天 … 大后天 (and today, yesterday, tomorrow) as days from today.
- `TYPE_LABELS`, `LEVEL_LABELS`, `EMPLOYMENT_LABELS`, `STATUS_LABELS` and `GRADE_LABELS` are
  the Chinese labels of report types, levels, employments, statuses and evaluation grades, as
  sheets, hashtags and messages write them; `TYPE_WORDS`, `LEVELS`, `EMPLOYMENTS`, `STATUSES`
  and `GRADES` map every word people type for one (label, alias or stored value, folded) to
  its stored value.
- `fold` is the key words are matched by; `narrow` brings full-width text to ASCII.

Reports, reminders, periods, imports, exports and notices read these from here, so that a
word understood in one place is understood in all of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from storage.models import Employment, Grade, Level, ReportType, Status

# --- matching --------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s_\-#]")


def narrow(text: str) -> str:
    """`text` trimmed and casefolded, full-width forms made ASCII: "１１月２０日" → "11月20日"."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def fold(text: str) -> str:
    """The key a word is matched by: `narrow`, without spaces, `_`, `-` or `#` ("City-level",
    "市 级", "＃走访" give "citylevel", "市级", "走访")."""
    return _SEPARATORS.sub("", narrow(text))


# --- numerals --------------------------------------------------------------------------------

CHINESE_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
CHINESE_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
# A run of characters a Chinese numeral is written with (it may still be no numeral: 十十).
CHINESE_NUMERAL = "[零〇一二两三四五六七八九十百千]+"

_CHINESE_NUMERAL = re.compile(CHINESE_NUMERAL)
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")


def chinese_number(text: str) -> int | None:
    """The number a Chinese numeral writes, or None if `text` is none.

    With units: 十五 15, 三十一 31, 一百零五 105, 两千 2000, and 一百五 150 as people say it.
    Digits alone are read one by one, as years and minutes are written: 二〇二六 2026, 零五 5.
    两 stands only alone or before a unit: 一两, 两三 are rough counts ("one or two"), no number.
    """
    if not _CHINESE_NUMERAL.fullmatch(text):
        return None
    if not any(char in CHINESE_UNITS for char in text):
        if len(text) > 1 and "两" in text:
            return None
        return int("".join(str(CHINESE_DIGITS[char]) for char in text))
    total, digit, last_unit, after_zero = 0, None, 10_000, False
    for char in text:
        if char in CHINESE_DIGITS:
            if digit:  # two digits in a row (二三十) only after a 零 placeholder
                return None
            digit = CHINESE_DIGITS[char]
            after_zero = after_zero or digit == 0
        else:
            unit = CHINESE_UNITS[char]
            if unit >= last_unit:
                return None
            total += (digit or 1) * unit
            digit, last_unit, after_zero = None, unit, False
    if digit and not after_zero and last_unit >= 100:
        return total + digit * last_unit // 10  # 一百五 is 150, 两千三 2300
    return total + (digit or 0)


def number(text: str) -> int | None:
    """A whole number written in digits (5, 1,200) or in Chinese (十五), or None."""
    if _DIGITS.fullmatch(text):
        return int(text.replace(",", ""))
    return chinese_number(text)


# --- days ------------------------------------------------------------------------------------

# Days from today; words are as `narrow` leaves them.
RELATIVE_DAYS: dict[str, int] = {
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "yesterday": -1,
    "今天": 0,
    "今日": 0,
    "today": 0,
    "明天": 1,
    "明日": 1,
    "tomorrow": 1,
    "后天": 2,
    "大后天": 3,
}


# --- labels ----------------------------------------------------------------------------------

TYPE_LABELS: dict[str, str] = {
    ReportType.VISIT.value: "走访",
    ReportType.GUIDANCE.value: "指导",
    ReportType.TRAINING.value: "培训",
    ReportType.NEGOTIATION.value: "协商",
    ReportType.CONTRACT.value: "签约",
    ReportType.OBSERVATION.value: "观摩",
    ReportType.OTHER.value: "其他",
}
LEVEL_LABELS: dict[str, str] = {
    Level.CITY.value: "市级",
    Level.DISTRICT.value: "区级",
    Level.STREET.value: "街乡级",
    Level.ENTERPRISE.value: "企业级",
}


EMPLOYMENT_LABELS: dict[str, str] = {
    Employment.FULL_TIME.value: "专职",
    Employment.PART_TIME.value: "兼职",
}
STATUS_LABELS: dict[str, str] = {
    Status.ACTIVE.value: "在职",
    Status.ON_LEAVE.value: "请假",
    Status.ENDED.value: "离任",
}


def _words(labels: Mapping[str, str], aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Folded word → value, for each value's own name, its label and its aliases."""
    return {
        fold(word): value
        for value, label in labels.items()
        for word in (value, label, *aliases.get(value, ()))
    }


TYPE_WORDS = _words(TYPE_LABELS, {ReportType.OTHER.value: ("其它",)})
LEVELS = _words(
    LEVEL_LABELS,
    {
        Level.CITY.value: ("市", "city-level"),
        Level.DISTRICT.value: ("区", "district-level"),
        Level.STREET.value: ("街道级", "乡镇级", "街乡", "街道", "乡镇", "town"),
        Level.ENTERPRISE.value: ("企业",),
    },
)
EMPLOYMENTS = _words(
    EMPLOYMENT_LABELS,
    {
        Employment.FULL_TIME.value: ("full-time",),
        Employment.PART_TIME.value: ("part-time",),
    },
)
STATUSES = _words(
    STATUS_LABELS,
    {
        Status.ACTIVE.value: ("正常", "在岗"),
        Status.ON_LEAVE.value: ("休假", "on leave"),
        Status.ENDED.value: ("解聘", "离职", "已离任"),
    },
)
# The four grades of the annual evaluation's ratings, best first.
GRADE_LABELS: dict[str, str] = {
    Grade.EXCELLENT.value: "优秀",
    Grade.COMPETENT.value: "称职",
    Grade.BASIC.value: "基本称职",
    Grade.INCOMPETENT.value: "不称职",
}
GRADES = _words(GRADE_LABELS, {Grade.BASIC.value: ("基本",)})
