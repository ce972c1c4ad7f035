"""The one-line /callup and the values of the guided one: keys in Chinese or English, any order.

    /callup 维达纸业工资协商攻关 人数:5 专长:劳资人事,法律 对象:维达北方纸业（北京）有限公司
            日期:12月10日..12月20日 截止:12月8日 18:00 [行业:制造业] [区:大兴,平谷]
            [每区最多:2] [回复:2h]

The title is what comes before the first key. Each reader of a value is a function of its own,
so the guided flow reads a typed answer exactly as the one-line form reads its key.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.common.keyed import KeyedLine, LineProblem
from storage.common.text import RELATIVE_DAYS, narrow, number
from storage.common.when import WhenProblem, parse_when
from storage.people.districts import find_district

TITLE_LIMIT = 100
TARGET_LIMIT = 128
DEFAULT_ANSWER_MINUTES = 120
MAX_ANSWER_MINUTES = 7 * 24 * 60
DEFAULT_DEADLINE_AT = time(18, 0)  # a deadline given as a day alone: the end of its working day
MAX_SIZE = 200
RECENT_PAST_DAYS = 60

# Key word (folded) → field. Values run until the next key.
KEYS: dict[str, str] = {
    "人数": "size", "名额": "size", "size": "size", "n": "size",
    "专长": "skills", "技能": "skills", "skills": "skills", "skill": "skills",
    "对象": "target", "目标": "target", "target": "target",
    "日期": "dates", "时间": "dates", "dates": "dates", "date": "dates",
    "截止": "deadline", "截止时间": "deadline", "deadline": "deadline",
    "行业": "industry", "产业": "industry", "industry": "industry",
    "区": "districts", "地区": "districts", "districts": "districts", "district": "districts",
    "每区最多": "per_district", "每区": "per_district", "perdistrict": "per_district",
    "per_district": "per_district",
    "回复": "answer", "答复": "answer", "回复时限": "answer", "answer": "answer",
}  # fmt: skip
REQUIRED = ("title", "size", "target", "dates", "deadline")

_LINE = KeyedLine(KEYS)
_LIST = re.compile(r"[,，、;；\s]+")
_RANGE = re.compile(r"\s*(?:\.\.|…+|～|~|至|到|—|－|--)\s*")
_NUMERIC_DAY = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?")
_CHINESE_DAY = re.compile(r"(\d{1,2})月(\d{1,2})[日号]?")
_SHORT_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})")
_DURATION = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)\s*(?P<unit>h|hrs?|hours?|小时|个小时|钟头"
    r"|m|mins?|minutes?|分钟|分|d|days?|天|日)?",
    re.IGNORECASE,
)


class CallUpProblem(LineProblem):
    """A /callup that cannot be used (see LineProblem)."""


@dataclass
class CallUpSpec:
    """What HQ asked for, read and checked; `target` is still text (matched by the caller)."""

    title: str
    size: int
    target: str
    starts: date
    ends: date
    deadline: datetime  # aware UTC
    skills: list[str] = field(default_factory=list)
    industry: str | None = None
    districts: list[int] = field(default_factory=list)
    per_district: int = 0  # 0: the default, ⌈size/3⌉
    answer_minutes: int = DEFAULT_ANSWER_MINUTES

    @property
    def cap(self) -> int:
        return self.per_district or default_cap(self.size)


def default_cap(size: int) -> int:
    """每区最多 unless given: a third of the team, rounded up."""
    return max(1, math.ceil(size / 3))


def read_size(raw: str) -> int:
    value = number(narrow(raw).removesuffix("人").removesuffix("名").strip())
    if value is None:
        raise CallUpProblem("bad_size", raw)
    if value <= 0:
        raise CallUpProblem("size_not_positive", raw)
    if value > MAX_SIZE:
        raise CallUpProblem("size_too_big", raw)
    return value


def read_list(raw: str) -> list[str]:
    words = [w.strip() for w in _LIST.split(raw) if w.strip()]
    if any(narrow(w) in ("不限", "无", "none", "any", "-") for w in words):
        return []
    return list(dict.fromkeys(words))


def read_districts(raw: str, districts: dict[str, int]) -> list[int]:
    """District names (大兴,平谷) → ids; raises CallUpProblem("unknown_district")."""
    ids = []
    for word in read_list(raw):
        found = find_district(districts, word)
        if found is None:
            raise CallUpProblem("unknown_district", word)
        ids.append(districts[found])
    return list(dict.fromkeys(ids))


def read_day(raw: str, today: date) -> date:
    """A day of the call-up: `2026-12-10`, `12月10日`, `12/10`, `明天`. A month and day without
    a year is this year's unless that lies more than RECENT_PAST_DAYS back: 1月5日 written in
    December is next January, 11月30日 written on December 3rd is a date in the past."""
    word = narrow(raw)
    offset = RELATIVE_DAYS.get(word)
    if offset is not None:
        return today + timedelta(days=offset)
    try:
        if match := _NUMERIC_DAY.fullmatch(word):
            return date(*(int(part) for part in match.groups()))
        match = _CHINESE_DAY.fullmatch(word) or _SHORT_DAY.fullmatch(word)
        if match:
            month, day = int(match.group(1)), int(match.group(2))
            found = date(today.year, month, day)
            if found >= today - timedelta(days=RECENT_PAST_DAYS):
                return found  # this year's, also a few weeks back (then refused as past)
            return date(today.year + 1, month, day)
    except ValueError:
        raise CallUpProblem("bad_date", raw) from None
    raise CallUpProblem("bad_date", raw)


def read_dates(raw: str, today: date) -> tuple[date, date]:
    """`12月10日..12月20日` (also 至, 到, ~) or one day; refuses the past and an end before the
    start."""
    parts = [p for p in _RANGE.split(raw.strip(), maxsplit=1) if p.strip()]
    if not parts:
        raise CallUpProblem("bad_date", raw)
    starts = read_day(parts[0], today)
    ends = read_day(parts[1], starts) if len(parts) > 1 else starts
    if starts < today:
        raise CallUpProblem("past_dates", starts.isoformat())
    if ends < starts:
        raise CallUpProblem("end_before_start", f"{starts.isoformat()}..{ends.isoformat()}")
    return starts, ends


def read_deadline(raw: str, now: datetime, tz: ZoneInfo) -> datetime:
    """`12月8日 18:00`, `明天 12:00`, `2026-12-08`; a day alone means 18:00 of it."""
    try:
        parsed = parse_when(raw, now, tz)
    except WhenProblem as problem:
        if problem.code == "past":
            raise CallUpProblem("past_deadline", raw) from None
        try:
            day = read_day(raw, now.astimezone(tz).date())
        except CallUpProblem:
            raise CallUpProblem("bad_deadline", raw) from None
        moment = datetime.combine(day, DEFAULT_DEADLINE_AT, tzinfo=tz).astimezone(UTC)
        if moment <= now:
            raise CallUpProblem("past_deadline", raw) from None
        return moment
    if parsed.rule.kind != "once" or parsed.rest.strip():
        raise CallUpProblem("bad_deadline", raw)
    if not re.search(r"\d[:：]\d|[点點时]|am|pm", raw, re.IGNORECASE):
        day = parsed.first.astimezone(tz).date()
        return datetime.combine(day, DEFAULT_DEADLINE_AT, tzinfo=tz).astimezone(UTC)
    return parsed.first


def read_minutes(raw: str) -> int:
    """`2h`, `2小时`, `90分钟`, `30m`, `1天`, `半小时`; a bare number is hours."""
    word = narrow(raw).replace(" ", "")
    if word in ("半小时", "半个小时", "30min"):
        return 30
    match = _DURATION.fullmatch(word)
    if match is None:
        raise CallUpProblem("bad_answer", raw)
    amount_text = match["n"]
    try:
        amount = float(amount_text)
    except ValueError:
        value = number(amount_text)
        if value is None:
            raise CallUpProblem("bad_answer", raw) from None
        amount = float(value)
    unit = (match["unit"] or "h").lower()
    per = 60.0
    if unit in ("m", "min", "mins", "minute", "minutes", "分钟", "分"):
        per = 1.0
    elif unit in ("d", "day", "days", "天", "日"):
        per = 24 * 60.0
    minutes = round(amount * per)
    if not 5 <= minutes <= MAX_ANSWER_MINUTES:
        raise CallUpProblem("bad_answer", raw)
    return minutes


def read_cap(raw: str) -> int:
    value = number(narrow(raw).removesuffix("人").removesuffix("名").strip())
    if value is None or value <= 0:
        raise CallUpProblem("bad_cap", raw)
    return value


def parse_callup(
    text: str, *, now: datetime, tz: ZoneInfo, districts: dict[str, int]
) -> CallUpSpec:
    """Reads the arguments of a one-line /callup; raises CallUpProblem with what was understood
    and what is missing, or with the first bad value."""
    title, raw = _LINE.split_required(text, REQUIRED, CallUpProblem)
    if len(title) > TITLE_LIMIT:
        raise CallUpProblem("title_too_long", title[:20] + "…")
    if len(raw["target"]) > TARGET_LIMIT:
        raise CallUpProblem("target_too_long", raw["target"][:20] + "…")
    today = now.astimezone(tz).date()
    size = read_size(raw["size"])
    starts, ends = read_dates(raw["dates"], today)
    deadline = read_deadline(raw["deadline"], now, tz)
    spec = CallUpSpec(
        title=title,
        size=size,
        target=raw["target"],
        starts=starts,
        ends=ends,
        deadline=deadline,
        skills=read_list(raw.get("skills", "")),
        industry=raw.get("industry") or None,
        districts=read_districts(raw.get("districts", ""), districts),
        per_district=read_cap(raw["per_district"]) if raw.get("per_district") else 0,
        answer_minutes=read_minutes(raw["answer"]) if raw.get("answer") else DEFAULT_ANSWER_MINUTES,
    )
    check(spec, tz)
    return spec


def check(spec: CallUpSpec, tz: ZoneInfo) -> None:
    """The rules between values: the deadline before the start day ends."""
    start_of_work = datetime.combine(spec.starts, time(23, 59), tzinfo=tz).astimezone(UTC)
    if spec.deadline > start_of_work:
        raise CallUpProblem("deadline_after_start", spec.starts.isoformat())
