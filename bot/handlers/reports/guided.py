"""The guided /report: type, target, count, day, note, confirm, with the state in the database.

Each step, a button or typed text, is one transaction (load the conversation, move it on);
the question of the next step is sent after the commit. Campaign tags (`#四必谈`) typed with
the note, or with the target, are taken out of the text and kept beside it (data["tags"]).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import keyboards
from bot.context import Context
from bot.flows import Reply
from bot.guards import answer, guard
from bot.handlers.reports.wording import describe, describe_report, problem_text, today
from bot.texts import t
from storage.common.buttons import ReportStepButton
from storage.common.tags import extract_tags, unique
from storage.messaging import conversations
from storage.models import Conversation, Enterprise, ReportSource, ReportType
from storage.people.access import Identity
from storage.reports import records
from storage.reports.records import ReportProblem

FLOW = "report"
COUNT_CHOICES = (0, 1, 2, 3, 5, 10, 20, 50)
DAYS_BACK = ("0", "1", "2")  # today, yesterday, the day before


def _cancel(lang: str) -> InlineKeyboardButton:
    return keyboards.button(t(lang, "button.cancel"), ReportStepButton("cancel"))


def _type_buttons(lang: str) -> InlineKeyboardMarkup:
    buttons = [
        keyboards.button(t(lang, f"type.{kind.value}"), ReportStepButton("type", kind.value))
        for kind in ReportType
    ]
    return InlineKeyboardMarkup([*keyboards.rows_of(buttons, 4), [_cancel(lang)]])


def _count_buttons(lang: str) -> InlineKeyboardMarkup:
    buttons = [keyboards.button(str(n), ReportStepButton("count", str(n))) for n in COUNT_CHOICES]
    return InlineKeyboardMarkup([*keyboards.rows_of(buttons, 4), [_cancel(lang)]])


def _day_buttons(lang: str) -> InlineKeyboardMarkup:
    labels = ("button.today", "button.yesterday", "button.day_before")
    row = [
        keyboards.button(t(lang, label), ReportStepButton("day", back))
        for label, back in zip(labels, DAYS_BACK, strict=True)
    ]
    return InlineKeyboardMarkup([row, [_cancel(lang)]])


def _note_buttons(lang: str) -> InlineKeyboardMarkup:
    skip = keyboards.button(t(lang, "button.skip"), ReportStepButton("skip"))
    return InlineKeyboardMarkup([[skip, _cancel(lang)]])


def _confirm_buttons(lang: str) -> InlineKeyboardMarkup:
    confirm = keyboards.button(t(lang, "button.confirm"), ReportStepButton("ok"))
    return InlineKeyboardMarkup([[confirm, _cancel(lang)]])


def _draft_summary(lang: str, data: dict[str, Any]) -> str:
    return describe(
        lang,
        type=data["type"],
        target=data["target"],
        person_times=int(data["person_times"]),
        day=date.fromisoformat(data["day"]),
        note=data.get("note"),
        tags=data.get("tags"),
    )


def _take_tags(data: dict[str, Any], text: str) -> tuple[str, ReportProblem | None]:
    """The text without its tags, which join the draft's; or the reason they cannot."""
    found, rest = extract_tags(text)
    tags = unique([*data.get("tags", []), *found])
    problem = records.tag_problem(tags)
    if problem is None and found:
        data["tags"] = tags
    return rest, problem


async def start(message: Message, context: Context, who: Identity) -> None:
    """Starts (or restarts) the guided report: the state lives in the database."""
    async with context.sessions.begin() as session:
        await conversations.save(session, who.telegram_id, flow=FLOW, step="type", data={})
    lang = context.lang(who)
    await message.reply_text(t(lang, "flow.ask_type"), reply_markup=_type_buttons(lang))


async def _advance(
    session: AsyncSession, context: Context, who: Identity, step: str, data: dict[str, Any]
) -> Reply:
    """Saves the flow at `step` and returns the question to ask there."""
    await conversations.save(session, who.telegram_id, flow=FLOW, step=step, data=data)
    lang = context.lang(who)
    if step == "target":
        return Reply(t(lang, "flow.ask_target", type=t(lang, f"type.{data['type']}")))
    if step == "count":
        return Reply(t(lang, "flow.ask_count"), _count_buttons(lang))
    if step == "day":
        return Reply(t(lang, "flow.ask_day"), _day_buttons(lang))
    if step == "note":
        return Reply(t(lang, "flow.ask_note"), _note_buttons(lang))
    return Reply(
        t(lang, "flow.confirm", summary=_draft_summary(lang, data)), _confirm_buttons(lang)
    )


async def _take_target(
    session: AsyncSession, context: Context, who: Identity, data: dict[str, Any], text: str
) -> Reply:
    """Matches the typed target; close matches are offered, an exact one moves on."""
    lang = context.lang(who)
    rest, problem = _take_tags(data, text)
    if problem is not None:
        return Reply(problem_text(lang, problem))
    target = rest.strip()
    if not target:  # only tags: they are kept, the target is still to come
        return await _advance(session, context, who, "target", data)
    if len(target) > records.TARGET_LIMIT:
        return Reply(t(lang, "report.problem.target_too_long"))
    match = await records.match_enterprise(session, target)
    if match.enterprise is not None or not match.suggestions:
        enterprise = match.enterprise
        data |= {
            "target": enterprise.name if enterprise else target,
            "enterprise_id": enterprise.id if enterprise else None,
        }
        return await _advance(session, context, who, "count", data)
    data |= {"target": target, "enterprise_id": None}
    await conversations.save(session, who.telegram_id, flow=FLOW, step="pick", data=data)
    rows = [
        [keyboards.button(e.name, ReportStepButton("pick", str(e.id)))] for e in match.suggestions
    ]
    keep = t(lang, "flow.keep_text", target=target)
    rows.append([keyboards.button(keep, ReportStepButton("pick", "0"))])
    return Reply(t(lang, "flow.pick_target"), InlineKeyboardMarkup(rows))


async def _take_day(
    session: AsyncSession,
    context: Context,
    who: Identity,
    data: dict[str, Any],
    day: date | None,
    word: str,
) -> Reply:
    lang = context.lang(who)
    try:
        if day is None:
            day = records.parse_day(word, today(context))
            if day is None:
                raise ReportProblem("bad_date", word)
        records.check_day(day, today(context))
    except ReportProblem as problem:
        return Reply(
            t(lang, "flow.bad_day", reason=problem_text(lang, problem)), _day_buttons(lang)
        )
    data["day"] = day.isoformat()
    return await _advance(session, context, who, "note", data)


async def _finish(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation | None
) -> Reply:
    """Stores the confirmed draft and ends the flow (a second press: expired)."""
    lang = context.lang(who)
    if conversation is None or conversation.flow != FLOW or conversation.step != "confirm":
        return Reply(t(lang, "flow.expired"))
    if who.instructor is None:
        return Reply(t(lang, "flow.expired"), alert=True)
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
        tags=data.get("tags"),
    )
    await conversations.clear(session, who.telegram_id)
    return Reply(t(lang, "report.saved", summary=describe_report(lang, stored)))


async def _take_button(
    session: AsyncSession, context: Context, who: Identity, pressed: ReportStepButton
) -> Reply:
    """One button of the guided flow, in the transaction of its update."""
    lang = context.lang(who)
    conversation = await conversations.load(session, who.telegram_id)
    if pressed.step == "cancel":
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "flow.cancelled"))
    if pressed.step == "ok":
        return await _finish(session, context, who, conversation)
    expired = Reply(t(lang, "flow.expired"), alert=True)
    if conversation is None or conversation.flow != FLOW or who.instructor is None:
        return expired
    data, step, value = dict(conversation.data), conversation.step, pressed.value or ""
    if pressed.step == "type" and step == "type" and value in {kind.value for kind in ReportType}:
        data["type"] = ReportType(value).value
        return await _advance(session, context, who, "target", data)
    if pressed.step == "pick" and step == "pick" and value.isdigit():
        enterprise = await session.get(Enterprise, int(value)) if value != "0" else None
        if enterprise is not None:
            data |= {"target": enterprise.name, "enterprise_id": enterprise.id}
        return await _advance(session, context, who, "count", data)
    if pressed.step == "count" and step == "count" and value.isdigit():
        data["person_times"] = int(value)
        return await _advance(session, context, who, "day", data)
    if pressed.step == "day" and step == "day" and value in DAYS_BACK:
        day = today(context) - timedelta(days=int(value))
        return await _take_day(session, context, who, data, day, "")
    if pressed.step == "skip" and step == "note":
        data["note"] = None
        return await _advance(session, context, who, "confirm", data)
    return expired


@guard(role="registered", chat="private")
async def press(update: Update, context: Context, who: Identity) -> None:
    """Every button of the guided flow: type, target choice, count, day, skip, confirm, cancel."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pressed = ReportStepButton.unpack(query.data)
    async with context.sessions.begin() as session:
        reply = await _take_button(session, context, who, pressed)
    if reply.alert:
        await answer(update, reply.text)
        return
    await query.answer()
    await query.edit_message_text(reply.text, reply_markup=reply.markup)


async def take_text(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply | None:
    """Text typed at a step of the guided flow (a step of the router)."""
    if who.instructor is None:
        return None
    lang = context.lang(who)
    data, step = dict(conversation.data), conversation.step
    if step in ("target", "pick"):
        return await _take_target(session, context, who, data, text)
    if step == "count":
        word = text.strip().removesuffix("人次").removesuffix("人")
        if not word.isdigit():
            return Reply(t(lang, "flow.bad_count"), _count_buttons(lang))
        data["person_times"] = int(word)
        return await _advance(session, context, who, "day", data)
    if step == "day":
        return await _take_day(session, context, who, data, None, text.strip())
    if step == "note":
        rest, problem = _take_tags(data, text)
        note = rest.strip()
        if problem is None and len(note) > records.NOTE_LIMIT:
            problem = ReportProblem("note_too_long", str(len(note)))
        if problem is not None:
            return Reply(problem_text(lang, problem), _note_buttons(lang))
        data["note"] = note or None
        return await _advance(session, context, who, "confirm", data)
    # "type" or "confirm": a button is expected; ask again
    return await _advance(session, context, who, step, data)
