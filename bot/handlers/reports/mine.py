"""/myreports: the sender's recent reports, edited (the next typed line) or deleted for 7 days.

The corrected line replaces the report's fields; its campaign tags replace the report's, a line
without tags keeps them, and `#无` alone removes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot import keyboards
from bot.context import Context
from bot.flows import Reply
from bot.guards import answer, guard
from bot.handlers.reports.wording import describe_report, explain, problem_text, today
from bot.texts import t
from storage.common.buttons import MyReportButton
from storage.common.tags import clears
from storage.messaging import conversations
from storage.models import Conversation, Report, ReportType
from storage.people.access import Identity
from storage.reports import records

FLOW = "edit"


@guard(role="instructor", chat="private", not_instructor="report.only_instructors")
async def my_reports(update: Update, context: Context, who: Identity) -> None:
    """The sender's recent reports, each with edit and delete buttons while it may change."""
    message = update.effective_message
    assert message is not None and who.instructor is not None
    lang = context.lang(who)
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
                    keyboards.button(
                        t(lang, "button.edit", id=item.id), MyReportButton(item.id, "edit")
                    ),
                    keyboards.button(
                        t(lang, "button.delete", id=item.id), MyReportButton(item.id, "delete")
                    ),
                ]
            )
    await message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


async def _own_report(
    session: AsyncSession, context: Context, who: Identity, report_id: int
) -> tuple[Report | None, str]:
    """The report if the sender may change it now, else the reason."""
    lang = context.lang(who)
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
    report_id = MyReportButton.unpack(query.data).report_id
    async with context.sessions.begin() as session:
        item, reason = await _own_report(session, context, who, report_id)
        if item is not None:
            await conversations.save(
                session, who.telegram_id, flow=FLOW, step="line", data={"report_id": report_id}
            )
    if item is None:
        await answer(update, reason)
        return
    lang = context.lang(who)
    await query.answer()
    assert query.message is not None
    await context.bot.send_message(
        query.message.chat.id, t(lang, "edit.ask", summary=describe_report(lang, item))
    )


async def take_line(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply | None:
    """The corrected line typed after ✏️ (a step of the router): it replaces the report."""
    if who.instructor is None:
        return None
    lang = context.lang(who)
    report_id = int(conversation.data["report_id"])
    parsed = records.parse_line(text, today=today(context))
    if not parsed.ok:
        return Reply(explain(lang, parsed))
    assert parsed.type is not None and parsed.target is not None and parsed.day is not None
    match = await records.match_enterprise(session, parsed.target)
    changes: dict[str, Any] = {
        "type": ReportType(parsed.type).value,
        "target": match.enterprise.name if match.enterprise else parsed.target,
        "enterprise_id": match.enterprise.id if match.enterprise else None,
        "person_times": parsed.person_times or 0,
        "date": parsed.day,
        "note": parsed.note,
    }
    if parsed.tags:
        changes["tags"] = [] if clears(parsed.tags) else parsed.tags
    outcome = await records.edit_report(
        session,
        report_id,
        telegram_id=who.telegram_id,
        changes=changes,
        now=datetime.now(context.settings.tz),
        today=today(context),
    )
    await conversations.clear(session, who.telegram_id)
    if outcome.status == "invalid":
        return Reply("\n".join(problem_text(lang, problem) for problem in outcome.problems))
    if outcome.status != "ok" or outcome.report is None:
        return Reply(t(lang, f"edit.{outcome.status}"))
    return Reply(t(lang, "edit.done", id=report_id, summary=describe_report(lang, outcome.report)))


@guard(role="registered", chat="private")
async def press_delete(update: Update, context: Context, who: Identity) -> None:
    """🗑 asks for confirmation with a 确认删除 button."""
    query = update.callback_query
    assert query is not None and query.data is not None
    report_id = MyReportButton.unpack(query.data).report_id
    lang = context.lang(who)
    async with context.sessions() as session:
        item, reason = await _own_report(session, context, who, report_id)
    if item is None:
        await answer(update, reason)
        return
    await query.answer()
    assert query.message is not None
    confirm = keyboards.button(t(lang, "button.confirm_delete"), MyReportButton(report_id, "erase"))
    await context.bot.send_message(
        query.message.chat.id,
        t(lang, "edit.confirm_delete", id=report_id, summary=describe_report(lang, item)),
        reply_markup=InlineKeyboardMarkup([[confirm]]),
    )


@guard(role="registered", chat="private")
async def press_erase(update: Update, context: Context, who: Identity) -> None:
    """确认删除 deletes the report (the history keeps what it was)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    report_id = MyReportButton.unpack(query.data).report_id
    lang = context.lang(who)
    async with context.sessions.begin() as session:
        item, reason = await _own_report(session, context, who, report_id)
        if item is not None:
            outcome = await records.delete_report(
                session,
                report_id,
                telegram_id=who.telegram_id,
                now=datetime.now(context.settings.tz),
                today=today(context),
            )
    if item is None:
        await answer(update, reason)
        return
    await query.answer()
    key = "edit.deleted" if outcome.status == "ok" else f"edit.{outcome.status}"
    await query.edit_message_text(t(lang, key, id=report_id))
