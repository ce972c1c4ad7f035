"""The mentor's sign-off: 已达到 signs at once; 尚未达到 asks for the reason, typed next, then
signs. Only the mentor asked (still the mentee's) may sign, and a signed step is not changed."""

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
from schedules.mentoring import KIND
from storage.common.buttons import SignoffButton
from storage.mentoring import signoffs
from storage.mentoring.signoffs import Signed
from storage.messaging import conversations, outbox
from storage.models import Conversation, SignoffResult
from storage.people.access import Identity

REASON_FLOW = "mentoring_reason"
SEPARATOR = "\n\n— "


def _step(lang: str, step: int) -> str:
    return t(lang, "mentoring.step", months=step, stage=t(lang, f"mentoring.stage{step}"))


def _refusal(lang: str, signed: Signed) -> str:
    """Why a press or a reason signed nothing."""
    if signed.outcome == "not_mentor":
        assert signed.mentee is not None and signed.mentor is not None
        return t(lang, "mentoring.not_mentor", mentee=signed.mentee.name, mentor=signed.mentor.name)
    if signed.outcome == "already":
        assert signed.signoff is not None
        result = signed.signoff.result or SignoffResult.REACHED.value
        said = t(lang, f"mentoring.result.{result}", reason=signed.signoff.reason or "—")
        return t(lang, "mentoring.already", result=said)
    return t(lang, "mentoring.gone")


async def _tell_mentee(
    session: AsyncSession, context: Context, signed: Signed, *, now: datetime
) -> int:
    """The mentee hears the result through the outbox."""
    signoff, mentee, mentor = signed.signoff, signed.mentee, signed.mentor
    assert signoff is not None and mentee is not None and mentor is not None
    if not mentee.telegram_id:
        return 0
    lang = (await speaker(context).langs(session, [mentee.telegram_id]))[mentee.telegram_id]
    text = t(
        lang,
        f"mentoring.told.{signoff.result}",
        mentee=mentee.name,
        mentor=mentor.name,
        step=_step(lang, signoff.step),
        reason=signoff.reason or "—",
    )
    message = outbox.Outgoing(
        f"{KIND}:{signoff.id}:told", mentee.telegram_id, text, KIND, signoff.id, mentee.id
    )
    return await outbox.enqueue(session, [message], now=now)


def _signed_text(lang: str, signed: Signed) -> str:
    assert signed.signoff is not None and signed.mentee is not None
    return t(
        lang,
        f"mentoring.signed.{signed.signoff.result}",
        mentee=signed.mentee.name,
        step=_step(lang, signed.signoff.step),
        reason=signed.signoff.reason or "—",
    )


def _buttons(lang: str, signoff_id: int) -> InlineKeyboardMarkup:
    """已达到 / 尚未达到, as the ask had them."""
    return InlineKeyboardMarkup(
        [
            [
                keyboards.button(
                    t(lang, f"mentoring.button.{result}"), SignoffButton(signoff_id, result)
                )
                for result in ("reached", "not_reached")
            ]
        ]
    )


def _original(update: Update) -> str:
    message = update.callback_query.message if update.callback_query else None
    text = getattr(message, "text", None) or ""
    return text.split(SEPARATOR)[0]


@guard(role="registered", chat="private")
async def press_signoff(update: Update, context: Context, who: Identity) -> None:
    """已达到 signs the step; 尚未达到 asks for the reason (the buttons stay, so the mentor may
    still press 已达到 instead); anyone but the mentor, or a second press, is told why not."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = SignoffButton.unpack(query.data)
    now = datetime.now(UTC)
    sent = 0
    async with context.sessions.begin() as session:
        if pressed.result == "reached":
            signed = await signoffs.sign(
                session, pressed.signoff_id, who.telegram_id, SignoffResult.REACHED, None, now=now
            )
            if signed.outcome == "signed":
                await conversations.clear(session, who.telegram_id)
                sent = await _tell_mentee(session, context, signed, now=now)
        else:
            signed = await signoffs.check(session, pressed.signoff_id, who.telegram_id)
            if signed.outcome == "ask_reason":
                await conversations.save(
                    session,
                    who.telegram_id,
                    flow=REASON_FLOW,
                    step="reason",
                    data={"id": pressed.signoff_id},
                )
    if sent:
        wake_sender(context)
    if signed.outcome == "signed":
        await query.answer()
        await query.edit_message_text(f"{_original(update)}{SEPARATOR}{_signed_text(lang, signed)}")
    elif signed.outcome == "ask_reason":
        await query.answer()
        await query.edit_message_text(
            f"{_original(update)}{SEPARATOR}{t(lang, 'mentoring.reason_ask')}",
            reply_markup=_buttons(lang, pressed.signoff_id),
        )
    else:
        await answer(update, _refusal(lang, signed))


async def take_reason(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """The reason typed after 尚未达到 signs the step (a step of the router)."""
    lang = context.lang(who)
    reason = " ".join(text.split())
    if not reason:
        return Reply(t(lang, "mentoring.reason_empty"))
    if len(reason) > signoffs.REASON_LENGTH:
        # The flow stays: they can send a shorter one.
        return Reply(
            t(lang, "mentoring.reason_long", length=len(reason), limit=signoffs.REASON_LENGTH)
        )
    await conversations.clear(session, who.telegram_id)
    now = datetime.now(UTC)
    signed = await signoffs.sign(
        session,
        int(conversation.data["id"]),
        who.telegram_id,
        SignoffResult.NOT_REACHED,
        reason,
        now=now,
    )
    if signed.outcome != "signed":
        return Reply(_refusal(lang, signed))
    if await _tell_mentee(session, context, signed, now=now):
        # Woken before the commit, the sender may find nothing yet; it looks again within a
        # second (delivery.IDLE_WAIT).
        wake_sender(context)
    return Reply(_signed_text(lang, signed))
