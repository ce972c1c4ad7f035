"""A training's check-in credentials: a 6-digit code to type and a token for the QR link."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
