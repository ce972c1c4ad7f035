"""Broadcast progress by the clock: each tick edits the admins' confirmations that are due with
`发送中 320/1050`, then with the final counts (which and when: storage/messaging/progress.py).

An edit Telegram refuses never stops anything: the message is gone or can no longer be edited
(400, 403: logged, no longer followed; "message is not modified" counts as done), a 429 holds
that confirmation for its retry_after (the pacer pauses every request meanwhile), no answer
holds it for one interval. While the pacer is paused the tick edits nothing rather than wait
for the pause inside the tick, and the broadcast's own sends go on either way.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import NamedTuple

from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from schedules.delivery import BULK, Pacer, markup, retry_after_seconds
from storage.db import Sessions
from storage.messaging import progress
from storage.messaging.notices import Translate

logger = logging.getLogger(__name__)


class Edit(NamedTuple):
    """What became of one edit: made (or already showing), or to be tried again after
    `retry_in` seconds; neither means the message can no longer be edited."""

    made: bool
    retry_in: float | None = None


def line(translate: Translate, step: progress.Step) -> str:
    """`发送中 320/1050`, or the final counts."""
    counts, lang = step.counts, step.lang
    if not step.final:
        return translate(lang, "progress.sending", done=counts.done, total=counts.total)
    text = translate(
        lang,
        "progress.done",
        sent=counts.sent,
        unreachable=counts.unreachable,
        failed=counts.failed,
    )
    if counts.unknown:
        text += translate(lang, "progress.unknown", unknown=counts.unknown)
    return text


async def _edit(bot: Bot, translate: Translate, step: progress.Step) -> Edit:
    text = progress.compose(step.text, line(translate, step))
    where = (step.progress_id, step.message_id, step.chat_id)
    try:
        await bot.edit_message_text(
            text,
            chat_id=step.chat_id,
            message_id=step.message_id,
            reply_markup=markup({"buttons": step.buttons or []}),
            # The pacer pauses on a 429 and hands it back instead of retrying inside the tick.
            rate_limit_args=BULK,  # type: ignore[call-arg]
        )
    except RetryAfter as error:
        seconds = retry_after_seconds(error)
        logger.warning("progress %s: 429 on message %s in %s; again in %.0f s", *where, seconds)
        return Edit(False, seconds)
    except BadRequest as error:
        if "not modified" in error.message.lower():
            return Edit(True)
        logger.warning("progress %s: message %s in %s refused the edit (%s)", *where, error)
        return Edit(False)
    except NetworkError as error:
        logger.warning("progress %s: no answer editing message %s in %s (%s)", *where, error)
        return Edit(False, progress.INTERVAL.total_seconds())
    except TelegramError as error:  # 403: the admin blocked the bot
        logger.warning("progress %s: message %s in %s refused the edit (%s)", *where, error)
        return Edit(False)
    return Edit(True)


async def show_progress(
    bot: Bot, sessions: Sessions, translate: Translate, *, now: datetime
) -> int:
    """Edits the confirmations due at `now` with their progress or final counts; returns how
    many edits were made."""
    pacer = getattr(bot, "rate_limiter", None)
    if isinstance(pacer, Pacer) and pacer.paused_for() > 0:
        return 0
    async with sessions.begin() as session:
        steps = await progress.due(session, now=now)
    if not steps:
        return 0
    edits = await asyncio.gather(*(_edit(bot, translate, step) for step in steps))
    async with sessions.begin() as session:
        for step, edit in zip(steps, edits, strict=True):
            if edit.made:
                await progress.edited(session, step, now=now)
            elif edit.retry_in is not None:
                until = now + timedelta(seconds=edit.retry_in)
                await progress.hold(session, step.progress_id, until=until)
            else:
                await progress.drop(session, step.progress_id, now=now)
    return sum(edit.made for edit in edits)
