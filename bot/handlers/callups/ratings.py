"""After the end HQ rates each member 1–5, then may add a comment; one member at a time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot import keyboards
from bot.context import Context
from bot.flows import Reply
from bot.guards import answer, guard
from bot.texts import t
from storage.callups import ratings
from storage.common.buttons import CallUpButton, RatingButton
from storage.messaging import conversations
from storage.models import CallUpInvitation, Conversation
from storage.people.access import Identity

COMMENT_FLOW = "callup_comment"


async def _next(session: AsyncSession, lang: str, call_up_id: int) -> Reply:
    """The next member to rate with ★1–★5, or the thanks when all are rated."""
    found = await ratings.next_unrated(session, call_up_id)
    if found is None:
        return Reply(t(lang, "callup.rate.done", id=call_up_id))
    invitation, instructor = found
    stars = [
        keyboards.button("★" * score, RatingButton(invitation.id, score)) for score in range(1, 6)
    ]
    text = t(lang, "callup.rate.ask", name=instructor.name, district=instructor.district.name)
    return Reply(text, InlineKeyboardMarkup(keyboards.rows_of(stars, 5)))


@guard(role="hq", chat="private")
async def press_rate(update: Update, context: Context, who: Identity) -> None:
    """评分 under the message after the end: the first member still to rate."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    call_up_id = CallUpButton.unpack(query.data).call_up_id
    today = datetime.now(context.settings.tz).date()
    async with context.sessions() as session:
        refusal = await ratings.rateable(session, call_up_id, today)
        reply = None if refusal else await _next(session, lang, call_up_id)
    if reply is None:
        await answer(update, t(lang, f"callup.rate.{refusal}"))
        return
    await query.answer()
    await query.message.reply_text(reply.text, reply_markup=reply.markup)  # type: ignore[union-attr]


@guard(role="hq", chat="private")
async def press_score(update: Update, context: Context, who: Identity) -> None:
    """★ keeps the rating and asks for a comment; 跳过 goes on to the next member."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = RatingButton.unpack(query.data)
    now = datetime.now(UTC)
    today = now.astimezone(context.settings.tz).date()
    async with context.sessions.begin() as session:
        if pressed.score == 0:
            await conversations.clear(session, who.telegram_id)
            invitation = await session.get(CallUpInvitation, pressed.invitation_id)
            reply = (
                await _next(session, lang, invitation.call_up_id)
                if invitation
                else Reply(t(lang, "callup.rate.unknown"), alert=True)
            )
        else:
            outcome, rated = await ratings.rate(
                session,
                pressed.invitation_id,
                pressed.score,
                rated_by=who.telegram_id,
                today=today,
                now=now,
            )
            if rated is None:
                reply = Reply(t(lang, f"callup.rate.{outcome}"), alert=True)
            else:
                await conversations.save(
                    session,
                    who.telegram_id,
                    flow=COMMENT_FLOW,
                    step="comment",
                    data={"id": rated.id, "call_up_id": rated.call_up_id},
                )
                skip = keyboards.button(t(lang, "callup.rate.skip"), RatingButton(rated.id, 0))
                reply = Reply(
                    t(lang, "callup.rate.kept", score=pressed.score),
                    InlineKeyboardMarkup([[skip]]),
                )
    if reply.alert:
        await answer(update, reply.text)
        return
    await query.answer()
    await query.edit_message_text(reply.text, reply_markup=reply.markup)


async def take_comment(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """A comment typed after a rating (a step of the router); then the next member."""
    lang = context.lang(who)
    await conversations.clear(session, who.telegram_id)
    await ratings.comment(session, int(conversation.data["id"]), text.strip())
    following = await _next(session, lang, int(conversation.data["call_up_id"]))
    return Reply(t(lang, "callup.rate.comment_kept") + "\n\n" + following.text, following.markup)
