"""Call-ups by the clock: expiries and Telegram's refusals pass places on, deadlines are told,
ratings asked after the end — each once, in one transaction per tick (storage.callups)."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from storage.callups import recruiting
from storage.db import Sessions
from storage.messaging.notices import Translate

logger = logging.getLogger(__name__)


def voice(translate: Translate, language: str, timezone: str) -> recruiting.Voice:
    """How call-up messages are worded, from the bot's texts and settings."""
    return recruiting.Voice(translate, language, ZoneInfo(timezone))


async def advance_callups(
    sessions: Sessions, speaker: recruiting.Voice, *, now: datetime
) -> recruiting.Advanced:
    """Runs what call-ups owe to the clock at `now`; returns what it did."""
    async with sessions.begin() as session:
        done = await recruiting.advance(session, speaker, now=now)
    if done.expired or done.unreachable or done.deadlines:
        logger.info(
            "call-ups: %s expired, %s unreachable, %s deadlines, %s messages",
            done.expired,
            done.unreachable,
            done.deadlines,
            done.messages,
        )
    return done
