"""HQ rates each member 1–5 after the end, with an optional comment, kept for the evaluation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CallUp, CallUpInvitation, CallUpStatus, Instructor, InvitationStatus

COMMENT_LIMIT = 500


async def next_unrated(
    session: AsyncSession, call_up_id: int
) -> tuple[CallUpInvitation, Instructor] | None:
    """The first member of the team without a rating, in the team's order."""
    row = (
        await session.execute(
            select(CallUpInvitation, Instructor)
            .join(Instructor, Instructor.id == CallUpInvitation.instructor_id)
            .where(
                CallUpInvitation.call_up_id == call_up_id,
                CallUpInvitation.status == InvitationStatus.ACCEPTED.value,
                CallUpInvitation.rating.is_(None),
            )
            .order_by(CallUpInvitation.rank, CallUpInvitation.id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def rateable(session: AsyncSession, call_up_id: int, today: date) -> str | None:
    """Why the call-up's members cannot be rated yet: "unknown", "cancelled", "not_ended"."""
    call_up = await session.get(CallUp, call_up_id)
    if call_up is None:
        return "unknown"
    if call_up.status != CallUpStatus.RECRUITING.value:
        return "cancelled"
    if today <= call_up.ends:
        return "not_ended"
    return None


async def rate(
    session: AsyncSession,
    invitation_id: int,
    score: int,
    *,
    rated_by: int,
    today: date,
    now: datetime,
) -> tuple[str, CallUpInvitation | None]:
    """Keeps a 1–5 rating of a member (a later press corrects it): ("ok", the invitation),
    or the reason it was not kept."""
    if not 1 <= score <= 5:
        return "bad_score", None
    invitation = await session.get(CallUpInvitation, invitation_id)
    if invitation is None or invitation.status != InvitationStatus.ACCEPTED.value:
        return "unknown", None
    refusal = await rateable(session, invitation.call_up_id, today)
    if refusal is not None:
        return refusal, None
    invitation.rating = score
    invitation.rated_by = rated_by
    invitation.rated_at = now
    return "ok", invitation


async def comment(session: AsyncSession, invitation_id: int, text: str) -> bool:
    """Keeps the comment of a rated member."""
    result = await session.execute(
        update(CallUpInvitation)
        .where(CallUpInvitation.id == invitation_id, CallUpInvitation.rating.is_not(None))
        .values(rating_comment=text[:COMMENT_LIMIT])
    )
    return bool(getattr(result, "rowcount", 0))
