"""Progress reports: the one-line and guided /report, #走访 in bound groups, and /myreports."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReactionTypeEmoji, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import keyboards
from bot.context import Context, Handlers
from bot.flows import CONTINUATIONS
from bot.guards import answer, command_text, guard, who_is
from bot.handlers.welcome import point_to_help
from bot.texts import t
from storage.messaging import conversations
from storage.models import Enterprise, Instructor, Report, ReportSource, ReportType
from storage.people import groups
from storage.people.access import Identity
from storage.reports import records
from storage.reports.records import ParsedReport, ReportProblem

logger = logging.getLogger(__name__)

FLOW = "report"
EDIT_FLOW = "edit"
COUNT_CHOICES = (0, 1, 2, 3, 5, 10, 20, 50)


# --- wording ------------------------------------------------------------------------------


def describe(
    lang: str,
    *,
    type: str,
    target: str,
    person_times: int,
    day: date,
    note: str | None,
) -> str:
    """One report in one line: 2026-11-20 走访 · 维达纸业 · 5人次 · 讲解工资协商流程."""
    return t(
        lang,
        "report.summary",
        day=day.isoformat(),
        type=t(lang, f"type.{type}"),
        target=target,
        count=person_times,
        note=f" · {note}" if note else "",
    )


def describe_report(lang: str, report: Report) -> str:
    return describe(
        lang,
        type=report.type,
        target=report.target,
        person_times=report.person_times,
        day=report.date,
        note=report.note,
    )


def problem_text(lang: str, problem: ReportProblem) -> str:
    return t(
        lang,
        f"report.problem.{problem.code}",
        value=problem.value if problem.value is not None else "",
        limit=records.NOTE_LIMIT,
    )


def explain(lang: str, parsed: ParsedReport) -> str:
    """What was understood of a report that cannot be stored, and what is missing or wrong."""
    understood = []
    if parsed.type is not None:
        understood.append(f"{t(lang, 'report.field.type')} {t(lang, f'type.{parsed.type}')}")
    if parsed.target:
        understood.append(f"{t(lang, 'report.field.target')} {parsed.target}")
    if parsed.person_times is not None:
        understood.append(f"{t(lang, 'report.field.count')} {parsed.person_times}")
    if parsed.day is not None:
        understood.append(f"{t(lang, 'report.field.day')} {parsed.day.isoformat()}")
    lines = [
        t(lang, "report.understood", understood="，".join(understood))
        if understood
        else t(lang, "report.understood_nothing")
    ]
    lines += [f"• {problem_text(lang, problem)}" for problem in parsed.problems]
    lines.append(t(lang, "report.example"))
    return "\n".join(lines)


def today(context: Context) -> date:
    return datetime.now(context.settings.tz).date()


def _suggestions(report_id: int, options: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(name, callback_data=f"rl:{report_id}:{eid}")]
            for eid, name in options
        ]
    )


# --- the one-line /report -----------------------------------------------------------------


async def store_parsed(
    session: AsyncSession,
    instructor: Instructor,
    parsed: ParsedReport,
    source: ReportSource,
    message: Message,
    photo: str | None = None,
) -> tuple[Report, records.Match]:
    """Stores a parsed report of `message` (once per message) with its enterprise matched."""
    assert parsed.type is not None and parsed.target is not None and parsed.day is not None
    match = await records.match_enterprise(session, parsed.target)
    stored, _ = await records.create_report(
        session,
        instructor=instructor,
        type=ReportType(parsed.type),
        target=parsed.target,
        enterprise=match.enterprise,
        person_times=parsed.person_times or 0,
        day=parsed.day,
        note=parsed.note,
        source=source,
        chat_id=message.chat_id,
        message_id=message.message_id,
        photo_file_id=photo,
    )
    return stored, match


@guard(role="registered", chat="private")
async def report(update: Update, context: Context, who: Identity) -> None:
    """`/report 走访 维达纸业 5人次 …` records at once; `/report` alone starts the guided flow."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    if who.instructor is None:
        await message.reply_text(t(lang, "report.only_instructors"))
        return
    line = command_text(message)
    if not line.strip():
        await start_flow(message, context, who)
        return
    parsed = records.parse_line(line, today=today(context))
    if not parsed.ok:
        await message.reply_text(explain(lang, parsed))
        return
    assert parsed.type is not None and parsed.target is not None and parsed.day is not None
    async with context.sessions.begin() as session:
        stored, match = await store_parsed(
            session, who.instructor, parsed, ReportSource.LINE, message
        )
        options = [(e.id, e.name) for e in match.suggestions]
    text = t(lang, "report.saved", summary=describe_report(lang, stored))
    if stored.enterprise_id is None:
        text += t(lang, "report.unmatched", target=stored.target)
    if stored.enterprise_id is None and options:
        text += "\n" + t(lang, "report.suggest")
        await message.reply_text(text, reply_markup=_suggestions(stored.id, options))
        return
    await message.reply_text(text)


@guard(role="registered", chat="private")
async def link_enterprise(update: Update, context: Context, who: Identity) -> None:
    """A suggested enterprise's button links an unmatched report to it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, report_id, enterprise_id = query.data.split(":")
    lang = context.lang(who)
    async with context.sessions.begin() as session:
        outcome = await records.edit_report(
            session,
            int(report_id),
            telegram_id=who.telegram_id,
            changes={"enterprise_id": int(enterprise_id)},
            now=datetime.now(context.settings.tz),
            today=today(context),
        )
    if outcome.status != "ok" or outcome.report is None:
        await answer(update, t(lang, f"edit.{outcome.status}"))
        return
    await query.answer()
    await query.edit_message_text(
        t(lang, "report.linked", summary=describe_report(lang, outcome.report))
    )


# --- the guided /report -------------------------------------------------------------------


def _type_buttons(lang: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(t(lang, f"type.{kind.value}"), callback_data=f"rp:t:{kind.value}")
        for kind in ReportType
    ]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append([InlineKeyboardButton(t(lang, "button.cancel"), callback_data="rp:no")])
    return InlineKeyboardMarkup(rows)


def _count_buttons(lang: str) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(str(n), callback_data=f"rp:n:{n}") for n in COUNT_CHOICES]
    return InlineKeyboardMarkup(
        [
            buttons[:4],
            buttons[4:],
            [InlineKeyboardButton(t(lang, "button.cancel"), callback_data="rp:no")],
        ]
    )


def _day_buttons(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "button.today"), callback_data="rp:d:0"),
                InlineKeyboardButton(t(lang, "button.yesterday"), callback_data="rp:d:1"),
                InlineKeyboardButton(t(lang, "button.day_before"), callback_data="rp:d:2"),
            ],
            [InlineKeyboardButton(t(lang, "button.cancel"), callback_data="rp:no")],
        ]
    )


def _note_buttons(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "button.skip"), callback_data="rp:skip"),
                InlineKeyboardButton(t(lang, "button.cancel"), callback_data="rp:no"),
            ]
        ]
    )


def _confirm_buttons(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "button.confirm"), callback_data="rp:ok"),
                InlineKeyboardButton(t(lang, "button.cancel"), callback_data="rp:no"),
            ]
        ]
    )


def _draft_summary(lang: str, data: dict[str, Any]) -> str:
    return describe(
        lang,
        type=data["type"],
        target=data["target"],
        person_times=int(data["person_times"]),
        day=date.fromisoformat(data["day"]),
        note=data.get("note"),
    )


async def start_flow(message: Message, context: Context, who: Identity) -> None:
    """Starts (or restarts) the guided report: the state lives in the database."""
    async with context.sessions.begin() as session:
        await conversations.save(session, who.telegram_id, flow=FLOW, step="type", data={})
    lang = context.lang(who)
    await message.reply_text(t(lang, "flow.ask_type"), reply_markup=_type_buttons(lang))


async def _advance(
    context: Context, who: Identity, step: str, data: dict[str, Any]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Saves the flow at `step` and returns the question to ask there."""
    async with context.sessions.begin() as session:
        await conversations.save(session, who.telegram_id, flow=FLOW, step=step, data=data)
    lang = context.lang(who)
    if step == "target":
        return t(lang, "flow.ask_target", type=t(lang, f"type.{data['type']}")), None
    if step == "count":
        return t(lang, "flow.ask_count"), _count_buttons(lang)
    if step == "day":
        return t(lang, "flow.ask_day"), _day_buttons(lang)
    if step == "note":
        return t(lang, "flow.ask_note"), _note_buttons(lang)
    return t(lang, "flow.confirm", summary=_draft_summary(lang, data)), _confirm_buttons(lang)


async def _take_target(
    context: Context, who: Identity, data: dict[str, Any], text: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Matches the typed target; close matches are offered, an exact one moves on."""
    lang = context.lang(who)
    target = text.strip()
    if len(target) > records.TARGET_LIMIT:
        return t(lang, "report.problem.target_too_long"), None
    async with context.sessions() as session:
        match = await records.match_enterprise(session, target)
    if match.enterprise is not None or not match.suggestions:
        enterprise = match.enterprise
        data |= {
            "target": enterprise.name if enterprise else target,
            "enterprise_id": enterprise.id if enterprise else None,
        }
        return await _advance(context, who, "count", data)
    data |= {"target": target, "enterprise_id": None}
    async with context.sessions.begin() as session:
        await conversations.save(session, who.telegram_id, flow=FLOW, step="pick", data=data)
    rows = [[InlineKeyboardButton(e.name, callback_data=f"rp:e:{e.id}")] for e in match.suggestions]
    rows.append(
        [InlineKeyboardButton(t(lang, "flow.keep_text", target=target), callback_data="rp:e:0")]
    )
    return t(lang, "flow.pick_target"), InlineKeyboardMarkup(rows)


async def _take_day(
    context: Context, who: Identity, data: dict[str, Any], day: date | None, word: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = context.lang(who)
    try:
        if day is None:
            day = records.parse_day(word, today(context))
            if day is None:
                raise ReportProblem("bad_date", word)
        records.check_day(day, today(context))
    except ReportProblem as problem:
        return t(lang, "flow.bad_day", reason=problem_text(lang, problem)), _day_buttons(lang)
    data["day"] = day.isoformat()
    return await _advance(context, who, "note", data)


async def _finish(context: Context, who: Identity) -> str:
    """Stores the confirmed draft and ends the flow in one transaction (a second press: expired)."""
    lang = context.lang(who)
    assert who.instructor is not None
    async with context.sessions.begin() as session:
        conversation = await conversations.load(session, who.telegram_id)
        if conversation is None or conversation.flow != FLOW or conversation.step != "confirm":
            return t(lang, "flow.expired")
        data = dict(conversation.data)
        enterprise = None
        if data.get("enterprise_id"):
            enterprise = await session.get(Enterprise, int(data["enterprise_id"]))
        stored, _ = await records.create_report(
            session,
            instructor=who.instructor,
            type=ReportType(data["type"]),
            target=data["target"],
            enterprise=enterprise,
            person_times=int(data["person_times"]),
            day=date.fromisoformat(data["day"]),
            note=data.get("note"),
            source=ReportSource.GUIDED,
        )
        await conversations.clear(session, who.telegram_id)
    return t(lang, "report.saved", summary=describe_report(lang, stored))


@guard(role="registered", chat="private")
async def press_flow(update: Update, context: Context, who: Identity) -> None:
    """Every button of the guided flow: type, target choice, count, day, skip, confirm, cancel."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    parts = query.data.split(":")
    async with context.sessions() as session:
        conversation = await conversations.load(session, who.telegram_id)
    if parts[1] == "no":
        async with context.sessions.begin() as session:
            await conversations.clear(session, who.telegram_id)
        await query.answer()
        await query.edit_message_text(t(lang, "flow.cancelled"))
        return
    if parts[1] == "ok":
        await query.answer()
        await query.edit_message_text(await _finish(context, who))
        return
    if conversation is None or conversation.flow != FLOW or who.instructor is None:
        await answer(update, t(lang, "flow.expired"))
        return
    data = dict(conversation.data)
    step = conversation.step
    text: str
    markup: InlineKeyboardMarkup | None
    if parts[1] == "t" and step == "type":
        data["type"] = ReportType(parts[2]).value
        text, markup = await _advance(context, who, "target", data)
    elif parts[1] == "e" and step == "pick":
        if parts[2] != "0":
            async with context.sessions() as session:
                enterprise = await session.get(Enterprise, int(parts[2]))
            if enterprise is not None:
                data |= {"target": enterprise.name, "enterprise_id": enterprise.id}
        text, markup = await _advance(context, who, "count", data)
    elif parts[1] == "n" and step == "count":
        data["person_times"] = int(parts[2])
        text, markup = await _advance(context, who, "day", data)
    elif parts[1] == "d" and step == "day":
        day = today(context) - timedelta(days=int(parts[2]))
        text, markup = await _take_day(context, who, data, day, "")
    elif parts[1] == "skip" and step == "note":
        data["note"] = None
        text, markup = await _advance(context, who, "confirm", data)
    else:
        await answer(update, t(lang, "flow.expired"))
        return
    await query.answer()
    await query.edit_message_text(text, reply_markup=markup)


async def continue_conversation(update: Update, context: Context) -> None:
    """Text typed in private goes to the flow in progress; without one, it gets a pointer."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not message.text:
        return
    async with context.sessions() as session:
        conversation = await conversations.load(session, user.id)
    if conversation is None:
        await point_to_help(update, context)
        return
    who = await who_is(update, context)
    continuation = CONTINUATIONS.get(conversation.flow)
    if who is not None and who.role is not None and continuation is not None:
        await continuation(update, context, who, conversation)
        return
    if who is None or who.instructor is None:
        await point_to_help(update, context)
        return
    lang = context.lang(who)
    data = dict(conversation.data)
    text, markup = message.text, None
    if conversation.flow == EDIT_FLOW:
        await message.reply_text(await _apply_edit(context, who, int(data["report_id"]), text))
        return
    step = conversation.step
    if step in ("target", "pick"):
        reply, markup = await _take_target(context, who, data, text)
    elif step == "count":
        word = text.strip().removesuffix("人次").removesuffix("人")
        if not word.isdigit():
            reply, markup = t(lang, "flow.bad_count"), _count_buttons(lang)
        else:
            data["person_times"] = int(word)
            reply, markup = await _advance(context, who, "day", data)
    elif step == "day":
        reply, markup = await _take_day(context, who, data, None, text.strip())
    elif step == "note":
        note = text.strip()
        if len(note) > records.NOTE_LIMIT:
            problem = ReportProblem("note_too_long", str(len(note)))
            reply, markup = problem_text(lang, problem), _note_buttons(lang)
        else:
            data["note"] = note
            reply, markup = await _advance(context, who, "confirm", data)
    else:  # "type" or "confirm": a button is expected
        reply, markup = await _advance(context, who, step, data)
    await message.reply_text(reply, reply_markup=markup)


# --- #走访 in bound groups ----------------------------------------------------------------


async def _hint_privately(context: Context, user_id: int, text: str) -> None:
    """Tells a group member privately why their post was not recorded (never in the group)."""
    try:
        await context.bot.send_message(user_id, text)
    except Forbidden:
        # They never started the bot: a bot cannot open a private chat.
        logger.info("could not hint %s privately: no private chat", user_id)


async def record_group_report(update: Update, context: Context) -> None:
    """A `#走访 …` post in a bound group is recorded for its sender and acknowledged with 👍."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    text = message.text or message.caption or ""
    parsed = records.parse_group_message(text, today(context))
    if parsed is None:
        return
    who = await who_is(update, context)
    assert who is not None
    lang = context.lang(who)
    title = message.chat.title or ""
    async with context.sessions() as session:
        group = await groups.find_group(session, message.chat_id)
    if group is None:
        await _hint_privately(context, user.id, t(lang, "group.not_bound", title=title))
        return
    if who.instructor is None:
        await _hint_privately(context, user.id, t(lang, "group.not_registered", title=title))
        return
    if not parsed.ok:
        await _hint_privately(
            context, user.id, t(lang, "group.problem", title=title, details=explain(lang, parsed))
        )
        return
    assert parsed.type is not None and parsed.target is not None and parsed.day is not None
    photo = message.photo[-1].file_id if message.photo else None
    async with context.sessions.begin() as session:
        await store_parsed(session, who.instructor, parsed, ReportSource.GROUP, message, photo)
    try:
        # Groups allow 20 bot messages a minute: a reaction acknowledges without using one.
        await message.set_reaction(ReactionTypeEmoji("👍"))
    except TelegramError as error:
        logger.warning("reaction in %s failed: %s", message.chat_id, error)


# --- /myreports ---------------------------------------------------------------------------


@guard(role="registered", chat="private")
async def my_reports(update: Update, context: Context, who: Identity) -> None:
    """The sender's recent reports, each with edit and delete buttons while it may change."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    if who.instructor is None:
        await message.reply_text(t(lang, "report.only_instructors"))
        return
    async with context.sessions() as session:
        recent = await records.recent_reports(session, who.instructor.id, limit=10)
    if not recent:
        await message.reply_text(t(lang, "myreports.empty"))
        return
    now = datetime.now(context.settings.tz)
    lines = [t(lang, "myreports.header")]
    rows = []
    for item in recent:
        lines.append(t(lang, "myreports.line", id=item.id, summary=describe_report(lang, item)))
        if records.editable(item, now):
            rows.append(
                [
                    InlineKeyboardButton(
                        t(lang, "button.edit", id=item.id), callback_data=f"re:{item.id}"
                    ),
                    InlineKeyboardButton(
                        t(lang, "button.delete", id=item.id), callback_data=f"rd:{item.id}"
                    ),
                ]
            )
    await message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


async def _own_report(context: Context, who: Identity, report_id: int) -> tuple[Report | None, str]:
    """The report if the sender may change it now, else the reason."""
    lang = context.lang(who)
    async with context.sessions() as session:
        item = await session.get(Report, report_id)
    if item is None or item.deleted_at is not None:
        return None, t(lang, "edit.not_found")
    if who.instructor is None or item.instructor_id != who.instructor.id:
        return None, t(lang, "edit.not_yours")
    if not records.editable(item, datetime.now(context.settings.tz)):
        return None, t(lang, "edit.too_late")
    return item, ""


@guard(role="registered", chat="private")
async def press_edit(update: Update, context: Context, who: Identity) -> None:
    """✏️ asks for the corrected line; the next text replaces the report (history kept)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    report_id = int(query.data.split(":")[1])
    item, reason = await _own_report(context, who, report_id)
    if item is None:
        await answer(update, reason)
        return
    async with context.sessions.begin() as session:
        await conversations.save(
            session, who.telegram_id, flow=EDIT_FLOW, step="line", data={"report_id": report_id}
        )
    lang = context.lang(who)
    await query.answer()
    assert query.message is not None
    await context.bot.send_message(
        query.message.chat.id, t(lang, "edit.ask", summary=describe_report(lang, item))
    )


async def _apply_edit(context: Context, who: Identity, report_id: int, line: str) -> str:
    lang = context.lang(who)
    parsed = records.parse_line(line, today=today(context))
    if not parsed.ok:
        return explain(lang, parsed)
    assert parsed.type is not None and parsed.target is not None and parsed.day is not None
    async with context.sessions.begin() as session:
        match = await records.match_enterprise(session, parsed.target)
        outcome = await records.edit_report(
            session,
            report_id,
            telegram_id=who.telegram_id,
            changes={
                "type": ReportType(parsed.type).value,
                "target": match.enterprise.name if match.enterprise else parsed.target,
                "enterprise_id": match.enterprise.id if match.enterprise else None,
                "person_times": parsed.person_times or 0,
                "date": parsed.day,
                "note": parsed.note,
            },
            now=datetime.now(context.settings.tz),
            today=today(context),
        )
        await conversations.clear(session, who.telegram_id)
    if outcome.status == "invalid":
        return "\n".join(problem_text(lang, problem) for problem in outcome.problems)
    if outcome.status != "ok" or outcome.report is None:
        return t(lang, f"edit.{outcome.status}")
    return t(lang, "edit.done", id=report_id, summary=describe_report(lang, outcome.report))


@guard(role="registered", chat="private")
async def press_delete(update: Update, context: Context, who: Identity) -> None:
    """🗑 asks for confirmation; 确认删除 deletes (the history keeps what it was)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    kind, raw_id = query.data.split(":")
    report_id = int(raw_id)
    lang = context.lang(who)
    item, reason = await _own_report(context, who, report_id)
    if item is None:
        await answer(update, reason)
        return
    await query.answer()
    assert query.message is not None
    if kind == "rd":
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t(lang, "button.confirm_delete"), callback_data=f"rx:{report_id}"
                    )
                ]
            ]
        )
        await context.bot.send_message(
            query.message.chat.id,
            t(lang, "edit.confirm_delete", id=report_id, summary=describe_report(lang, item)),
            reply_markup=markup,
        )
        return
    async with context.sessions.begin() as session:
        outcome = await records.delete_report(
            session,
            report_id,
            telegram_id=who.telegram_id,
            now=datetime.now(context.settings.tz),
            today=today(context),
        )
    key = "edit.deleted" if outcome.status == "ok" else f"edit.{outcome.status}"
    await query.edit_message_text(t(lang, key, id=report_id))


HANDLERS: Handlers = [
    CommandHandler("report", report),
    CommandHandler("myreports", my_reports),
    CallbackQueryHandler(press_flow, pattern=keyboards.FLOW_PATTERN),
    CallbackQueryHandler(link_enterprise, pattern=keyboards.LINK_PATTERN),
    CallbackQueryHandler(press_edit, pattern=keyboards.EDIT_PATTERN),
    CallbackQueryHandler(press_delete, pattern=keyboards.DELETE_PATTERN),
    MessageHandler(
        filters.ChatType.GROUPS & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND,
        record_group_report,
    ),
    # Text typed in private while a guided flow waits for it; otherwise a pointer to /help.
    MessageHandler(
        filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, continue_conversation
    ),
]
