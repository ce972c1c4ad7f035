"""An invitation's 接受 / 婉拒 (with a reason), and a member's 退出 before the start."""

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
from storage.callups import recruiting
from storage.common.buttons import DeclineReasonButton, InvitationButton
from storage.messaging import conversations
from storage.models import Conversation
from storage.people.access import Identity

REASON_FLOW = "callup_reason"


def _original(update: Update) -> str:
    message = update.callback_query.message if update.callback_query else None
    text = getattr(message, "text", None) or ""
    return text.split("\n\n— ")[0]


def _member_buttons(lang: str, invitation_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                keyboards.button(
                    t(lang, "callup.button.withdraw"), InvitationButton(invitation_id, "withdraw")
                )
            ]
        ]
    )


def _reason_buttons(lang: str, invitation_id: int) -> InlineKeyboardMarkup:
    row = [
        keyboards.button(t(lang, f"callup.reason.{code}"), DeclineReasonButton(invitation_id, code))
        for code in ("time", "health", "work")
    ]
    skip = keyboards.button(
        t(lang, "callup.reason.skip"), DeclineReasonButton(invitation_id, "skip")
    )
    return InlineKeyboardMarkup([row, [skip]])


@guard(role="registered")
async def press_invitation(update: Update, context: Context, who: Identity) -> None:
    """接受, 婉拒, 退出 and its confirmation: one transaction, then the message says where the
    person stands; a press that changes nothing answers why."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = InvitationButton.unpack(query.data)
    now = datetime.now(UTC)
    iid = pressed.invitation_id
    if pressed.action == "withdraw":
        confirm = InlineKeyboardMarkup(
            [
                [
                    keyboards.button(
                        t(lang, "callup.button.withdraw_yes"), InvitationButton(iid, "withdraw_yes")
                    ),
                    keyboards.button(t(lang, "callup.button.stay"), InvitationButton(iid, "stay")),
                ]
            ]
        )
        await query.answer()
        await query.edit_message_reply_markup(confirm)
        return
    if pressed.action == "stay":
        await query.answer()
        await query.edit_message_reply_markup(_member_buttons(lang, iid))
        return
    voice = speaker(context)
    async with context.sessions.begin() as session:
        if pressed.action == "accept":
            result = await recruiting.accept(session, iid, who.telegram_id, voice, now=now)
        elif pressed.action == "decline":
            result = await recruiting.decline(session, iid, who.telegram_id, voice, now=now)
            if result.outcome == "declined":
                await conversations.save(
                    session, who.telegram_id, flow=REASON_FLOW, step="reason", data={"id": iid}
                )
        else:
            result = await recruiting.withdraw(session, iid, who.telegram_id, voice, now=now)
    if result.messages:
        wake_sender(context)
    outcome = result.outcome
    if outcome not in ("accepted", "reserve", "declined", "withdrawn", "conflict"):
        await answer(update, t(lang, f"callup.answer.{outcome}"))
        return
    await query.answer(t(lang, f"callup.answer.{outcome}"))
    markup = None
    if outcome == "accepted":
        markup = _member_buttons(lang, iid)
    elif outcome == "declined":
        markup = _reason_buttons(lang, iid)
    text = f"{_original(update)}\n\n— {t(lang, f'callup.answer.{outcome}')}"
    await query.edit_message_text(text, reply_markup=markup)


@guard(role="registered")
async def press_reason(update: Update, context: Context, who: Identity) -> None:
    """A reason for a decline in one press (or none)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = DeclineReasonButton.unpack(query.data)
    async with context.sessions.begin() as session:
        await conversations.clear(session, who.telegram_id)
        kept = False
        if pressed.reason != "skip":
            reason = t(lang, f"callup.reason.{pressed.reason}")
            kept = await recruiting.give_reason(
                session, pressed.invitation_id, who.telegram_id, reason
            )
    await query.answer()
    thanks = t(lang, "callup.reason_kept" if kept else "callup.reason_none")
    await query.edit_message_text(f"{_original(update)}\n\n— {thanks}")


async def take_reason(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """A reason typed after 婉拒 (a step of the router)."""
    lang = context.lang(who)
    await conversations.clear(session, who.telegram_id)
    kept = await recruiting.give_reason(
        session, int(conversation.data["id"]), who.telegram_id, text.strip()
    )
    return Reply(t(lang, "callup.reason_kept" if kept else "callup.reason_none"))
