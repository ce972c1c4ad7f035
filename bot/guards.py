"""The one place where roles and chat kinds are checked before an admin or user handler runs."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal

from telegram import Message, Update
from telegram.constants import ChatType

from bot.context import Context
from bot.texts import t
from storage.people.access import Identity, identify
from storage.people.districts import district_ids, find_district

# "instructor": a registered sender who is an instructor (an admin may be none).
Role = Literal["anyone", "registered", "instructor", "admin", "hq"]
ChatKind = Literal["private", "group", "any"]
GuardedHandler = Callable[[Update, Context, Identity], Awaitable[None]]
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]


async def who_is(update: Update, context: Context) -> Identity | None:
    """The identity of the update's sender, or None for updates without a user."""
    user = update.effective_user
    if user is None:
        return None
    async with context.sessions() as session:
        return await identify(session, user.id, context.settings.hq_admin_ids)


def command_text(message: Message) -> str:
    """What follows the command word: `/remind 明天 9:00 开会` gives `明天 9:00 开会`."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def answer(update: Update, text: str) -> None:
    """Answers a message with a reply, a button press with an alert."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def _role_refusal(role: Role, who: Identity, not_instructor: str | None) -> str | None:
    if role == "anyone":
        return None
    if who.role is None:
        return "refused.stranger"
    if role == "instructor" and who.instructor is None:
        return not_instructor
    if role == "admin" and not who.is_admin:
        return "refused.not_admin"
    if role == "hq" and not who.is_hq:
        return "refused.not_hq" if who.is_admin else "refused.not_admin"
    return None


def _chat_refusal(chat: ChatKind, update: Update) -> str | None:
    kind = update.effective_chat.type if update.effective_chat else None
    if chat == "private" and kind != ChatType.PRIVATE:
        return "where.private"
    if chat == "group" and kind not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return "where.group"
    return None


def guard(
    *, role: Role = "anyone", chat: ChatKind = "any", not_instructor: str | None = None
) -> Callable[[GuardedHandler], Callback]:
    """Runs the handler only for senders of `role` in a chat of kind `chat`; others get a reason
    (for role="instructor", a registered sender who is no instructor gets `not_instructor`, the
    key of a text saying what only instructors may do)."""
    if (role == "instructor") != (not_instructor is not None):
        raise TypeError('guard: not_instructor goes with role="instructor", and only with it')

    def decorate(handler: GuardedHandler) -> Callback:
        @functools.wraps(handler)
        async def callback(update: Update, context: Context) -> None:
            who = await who_is(update, context)
            if who is None:
                return
            refusal = _role_refusal(role, who, not_instructor) or _chat_refusal(chat, update)
            if refusal is not None:
                await answer(update, t(context.lang(who), refusal))
                return
            await handler(update, context, who)

        return callback

    return decorate


def refuse_district(context: Context, who: Identity) -> str:
    """The refusal a district admin gets for acting on another district."""
    return t(context.lang(who), "refused.other_district", district=who.district_name or "")


async def named_district(context: Context, who: Identity, word: str) -> tuple[int, str] | str:
    """The district `word` names, as (id, name), when the sender may act for it; otherwise the
    answer to send: an unknown name lists the districts, another district is refused."""
    async with context.sessions() as session:
        names = await district_ids(session)
    found = find_district(names, word)
    if found is None:
        return t(context.lang(who), "district.unknown", name=word, names="、".join(names))
    if not who.may_manage(names[found]):
        return refuse_district(context, who)
    return names[found], found
