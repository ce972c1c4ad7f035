"""/callups and one call-up's status for HQ, with 增加人数 and 取消."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Message, Update

from bot import keyboards, progress
from bot.context import Context
from bot.guards import answer, guard
from bot.handlers.callups.wording import detail_text, headline
from bot.labels import speaker
from bot.texts import t
from schedules.jobs import wake_sender
from storage.callups import records, recruiting
from storage.common.buttons import CallUpButton
from storage.models import CallUpStatus
from storage.people import districts
from storage.people.access import Identity


@guard(role="hq", chat="private")
async def list_callups(update: Update, context: Context, who: Identity) -> None:
    """The newest call-ups with their state, a button for each."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    now = datetime.now(UTC)
    today = now.astimezone(context.settings.tz).date()
    async with context.sessions() as session:
        found = await records.list_callups(session)
    if not found:
        await message.reply_text(t(lang, "callups.none"))
        return
    lines = [t(lang, "callups.title")]
    for call_up, open_count in found:
        line = headline(lang, call_up, context.settings.tz, now=now, today=today)
        if open_count:
            line += t(lang, "callups.open", count=open_count)
        lines.append(line)
    buttons = [keyboards.button(f"#{c.id}", CallUpButton(c.id, "status")) for c, _ in found]
    await message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(keyboards.rows_of(buttons, 5))
    )


def _status_buttons(lang: str, call_up_id: int, status: str) -> InlineKeyboardMarkup | None:
    if status == CallUpStatus.CANCELLED.value:
        return None
    button = keyboards.button
    rows = [[button(t(lang, "callups.refresh"), CallUpButton(call_up_id, "status"))]]
    if status == CallUpStatus.RECRUITING.value:
        rows[0][:0] = [
            button(t(lang, "callups.add"), CallUpButton(call_up_id, "add")),
            button(t(lang, "callups.cancel"), CallUpButton(call_up_id, "cancel")),
        ]
    return InlineKeyboardMarkup(rows)


async def _status(
    update: Update, context: Context, lang: str, call_up_id: int, notice: str | None = None
) -> Message | bool | None:
    """Shows the status in the pressed message; `notice` comes first as an alert. Returns
    the edited message (None when nothing changed)."""
    query = update.callback_query
    assert query is not None
    now = datetime.now(UTC)
    today = now.astimezone(context.settings.tz).date()
    async with context.sessions() as session:
        found = await records.detail(session, call_up_id)
        names = {i: n for n, i in (await districts.district_ids(session)).items()}
    if found is None:
        await answer(update, t(lang, "callups.not_found", id=call_up_id))
        return None
    text = detail_text(lang, found, context.settings.tz, names, now=now, today=today)
    await query.answer(notice, show_alert=notice is not None)
    if getattr(query.message, "text", None) == text:
        return None  # Telegram refuses an edit that changes nothing
    markup = _status_buttons(lang, call_up_id, found.call_up.status)
    return await query.edit_message_text(text, reply_markup=markup)


@guard(role="hq", chat="private")
async def press_status(update: Update, context: Context, who: Identity) -> None:
    """A call-up's status, 增加人数, 取消 (asked once more) and its confirmation."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = CallUpButton.unpack(query.data)
    cid = pressed.call_up_id
    if pressed.action == "status":
        await _status(update, context, lang, cid)
        return
    if pressed.action == "cancel":
        confirm = InlineKeyboardMarkup(
            [
                [
                    keyboards.button(
                        t(lang, "callups.cancel_yes"), CallUpButton(cid, "cancel_yes")
                    ),
                    keyboards.button(t(lang, "callups.back"), CallUpButton(cid, "status")),
                ]
            ]
        )
        await query.answer()
        await query.edit_message_reply_markup(confirm)
        return
    now = datetime.now(UTC)
    async with context.sessions.begin() as session:
        if pressed.action == "add":
            result = await recruiting.add_place(session, cid, speaker(context), now=now)
        else:
            result = await recruiting.cancel(session, cid, speaker(context), now=now)
    if result.messages:
        wake_sender(context)
    if result.outcome not in ("added", "cancelled_now", "dropped"):
        await answer(update, t(lang, f"callups.{result.outcome}"))
        return
    notice = t(lang, f"callups.{result.outcome}", count=result.messages)
    shown = await _status(update, context, lang, cid, notice)
    if result.outcome == "added":
        invitations = progress.Broadcast(recruiting.INVITE_KIND, cid, since=now)
        await progress.follow(context, shown, invitations, lang=lang)
