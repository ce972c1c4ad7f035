"""The one-line /training and the values of the guided one: keys in Chinese or English.

    /training 集体协商实务培训 形式:授课 时间:12月10日 9:00-12:00 地点:市总工会303会议室
              对象:全体 名额:60 截止:12月8日 18:00 [标签:四必谈]

The title comes before the first key; 时间 and 地点 are required, the rest has defaults (形式 授课,
对象 everyone in the organizer's scope, 名额 不限, 截止 the start). Days and deadlines are read
as /callup reads them (storage.callups.parsing), so both forms accept the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from storage.callups.parsing import CallUpProblem, read_day, read_deadline
from storage.common import tags
from storage.common.keyed import KeyedLine, LineProblem
from storage.common.text import narrow, number
from storage.messaging.notices import Audience, AudienceProblem, check_scope, parse_audience
from storage.models import NoticeAudience, TrainingFormat

TITLE_LIMIT = 100
PLACE_LIMIT = 128
MAX_CAPACITY = 5000

KEYS: dict[str, str] = {
    "形式": "format", "类型": "format", "format": "format", "type": "format",
    "时间": "time", "日期": "time", "time": "time", "when": "time",
    "地点": "place", "地址": "place", "place": "place", "where": "place",
    "对象": "audience", "范围": "audience", "audience": "audience", "to": "audience",
    "名额": "capacity", "人数": "capacity", "capacity": "capacity", "seats": "capacity",
    "截止": "deadline", "报名截止": "deadline", "截止时间": "deadline", "deadline": "deadline",
    "标签": "tags", "专项": "tags", "tag": "tags", "tags": "tags",
}  # fmt: skip
REQUIRED = ("title", "time", "place")

FORMATS: dict[str, TrainingFormat] = {
    "授课": TrainingFormat.LECTURE, "讲座": TrainingFormat.LECTURE, "讲课": TrainingFormat.LECTURE,
    "培训": TrainingFormat.LECTURE, "lecture": TrainingFormat.LECTURE,
    "分组模拟协商": TrainingFormat.MOCK, "模拟协商": TrainingFormat.MOCK,
    "模拟": TrainingFormat.MOCK, "mock": TrainingFormat.MOCK,
    "mocknegotiation": TrainingFormat.MOCK,
    "经验交流": TrainingFormat.EXCHANGE, "交流": TrainingFormat.EXCHANGE,
    "exchange": TrainingFormat.EXCHANGE,
    "座谈会": TrainingFormat.SEMINAR, "座谈": TrainingFormat.SEMINAR,
    "seminar": TrainingFormat.SEMINAR, "meeting": TrainingFormat.SEMINAR,
}  # fmt: skip
UNLIMITED = frozenset({"不限", "无限", "不限制", "无", "unlimited", "none", "-"})

_LINE = KeyedLine(KEYS)
_SPAN = re.compile(
    r"(?P<day>.+?)\s*(?P<h1>\d{1,2})(?::(?P<m1>\d{2})|点(?P<half1>半)?)\s*"
    r"(?:-|–|—|~|～|至|到|\.\.)\s*(?P<h2>\d{1,2})(?::(?P<m2>\d{2})|点(?P<half2>半)?)"
)


class TrainingProblem(LineProblem):
    """A /training that cannot be used (see LineProblem)."""


@dataclass
class TrainingSpec:
    """What the organizer asked for, read and checked."""

    title: str
    format: TrainingFormat
    starts_at: datetime  # aware UTC
    ends_at: datetime
    place: str
    audience: Audience
    capacity: int | None
    deadline: datetime
    tags: list[str] = field(default_factory=list)


def read_format(raw: str) -> TrainingFormat:
    found = FORMATS.get(narrow(raw).replace(" ", ""))
    if found is None:
        raise TrainingProblem("bad_format", raw)
    return found


def _clock(hour: str, minute: str | None, half: str | None) -> time:
    return time(int(hour), 30 if half else int(minute or 0))


def read_time(raw: str, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """`12月10日 9:00-12:00`, `2026-12-10 14:00~16:30`, `明天 9点-11点半`: the start and end,
    aware UTC; refuses the past and an end before the start."""
    match = _SPAN.fullmatch(narrow(raw))
    if match is None:
        raise TrainingProblem("bad_time", raw)
    try:
        day = read_day(match["day"].strip(), now.astimezone(tz).date())
        starts = _clock(match["h1"], match["m1"], match["half1"])
        ends = _clock(match["h2"], match["m2"], match["half2"])
    except (CallUpProblem, ValueError):
        raise TrainingProblem("bad_time", raw) from None
    starts_at = datetime.combine(day, starts, tzinfo=tz).astimezone(UTC)
    ends_at = datetime.combine(day, ends, tzinfo=tz).astimezone(UTC)
    if starts_at <= now:
        raise TrainingProblem("past_time", raw)
    if ends_at <= starts_at:
        raise TrainingProblem("end_before_start", raw)
    return starts_at, ends_at


def read_capacity(raw: str) -> int | None:
    word = narrow(raw).removesuffix("人").removesuffix("名").strip()
    if word in UNLIMITED:
        return None
    value = number(word)
    if value is None or value <= 0 or value > MAX_CAPACITY:
        raise TrainingProblem("bad_capacity", raw)
    return value


def read_tags(raw: str) -> list[str]:
    """`四必谈`, `#四必谈 #工资专项`, `四必谈、工资`: normalised as reports' tags are, so one tag
    names both (storage.common.tags)."""
    try:
        return tags.read_tags(raw)
    except tags.TagProblem:
        raise TrainingProblem("bad_tags", raw) from None


def read_audience(raw: str, districts: dict[str, int], scope_district_id: int | None) -> Audience:
    """As a notice's audience, within the organizer's scope; bound groups are not people."""
    try:
        audience = parse_audience(raw, districts)
        check_scope(audience, scope_district_id)
    except AudienceProblem as problem:
        raise TrainingProblem(f"audience_{problem.code}", raw) from None
    if audience.kind is NoticeAudience.GROUPS:
        raise TrainingProblem("audience_groups", raw)
    return audience


def read_deadline_for(raw: str, now: datetime, tz: ZoneInfo) -> datetime:
    try:
        return read_deadline(raw, now, tz)
    except CallUpProblem as problem:
        raise TrainingProblem(problem.code, raw) from None


def parse_training(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    districts: dict[str, int],
    scope_district_id: int | None,
) -> TrainingSpec:
    """Reads the arguments of a one-line /training; raises TrainingProblem with what was
    understood and what is missing, or with the first bad value."""
    inline, text = tags.extract_tags(text)  # `/training 培训 #四必谈 时间:…` tags it too
    title, raw = _LINE.split_required(text, REQUIRED, TrainingProblem)
    if len(title) > TITLE_LIMIT:
        raise TrainingProblem("title_too_long", title[:20] + "…")
    if len(raw["place"]) > PLACE_LIMIT:
        raise TrainingProblem("place_too_long", raw["place"][:20] + "…")
    starts_at, ends_at = read_time(raw["time"], now, tz)
    audience = (
        read_audience(raw["audience"], districts, scope_district_id)
        if raw.get("audience")
        else Audience(NoticeAudience.ALL)
    )
    spec = TrainingSpec(
        title=title,
        format=read_format(raw["format"]) if raw.get("format") else TrainingFormat.LECTURE,
        starts_at=starts_at,
        ends_at=ends_at,
        place=raw["place"],
        audience=audience,
        capacity=read_capacity(raw["capacity"]) if raw.get("capacity") else None,
        deadline=read_deadline_for(raw["deadline"], now, tz) if raw.get("deadline") else starts_at,
        tags=read_tags(" ".join([*inline, raw.get("tags", "")])),
    )
    check(spec)
    return spec


def check(spec: TrainingSpec) -> None:
    """The rules between values: answers close no later than the start."""
    if spec.deadline > spec.starts_at:
        raise TrainingProblem("deadline_after_start", "")
