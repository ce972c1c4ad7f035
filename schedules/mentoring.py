"""Mentoring by the clock: the mentor asked to sign off each step when it falls due, and a
sign-off overdue by 7 days passed to the district admin, each once."""

from __future__ import annotations

from datetime import datetime

from storage.callups.recruiting import Voice
from storage.db import Sessions


async def advance_mentoring(sessions: Sessions, speaker: Voice, *, now: datetime) -> int:
    """Runs what mentoring owes to the clock at `now`; returns how many messages it enqueued."""
    return 0
