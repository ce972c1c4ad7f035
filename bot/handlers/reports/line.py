"""`/report 走访 维达纸业 5人次 …` in one line, and the buttons linking it to an enterprise."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup, Update

from bot import keyboards
from bot.context import Context
from bot.guards import answer, command_text, guard
from bot.handlers.reports import guided
from bot.handlers.reports.wording import describe_report, explain, store_parsed, today
from bot.texts import t
from storage.common.buttons import ReportLinkButton
from storage.models import ReportSource
from storage.people.access import Identity
from storage.reports import records


def _suggestions(report_id: int, options: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[keyboards.button(name, ReportLinkButton(report_id, eid))] for eid, name in options]
    )


@guard(role="instructor", chat="private", not_instructor="report.only_instructors")
async def report(update: Update, context: Context, who: Identity) -> None:
    """`/report 走访 维达纸业 5人次 …` records at once; `/report` alone starts the guided flow."""
    message = update.effective_message
    assert message is not None and who.instructor is not None
    lang = context.lang(who)
    line = command_text(message)
    if not line.strip():
        await guided.start(message, context, who)
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
    pressed = ReportLinkButton.unpack(query.data)
    lang = context.lang(who)
    async with context.sessions.begin() as session:
        outcome = await records.edit_report(
            session,
            pressed.report_id,
            telegram_id=who.telegram_id,
            changes={"enterprise_id": pressed.enterprise_id},
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
