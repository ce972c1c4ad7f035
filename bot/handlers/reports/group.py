"""A `#走访 …` post in a bound group, recorded for its sender and acknowledged with 👍."""

from __future__ import annotations

import logging

from telegram import ReactionTypeEmoji, Update
from telegram.error import Forbidden, TelegramError

from bot.context import Context
from bot.guards import who_is
from bot.handlers.reports.wording import explain, store_parsed, today
from bot.texts import t
from storage.models import ReportSource
from storage.people import groups
from storage.reports import records

logger = logging.getLogger(__name__)


async def _hint_privately(context: Context, user_id: int, text: str) -> None:
    """Tells a group member privately why their post was not recorded (never in the group)."""
    try:
        await context.bot.send_message(user_id, text)
    except Forbidden:
        # They never started the bot: a bot cannot open a private chat.
        logger.info("could not hint %s privately: no private chat", user_id)


async def record_group_report(update: Update, context: Context) -> None:
    """A `#走访 …` post in a bound group is recorded for its sender and acknowledged with 👍."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    text = message.text or message.caption or ""
    parsed = records.parse_group_message(text, today(context))
    if parsed is None:
        return
    who = await who_is(update, context)
    assert who is not None
    lang = context.lang(who)
    title = message.chat.title or ""
    hint = None
    async with context.sessions.begin() as session:
        group = await groups.find_group(session, message.chat_id)
        if group is None:
            hint = t(lang, "group.not_bound", title=title)
        elif who.instructor is None:
            hint = t(lang, "group.not_registered", title=title)
        elif not parsed.ok:
            hint = t(lang, "group.problem", title=title, details=explain(lang, parsed))
        else:
            photo = message.photo[-1].file_id if message.photo else None
            await store_parsed(session, who.instructor, parsed, ReportSource.GROUP, message, photo)
    if hint is not None:
        await _hint_privately(context, user.id, hint)
        return
    try:
        # Groups allow 20 bot messages a minute: a reaction acknowledges without using one.
        await message.set_reaction(ReactionTypeEmoji("👍"))
    except TelegramError as error:
        logger.warning("reaction in %s failed: %s", message.chat_id, error)
