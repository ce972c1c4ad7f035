"""Firing due reminders and built-in schedules into the outbox, each exactly once.

`fire_due` runs from the tick (schedules/jobs.py) with the clock passed in, so tests drive it
with any `now`. One transaction claims the due rows, records each firing, enqueues its
messages and moves the rows on; a crash before the commit leaves everything as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schedules import mentoring
from storage.common.periods import Period, month, week
from storage.common.when import describe
from storage.db import Sessions
from storage.messaging import outbox
from storage.messaging.notices import Translate, audience_conditions
from storage.models import (
    Admin,
    AdminRole,
    Group,
    Instructor,
    Reminder,
    Report,
    Status,
    TelegramUser,
)
from storage.reminders import leaves, records
from storage.reports.stats import compute_stats, report_filter, silent_instructors

logger = logging.getLogger(__name__)

KIND = "reminder"


@dataclass(frozen=True)
class Fired:
    """What one tick did with one reminder."""

    reminder_id: int
    key: str | None
    due_at: datetime | None
    missed: int
    messages: int


async def fire_due(
    sessions: Sessions,
    translate: Translate,
    default_lang: str,
    *,
    now: datetime,
    grace: timedelta,
) -> list[Fired]:
    """Fires every reminder due at `now` (once), reports the missed ones; returns what it did.

    A few statements for the whole tick, not per reminder: 200 reminders due in one minute
    fire in one short transaction.
    """
    done: list[Fired] = []
    async with sessions.begin() as session:
        languages = _Languages(session, default_lang)
        dues = await records.claim_due(session, now=now, grace=grace)
        await languages.of([d.reminder.owner_id for d in dues if d.reminder.owner_id])
        missed: list[tuple[int, datetime]] = []
        firing: list[tuple[int, datetime, int]] = []
        composed: dict[int, list[outbox.Outgoing]] = {}
        notes: dict[int, list[outbox.Outgoing]] = {}
        for due in dues:
            reminder = due.reminder
            missed += [(reminder.id, at) for at in due.missed]
            if due.missed:
                notes[reminder.id] = await _missed_notice(
                    reminder, due.missed, translate, languages
                )
            if due.fire_at is not None:
                messages = await _compose(session, reminder, due.fire_at, translate, languages)
                composed[reminder.id] = messages
                firing.append((reminder.id, due.fire_at, len(messages)))
        stamp = datetime.now(UTC)  # when the firing really happened, for the record
        new_missed = await records.record_firings(session, missed, "missed", now=stamp)
        fired = await records.record_firings(session, firing, "fired", now=stamp)
        outgoing = [m for rid in fired for m in composed[rid]]
        outgoing += [m for rid in new_missed for m in notes.get(rid, [])]
        await outbox.enqueue(session, outgoing, now=now)
        for due in dues:
            rid = due.reminder.id
            sent = len(composed[rid]) if rid in fired else 0
            sent += len(notes.get(rid, [])) if rid in new_missed else 0
            fire_at = due.fire_at if rid in fired else None
            done.append(Fired(rid, due.reminder.key, fire_at, len(due.missed), sent))
    for result in done:
        if result.missed:
            logger.warning("reminder %s missed %s due time(s)", result.reminder_id, result.missed)
    return done


class _Languages:
    """Each recipient's chosen language, looked up once per tick."""

    def __init__(self, session: AsyncSession, default: str) -> None:
        self.session = session
        self.default = default
        self._known: dict[int, str] = {}

    async def of(self, telegram_ids: list[int]) -> dict[int, str]:
        missing = [i for i in telegram_ids if i not in self._known]
        if missing:
            rows = await self.session.execute(
                select(TelegramUser.telegram_id, TelegramUser.language).where(
                    TelegramUser.telegram_id.in_(missing)
                )
            )
            found = {tid: lang for tid, lang in rows if lang}
            for telegram_id in missing:
                self._known[telegram_id] = found.get(telegram_id, self.default)
        return {i: self._known[i] for i in telegram_ids}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M")


async def _missed_notice(
    reminder: Reminder, missed: list[datetime], translate: Translate, languages: _Languages
) -> list[outbox.Outgoing]:
    """Tells the owner of a custom reminder that it was missed while the bot was down."""
    if reminder.key is not None or reminder.owner_id is None:
        return []
    lang = (await languages.of([reminder.owner_id]))[reminder.owner_id]
    when = describe(missed[0], ZoneInfo(reminder.timezone), lang)
    text = translate(lang, "remind.missed", text=reminder.text, when=when, count=len(missed))
    return [
        outbox.Outgoing(
            key=f"reminder:{reminder.id}:missed:{_stamp(missed[0])}",
            chat_id=reminder.owner_id,
            text=text,
            kind=KIND,
            ref_id=reminder.id,
        )
    ]


async def _compose(
    session: AsyncSession,
    reminder: Reminder,
    due_at: datetime,
    translate: Translate,
    languages: _Languages,
) -> list[outbox.Outgoing]:
    """The messages of one firing."""
    tz = ZoneInfo(reminder.timezone)
    today = due_at.astimezone(tz).date()
    if reminder.key == records.WEEKLY_NUDGE:
        return await _weekly_nudge(session, today, translate, languages)
    if reminder.key == records.WEEKLY_DIGEST:
        return await _weekly_digest(session, today, translate, languages)
    if reminder.key == records.MONTHLY_SUMMARY:
        return await _monthly_summary(session, today, translate, languages)
    if reminder.key == records.MENTORING:
        return await _mentoring(session, today, due_at, translate, languages)
    key = f"reminder:{reminder.id}:{_stamp(due_at)}"
    if reminder.audience is None:
        assert reminder.owner_id is not None
        lang = (await languages.of([reminder.owner_id]))[reminder.owner_id]
        text = translate(lang, "remind.fire", text=reminder.text)
        return [outbox.Outgoing(key, reminder.owner_id, text, KIND, reminder.id)]
    conditions = audience_conditions(
        reminder.audience, reminder.audience_value, reminder.scope_district_id
    )
    away = await leaves.on_leave(session, today)
    rows = await session.execute(
        select(Instructor.id, Instructor.telegram_id).where(
            *conditions,
            Instructor.status == Status.ACTIVE.value,
            Instructor.telegram_id.is_not(None),
        )
    )
    people = [(iid, int(tid or 0)) for iid, tid in rows if iid not in away]
    langs = await languages.of([tid for _, tid in people])
    return [
        outbox.Outgoing(
            f"{key}:i:{iid}",
            tid,
            translate(langs[tid], "remind.fire", text=reminder.text),
            KIND,
            reminder.id,
            instructor_id=iid,
        )
        for iid, tid in people
    ]


async def _weekly_nudge(
    session: AsyncSession, today: date, translate: Translate, languages: _Languages
) -> list[outbox.Outgoing]:
    """Active instructors with no report this week and not on leave get a nudge."""
    period = week(today)
    silent = {iid for iid, _, _ in await silent_instructors(session, period)}
    silent -= await leaves.on_leave(session, today)
    if not silent:
        return []
    rows = await session.execute(
        select(Instructor.id, Instructor.name, Instructor.telegram_id).where(
            Instructor.id.in_(silent), Instructor.telegram_id.is_not(None)
        )
    )
    people = [(iid, name, int(tid or 0)) for iid, name, tid in rows]
    langs = await languages.of([tid for _, _, tid in people])
    return [
        outbox.Outgoing(
            f"nudge:{period.start.isoformat()}:{iid}",
            tid,
            translate(langs[tid], "nudge.weekly", name=name),
            "nudge",
            instructor_id=iid,
        )
        for iid, name, tid in people
    ]


async def _reporters(session: AsyncSession, period: Period, district_id: int | None) -> list[str]:
    rows = await session.execute(
        select(Instructor.name)
        .join(Report, Report.instructor_id == Instructor.id)
        .where(*report_filter(period, district_id=district_id))
        .distinct()
        .order_by(Instructor.name)
    )
    return [name for (name,) in rows]


async def _figures_text(
    session: AsyncSession,
    translate: Translate,
    lang: str,
    period: Period,
    district_id: int | None,
    heading_key: str,
    scope: str,
) -> str:
    """A short summary of a period in a scope: reports per type, person-times, who reported."""
    stats = await compute_stats(session, period, district_id=district_id)
    lines = [translate(lang, heading_key, scope=scope, start=period.start, end=period.end)]
    for type_, figures in stats.by_type.items():
        if figures.reports:
            lines.append(
                translate(
                    lang,
                    "digest.type_line",
                    type=translate(lang, f"type.{type_}"),
                    reports=figures.reports,
                    person_times=figures.person_times,
                )
            )
    if stats.total_reports == 0:
        lines.append(translate(lang, "digest.nothing"))
    lines.append(
        translate(
            lang,
            "digest.total",
            reports=stats.total_reports,
            person_times=stats.total_person_times,
        )
    )
    names = await _reporters(session, period, district_id)
    lines.append(translate(lang, "digest.reporters", names="、".join(names) or "—"))
    lines.append(translate(lang, "digest.silent", count=len(stats.silent_instructors)))
    return "\n".join(lines)


async def _weekly_digest(
    session: AsyncSession, today: date, translate: Translate, languages: _Languages
) -> list[outbox.Outgoing]:
    """Each bound district group (and city group) gets last week's figures of its scope."""
    period = week(today - timedelta(days=7))
    groups = list(await session.scalars(select(Group).order_by(Group.id)))
    messages = []
    for group in groups:
        if group.scope not in ("city", "district"):
            continue
        lang = languages.default
        scope = group.district.name if group.district else translate(lang, "city")
        text = await _figures_text(
            session, translate, lang, period, group.district_id, "digest.weekly", scope
        )
        messages.append(
            outbox.Outgoing(
                f"digest:{period.start.isoformat()}:{group.id}", group.chat_id, text, "digest"
            )
        )
    return messages


async def _monthly_summary(
    session: AsyncSession, today: date, translate: Translate, languages: _Languages
) -> list[outbox.Outgoing]:
    """Each district admin gets last month's figures of their district."""
    last = today.replace(day=1) - timedelta(days=1)
    period = month(last.year, last.month)
    admins = list(
        await session.scalars(
            select(Admin).where(Admin.role == AdminRole.DISTRICT_ADMIN.value).order_by(Admin.id)
        )
    )
    langs = await languages.of([a.telegram_id for a in admins])
    messages = []
    for admin in admins:
        if admin.district is None:
            continue
        text = await _figures_text(
            session,
            translate,
            langs[admin.telegram_id],
            period,
            admin.district_id,
            "digest.monthly",
            admin.district.name,
        )
        messages.append(
            outbox.Outgoing(
                f"summary:{period.key}:{admin.telegram_id}", admin.telegram_id, text, "summary"
            )
        )
    return messages


async def _mentoring(
    session: AsyncSession,
    today: date,
    due_at: datetime,
    translate: Translate,
    languages: _Languages,
) -> list[outbox.Outgoing]:
    """The mentoring round (schedules/mentoring.py): mentors asked to sign off the steps that
    fell due, overdue sign-offs passed to the district admins, each once."""
    return await mentoring.mentoring_round(session, today, translate, languages.of, now=due_at)
