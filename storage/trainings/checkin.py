"""Check-in at a training: the code and the QR token, /checkin and /start ci_<token>."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.recruiting import Voice
from storage.models import Training, TrainingStatus

CODE_DIGITS = 6


async def new_credentials(session: AsyncSession, *, now: datetime) -> tuple[str, str]:
    """A check-in code no training still to end uses, and a token for the QR link."""
    taken = set(
        await session.scalars(
            select(Training.checkin_code).where(
                Training.ends_at > now, Training.status != TrainingStatus.CANCELLED.value
            )
        )
    )
    while True:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        if code not in taken:
            return code, secrets.token_urlsafe(16)


async def announce_codes(
    session: AsyncSession, voice: Voice, *, now: datetime, bot_username: str
) -> int:
    """15 minutes before the start: the organizer gets the code and the QR picture of
    https://t.me/<bot>?start=ci_<token> (once per training); returns messages enqueued."""
    return 0  # being written (issue 11): check-in helper
