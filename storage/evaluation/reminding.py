"""The self-assessment's deadline reminders, 3 days and 1 day before, to participants who have
not answered — once each per round.

A round's `reminded_3d_at` / `reminded_1d_at` is claimed by an UPDATE … WHERE … IS NULL before
the messages are enqueued, so two ticks (or two instances) send it once. Each reminder has its
window up to the next one (the 3-day one is not sent late once the 1-day one is due), and one
whose moment had already passed when the year was opened is skipped, not sent late. The
built-in schedule "evaluation_reminders" in /schedules switches them off and on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.recruiting import Voice
from storage.common.times import aware
from storage.evaluation.answers import (
    REMIND_KIND,
    TEXT_LIMIT,
    deadline_text,
    reachable,
    write_buttons,
)
from storage.messaging import outbox
from storage.models import EvaluationRound
from storage.reminders import records

BUILTIN_KEY = records.EVALUATION_REMINDERS
BEFORE = {"3d": timedelta(days=3), "1d": timedelta(days=1)}


async def remind_due(session: AsyncSession, voice: Voice, *, now: datetime) -> int:
    """Enqueues the reminders due at `now`; returns how many messages."""
    if not await records.switched_on(session, BUILTIN_KEY):
        return 0
    sent = 0
    for which, before in BEFORE.items():
        column = EvaluationRound.reminded_3d_at if which == "3d" else EvaluationRound.reminded_1d_at
        until = BEFORE["1d"] if which == "3d" else timedelta(0)
        due = list(
            await session.scalars(
                select(EvaluationRound).where(
                    column.is_(None),
                    EvaluationRound.deadline > now + until,
                    EvaluationRound.deadline <= now + before,
                )
            )
        )
        for evaluation in due:
            claimed = await session.execute(
                update(EvaluationRound)
                .where(EvaluationRound.id == evaluation.id, column.is_(None))
                .values({column.key: now})
            )
            if not getattr(claimed, "rowcount", 0):
                continue  # another tick claimed it
            if aware(evaluation.opened_at) > aware(evaluation.deadline) - before:
                continue  # its moment had passed when the year was opened
            sent += await _remind(session, voice, evaluation, which, now=now)
    return sent


async def _remind(
    session: AsyncSession, voice: Voice, evaluation: EvaluationRound, which: str, *, now: datetime
) -> int:
    people = await reachable(session, evaluation.id, unanswered=True)
    langs = await voice.langs(session, [tid for _, tid in people])
    deadline = deadline_text(voice, evaluation.deadline)
    messages = [
        outbox.Outgoing(
            f"evaluation:{evaluation.id}:remind_{which}:{iid}",
            tid,
            voice.translate(
                langs[tid],
                f"evaluation.remind_{which}",
                year=evaluation.year,
                deadline=deadline,
                limit=TEXT_LIMIT,
            ),
            REMIND_KIND,
            evaluation.id,
            instructor_id=iid,
            buttons=write_buttons(voice, langs[tid], evaluation.id, revise=False),
        )
        for iid, tid in people
    ]
    return await outbox.enqueue(session, messages, now=now)
