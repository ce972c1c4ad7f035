"""Reminder times as users type them: dates, times, repeats, durations; next firings; wording."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.common.when import Parsed, Rule, WhenProblem, describe, next_time, parse_when

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # a Wednesday


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """Returns a Shanghai wall-clock moment."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def parse(text: str, now: datetime = NOW) -> Parsed:
    """Parses `text` in Shanghai at `now`."""
    return parse_when(text, now, SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 09:00", at(2026, 12, 1, 9, 0)),
        ("2026/12/1 9:00", at(2026, 12, 1, 9, 0)),
        ("2026年12月1日 9:00", at(2026, 12, 1, 9, 0)),
        ("12月1日 9:00", at(2026, 12, 1, 9, 0)),
        ("12月1日上午9点", at(2026, 12, 1, 9, 0)),
        ("12月1日下午3点半", at(2026, 12, 1, 15, 30)),
        ("12月1号 9:00", at(2026, 12, 1, 9, 0)),
        ("十二月一日 九点", at(2026, 12, 1, 9, 0)),
        ("今天 15:00", at(2026, 11, 25, 15, 0)),
        ("明天 15:00", at(2026, 11, 26, 15, 0)),
        ("后天下午3点", at(2026, 11, 27, 15, 0)),
        ("大后天 9:00", at(2026, 11, 28, 9, 0)),
        ("明天上午9点30分", at(2026, 11, 26, 9, 30)),
        ("明晚8点", at(2026, 11, 26, 20, 0)),
        ("明天晚上8点", at(2026, 11, 26, 20, 0)),
        ("明早7点", at(2026, 11, 26, 7, 0)),
        ("中午12点", at(2026, 11, 25, 12, 0)),
        ("明天中午1点", at(2026, 11, 26, 13, 0)),
        ("凌晨1点", at(2026, 11, 26, 1, 0)),
        ("下周一 9:00", at(2026, 11, 30, 9, 0)),
        ("下周五 9:00", at(2026, 12, 4, 9, 0)),
        ("周五 16:00", at(2026, 11, 27, 16, 0)),
        ("星期五 16:00", at(2026, 11, 27, 16, 0)),
        ("礼拜五 16:00", at(2026, 11, 27, 16, 0)),
        ("本周五 16:00", at(2026, 11, 27, 16, 0)),
        ("tomorrow 9am", at(2026, 11, 26, 9, 0)),
        ("tomorrow 15:00", at(2026, 11, 26, 15, 0)),
        ("tomorrow at 9am", at(2026, 11, 26, 9, 0)),
        ("today 5pm", at(2026, 11, 25, 17, 0)),
        ("Friday 9am", at(2026, 11, 27, 9, 0)),
        ("next friday 9am", at(2026, 12, 4, 9, 0)),
        ("3天后 10:00", at(2026, 11, 28, 10, 0)),
        ("三天后 10:00", at(2026, 11, 28, 10, 0)),
        ("3天以后下午3点", at(2026, 11, 28, 15, 0)),
        ("三日后 8:00", at(2026, 11, 28, 8, 0)),
        ("十天之后 8:30", at(2026, 12, 5, 8, 30)),
        ("1天后 9:00", at(2026, 11, 26, 9, 0)),
        ("两周后 9:00", at(2026, 12, 9, 9, 0)),
        ("2个星期后 9:00", at(2026, 12, 9, 9, 0)),
        ("1个礼拜后 9:00", at(2026, 12, 2, 9, 0)),
        ("1个月后 9:00", at(2026, 12, 25, 9, 0)),
        ("三个月后 18:00", at(2027, 2, 25, 18, 0)),
    ],
)
def test_one_off_dates(text: str, expected: datetime) -> None:
    """A one-off date with a time becomes a once rule firing at that local moment."""
    parsed = parse(text)
    local = expected.astimezone(SHANGHAI)
    assert parsed.rule == Rule("once", local.time().replace(tzinfo=None), date=local.date())
    assert parsed.first == expected
    assert parsed.rest == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:00", at(2026, 11, 26, 9, 0)),
        ("09:00", at(2026, 11, 26, 9, 0)),
        ("9：00", at(2026, 11, 26, 9, 0)),
        ("9点", at(2026, 11, 26, 9, 0)),
        ("9点半", at(2026, 11, 26, 9, 30)),
        ("9点30", at(2026, 11, 26, 9, 30)),
        ("9点30分", at(2026, 11, 26, 9, 30)),
        ("上午9点", at(2026, 11, 26, 9, 0)),
        ("下午3点", at(2026, 11, 25, 15, 0)),
        ("下午15:00", at(2026, 11, 25, 15, 0)),
        ("晚上8点", at(2026, 11, 25, 20, 0)),
        ("9am", at(2026, 11, 26, 9, 0)),
        ("3pm", at(2026, 11, 25, 15, 0)),
        ("3:30pm", at(2026, 11, 25, 15, 30)),
        ("12pm", at(2026, 11, 25, 12, 0)),
        ("12am", at(2026, 11, 26, 0, 0)),
        ("23:59", at(2026, 11, 25, 23, 59)),
    ],
)
def test_time_alone(text: str, expected: datetime) -> None:
    """A time alone fires today while still ahead, otherwise tomorrow (now is 10:00)."""
    parsed = parse(text)
    assert parsed.rule.kind == "once"
    assert parsed.first == expected


@pytest.mark.parametrize(
    ("text", "rule", "first"),
    [
        ("每天 8:30", Rule("daily", time(8, 30)), at(2026, 11, 26, 8, 30)),
        ("每日 18:00", Rule("daily", time(18, 0)), at(2026, 11, 25, 18, 0)),
        ("每晚8点", Rule("daily", time(20, 0)), at(2026, 11, 25, 20, 0)),
        ("every day 8:30", Rule("daily", time(8, 30)), at(2026, 11, 26, 8, 30)),
        ("每周一 9:00", Rule("weekly", time(9, 0), weekdays=(0,)), at(2026, 11, 30, 9, 0)),
        (
            "每周一、三、五 9:00",
            Rule("weekly", time(9, 0), weekdays=(0, 2, 4)),
            at(2026, 11, 27, 9, 0),
        ),
        (
            "每周一,三,五 9:00",
            Rule("weekly", time(9, 0), weekdays=(0, 2, 4)),
            at(2026, 11, 27, 9, 0),
        ),
        (
            "每周一三五 9:00",
            Rule("weekly", time(9, 0), weekdays=(0, 2, 4)),
            at(2026, 11, 27, 9, 0),
        ),
        ("每周五 16:00", Rule("weekly", time(16, 0), weekdays=(4,)), at(2026, 11, 27, 16, 0)),
        ("每周三 16:00", Rule("weekly", time(16, 0), weekdays=(2,)), at(2026, 11, 25, 16, 0)),
        ("每周日 8:00", Rule("weekly", time(8, 0), weekdays=(6,)), at(2026, 11, 29, 8, 0)),
        ("每周一三点", Rule("weekly", time(3, 0), weekdays=(0,)), at(2026, 11, 30, 3, 0)),
        ("every monday 9:00", Rule("weekly", time(9, 0), weekdays=(0,)), at(2026, 11, 30, 9, 0)),
        (
            "every mon, wed and fri 9am",
            Rule("weekly", time(9, 0), weekdays=(0, 2, 4)),
            at(2026, 11, 27, 9, 0),
        ),
        ("每月1日 9:00", Rule("monthly", time(9, 0), day=1), at(2026, 12, 1, 9, 0)),
        ("每月31日 9:00", Rule("monthly", time(9, 0), day=31), at(2026, 11, 30, 9, 0)),
        ("每月1号 9点", Rule("monthly", time(9, 0), day=1), at(2026, 12, 1, 9, 0)),
        ("工作日 9:00", Rule("workdays", time(9, 0)), at(2026, 11, 26, 9, 0)),
        ("每个工作日 9:00", Rule("workdays", time(9, 0)), at(2026, 11, 26, 9, 0)),
        ("weekdays 9:00", Rule("workdays", time(9, 0)), at(2026, 11, 26, 9, 0)),
    ],
)
def test_recurring(text: str, rule: Rule, first: datetime) -> None:
    """Repeats become daily, weekly, monthly or workdays rules firing first at the next match."""
    parsed = parse(text)
    assert parsed.rule == rule
    assert parsed.first == first


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("in 2h", timedelta(hours=2)),
        ("in 30m", timedelta(minutes=30)),
        ("in 1h30m", timedelta(hours=1, minutes=30)),
        ("in 90 minutes", timedelta(minutes=90)),
        ("in 3 hours", timedelta(hours=3)),
        ("2小时后", timedelta(hours=2)),
        ("30分钟后", timedelta(minutes=30)),
        ("半小时后", timedelta(minutes=30)),
        ("一个半小时后", timedelta(minutes=90)),
        ("1小时30分钟后", timedelta(minutes=90)),
        ("5分钟后", timedelta(minutes=5)),
        ("十分钟后", timedelta(minutes=10)),
        ("二十五分钟以后", timedelta(minutes=25)),
        ("3小时后", timedelta(hours=3)),
        ("两个小时之后", timedelta(hours=2)),
        ("一百二十分钟后", timedelta(minutes=120)),
    ],
)
def test_durations(text: str, delta: timedelta) -> None:
    """A duration fires once that long after now."""
    parsed = parse(text)
    assert parsed.first == NOW + delta
    assert parsed.rule == Rule("once", (NOW + delta).time().replace(tzinfo=None), date=NOW.date())


def test_days_ahead_count_from_the_local_day() -> None:
    """3天后 counts from the day it is in the zone, not in UTC."""
    now = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)  # 26 November, 04:00 in Shanghai
    assert parse("3天后 10:00", now=now).first == at(2026, 11, 29, 10, 0)


def test_a_month_ahead_keeps_to_the_month() -> None:
    """1个月后 on 31 January is the last day of February."""
    assert parse("1个月后 9:00", now=at(2027, 1, 31, 8, 0)).first == at(2027, 2, 28, 9, 0)
    assert parse("1个月后 9:00", now=at(2028, 1, 31, 8, 0)).first == at(2028, 2, 29, 9, 0)


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("3天后 10:00 开会", "开会"),
        ("两周后，交材料", "交材料"),
        ("明天 15:00 交材料", "交材料"),
        ("明天15:00交材料", "交材料"),
        ("明天 15:00，交材料", "交材料"),
        ("12月1日上午9点开会", "开会"),
        ("每周一、三、五 9:00 写周报", "写周报"),
        ("in 2h call mum", "call mum"),
        ("半小时后 喝水", "喝水"),
        ("tomorrow 9am submit the report", "submit the report"),
        ("9点开会", "开会"),
    ],
)
def test_rest_is_the_message(text: str, rest: str) -> None:
    """The text after the time expression is the message, without separating space or comma."""
    assert parse(text).rest == rest


def test_first_is_aware_utc() -> None:
    """The first firing is timezone-aware UTC: 明天 15:00 in Shanghai is 07:00 UTC."""
    parsed = parse("明天 15:00", now=at(2026, 12, 2, 10, 0))
    assert parsed.first.tzinfo is UTC
    assert parsed.first == datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    assert parsed.first.hour == 7


def test_other_zone() -> None:
    """The zone given is the one the wall-clock time is read in."""
    now = datetime(2026, 12, 2, 10, 0, tzinfo=BERLIN)
    assert parse_when("明天 9:00", now, BERLIN).first == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明天", at(2026, 11, 26, 9, 0)),
        ("明天 交材料", at(2026, 11, 26, 9, 0)),
        ("12月1日", at(2026, 12, 1, 9, 0)),
        ("周五", at(2026, 11, 27, 9, 0)),
        ("3天后", at(2026, 11, 28, 9, 0)),
        ("两周后", at(2026, 12, 9, 9, 0)),
    ],
)
def test_date_alone_fires_at_nine(text: str, expected: datetime) -> None:
    """A one-off date without a time fires at 09:00 local."""
    assert parse(text).first == expected


def test_year_less_date_in_the_past_is_next_year() -> None:
    """A date without a year that has passed this year means next year's."""
    assert parse("12月1日 9:00", now=at(2026, 12, 2, 10, 0)).first == at(2027, 12, 1, 9, 0)


def test_leap_day_waits_for_a_leap_year() -> None:
    """2月29日 without a year is the next 29 February that exists."""
    assert parse("2月29日 9:00").first == at(2028, 2, 29, 9, 0)


def test_weekday_today_while_ahead() -> None:
    """周三 on a Wednesday is today while the time is ahead, else next week's Wednesday."""
    assert parse("周三 16:00").first == at(2026, 11, 25, 16, 0)
    assert parse("周三 9:00").first == at(2026, 12, 2, 9, 0)


@pytest.mark.parametrize(
    ("text", "code", "value"),
    [
        ("今天 9:00", "past", "今天 9:00"),
        ("2026-11-01 9:00", "past", "2026-11-01 9:00"),
        ("本周一 9:00", "past", "本周一 9:00"),
        ("12月2日 9:00", "past", "12月2日 9:00"),
        ("2月30日 9:00", "impossible_date", "2月30日"),
        ("13月1日", "impossible_date", "13月1日"),
        ("2026-02-30 9:00", "impossible_date", "2026-02-30"),
        ("每月32日", "impossible_date", "每月32日"),
        ("每月0日 9:00", "impossible_date", "每月0日"),
        ("25:00", "bad_time", "25:00"),
        ("9:75", "bad_time", "9:75"),
        ("明天 24:00", "bad_time", "24:00"),
        ("13pm", "bad_time", "13pm"),
        ("上午13点", "bad_time", "上午13点"),
        ("晚上12点", "bad_time", "晚上12点"),
        ("0天后 9:00", "past", "0天后 9:00"),
        ("hello", "unreadable", "hello"),
        ("", "unreadable", ""),
        ("   ", "unreadable", ""),
        ("每天", "unreadable", "每天"),
        ("每周一 开会", "unreadable", "每周一 开会"),
        ("明晚", "unreadable", "明晚"),
        ("明天下午交材料", "unreadable", "明天下午交材料"),
    ],
)
def test_problems(text: str, code: str, value: str) -> None:
    """Past, impossible, badly timed and unreadable texts raise WhenProblem with code and text."""
    now = at(2026, 12, 2, 10, 0) if text.startswith("12月2日") else NOW
    with pytest.raises(WhenProblem) as caught:
        parse(text, now=now)
    assert (caught.value.code, caught.value.value) == (code, value)


def test_zero_duration_is_past() -> None:
    """A duration of nothing is not after now."""
    with pytest.raises(WhenProblem, match="past"):
        parse("in 0m")


def test_naive_now_is_refused() -> None:
    """A `now` without a zone is a programming error, not a user's."""
    with pytest.raises(ValueError, match="aware"):
        parse_when("明天 9:00", datetime(2026, 11, 25, 10, 0), SHANGHAI)


def sequence(rule: Rule, start: datetime, count: int, tz: ZoneInfo = SHANGHAI) -> list[datetime]:
    """Returns the next `count` firings after `start` in `tz`'s wall-clock time."""
    moments: list[datetime] = []
    moment: datetime | None = start
    for _ in range(count):
        assert moment is not None
        moment = next_time(rule, moment, tz)
        assert moment is not None and moment.tzinfo is UTC
        moments.append(moment.astimezone(tz))
    return moments


def test_weekly_sequence() -> None:
    """每周一、三、五 fires Monday, Wednesday and Friday in turn."""
    rule = parse("每周一、三、五 9:00").rule
    assert sequence(rule, NOW, 5) == [
        at(2026, 11, 27, 9, 0),
        at(2026, 11, 30, 9, 0),
        at(2026, 12, 2, 9, 0),
        at(2026, 12, 4, 9, 0),
        at(2026, 12, 7, 9, 0),
    ]


def test_workdays_skip_the_weekend() -> None:
    """In an ordinary week workdays fire Monday to Friday: after Friday's comes Monday's."""
    rule = Rule("workdays", time(9, 0))
    assert sequence(rule, at(2026, 11, 26, 12, 0), 3) == [
        at(2026, 11, 27, 9, 0),
        at(2026, 11, 30, 9, 0),
        at(2026, 12, 1, 9, 0),
    ]


def test_monthly_31st_clamps_without_drifting() -> None:
    """每月31日 fires on the last day of shorter months and returns to the 31st after."""
    rule = Rule("monthly", time(9, 0), day=31)
    assert sequence(rule, at(2027, 1, 1, 0, 0), 4) == [
        at(2027, 1, 31, 9, 0),
        at(2027, 2, 28, 9, 0),
        at(2027, 3, 31, 9, 0),
        at(2027, 4, 30, 9, 0),
    ]


def test_monthly_1st_across_the_year() -> None:
    """每月1日 after 1 December's firing is 1 January of the next year."""
    rule = Rule("monthly", time(9, 0), day=1)
    assert next_time(rule, at(2026, 12, 1, 9, 0), SHANGHAI) == at(2027, 1, 1, 9, 0)


def test_next_time_is_strictly_after() -> None:
    """A firing exactly at `after` is not the next one."""
    rule = Rule("daily", time(9, 0))
    assert next_time(rule, at(2026, 11, 25, 9, 0), SHANGHAI) == at(2026, 11, 26, 9, 0)


def test_next_time_accepts_any_zone() -> None:
    """`after` in another zone is compared as an instant."""
    rule = Rule("daily", time(9, 0))
    after = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
    assert next_time(rule, after, SHANGHAI) == at(2026, 11, 25, 9, 0)


def test_once_next_time() -> None:
    """A once rule fires at its moment if that is after `after`, and never again."""
    rule = Rule("once", time(15, 0), date=date(2026, 11, 26))
    assert next_time(rule, NOW, SHANGHAI) == at(2026, 11, 26, 15, 0)
    assert next_time(rule, at(2026, 11, 26, 15, 0), SHANGHAI) is None


def test_daily_keeps_local_time_across_dst() -> None:
    """Daily 09:00 in Berlin stays 09:00 local over both 2026 changes while UTC moves."""
    rule = Rule("daily", time(9, 0))
    spring = sequence(rule, datetime(2026, 3, 28, 0, 0, tzinfo=BERLIN), 2, BERLIN)
    autumn = sequence(rule, datetime(2026, 10, 24, 0, 0, tzinfo=BERLIN), 2, BERLIN)
    for moments in (spring, autumn):
        assert [moment.time() for moment in moments] == [time(9, 0), time(9, 0)]
    assert [moment.astimezone(UTC).hour for moment in spring] == [8, 7]
    assert [moment.astimezone(UTC).hour for moment in autumn] == [7, 8]


def test_gap_time_fires_after_the_gap() -> None:
    """02:30 on Berlin's spring-forward day does not exist and fires at 03:30 CEST instead."""
    rule = Rule("daily", time(2, 30))
    moment = next_time(rule, datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN), BERLIN)
    assert moment == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_ambiguous_time_fires_at_first_occurrence() -> None:
    """02:30 on Berlin's fall-back day happens twice and fires the first time (CEST)."""
    rule = Rule("daily", time(2, 30))
    moment = next_time(rule, datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN), BERLIN)
    assert moment == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "rule",
    [
        Rule("once", time(9, 0), date=date(2026, 12, 1)),
        Rule("once", time(10, 30, 15), date=date(2026, 12, 1)),
        Rule("daily", time(8, 30)),
        Rule("weekly", time(9, 0), weekdays=(0, 2, 4)),
        Rule("monthly", time(9, 0), day=31),
        Rule("workdays", time(9, 0)),
    ],
)
def test_rule_json_round_trip(rule: Rule) -> None:
    """A rule survives JSON text and comes back equal."""
    assert Rule.from_json(json.loads(json.dumps(rule.to_json()))) == rule


def test_weekdays_are_sorted_and_unique() -> None:
    """Weekdays given in any order or repeated are kept sorted and unique."""
    assert Rule("weekly", time(9, 0), weekdays=(4, 0, 4)).weekdays == (0, 4)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Rule("yearly", time(9, 0)),
        lambda: Rule("once", time(9, 0)),
        lambda: Rule("weekly", time(9, 0)),
        lambda: Rule("weekly", time(9, 0), weekdays=(7,)),
        lambda: Rule("monthly", time(9, 0), day=32),
    ],
)
def test_incomplete_rules_are_refused(build: Callable[[], Rule]) -> None:
    """A rule missing what its kind needs, or of an unknown kind, cannot be built."""
    with pytest.raises(ValueError):
        build()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("zh_CN", "2026-12-01 周二 09:00"), ("en", "2026-12-01 Tue 09:00")],
)
def test_describe(lang: str, expected: str) -> None:
    """A moment is written with its date, weekday and time in the given zone and language."""
    moment = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert describe(moment, SHANGHAI, lang) == expected


def test_describe_uses_the_zone() -> None:
    """The same instant is written in the zone's wall-clock time, even across midnight."""
    moment = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert describe(moment, SHANGHAI, "en") == "2026-12-02 Wed 07:30"
    assert describe(moment, BERLIN, "en") == "2026-12-02 Wed 00:30"
