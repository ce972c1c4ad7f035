"""An invitation's 参加 / 请假 (with a reason), changed until the deadline."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot import keyboards
from bot.context import Context
from bot.flows import Reply
from bot.guards import answer, guard
from bot.labels import speaker
from bot.texts import t
from schedules.jobs import wake_sender
from storage.common.buttons import LeaveReasonButton, SeatButton
from storage.messaging import conversations
from storage.models import Conversation
from storage.people.access import Identity
from storage.trainings import rsvp

REASON_FLOW = "training_reason"
SEPARATOR = "\n\n— "


def _original(update: Update) -> str:
    message = update.callback_query.message if update.callback_query else None
    text = getattr(message, "text", None) or ""
    return text.split(SEPARATOR)[0]


def _answer_buttons(lang: str, seat_id: int) -> InlineKeyboardMarkup:
    """参加 / 请假 stay under the invitation: the answer can change until the deadline."""
    return InlineKeyboardMarkup(
        [
            [
                keyboards.button(t(lang, "training.button.attend"), SeatButton(seat_id, "attend")),
                keyboards.button(t(lang, "training.button.leave"), SeatButton(seat_id, "leave")),
            ]
        ]
    )


def _reason_buttons(lang: str, seat_id: int) -> InlineKeyboardMarkup:
    row = [
        keyboards.button(t(lang, f"training.reason.{code}"), LeaveReasonButton(seat_id, code))
        for code in ("time", "health", "work")
    ]
    skip = keyboards.button(t(lang, "training.reason.skip"), LeaveReasonButton(seat_id, "skip"))
    return InlineKeyboardMarkup([row, [skip], *_answer_buttons(lang, seat_id).inline_keyboard])


@guard(role="registered")
async def press_seat(update: Update, context: Context, who: Identity) -> None:
    """参加 or 请假: one transaction, then the invitation says where the person stands; a press
    that changes nothing answers why."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = SeatButton.unpack(query.data)
    now = datetime.now(UTC)
    voice = speaker(context)
    async with context.sessions.begin() as session:
        if pressed.action == "attend":
            result = await rsvp.attend(session, pressed.seat_id, who.telegram_id, voice, now=now)
        else:
            result = await rsvp.leave(session, pressed.seat_id, who.telegram_id, voice, now=now)
            if result.outcome == "leave":
                await conversations.save(
                    session,
                    who.telegram_id,
                    flow=REASON_FLOW,
                    step="reason",
                    data={"id": pressed.seat_id},
                )
    if result.messages:
        wake_sender(context)
    said = t(lang, f"training.answer.{result.outcome}", position=result.position)
    if result.outcome not in ("attending", "waiting", "leave"):
        await answer(update, said)
        return
    await query.answer(said)
    if result.outcome == "leave":
        said += "\n" + t(lang, "training.reason_ask")
        markup = _reason_buttons(lang, pressed.seat_id)
    else:
        markup = _answer_buttons(lang, pressed.seat_id)
    await query.edit_message_text(f"{_original(update)}{SEPARATOR}{said}", reply_markup=markup)


@guard(role="registered")
async def press_reason(update: Update, context: Context, who: Identity) -> None:
    """A reason for 请假 in one press (or none)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = LeaveReasonButton.unpack(query.data)
    async with context.sessions.begin() as session:
        await conversations.clear(session, who.telegram_id)
        kept = False
        if pressed.reason != "skip":
            reason = t(lang, f"training.reason.{pressed.reason}")
            kept = await rsvp.give_reason(session, pressed.seat_id, who.telegram_id, reason)
    await query.answer()
    said = (
        t(lang, "training.answer.leave")
        + " "
        + t(lang, "training.reason_kept" if kept else "training.reason_none")
    )
    await query.edit_message_text(
        f"{_original(update)}{SEPARATOR}{said}", reply_markup=_answer_buttons(lang, pressed.seat_id)
    )


async def take_reason(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """A reason typed after 请假 (a step of the router)."""
    lang = context.lang(who)
    await conversations.clear(session, who.telegram_id)
    kept = await rsvp.give_reason(
        session, int(conversation.data["id"]), who.telegram_id, text.strip()
    )
    return Reply(t(lang, "training.reason_kept" if kept else "training.reason_none"))
