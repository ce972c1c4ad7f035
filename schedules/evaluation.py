"""The annual evaluation by the clock: the deadline reminders 3 days and 1 day before to those
who have not answered, each once."""

from __future__ import annotations

import logging
from datetime import datetime

from storage.callups.recruiting import Voice
from storage.db import Sessions
from storage.evaluation import reminding

logger = logging.getLogger(__name__)


async def advance_evaluation(sessions: Sessions, speaker: Voice, *, now: datetime) -> int:
    """Runs what the evaluation owes to the clock at `now`; returns how many messages it
    enqueued."""
    async with sessions.begin() as session:
        sent = await reminding.remind_due(session, speaker, now=now)
    if sent:
        logger.info("evaluation: %s reminders", sent)
    return sent
