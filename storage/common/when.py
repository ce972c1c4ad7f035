"""The `<when>` of a reminder as users type it: 明天 15:00, 每周一、三、五 9:00, in 2h.

`parse_when` reads a time expression at the start of a text in a zone and returns the rule, the
message after it and the first firing. What it cannot use raises `WhenProblem(code, value)`, which
the bot words for the user. Rules:

- a one-off date written without a time (明天, 12月1日, 周五, 3天后) fires at 09:00 local;
- 3天后, 两周后, 1个月后 name the local day that far ahead (a month ahead of 31 January is the
  last day of February); 5分钟后, 2小时后, in 2h name the moment that far ahead;
- a date without a year (12月1日) is this year's unless that day has passed, then next year's;
- 周五 / friday is the next Friday (today if the time is still ahead); 下周五 / next friday is the
  Friday of next week; 本周五 / this friday is this week's, and may be in the past;
- a time alone (9:00, 下午3点) is today's if still ahead, otherwise tomorrow's;
- recurring rules (每天, 每周…, 每月…, 工作日) need a time;
- 工作日 follows China's calendar (storage.common.workdays): public holidays are skipped and the
  weekend days made working days (调休) fire;
- 晚上12点 is refused as "bad_time" rather than guessed as noon or the next day's midnight.

Everything is pure: `now` is always passed in, nothing reads the clock.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from storage.common.text import CHINESE_NUMERAL, RELATIVE_DAYS, number
from storage.common.workdays import is_workday

# Problems `WhenProblem.code` can carry; the bot has a text for each.
WHEN_PROBLEMS: tuple[str, ...] = ("unreadable", "past", "impossible_date", "bad_time")

KINDS: tuple[str, ...] = ("once", "daily", "weekly", "monthly", "workdays")

DEFAULT_AT = time(9, 0)

_WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class WhenProblem(ValueError):
    """The text is not a usable `<when>`; `code` is one of WHEN_PROBLEMS, `value` the bad text."""

    def __init__(self, code: str, value: str) -> None:
        super().__init__(f"{code}: {value}")
        self.code = code
        self.value = value


@dataclass(frozen=True)
class Rule:
    """When a reminder fires: once at `at` on `date`, or daily, weekly, monthly or on workdays
    (China's working days, with holidays and 调休)."""

    kind: str
    at: time
    date: date | None = None
    weekdays: tuple[int, ...] = ()
    day: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown rule kind {self.kind!r}")
        if self.at.tzinfo is not None:
            raise ValueError("a rule's time is local wall-clock time, without a zone")
        if self.kind == "once" and self.date is None:
            raise ValueError("a once rule needs a date")
        weekdays = tuple(sorted(set(self.weekdays)))
        if self.kind == "weekly" and not weekdays:
            raise ValueError("a weekly rule needs weekdays")
        if any(not 0 <= number <= 6 for number in weekdays):
            raise ValueError(f"weekdays are 0..6, not {self.weekdays}")
        if self.kind == "monthly" and not (self.day is not None and 1 <= self.day <= 31):
            raise ValueError(f"a monthly rule needs a day 1..31, not {self.day}")
        object.__setattr__(self, "weekdays", weekdays)

    def to_json(self) -> dict[str, Any]:
        """Returns the rule as a JSON-safe dict that `Rule.from_json` reads back."""
        return {
            "kind": self.kind,
            "at": self.at.isoformat(),
            "date": self.date.isoformat() if self.date is not None else None,
            "weekdays": list(self.weekdays),
            "day": self.day,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rule:
        """Builds the rule that `to_json` wrote."""
        return cls(
            kind=data["kind"],
            at=time.fromisoformat(data["at"]),
            date=date.fromisoformat(data["date"]) if data.get("date") else None,
            weekdays=tuple(data.get("weekdays") or ()),
            day=data.get("day"),
        )


@dataclass(frozen=True)
class Parsed:
    """A read `<when>`: the rule, the message after it and the first firing in aware UTC."""

    rule: Rule
    rest: str
    first: datetime


# --- grammar ---------------------------------------------------------------------------------

_CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_EN_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

# A small number in digits or Chinese: 9, 12, 九, 十二, 三十一, 零五.
_NUM = r"(?:\d{1,2}|[一二三四五六七八九]?十[一二三四五六七八九]?|[零〇一二两三四五六七八九]{1,2})"
_DURATION_NUM = rf"(?:\d{{1,4}}|{CHINESE_NUMERAL})"  # 5, 十, 两, 一百二十
_LATER = "(?:以后|之后|后)"
_WD_CN = "[一二三四五六日天]"
_WD_EN = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)(?![a-z])"
)
_AM = ("凌晨", "清晨", "早上", "早晨", "上午", "早")
_PM = ("下午", "傍晚", "晚上", "夜里", "夜间", "晚")
_PERIOD = "|".join((*_AM, "中午", *_PM))
# 今天, 明天, 后天…: the relative days still ahead, longest first so that 大后天 wins over 后天.
_AHEAD = sorted((word for word, days in RELATIVE_DAYS.items() if days >= 0), key=len, reverse=True)
_REL_ZH = "|".join(word for word in _AHEAD if not word.isascii())
_REL_EN = "|".join(word for word in _AHEAD if word.isascii())

_TIME = rf"""
    (?P<time>
        (?P<period>{_PERIOD})?\s*
        (?:
            (?P<eh>\d{{1,2}})(?:\s*[:：]\s*(?P<em>\d{{2}}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)(?![a-z])
          | (?P<ch>\d{{1,2}})\s*[:：]\s*(?P<cm>\d{{1,2}})(?!\d)
          | (?P<dh>{_NUM})\s*[点點时](?:(?P<half>半)|(?P<dm>{_NUM})\s*分?)?
        )
    )
"""

_DATE = rf"""
    (?P<date>
        (?P<daily>每天|每日|天天|每(?=[早晚])|every\s*day(?![a-z])|daily(?![a-z]))
      | (?P<workdays>每个?工作日|工作日|(?:every\s+)?(?:weekdays?|workdays?)(?![a-z]))
      | 每个?(?:周|星期|礼拜)
        (?P<weekly>{_WD_CN}(?:[、,，和\s]*{_WD_CN}(?!\s*[点點时]))*)
      | every\s+
        (?P<weekly_en>{_WD_EN}(?:(?:\s*[,&/]\s*(?:and\s+)?|\s+and\s+){_WD_EN})*)
      | 每个?月\s*(?P<monthly>{_NUM})\s*[日号]
      | (?P<y>\d{{4}})\s*[-/.年]\s*(?P<ym>\d{{1,2}})\s*[-/.月]\s*(?P<yd>\d{{1,2}})(?!\d)\s*[日号]?
      | (?P<m>{_NUM})\s*月\s*(?P<md>{_NUM})\s*[日号]
      | (?P<ahead>{_DURATION_NUM})\s*(?P<unit>天|日|个?\s*(?:周|星期|礼拜)|个\s*月)\s*{_LATER}
      | (?P<rel>{_REL_ZH}|(?:{_REL_EN})(?![a-z])|(?:今|明)(?=[早晚]))
      | (?P<which>下个?|这个?|本)?\s*(?:周|星期|礼拜)(?P<wd>{_WD_CN})
      | (?:(?P<which_en>next|this)\s+)?(?P<wd_en>{_WD_EN})
    )
"""

_WHEN = re.compile(rf"\s*(?:{_DATE})?(?:\s*(?:at\s+)?{_TIME})?", re.IGNORECASE | re.VERBOSE)

_IN = re.compile(
    r"""
    in\s+
    (?:(?P<h>\d{1,4})\s*(?:hours?|hrs?|h)(?![a-z]))?\s*
    (?:(?P<m>\d{1,4})\s*(?:minutes?|mins?|m)(?![a-z]))?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_AFTER = re.compile(
    rf"""
    (?:
        (?P<h>{_DURATION_NUM})\s*个?\s*(?P<and_half>半)?\s*(?:小时|钟头)
      | (?P<half>半)\s*个?\s*(?:小时|钟头)
    )?\s*
    (?:(?P<m>{_DURATION_NUM})\s*分钟?)?\s*
    {_LATER}
    """,
    re.VERBOSE,
)
_PERIOD_ONLY = re.compile(rf"(?:{_PERIOD})")
_LEADING_PUNCTUATION = " \t\n，,、:：;；-—"


def _number(text: str) -> int:
    """Reads a number up to 9999 written in digits or in Chinese (十二, 三十一, 零五, 一百二十)."""
    value = number(text)
    # 两三 (a rough count) fits the grammar but is no number; 九九九九九 would overflow a date.
    if value is None or value > 9999:
        raise WhenProblem("unreadable", text)
    return value


def _clock(match: re.Match[str]) -> time:
    """Turns the matched time of day into a `time`, applying 上午/下午 or am/pm."""
    raw = match["time"].strip()
    period = match["period"]
    if match["eh"] is not None:
        hour, minute = int(match["eh"]), int(match["em"] or 0)
        if not 1 <= hour <= 12:
            raise WhenProblem("bad_time", raw)
        if match["ampm"].lower().startswith("p"):
            hour = hour % 12 + 12
        else:
            hour = hour % 12
    else:
        if match["ch"] is not None:
            hour, minute = int(match["ch"]), int(match["cm"])
        else:
            hour = _number(match["dh"])
            minute = 30 if match["half"] else _number(match["dm"]) if match["dm"] else 0
        hour = _apply_period(period, hour, raw)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise WhenProblem("bad_time", raw)
    return time(hour, minute)


def _apply_period(period: str | None, hour: int, raw: str) -> int:
    """Moves a 12-hour clock hour into the afternoon when 下午/晚上 (or 中午 1点) says so."""
    if period is None:
        return hour
    if period in _AM:
        if hour > 12:
            raise WhenProblem("bad_time", raw)
        return 0 if period == "凌晨" and hour == 12 else hour
    if period == "中午":
        return hour + 12 if 1 <= hour <= 5 else hour
    if hour == 0 or (hour == 12 and period != "下午"):
        # 晚上12点 means midnight of the next day; guessing it would misfire, so it is refused.
        raise WhenProblem("bad_time", raw)
    return hour + 12 if hour <= 11 else hour


def _resolve(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of local wall-clock `at` on `day` (gap times move past the gap)."""
    # fold=0: in a spring-forward gap the pre-change offset puts the instant after the gap;
    # in a fall-back overlap it picks the first occurrence.
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _days(rule: Rule, start: date) -> Iterator[date]:
    """The local dates on or after `start` on which `rule` fires, in order, without end."""
    if rule.kind == "monthly":
        assert rule.day is not None
        year, month = start.year, start.month
        while True:
            last = calendar.monthrange(year, month)[1]
            day = date(year, month, min(rule.day, last))
            if day >= start:
                yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    day = start
    while True:
        if (
            rule.kind == "daily"
            or (rule.kind == "workdays" and is_workday(day))
            or (rule.kind == "weekly" and day.weekday() in rule.weekdays)
        ):
            yield day
        day += timedelta(days=1)


def next_time(rule: Rule, after: datetime, tz: ZoneInfo) -> datetime | None:
    """Returns the first firing strictly after `after` as aware UTC, or None for a spent once."""
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    if rule.kind == "once":
        assert rule.date is not None
        moment = _resolve(rule.date, rule.at, tz)
        return moment if moment > after else None
    # A day early, so that an `after` near midnight in another zone cannot skip a firing.
    start = after.astimezone(tz).date() - timedelta(days=1)
    moments = (_resolve(day, rule.at, tz) for day in _days(rule, start))
    return next(moment for moment in moments if moment > after)


def describe(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """Writes the moment in full in `tz`: "2026-12-01 周二 09:00" or "2026-12-01 Tue 09:00"."""
    local = moment.astimezone(tz)
    names = _WEEKDAYS_ZH if lang.lower().startswith("zh") else _WEEKDAYS_EN
    return f"{local:%Y-%m-%d} {names[local.weekday()]} {local:%H:%M}"


def _rest(text: str) -> str:
    """The message after the time expression, without the separators users put before it."""
    return text.strip().lstrip(_LEADING_PUNCTUATION).strip()


def _relative(source: str, now: datetime, tz: ZoneInfo) -> Parsed | None:
    """Reads "in 1h30m" or "半小时后" into a once rule, or returns None for other texts."""
    for pattern in (_IN, _AFTER):
        match = pattern.match(source)
        if match is None:
            continue
        groups = match.groupdict()
        hours = _number(groups["h"]) if groups["h"] else 0
        minutes = _number(groups["m"]) if groups["m"] else 0
        halves = bool(groups.get("half")) + bool(groups.get("and_half"))
        if not (groups["h"] or groups["m"] or halves):
            continue
        first = (now + timedelta(hours=hours, minutes=minutes + 30 * halves)).replace(microsecond=0)
        if first <= now:
            raise WhenProblem("past", match[0].strip())
        local = first.astimezone(tz)
        rule = Rule("once", local.time().replace(tzinfo=None), date=local.date())
        return Parsed(rule, _rest(source[match.end() :]), first.astimezone(UTC))
    return None


def _year_less(month: int, day: int, today: date, raw: str) -> date:
    """The first `month`/`day` on or after `today` (29 Feb waits for a leap year)."""
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise WhenProblem("impossible_date", raw)
    for year in range(today.year, today.year + 9):
        if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
    raise WhenProblem("impossible_date", raw)  # pragma: no cover - every valid day recurs


def _ahead(today: date, count: int, unit: str) -> date:
    """The day `count` days (天, 日), weeks (周, 星期, 礼拜) or months (月) after `today`."""
    if unit in "天日":
        return today + timedelta(days=count)
    if unit == "月":
        year, month = divmod(today.year * 12 + today.month - 1 + count, 12)
        month += 1
        return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return today + timedelta(weeks=count)


def _weekday(match: re.Match[str], at: time, now: datetime, tz: ZoneInfo) -> date:
    """The date that 周五, 下周五, 本周五, friday or next friday names."""
    today = now.astimezone(tz).date()
    if match["wd"] is not None:
        target, which = _CN_WEEKDAYS[match["wd"]], (match["which"] or "")[:1]
    else:
        target = _EN_WEEKDAYS[match["wd_en"].lower()[:3]]
        which = {"next": "下", "this": "本"}.get((match["which_en"] or "").lower(), "")
    monday = today - timedelta(days=today.weekday())
    if which == "下":
        return monday + timedelta(days=7 + target)
    if which in ("这", "本"):
        return monday + timedelta(days=target)
    day = today + timedelta(days=(target - today.weekday()) % 7)
    return day if _resolve(day, at, tz) > now else day + timedelta(days=7)


def _once_date(match: re.Match[str], at: time, now: datetime, tz: ZoneInfo) -> date:
    """The local date of a one-off `<when>`; a time alone means today, or tomorrow once past."""
    today = now.astimezone(tz).date()
    raw = (match["date"] or "").strip()
    if match["y"] is not None:
        try:
            return date(int(match["y"]), int(match["ym"]), int(match["yd"]))
        except ValueError:
            raise WhenProblem("impossible_date", raw) from None
    if match["m"] is not None:
        return _year_less(_number(match["m"]), _number(match["md"]), today, raw)
    if match["rel"] is not None:
        word = match["rel"].lower()
        word = word if word in RELATIVE_DAYS else f"{word}天"  # 明晚 is 明天晚上
        return today + timedelta(days=RELATIVE_DAYS[word])
    if match["ahead"] is not None:
        return _ahead(today, _number(match["ahead"]), match["unit"][-1])
    if match["wd"] is not None or match["wd_en"] is not None:
        return _weekday(match, at, now, tz)
    return today if _resolve(today, at, tz) > now else today + timedelta(days=1)


def _recurring(match: re.Match[str], at: time) -> Rule | None:
    """The recurring rule the match names, or None for a one-off date."""
    if match["daily"] is not None:
        return Rule("daily", at)
    if match["workdays"] is not None:
        return Rule("workdays", at)
    if match["weekly"] is not None:
        days = (_CN_WEEKDAYS[char] for char in match["weekly"] if char in _CN_WEEKDAYS)
        return Rule("weekly", at, weekdays=tuple(days))
    if match["weekly_en"] is not None:
        names = re.findall(_WD_EN, match["weekly_en"], re.IGNORECASE)
        return Rule("weekly", at, weekdays=tuple(_EN_WEEKDAYS[n.lower()[:3]] for n in names))
    if match["monthly"] is not None:
        return Rule("monthly", at, day=_number(match["monthly"]))
    return None


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> Parsed:
    """Reads the time expression at the start of `text` in `tz`; raises WhenProblem if unusable."""
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    source = text.strip()
    relative = _relative(source, now, tz)
    if relative is not None:
        return relative
    match = _WHEN.match(source)
    if match is None or (match["date"] is None and match["time"] is None):
        raise WhenProblem("unreadable", source)
    rest = _rest(source[match.end() :])
    if match["monthly"] is not None and not 1 <= _number(match["monthly"]) <= 31:
        raise WhenProblem("impossible_date", match["date"].strip())
    at = _clock(match) if match["time"] is not None else None
    kinds = ("daily", "workdays", "weekly", "weekly_en", "monthly")
    is_recurring = any(match[name] is not None for name in kinds)
    if at is None and (
        is_recurring or match["rel"] in ("今", "明") or _PERIOD_ONLY.match(rest) is not None
    ):
        # A recurring rule, 明晚 or 明天下午 without an hour: guessing the time would misfire.
        raise WhenProblem("unreadable", source)
    rule = _recurring(match, at or DEFAULT_AT)
    if rule is not None:
        first = next_time(rule, now, tz)
        assert first is not None
        return Parsed(rule, rest, first)
    at = at or DEFAULT_AT
    day = _once_date(match, at, now, tz)
    first = _resolve(day, at, tz)
    if first <= now:
        raise WhenProblem("past", match[0].strip())
    return Parsed(Rule("once", at, date=day), rest, first)
