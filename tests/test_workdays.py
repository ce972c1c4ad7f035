"""China's calendar: 工作日 reminders, the weekly nudge and the monthly summary follow public
holidays and 调休 working days (National Day 2026 as the example); a year without data is
Monday to Friday with a warning."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from schedules import reminders
from storage.common import workdays
from storage.common.when import Rule, describe, next_time, parse_when
from storage.db import Sessions
from storage.models import OutboxMessage, Reminder, ReminderFiring
from storage.reminders import records
from tests.harness import World
from tests.support import LI, WANG, joined

SHANGHAI = ZoneInfo("Asia/Shanghai")
GRACE = timedelta(hours=1)
ADMIN = 2001
WORKDAYS_9 = Rule("workdays", time(9, 0))


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Returns a Shanghai wall-clock moment."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def sequence(key: str | None, rule: Rule, start: datetime, count: int) -> list[datetime]:
    """The next `count` firings after `start`, in Shanghai time."""
    moments: list[datetime] = []
    moment: datetime | None = start
    for _ in range(count):
        assert moment is not None
        moment = records.next_firing(key, rule, moment, SHANGHAI)
        assert moment is not None
        moments.append(moment.astimezone(SHANGHAI))
    return moments


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forgets which uncovered years were already warned about in this process."""
    monkeypatch.setattr(workdays, "_WARNED", set())


# --- the calendar ----------------------------------------------------------------------------


def test_national_day_2026_is_no_working_day_and_its_make_up_days_are() -> None:
    """2026-10-01..07 (Thursday to Wednesday) are holidays, Thursday 10-08 is a working day
    again, and Sunday 09-20 and Saturday 10-10 are working days (the State Council's notice of
    4 November 2025)."""
    assert not any(workdays.is_workday(d) for d in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert workdays.is_workday(date(2026, 10, 8)) and workdays.is_workday(date(2026, 10, 9))
    assert workdays.is_workday(date(2026, 9, 20)) and date(2026, 9, 20).weekday() == 6
    assert workdays.is_workday(date(2026, 10, 10)) and date(2026, 10, 10).weekday() == 5
    assert not workdays.is_workday(date(2026, 10, 11))  # an ordinary Sunday
    assert not workdays.is_workday(date(2026, 9, 25))  # 中秋节, a Friday


def test_national_day_2025_ran_to_the_eighth() -> None:
    """In 2025 National Day and Mid-Autumn made 10-01..08 one holiday, with Sunday 09-28 and
    Saturday 10-11 worked instead."""
    assert not any(workdays.is_workday(d) for d in days(date(2025, 10, 1), date(2025, 10, 8)))
    assert workdays.is_workday(date(2025, 9, 28)) and workdays.is_workday(date(2025, 10, 11))


def test_the_weeks_working_days() -> None:
    """The week of 2026-10-05 works Thursday to Saturday, the week of 09-28 Monday to Wednesday,
    and the Spring Festival week of 2026-02-16 not at all."""
    assert workdays.week_workdays(date(2026, 10, 7)) == days(date(2026, 10, 8), date(2026, 10, 10))
    assert workdays.week_workdays(date(2026, 10, 2)) == days(date(2026, 9, 28), date(2026, 9, 30))
    assert workdays.week_workdays(date(2026, 2, 18)) == []


def test_the_first_working_day_of_a_month() -> None:
    """October 2026 starts working on the 8th, January 2026 on Sunday the 4th (调休), an
    ordinary month on its first weekday."""
    assert workdays.first_workday(2026, 10) == date(2026, 10, 8)
    assert workdays.first_workday(2026, 1) == date(2026, 1, 4)
    assert workdays.first_workday(2026, 11) == date(2026, 11, 2)


def test_a_year_without_data_is_monday_to_friday_with_one_warning(
    fresh_warnings: None, caplog: pytest.LogCaptureFixture
) -> None:
    """2031 is past the package's data: its weekdays work (even 1 January and 1 October), its
    weekends do not, and the warning is logged once for 2031, once more for 2032."""
    with caplog.at_level(logging.WARNING, logger="storage.common.workdays"):
        week = days(date(2031, 9, 29), date(2031, 10, 5))
        assert [workdays.is_workday(d) for d in week] == [True] * 5 + [False] * 2
        assert workdays.is_workday(date(2031, 1, 1))
        assert workdays.first_workday(2031, 3) == date(2031, 3, 3)
        assert workdays.is_workday(date(2032, 1, 1))
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 2
    assert "2031" in warned[0] and "Monday to Friday" in warned[0] and "2032" in warned[1]


# --- 工作日 reminders --------------------------------------------------------------------------


def test_a_workdays_reminder_set_on_september_30_skips_national_day() -> None:
    """`工作日 9:00` set on Wednesday 2026-09-30 after nine fires next on Thursday 10-08, then
    Friday 10-09 and the 调休 Saturday 10-10, then Monday 10-12."""
    parsed = parse_when("工作日 9:00 打卡", at(2026, 9, 30, 10, 0), SHANGHAI)
    assert parsed.rule == WORKDAYS_9 and parsed.first == at(2026, 10, 8, 9, 0)
    assert sequence(None, WORKDAYS_9, at(2026, 9, 30, 10, 0), 4) == [
        at(2026, 10, 8, 9, 0),
        at(2026, 10, 9, 9, 0),
        at(2026, 10, 10, 9, 0),
        at(2026, 10, 12, 9, 0),
    ]


def test_a_workdays_reminder_fires_on_a_make_up_sunday() -> None:
    """After Friday 2026-09-18 comes the 调休 Sunday 09-20, not Saturday 09-19."""
    after = next_time(WORKDAYS_9, at(2026, 9, 18, 10, 0), SHANGHAI)
    assert after == at(2026, 9, 20, 9, 0)


def test_workdays_in_a_year_without_data_are_monday_to_friday(fresh_warnings: None) -> None:
    """In 2031 a 工作日 reminder fires Monday to Friday, 1 October (a Wednesday) included."""
    assert sequence(None, WORKDAYS_9, at(2031, 9, 30, 10, 0), 4) == [
        at(2031, 10, 1, 9, 0),
        at(2031, 10, 2, 9, 0),
        at(2031, 10, 3, 9, 0),
        at(2031, 10, 6, 9, 0),
    ]


# --- the weekly nudge and the monthly summary ------------------------------------------------

NUDGE = records.BUILTINS[records.WEEKLY_NUDGE]
SUMMARY = records.BUILTINS[records.MONTHLY_SUMMARY]


def test_the_nudge_goes_on_the_last_working_day_of_the_week() -> None:
    """Friday 16:00 in an ordinary week, but the 调休 Sunday 09-20 (the week runs Monday to
    Sunday, as the report's week does), Thursday 09-24 before 中秋节, Wednesday 09-30 before
    National Day and the 调休 Saturday 10-10 after it; then Fridays again."""
    assert sequence(records.WEEKLY_NUDGE, NUDGE, at(2026, 9, 7), 7) == [
        at(2026, 9, 11, 16, 0),
        at(2026, 9, 20, 16, 0),
        at(2026, 9, 24, 16, 0),
        at(2026, 9, 30, 16, 0),
        at(2026, 10, 10, 16, 0),
        at(2026, 10, 16, 16, 0),
        at(2026, 10, 23, 16, 0),
    ]


def test_a_week_without_a_working_day_has_no_nudge() -> None:
    """The Spring Festival week of 2026-02-16 is skipped: after the 调休 Saturday 02-14 comes
    the 调休 Saturday 02-28."""
    assert sequence(records.WEEKLY_NUDGE, NUDGE, at(2026, 2, 9), 3) == [
        at(2026, 2, 14, 16, 0),
        at(2026, 2, 28, 16, 0),
        at(2026, 3, 6, 16, 0),
    ]


def test_a_retimed_nudge_counts_from_the_end_of_the_working_week() -> None:
    """Set to Thursday, the nudge goes the working day before the week's last: Tuesday 09-29,
    Friday 10-09; a Sunday chosen by HQ stays Sunday."""
    thursday = Rule("weekly", time(16, 0), weekdays=(3,))
    assert sequence(records.WEEKLY_NUDGE, thursday, at(2026, 9, 28), 2) == [
        at(2026, 9, 29, 16, 0),
        at(2026, 10, 9, 16, 0),
    ]
    sunday = Rule("weekly", time(16, 0), weekdays=(6,))
    assert records.nudge_days(date(2026, 10, 1), sunday.weekdays) == [date(2026, 10, 4)]


def test_the_nudge_in_a_year_without_data_is_on_friday(fresh_warnings: None) -> None:
    """In 2031 the nudge goes every Friday, 3 October included."""
    assert sequence(records.WEEKLY_NUDGE, NUDGE, at(2031, 9, 29), 2) == [
        at(2031, 10, 3, 16, 0),
        at(2031, 10, 10, 16, 0),
    ]


def test_the_monthly_summary_waits_for_the_first_working_day() -> None:
    """October 2026's summary is due on 10-08 at 9:00, November's on Monday 11-02."""
    assert sequence(records.MONTHLY_SUMMARY, SUMMARY, at(2026, 9, 15), 2) == [
        at(2026, 10, 8, 9, 0),
        at(2026, 11, 2, 9, 0),
    ]


# --- through the bot and the database (SQLite and PostgreSQL) --------------------------------


NOW = at(2026, 9, 30, 10, 0)


class SeptemberClock(datetime):
    """A `datetime` whose now() is Wednesday 2026-09-30 10:00 in Shanghai."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return NOW.astimezone(tz) if tz is not None else NOW.replace(tzinfo=None)


def translate(lang: str, key: str, **values: object) -> str:
    from bot.texts import t

    return t(lang, key, **values)


async def fire(sessions: Sessions, now: datetime) -> list[reminders.Fired]:
    return await reminders.fire_due(sessions, translate, "zh_CN", now=now, grace=GRACE)


async def outbox(sessions: Sessions, kind: str) -> list[tuple[int, str, str]]:
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
        return [(r.chat_id, r.key, r.payload["text"]) for r in rows]


async def builtin(sessions: Sessions, key: str) -> Reminder:
    async with sessions() as session:
        return (await session.scalars(select(Reminder).where(Reminder.key == key))).one()


def local(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.replace(tzinfo=UTC).astimezone(SHANGHAI)


async def test_remind_workdays_on_september_30_fires_on_october_8_9_and_10(
    world: World, sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/remind 工作日 9:00 打卡` on 2026-09-30 says it comes first on Thursday 10-08 and that it
    follows holidays and 调休; ticking through National Day it fires on 10-08, 10-09 and the
    调休 Saturday 10-10, once each, and nothing on the holidays."""
    _, li, _ = await joined(world)
    monkeypatch.setattr("bot.handlers.reminders.datetime", SeptemberClock)
    answer = await li.send("/remind 工作日 9:00 打卡")
    assert describe(at(2026, 10, 8, 9, 0), SHANGHAI, "zh_CN") in answer.text
    assert "工作日 09:00（按法定节假日和调休）" in answer.text
    fired: list[datetime] = []
    for day in days(date(2026, 10, 1), date(2026, 10, 11)):
        for tick in (
            at(day.year, day.month, day.day, 9, 0),
            at(day.year, day.month, day.day, 9, 1),
        ):
            fired += [f.due_at for f in await fire(sessions, tick) if f.due_at and f.key is None]
    assert [d.astimezone(SHANGHAI) for d in fired] == [
        at(2026, 10, 8, 9, 0),
        at(2026, 10, 9, 9, 0),
        at(2026, 10, 10, 9, 0),
    ]
    async with sessions() as session:
        reminder = (await session.scalars(select(Reminder).where(Reminder.key.is_(None)))).one()
        recorded = (await session.scalars(select(ReminderFiring))).all()
    assert local(reminder.next_at) == at(2026, 10, 12, 9, 0)
    assert len(recorded) == 3 and {f.outcome for f in recorded} == {"fired"}
    listing = await li.send("/reminders")
    assert "2026-10-12 周一 09:00" in listing.text


async def test_the_weekly_nudge_of_national_day_weeks(world: World, sessions: Sessions) -> None:
    """Restored on Monday 09-28, the nudge comes on Wednesday 09-30 16:00 (Friday 10-02 is a
    holiday), then on the 调休 Saturday 10-10, not on Friday 10-09; each week's nudge once."""
    await joined(world)
    async with sessions.begin() as session:
        await records.restore(session, "Asia/Shanghai", now=at(2026, 9, 28, 8, 0))
    assert local((await builtin(sessions, records.WEEKLY_NUDGE)).next_at) == at(2026, 9, 30, 16)
    [first] = [f for f in await fire(sessions, at(2026, 9, 30, 16, 0)) if f.key == "weekly_nudge"]
    assert first.messages == 2
    for tick in (at(2026, 9, 30, 16, 0), at(2026, 10, 2, 16, 0), at(2026, 10, 9, 16, 0)):
        assert [f for f in await fire(sessions, tick) if f.key == "weekly_nudge"] == []
    nudge = await builtin(sessions, records.WEEKLY_NUDGE)
    assert local(nudge.next_at) == at(2026, 10, 10, 16, 0)
    [second] = [f for f in await fire(sessions, at(2026, 10, 10, 16, 0)) if f.key == "weekly_nudge"]
    assert second.messages == 2
    sent = await outbox(sessions, "nudge")
    # The outbox key names the week (nudge:<its Monday>:<instructor>): one nudge each per week.
    weeks = [(chat, key.split(":")[1]) for chat, key, _ in sent]
    assert sorted(weeks) == [
        (LI, "2026-09-28"),
        (LI, "2026-10-05"),
        (WANG, "2026-09-28"),
        (WANG, "2026-10-05"),
    ]
    assert all("本周还没有提交工作动态" in text for _, _, text in sent)


async def test_the_monthly_summary_of_october_goes_out_on_october_8(
    world: World, sessions: Sessions
) -> None:
    """The district admin's summary of September is due on the first working day of October,
    Thursday 10-08 at 9:00: nothing on 10-01; /schedules says the summary and the nudge follow
    the calendar."""
    hq, _, _ = await joined(world)
    await hq.send(f"/admin add {ADMIN} district 西城")
    async with sessions.begin() as session:
        await records.restore(session, "Asia/Shanghai", now=at(2026, 9, 15))
    summary = await builtin(sessions, records.MONTHLY_SUMMARY)
    assert local(summary.next_at) == at(2026, 10, 8, 9, 0)
    # As if September's summary had gone out and the bot were still running into October.
    assert [
        f for f in await fire(sessions, at(2026, 10, 1, 9, 0)) if f.key == "monthly_summary"
    ] == []
    [fired] = [f for f in await fire(sessions, at(2026, 10, 8, 9, 0)) if f.key == "monthly_summary"]
    assert fired.messages == 1
    [(chat, key, text)] = await outbox(sessions, "summary")
    assert chat == ADMIN and key == f"summary:2026-09:{ADMIN}" and "上月工作动态汇总" in text
    assert "2026-09-01" in text and "2026-09-30" in text
    assert local((await builtin(sessions, records.MONTHLY_SUMMARY)).next_at) == at(2026, 11, 2, 9)
    listing = await hq.send("/schedules")
    assert "每月第一个工作日 09:00（按法定节假日和调休）" in listing.text
    assert "每周五 16:00（遇法定节假日和调休，为本周最后一个工作日）" in listing.text
    retimed = await hq.send("/schedules nudge 周四 16:00")
    assert "每周四 16:00（遇法定节假日和调休，为本周倒数第 2 个工作日）" in retimed.text


async def test_a_restart_moves_next_firings_to_the_calendar_but_keeps_a_due_one(
    sessions: Sessions,
) -> None:
    """Times stored by a calendar-blind bot (a 工作日 reminder on 10-01, the nudge on 10-02) are
    moved at start to 10-08 and 09-30; one already due when the bot starts again within the
    grace still fires once, on its stored time."""
    async with sessions.begin() as session:
        await records.restore(session, "Asia/Shanghai", now=at(2026, 9, 20))
        stale = await records.create_reminder(
            session,
            owner_id=LI,
            rule=WORKDAYS_9,
            first=at(2026, 10, 1, 9, 0).astimezone(UTC),
            text="打卡",
            timezone="Asia/Shanghai",
        )
        daily = await records.create_reminder(
            session,
            owner_id=LI,
            rule=Rule("daily", time(9, 0)),
            first=at(2026, 10, 1, 9, 0).astimezone(UTC),
            text="喝水",
            timezone="Asia/Shanghai",
        )
        await session.execute(
            update(Reminder)
            .where(Reminder.key == records.WEEKLY_NUDGE)
            .values(next_at=at(2026, 10, 2, 16, 0).astimezone(UTC))
        )
    async with sessions.begin() as session:
        await records.restore(session, "Asia/Shanghai", now=at(2026, 9, 30, 12, 0))
    async with sessions() as session:
        rows = {r.id: r for r in await session.scalars(select(Reminder))}
    assert local(rows[stale.id].next_at) == at(2026, 10, 8, 9, 0)
    assert local(rows[daily.id].next_at) == at(2026, 10, 1, 9, 0)  # no calendar: untouched
    assert local((await builtin(sessions, records.WEEKLY_NUDGE)).next_at) == at(2026, 9, 30, 16)
    # Down across 16:00, up again at 16:20: the nudge is due, restore leaves it, it fires once.
    async with sessions.begin() as session:
        await records.restore(session, "Asia/Shanghai", now=at(2026, 9, 30, 16, 20))
    [fired] = [f for f in await fire(sessions, at(2026, 9, 30, 16, 20)) if f.key == "weekly_nudge"]
    assert fired.due_at == at(2026, 9, 30, 16, 0) and fired.missed == 0
    assert local((await builtin(sessions, records.WEEKLY_NUDGE)).next_at) == at(2026, 10, 10, 16)
