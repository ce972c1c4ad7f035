"""/remind, /reminders, /leave and /schedules (the built-in schedules HQ switches and re-times)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import cast

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.context import Context, Handlers
from bot.guards import answer, command_text, guard
from bot.labels import audience_label
from bot.texts import t
from storage.common.buttons import LeaveButton, ReminderButton, ScheduleButton, ScheduleName
from storage.common.text import RELATIVE_DAYS, narrow
from storage.common.when import Rule, WhenProblem, describe, parse_when
from storage.messaging import inbox, notices
from storage.messaging.notices import AudienceProblem
from storage.models import NoticeAudience, Reminder, ReminderStatus
from storage.people import districts
from storage.people.access import Identity
from storage.reminders import leaves, records
from storage.reports.records import ReportProblem, parse_day

TEXT_LIMIT = 1000
LEAVE_LIMIT_DAYS = 366
# /schedules names the built-in schedules with short words.
SCHEDULE_NAMES = {
    "nudge": records.WEEKLY_NUDGE,
    "digest": records.WEEKLY_DIGEST,
    "summary": records.MONTHLY_SUMMARY,
    "mentoring": records.MENTORING,
    "training": records.TRAINING_REMINDERS,
    "evaluation": records.EVALUATION_REMINDERS,
}
NAME_OF = {key: cast(ScheduleName, name) for name, key in SCHEDULE_NAMES.items()}


def describe_rule(lang: str, rule: Rule, key: str | None = None) -> str:
    """每天 08:30 / 每周一 09:00 / 每月1日 09:00 / 工作日 09:00（按法定节假日和调休） / 一次."""
    at = rule.at.strftime("%H:%M")
    if key in records.FOLLOWS_EVENTS:
        return t(lang, f"rule.{key}")
    if key == records.MONTHLY_SUMMARY:
        return t(lang, "rule.first_workday", at=at)
    if rule.kind == "weekly":
        days = t(lang, "rule.day_sep").join(t(lang, f"rule.wd{d}") for d in rule.weekdays)
        weekly = t(lang, "rule.weekly", days=days, at=at)
        return weekly + (_nudge_note(lang, rule) if key == records.WEEKLY_NUDGE else "")
    if rule.kind == "monthly":
        return t(lang, "rule.monthly", day=rule.day, at=at)
    if rule.kind in ("daily", "workdays"):
        return t(lang, f"rule.{rule.kind}", at=at)
    return t(lang, "rule.once")


def _nudge_note(lang: str, rule: Rule) -> str:
    """How holidays and 调休 move the nudge (records.nudge_days): Friday is the week's last
    working day, Thursday the one before it."""
    working = [d for d in rule.weekdays if d < 5]
    if len(rule.weekdays) > 1 and working:
        return t(lang, "rule.nudge_moves")
    if not working:
        return ""
    from_end = 4 - working[0]
    if from_end == 0:
        return t(lang, "rule.nudge_last")
    return t(lang, "rule.nudge_from_end", n=from_end + 1)


def when_problem(lang: str, problem: WhenProblem) -> str:
    return t(lang, f"when.{problem.code}", value=problem.value)


# --- /remind -------------------------------------------------------------------------------


@guard(role="registered", chat="private")
async def remind(update: Update, context: Context, who: Identity) -> None:
    """`/remind <when> <text>` for oneself; admins may put an audience first (`区:西城`)."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    text = command_text(message).strip()
    if not text:
        await message.reply_text(t(lang, "remind.usage"))
        return
    audience = None
    first, _, after = text.partition(" ")
    async with context.sessions() as session:
        names = await districts.district_ids(session)
    try:
        audience = notices.parse_audience(first, names)
    except AudienceProblem:
        audience = None
    if audience is not None and audience.kind is NoticeAudience.GROUPS:
        await message.reply_text(t(lang, "remind.no_groups"))
        return
    if audience is not None:
        if not who.is_admin:
            await message.reply_text(t(lang, "remind.others_admin_only"))
            return
        try:
            notices.check_scope(audience, who.scope_district_id)
        except AudienceProblem:
            await message.reply_text(t(lang, "refused.other_district", district=who.district_name))
            return
        text = after.strip()
    now = datetime.now(UTC)
    tz = context.settings.tz
    try:
        parsed = parse_when(text, now, tz)
    except WhenProblem as problem:
        await message.reply_text(when_problem(lang, problem))
        return
    if not parsed.rest:
        await message.reply_text(t(lang, "remind.no_text"))
        return
    if len(parsed.rest) > TEXT_LIMIT:
        await message.reply_text(t(lang, "remind.too_long", length=len(parsed.rest)))
        return
    async with context.sessions.begin() as session:
        reminder = await records.create_reminder(
            session,
            owner_id=who.telegram_id,
            rule=parsed.rule,
            first=parsed.first,
            text=parsed.rest,
            timezone=context.settings.bot_timezone,
            scope_district_id=who.scope_district_id if audience else None,
            audience=audience.kind.value if audience else None,
            audience_value=audience.value if audience else None,
            request_key=inbox.request_key(message.chat_id, message.message_id),
        )
    whom = t(lang, "remind.you")
    if audience is not None:
        by_id = {i: n for n, i in names.items()}
        whom = audience_label(lang, audience.kind.value, audience.value, by_id)
    repeat = ""
    if parsed.rule.kind != "once":
        repeat = t(lang, "remind.repeats", rule=describe_rule(lang, parsed.rule))
    await message.reply_text(
        t(
            lang,
            "remind.set",
            id=reminder.id,
            when=describe(parsed.first, tz, lang),
            whom=whom,
            text=parsed.rest,
            repeat=repeat,
        )
    )


def _reminder_line(lang: str, reminder: Reminder, context: Context) -> str:
    rule = Rule.from_json(reminder.rule)
    when = describe(reminder.next_at, context.settings.tz, lang) if reminder.next_at else "—"
    line = t(lang, "reminders.line", id=reminder.id, when=when, text=reminder.text)
    if rule.kind != "once":
        line += " · " + describe_rule(lang, rule)
    return line


@guard(role="registered", chat="private")
async def list_reminders(update: Update, context: Context, who: Identity) -> None:
    """The sender's reminders still to come, each with a cancel button."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    async with context.sessions() as session:
        mine = await records.list_reminders(session, who.telegram_id)
    if not mine:
        await message.reply_text(t(lang, "reminders.none"))
        return
    lines = [t(lang, "reminders.title"), *(_reminder_line(lang, r, context) for r in mine[:30])]
    buttons = [
        keyboards.button(t(lang, "reminders.cancel", id=r.id), ReminderButton(r.id, "cancel"))
        for r in mine[:30]
    ]
    markup = InlineKeyboardMarkup(keyboards.rows_of(buttons, 3))
    await message.reply_text("\n".join(lines), reply_markup=markup)


@guard(role="registered", chat="private")
async def cancel_reminder(update: Update, context: Context, who: Identity) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    reminder_id = ReminderButton.unpack(query.data).reminder_id
    async with context.sessions.begin() as session:
        cancelled = await records.cancel_reminder(session, reminder_id, who.telegram_id)
    key = "reminders.cancelled" if cancelled else "reminders.not_found"
    await answer(update, t(lang, key, id=reminder_id))


# --- /leave --------------------------------------------------------------------------------


def _leave_day(word: str, today: date) -> date | None:
    """A leave day: also ahead of today (明天, 后天), unlike a report's day."""
    offset = RELATIVE_DAYS.get(narrow(word))
    if offset is not None and offset >= 0:
        return today + timedelta(days=offset)
    return parse_day(word, today)


@guard(role="instructor", chat="private", not_instructor="leave.instructors_only")
async def leave(update: Update, context: Context, who: Identity) -> None:
    """`/leave <from> <to> [reason]` records an absence; `/leave` alone lists and cancels."""
    message = update.effective_message
    assert message is not None and who.instructor is not None
    lang = context.lang(who)
    today = datetime.now(context.settings.tz).date()
    words = command_text(message).strip().split(maxsplit=2)
    if not words:
        await _show_leaves(message, context, who, today)
        return
    try:
        days = [_leave_day(w, today) for w in words[:2]]
    except ReportProblem as problem:
        await message.reply_text(t(lang, "leave.bad_date", value=problem.value))
        return
    if len(days) < 2 or days[0] is None or days[1] is None:
        await message.reply_text(t(lang, "leave.usage"))
        return
    starts, ends = days[0], days[1]
    reason = words[2].strip()[:200] if len(words) > 2 else None
    if ends < starts:
        await message.reply_text(t(lang, "leave.backwards"))
        return
    if ends < today:
        await message.reply_text(t(lang, "leave.past", ends=ends.isoformat()))
        return
    if (ends - starts).days > LEAVE_LIMIT_DAYS:
        await message.reply_text(t(lang, "leave.too_long"))
        return
    async with context.sessions.begin() as session:
        await leaves.add_leave(
            session,
            who.instructor.id,
            starts,
            ends,
            reason,
            request_key=inbox.request_key(message.chat_id, message.message_id),
        )
    await message.reply_text(
        t(lang, "leave.saved", starts=starts.isoformat(), ends=ends.isoformat())
    )


async def _show_leaves(message: Message, context: Context, who: Identity, today: date) -> None:
    lang = context.lang(who)
    assert who.instructor is not None
    async with context.sessions() as session:
        current = await leaves.current_leaves(session, who.instructor.id, today)
    if not current:
        await message.reply_text(t(lang, "leave.none"))
        return
    lines = [t(lang, "leave.title")]
    lines += [
        t(lang, "leave.line", starts=lv.starts, ends=lv.ends, reason=lv.reason or "")
        for lv in current
    ]
    markup = InlineKeyboardMarkup(
        [
            [
                keyboards.button(
                    t(lang, "leave.cancel", starts=lv.starts.strftime("%m-%d")),
                    LeaveButton(lv.id, "cancel"),
                )
            ]
            for lv in current
        ]
    )
    await message.reply_text("\n".join(lines), reply_markup=markup)


@guard(role="instructor", chat="private", not_instructor="leave.instructors_only")
async def cancel_leave(update: Update, context: Context, who: Identity) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and who.instructor is not None
    lang = context.lang(who)
    async with context.sessions.begin() as session:
        cancelled = await leaves.cancel_leave(
            session,
            LeaveButton.unpack(query.data).leave_id,
            who.instructor.id,
            now=datetime.now(UTC),
        )
    await answer(update, t(lang, "leave.cancelled" if cancelled else "leave.not_found"))


# --- /schedules ----------------------------------------------------------------------------


async def _schedules_view(context: Context, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    async with context.sessions() as session:
        schedules = await records.builtin_schedules(session)
    lines = [t(lang, "schedules.title")]
    buttons = []
    for schedule in schedules:
        assert schedule.key is not None
        on = schedule.status == ReminderStatus.ACTIVE.value
        rule = describe_rule(lang, Rule.from_json(schedule.rule), schedule.key)
        when = describe(schedule.next_at, context.settings.tz, lang) if schedule.next_at else "—"
        lines.append(
            t(
                lang,
                "schedules.line",
                name=t(lang, f"schedules.{schedule.key}"),
                word=NAME_OF[schedule.key],
                rule=rule,
                state=t(lang, "schedules.on" if on else "schedules.off"),
                next=when if on else "—",
            )
        )
        label = t(lang, "schedules.turn_off" if on else "schedules.turn_on")
        name = t(lang, f"schedules.{schedule.key}")
        pressed = ScheduleButton(NAME_OF[schedule.key], not on)
        buttons.append([keyboards.button(f"{label} {name}", pressed)])
    lines.append(t(lang, "schedules.how"))
    return "\n\n".join(lines), InlineKeyboardMarkup(buttons)


@guard(role="hq", chat="private")
async def schedules(update: Update, context: Context, who: Identity) -> None:
    """Lists the built-in schedules with on/off buttons; `/schedules nudge 周五 16:00` re-times."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    words = command_text(message).strip().split(maxsplit=1)
    if words:
        key = SCHEDULE_NAMES.get(words[0].lower())
        if key is None or len(words) < 2:
            await message.reply_text(t(lang, "schedules.usage"))
            return
        if key in records.FOLLOWS_EVENTS:
            await message.reply_text(t(lang, "schedules.follows_events"))
            return
        try:
            rule = _schedule_rule(key, words[1], context)
        except WhenProblem as problem:
            await message.reply_text(when_problem(lang, problem))
            return
        if rule is None:
            await message.reply_text(t(lang, "schedules.weekly_only"))
            return
        async with context.sessions.begin() as session:
            await records.set_builtin(session, key, rule=rule, now=datetime.now(UTC))
    text, markup = await _schedules_view(context, lang)
    await message.reply_text(text, reply_markup=markup)


def _schedule_rule(key: str, text: str, context: Context) -> Rule | None:
    """The new rule of a built-in: weekly ones take a weekday and time, the others a time."""
    now, tz = datetime.now(UTC), context.settings.tz
    if key in (records.WEEKLY_NUDGE, records.WEEKLY_DIGEST):
        written = text if text.startswith(("每", "every")) else f"每{text}"
        parsed = parse_when(written, now, tz)
        return parsed.rule if parsed.rule.kind == "weekly" else None
    current = records.BUILTINS[key]
    return Rule(current.kind, parse_when(text, now, tz).rule.at, day=current.day)


@guard(role="hq", chat="private")
async def toggle_schedule(update: Update, context: Context, who: Identity) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = ScheduleButton.unpack(query.data)
    async with context.sessions.begin() as session:
        await records.set_builtin(
            session, SCHEDULE_NAMES[pressed.name], enabled=pressed.on, now=datetime.now(UTC)
        )
    await query.answer(t(lang, "schedules.switched_on" if pressed.on else "schedules.switched_off"))
    text, markup = await _schedules_view(context, lang)
    await query.edit_message_text(text, reply_markup=markup)


HANDLERS: Handlers = [
    CommandHandler("remind", remind),
    CommandHandler("reminders", list_reminders),
    CommandHandler("leave", leave),
    CommandHandler("schedules", schedules),
    CallbackQueryHandler(cancel_reminder, pattern=ReminderButton.pattern(action="cancel")),
    CallbackQueryHandler(cancel_leave, pattern=LeaveButton.pattern(action="cancel")),
    CallbackQueryHandler(toggle_schedule, pattern=ScheduleButton.pattern()),
]
