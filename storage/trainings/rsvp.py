"""Answers to a training's invitation: 参加 (a place, or the waiting list past capacity),
请假 (with a reason), changed until the deadline; a freed place goes to the first waiting.

Every answer locks the training first (records.lock), then reads and changes the seats: two
presses for the last place take turns, and the second finds it taken. The waiting list is the
seats' `queue_no` order, drawn from the training's `queue_seq`, so it survives restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.recruiting import Voice
from storage.common.times import aware
from storage.messaging import outbox
from storage.models import Instructor, SeatStatus, Training, TrainingSeat, TrainingStatus
from storage.trainings.records import calendar_message, lock


@dataclass
class Answer:
    """What became of a press: `outcome` names the text the person sees (with `position` on
    the waiting list); `messages` went to the outbox (wake the sender)."""

    outcome: str
    training: Training | None = None
    position: int = 0
    messages: int = 0


async def _own(
    session: AsyncSession, seat_id: int, telegram_id: int, *, now: datetime
) -> tuple[TrainingSeat, Training] | Answer:
    """The sender's seat and its training, locked; or why the press changes nothing."""
    row = (
        await session.execute(
            select(TrainingSeat.training_id, Instructor.telegram_id)
            .join(Instructor, Instructor.id == TrainingSeat.instructor_id)
            .where(TrainingSeat.id == seat_id)
        )
    ).first()
    if row is None or row[1] != telegram_id:
        return Answer("not_yours")
    training = await lock(session, row[0])
    assert training is not None
    if training.status == TrainingStatus.CANCELLED.value:
        return Answer("cancelled", training)
    if now >= aware(training.deadline):
        return Answer("closed", training)
    seat = await session.get(TrainingSeat, seat_id, populate_existing=True)
    assert seat is not None
    return seat, training


async def position(session: AsyncSession, training_id: int, queue_no: int) -> int:
    """One's place on the waiting list: 1 for the first."""
    query = select(func.count()).where(
        TrainingSeat.training_id == training_id,
        TrainingSeat.status == SeatStatus.WAITING.value,
        TrainingSeat.queue_no <= queue_no,
    )
    return int(await session.scalar(query) or 0)


async def _attending(session: AsyncSession, training_id: int) -> int:
    query = select(func.count()).where(
        TrainingSeat.training_id == training_id,
        TrainingSeat.status == SeatStatus.ATTENDING.value,
    )
    return int(await session.scalar(query) or 0)


async def _set(
    session: AsyncSession, seat: TrainingSeat, status: SeatStatus, **values: object
) -> None:
    await session.execute(
        update(TrainingSeat).where(TrainingSeat.id == seat.id).values(status=status.value, **values)
    )


async def attend(
    session: AsyncSession, seat_id: int, telegram_id: int, voice: Voice, *, now: datetime
) -> Answer:
    """参加: a place while one is free ("attending", with the .ics), else the waiting list
    ("waiting", with the place in it)."""
    found = await _own(session, seat_id, telegram_id, now=now)
    if isinstance(found, Answer):
        return found
    seat, training = found
    if seat.status == SeatStatus.ATTENDING.value:
        return Answer("already_attending", training)
    if seat.status == SeatStatus.WAITING.value:
        assert seat.queue_no is not None
        return Answer(
            "already_waiting", training, await position(session, training.id, seat.queue_no)
        )
    capacity = training.capacity
    if capacity is None or await _attending(session, training.id) < capacity:
        await _set(session, seat, SeatStatus.ATTENDING, answered_at=now, reason=None, queue_no=None)
        lang = (await voice.langs(session, [telegram_id]))[telegram_id]
        message = calendar_message(
            voice, lang, training, seat.instructor_id, telegram_id, "training.calendar"
        )
        return Answer(
            "attending", training, messages=await outbox.enqueue(session, [message], now=now)
        )
    training.queue_seq += 1
    await _set(
        session, seat, SeatStatus.WAITING, answered_at=now, reason=None, queue_no=training.queue_seq
    )
    await session.flush()
    return Answer("waiting", training, await position(session, training.id, training.queue_seq))


async def leave(
    session: AsyncSession, seat_id: int, telegram_id: int, voice: Voice, *, now: datetime
) -> Answer:
    """请假: a place given up goes to the first waiting, who is told (with the .ics)."""
    found = await _own(session, seat_id, telegram_id, now=now)
    if isinstance(found, Answer):
        return found
    seat, training = found
    if seat.status == SeatStatus.LEAVE.value:
        return Answer("already_leave", training)
    was = seat.status
    await _set(session, seat, SeatStatus.LEAVE, answered_at=now, queue_no=None)
    sent = 0
    if was == SeatStatus.ATTENDING.value:
        sent = await promote(session, training, voice, now=now)
    return Answer("leave", training, messages=sent)


async def promote(session: AsyncSession, training: Training, voice: Voice, *, now: datetime) -> int:
    """Moves the first waiting up into each free place (the caller holds the lock); returns the
    messages enqueued."""
    free = (training.capacity or 0) - await _attending(session, training.id)
    if training.capacity is None:
        free = 10**9  # no limit: nobody should be waiting, but let them all in
    rows = (
        await session.execute(
            select(TrainingSeat.id, TrainingSeat.instructor_id, Instructor.telegram_id)
            .join(Instructor, Instructor.id == TrainingSeat.instructor_id)
            .where(
                TrainingSeat.training_id == training.id,
                TrainingSeat.status == SeatStatus.WAITING.value,
            )
            .order_by(TrainingSeat.queue_no)
            .limit(max(free, 0))
        )
    ).all()
    if not rows:
        return 0
    langs = await voice.langs(session, [int(tid) for _, _, tid in rows if tid is not None])
    messages = []
    for seat_id, instructor_id, telegram_id in rows:
        await session.execute(
            update(TrainingSeat)
            .where(TrainingSeat.id == seat_id)
            .values(status=SeatStatus.ATTENDING.value, queue_no=None, answered_at=now)
        )
        if telegram_id is not None:
            tid = int(telegram_id)
            messages.append(
                calendar_message(
                    voice, langs[tid], training, instructor_id, tid, "training.moved_up"
                )
            )
    return await outbox.enqueue(session, messages, now=now)


async def give_reason(session: AsyncSession, seat_id: int, telegram_id: int, reason: str) -> bool:
    """Keeps the reason of one's own 请假 (given after it, by a button or in words)."""
    owner = select(Instructor.id).where(Instructor.telegram_id == telegram_id).scalar_subquery()
    result = await session.execute(
        update(TrainingSeat)
        .where(
            TrainingSeat.id == seat_id,
            TrainingSeat.instructor_id == owner,
            TrainingSeat.status == SeatStatus.LEAVE.value,
        )
        .values(reason=reason[:200])
    )
    return bool(getattr(result, "rowcount", 0))
