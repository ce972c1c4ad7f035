"""The annual evaluation by the clock: the deadline reminders 3 days and 1 day before to those
who have not answered, each once."""

from __future__ import annotations

from datetime import datetime

from storage.callups.recruiting import Voice
from storage.db import Sessions


async def advance_evaluation(sessions: Sessions, speaker: Voice, *, now: datetime) -> int:
    """Runs what the evaluation owes to the clock at `now`; returns how many messages it
    enqueued."""
    return 0
