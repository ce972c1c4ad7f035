"""Broadcast progress from the handlers' side: the confirmation just sent is followed.

A handler that started a broadcast replies (or edits the pressed message) with its
confirmation, then, after the commit that wrote the outbox rows, calls

    await follow(context, message, broadcast, lang=lang)

with the Message Telegram returned (reply_text, edit_message_text) and a
storage.messaging.progress.Broadcast(kind, ref_id, since): the outbox kind of the rows, what
they belong to, and the `now` given to outbox.enqueue (or when a scheduled broadcast will be
released). The tick then edits that message with `发送中 320/1050` below its text, its buttons
kept, at most every 5 s, and with the final counts once every row has gone
(storage/messaging/progress.py, schedules/progress.py). Following is an extra: a failure here is
logged and the confirmation stays as it is.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from telegram import Message

from bot.context import Context
from storage.messaging import progress
from storage.messaging.progress import Broadcast

logger = logging.getLogger(__name__)

__all__ = ["Broadcast", "follow"]


def _buttons(message: Message) -> list[Any] | None:
    """The message's callback buttons as the outbox keeps them: rows of [label, data]."""
    if message.reply_markup is None:
        return None
    rows = []
    for row in message.reply_markup.inline_keyboard:
        kept = [[b.text, b.callback_data] for b in row if isinstance(b.callback_data, str)]
        if kept:
            rows.append(kept)
    return rows or None


async def follow(
    context: Context,
    message: Message | bool | None,
    broadcast: Broadcast | None,
    *,
    lang: str,
    now: datetime | None = None,
) -> None:
    """Has the tick show the progress of `broadcast` on `message`, the admin's confirmation
    (nothing when either is None, or `message` is True, an inline message's edit)."""
    if broadcast is None or not isinstance(message, Message):
        return
    try:
        async with context.sessions.begin() as session:
            await progress.follow(
                session,
                broadcast,
                chat_id=message.chat_id,
                message_id=message.message_id,
                lang=lang,
                text=message.text or message.caption or "",
                buttons=_buttons(message),
                now=now or datetime.now(UTC),
            )
    except Exception:
        logger.exception("could not follow the progress of %s", broadcast)
