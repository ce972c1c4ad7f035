"""Reminders 1 day and 1 hour before a training, to those attending — once each per schedule.

A training's `day_reminded_at` / `hour_reminded_at` are claimed by an UPDATE … WHERE … IS NULL
before the messages are enqueued, so two ticks (or two instances) send them once. Moving a
training clears both and bumps `schedule_version` (storage.trainings.records.move), so the
reminders follow the new time; a reminder whose moment had already passed when the time was
set (created or moved less than a day before) is skipped, not sent late. The built-in schedule
"training_reminders" in /schedules switches them off and on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.recruiting import Voice
from storage.common.times import aware
from storage.messaging import outbox
from storage.models import SeatStatus, Training, TrainingStatus
from storage.reminders import records
from storage.trainings.records import REMIND_KIND, member_message, people

BUILTIN_KEY = records.TRAINING_REMINDERS
BEFORE = {"day": timedelta(days=1), "hour": timedelta(hours=1)}


async def remind_due(session: AsyncSession, voice: Voice, *, now: datetime) -> int:
    """Enqueues the reminders due at `now`; returns how many messages."""
    if not await records.switched_on(session, BUILTIN_KEY):
        return 0
    sent = 0
    for which, before in BEFORE.items():
        column = Training.day_reminded_at if which == "day" else Training.hour_reminded_at
        # Each reminder has its window up to the next one: a day reminder not sent by the hour
        # reminder's time (switched off, the bot down) is not sent late.
        until = BEFORE["hour"] if which == "day" else timedelta(0)
        due = list(
            await session.scalars(
                select(Training).where(
                    Training.status == TrainingStatus.OPEN.value,
                    column.is_(None),
                    Training.starts_at > now + until,
                    Training.starts_at <= now + before,
                )
            )
        )
        for training in due:
            claimed = await session.execute(
                update(Training)
                .where(
                    Training.id == training.id,
                    column.is_(None),
                    Training.schedule_version == training.schedule_version,
                )
                .values({column.key: now})
            )
            if not getattr(claimed, "rowcount", 0):
                continue  # another tick claimed it, or it moved meanwhile
            scheduled = training.scheduled_at or training.created_at
            if scheduled is not None and aware(training.starts_at) - before < aware(scheduled):
                continue  # its moment had passed when the time was set
            sent += await _remind(session, voice, training, which, now=now)
    return sent


async def _remind(
    session: AsyncSession, voice: Voice, training: Training, which: str, *, now: datetime
) -> int:
    attending = await people(session, training.id, (SeatStatus.ATTENDING,))
    langs = await voice.langs(session, [tid for _, tid in attending])
    key = f"{which}:{training.schedule_version}"
    messages = [
        member_message(
            voice, langs[tid], training, iid, tid, key, f"training.remind_{which}", kind=REMIND_KIND
        )
        for iid, tid in attending
    ]
    return await outbox.enqueue(session, messages, now=now)
