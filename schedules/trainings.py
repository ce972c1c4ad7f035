"""Trainings by the clock: reminders 1 day and 1 hour before to those attending, the check-in
code and QR to the organizer 15 minutes before — each once, in one transaction per tick."""

from __future__ import annotations

import logging
from datetime import datetime

from storage.callups.recruiting import Voice
from storage.db import Sessions
from storage.trainings import checkin, reminding

logger = logging.getLogger(__name__)


async def advance_trainings(
    sessions: Sessions, speaker: Voice, *, now: datetime, bot_username: str
) -> int:
    """Runs what trainings owe to the clock at `now`; returns how many messages it enqueued."""
    async with sessions.begin() as session:
        sent = await reminding.remind_due(session, speaker, now=now)
        sent += await checkin.announce_codes(session, speaker, now=now, bot_username=bot_username)
    if sent:
        logger.info("trainings: %s messages", sent)
    return sent
