"""Trainings as rows: the draft its organizer looks at, the invitations, /trainings and one
training's status, moving and cancelling.

Whoever changes a training's seats locks the training first (`lock`), so two presses, two ticks
or two instances take turns; capacity is then counted from the rows.

Texts are composed by the `translate(lang, key, **values)` of a `Voice` (storage.callups), as
notices and call-ups do, so the tick (schedules/) and the handlers (bot/) word them the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.recruiting import Voice
from storage.common.buttons import SeatButton
from storage.common.once import add_once
from storage.common.times import aware
from storage.messaging import outbox
from storage.messaging.notices import audience_conditions
from storage.models import (
    District,
    Instructor,
    OutboxMessage,
    OutboxStatus,
    SeatStatus,
    Training,
    TrainingSeat,
    TrainingStatus,
)
from storage.trainings import ics
from storage.trainings.codes import new_credentials
from storage.trainings.parsing import TrainingSpec

KIND = "training"  # everything a training sends but invitations and reminders
INVITE_KIND = "training_invite"
REMIND_KIND = "training_remind"


async def lock(session: AsyncSession, training_id: int) -> Training | None:
    """The training, after bumping its version (see storage.callups.records.lock)."""
    await session.execute(
        update(Training).where(Training.id == training_id).values(version=Training.version + 1)
    )
    return await session.get(Training, training_id, populate_existing=True)


async def create_draft(
    session: AsyncSession,
    spec: TrainingSpec,
    *,
    created_by: int,
    scope_district_id: int | None,
    now: datetime,
    request_key: str | None = None,
) -> Training:
    """Stores the training as a draft: nothing is sent until the organizer presses 发出邀请."""
    code, token = await new_credentials(session, now=now)
    return await add_once(
        session,
        Training(
            title=spec.title,
            format=spec.format.value,
            starts_at=spec.starts_at,
            ends_at=spec.ends_at,
            place=spec.place,
            audience=spec.audience.kind.value,
            audience_value=spec.audience.value,
            scope_district_id=scope_district_id,
            capacity=spec.capacity,
            deadline=spec.deadline,
            tags=spec.tags,
            status=TrainingStatus.DRAFT.value,
            created_by=created_by,
            version=0,
            queue_seq=0,
            schedule_version=0,
            breakouts=0,
            checkin_code=code,
            checkin_token=token,
            request_key=request_key,
        ),
    )


def _audience(training: Training) -> list[Any]:
    return [
        *audience_conditions(
            training.audience, training.audience_value, training.scope_district_id
        ),
        Instructor.telegram_id.is_not(None),
    ]


async def audience_size(session: AsyncSession, training: Training) -> int:
    """How many instructors an invitation would reach (joined, not ended)."""
    query = select(func.count()).select_from(Instructor).where(*_audience(training))
    return int(await session.scalar(query) or 0)


def when_text(training: Training, tz: ZoneInfo) -> str:
    """`2026-12-10 09:00–12:00` in local time (the end with its day when it is another day)."""
    starts = aware(training.starts_at).astimezone(tz)
    ends = aware(training.ends_at).astimezone(tz)
    end = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%m-%d %H:%M}"
    return f"{starts:%Y-%m-%d %H:%M}–{end}"


def facts(voice: Voice, lang: str, training: Training) -> dict[str, object]:
    """The values every training text may use."""
    capacity = training.capacity
    return {
        "id": training.id,
        "title": training.title,
        "format": voice.translate(lang, f"training.format.{training.format}"),
        "when": when_text(training, voice.timezone),
        "place": training.place,
        "capacity": capacity if capacity else voice.translate(lang, "training.unlimited"),
        "deadline": voice.when(training.deadline),
        "tags": " ".join(f"#{tag}" for tag in training.tags),
    }


async def release(
    session: AsyncSession, training_id: int, voice: Voice, *, now: datetime
) -> tuple[str, int]:
    """发出邀请 on a draft: ("sent", invitations), or ("already" | "cancelled" | "past", 0)."""
    training = await lock(session, training_id)
    if training is None or training.status == TrainingStatus.CANCELLED.value:
        return "cancelled", 0
    if training.status != TrainingStatus.DRAFT.value:
        return "already", 0
    if now >= aware(training.deadline):
        return "past", 0
    training.status = TrainingStatus.OPEN.value
    training.released_at = now
    training.scheduled_at = now
    people = list(
        await session.execute(
            select(Instructor.id, Instructor.telegram_id)
            .where(*_audience(training))
            .order_by(Instructor.id)
        )
    )
    rows = [
        {"training_id": training.id, "instructor_id": iid, "status": SeatStatus.INVITED.value,
         "invited_at": now, "lead": False}
        for iid, _ in people
    ]  # fmt: skip
    for start in range(0, len(rows), 500):
        await session.execute(insert(TrainingSeat), rows[start : start + 500])
    seats: dict[int, int] = dict(
        (await session.execute(
            select(TrainingSeat.instructor_id, TrainingSeat.id).where(
                TrainingSeat.training_id == training.id
            )
        )).all()
    )  # fmt: skip
    langs = await voice.langs(session, [int(tid or 0) for _, tid in people])
    messages = []
    for iid, tid in people:
        lang = langs[int(tid or 0)]
        sid = seats[iid]
        text = voice.translate(lang, "training.invite", **facts(voice, lang, training))
        buttons: outbox.Buttons = [
            [
                (voice.translate(lang, "training.button.attend"), SeatButton(sid, "attend")),
                (voice.translate(lang, "training.button.leave"), SeatButton(sid, "leave")),
            ]
        ]
        messages.append(
            outbox.Outgoing(
                f"training:{training.id}:inv:{iid}", int(tid or 0), text, INVITE_KIND, training.id,
                instructor_id=iid, buttons=buttons,
            )
        )  # fmt: skip
    await outbox.enqueue(session, messages, now=now)
    return "sent", len(messages)


async def drop_draft(session: AsyncSession, training_id: int, *, now: datetime) -> bool:
    """取消 on a draft: nothing was sent, so it is only marked cancelled."""
    result = await session.execute(
        update(Training)
        .where(Training.id == training_id, Training.status == TrainingStatus.DRAFT.value)
        .values(status=TrainingStatus.CANCELLED.value, cancelled_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def member_message(
    voice: Voice, lang: str, training: Training, instructor_id: int, chat_id: int, key: str,
    text_key: str, *, kind: str = KIND, **values: object,
) -> outbox.Outgoing:  # fmt: skip
    """A message about the training to one person, in the outbox as
    `training:<id>:<key>:<instructor id>`."""
    return outbox.Outgoing(
        f"training:{training.id}:{key}:{instructor_id}",
        chat_id,
        voice.translate(lang, text_key, **facts(voice, lang, training), **values),
        kind,
        training.id,
        instructor_id=instructor_id,
    )


def calendar_message(
    voice: Voice, lang: str, training: Training, instructor_id: int, chat_id: int, text_key: str,
    **values: object,
) -> outbox.Outgoing:  # fmt: skip
    """A message with the training's .ics attached (the caption says why it comes)."""
    text = voice.translate(lang, text_key, **facts(voice, lang, training), **values)
    return outbox.Outgoing(
        f"training:{training.id}:ics:{training.schedule_version}:{instructor_id}:{text_key}",
        chat_id,
        text,
        KIND,
        training.id,
        instructor_id=instructor_id,
        document=(f"training-{training.id}.ics", ics.calendar_file(training)),
    )


async def people(
    session: AsyncSession, training_id: int, statuses: tuple[SeatStatus, ...]
) -> list[tuple[int, int]]:
    """(instructor id, Telegram id) of the seats in `statuses`, joined to Telegram."""
    rows = await session.execute(
        select(Instructor.id, Instructor.telegram_id)
        .join(TrainingSeat, TrainingSeat.instructor_id == Instructor.id)
        .where(
            TrainingSeat.training_id == training_id,
            TrainingSeat.status.in_([s.value for s in statuses]),
            Instructor.telegram_id.is_not(None),
        )
        .order_by(Instructor.id)
    )
    return [(iid, int(tid or 0)) for iid, tid in rows]


async def _drop_pending_reminders(session: AsyncSession, training_id: int) -> None:
    """Reminders queued for the old time must not go out."""
    await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.kind == REMIND_KIND,
            OutboxMessage.ref_id == training_id,
            OutboxMessage.status == OutboxStatus.PENDING.value,
        )
    )


@dataclass
class Changed:
    """What moving or cancelling did: `outcome` names the organizer's answer."""

    outcome: str
    training: Training | None = None
    told: int = 0


async def move(
    session: AsyncSession,
    training_id: int,
    starts_at: datetime,
    ends_at: datetime,
    voice: Voice,
    *,
    now: datetime,
) -> Changed:
    """改时间: everyone attending or waiting is told (attendees with a new .ics); the reminders
    follow the new time and none for the old time goes out."""
    training = await lock(session, training_id)
    if training is None:
        return Changed("unknown")
    if training.status == TrainingStatus.CANCELLED.value:
        return Changed("cancelled", training)
    old = when_text(training, voice.timezone)
    training.starts_at, training.ends_at = starts_at, ends_at
    if aware(training.deadline) > starts_at:
        training.deadline = starts_at
    training.schedule_version += 1
    training.scheduled_at = now
    training.day_reminded_at = None
    training.hour_reminded_at = None
    training.code_sent_at = None
    await session.flush()
    await _drop_pending_reminders(session, training.id)
    if training.status == TrainingStatus.DRAFT.value:
        return Changed("moved", training)
    attending = await people(session, training.id, (SeatStatus.ATTENDING,))
    waiting = await people(session, training.id, (SeatStatus.WAITING,))
    langs = await voice.langs(session, [tid for _, tid in attending + waiting])
    messages = [
        calendar_message(voice, langs[tid], training, iid, tid, "training.moved", old=old)
        for iid, tid in attending
    ]
    moved = f"moved:{training.schedule_version}"
    messages += [
        member_message(voice, langs[tid], training, iid, tid, moved, "training.moved_waiting",
                       old=old)
        for iid, tid in waiting
    ]  # fmt: skip
    await outbox.enqueue(session, messages, now=now)
    return Changed("moved", training, len(messages))


async def cancel(
    session: AsyncSession, training_id: int, voice: Voice, *, now: datetime
) -> Changed:
    """取消培训: everyone attending or waiting is told; no reminder goes out after."""
    training = await lock(session, training_id)
    if training is None:
        return Changed("unknown")
    if training.status == TrainingStatus.CANCELLED.value:
        return Changed("cancelled", training)
    was_draft = training.status == TrainingStatus.DRAFT.value
    training.status = TrainingStatus.CANCELLED.value
    training.cancelled_at = now
    await _drop_pending_reminders(session, training.id)
    if was_draft:
        return Changed("dropped", training)
    told = await people(session, training.id, (SeatStatus.ATTENDING, SeatStatus.WAITING))
    langs = await voice.langs(session, [tid for _, tid in told])
    messages = [
        member_message(
            voice, langs[tid], training, iid, tid, "cancelled", "training.cancelled_member"
        )
        for iid, tid in told
    ]
    await outbox.enqueue(session, messages, now=now)
    return Changed("cancelled_now", training, len(messages))


# --- what /trainings shows -------------------------------------------------------------------


def state(training: Training, *, now: datetime) -> str:
    """draft, open (answers), closed (after the deadline), running, ended or cancelled."""
    if training.status != TrainingStatus.OPEN.value:
        return training.status
    if now >= aware(training.ends_at):
        return "ended"
    if now >= aware(training.starts_at):
        return "running"
    if now >= aware(training.deadline):
        return "closed"
    return "open"


async def counts(session: AsyncSession, training_ids: list[int]) -> dict[int, Counter[str]]:
    """Seats per status, and "checked_in", for each training."""
    result: dict[int, Counter[str]] = {i: Counter() for i in training_ids}
    if not training_ids:
        return result
    rows = await session.execute(
        select(
            TrainingSeat.training_id,
            TrainingSeat.status,
            func.count(),
            func.count(TrainingSeat.checked_in_at),
        )
        .where(TrainingSeat.training_id.in_(training_ids))
        .group_by(TrainingSeat.training_id, TrainingSeat.status)
    )
    for training_id, status, n, checked in rows:
        result[training_id][status] += int(n)
        result[training_id]["checked_in"] += int(checked)
    return result


async def list_trainings(
    session: AsyncSession, scope_district_id: int | None, *, limit: int = 10
) -> list[Training]:
    """The latest trainings an admin may manage (HQ: all), newest start first."""
    query = select(Training).where(Training.status != TrainingStatus.CANCELLED.value)
    if scope_district_id is not None:
        query = query.where(Training.scope_district_id == scope_district_id)
    query = query.order_by(Training.starts_at.desc(), Training.id.desc()).limit(limit)
    return list(await session.scalars(query))


async def invited_to(session: AsyncSession, instructor_id: int, *, now: datetime) -> list[
    tuple[Training, TrainingSeat]
]:  # fmt: skip
    """The trainings still to end one was invited to (or walked into), soonest first."""
    rows = await session.execute(
        select(Training, TrainingSeat)
        .join(TrainingSeat, TrainingSeat.training_id == Training.id)
        .where(
            TrainingSeat.instructor_id == instructor_id,
            Training.status == TrainingStatus.OPEN.value,
            Training.ends_at > now,
        )
        .order_by(Training.starts_at)
        .limit(10)
    )
    return [(training, seat) for training, seat in rows.all()]


@dataclass
class Person:
    name: str
    district: str
    reason: str | None = None
    queue_no: int | None = None
    checked_in: bool = False


@dataclass
class Detail:
    """One training's status: people per status (waiting in queue order), checked in, absent."""

    training: Training
    people: dict[str, list[Person]] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return len(self.people.get(status, []))


async def detail(session: AsyncSession, training_id: int, *, now: datetime) -> Detail | None:
    training = await session.get(Training, training_id)
    if training is None:
        return None
    rows = await session.execute(
        select(TrainingSeat, Instructor.name, District.name)
        .join(Instructor, Instructor.id == TrainingSeat.instructor_id)
        .join(District, District.id == Instructor.district_id)
        .where(TrainingSeat.training_id == training_id)
        .order_by(TrainingSeat.queue_no.nulls_last(), Instructor.id)
    )
    found = Detail(training)
    ended = now >= aware(training.ends_at)
    for seat, name, district in rows:
        person = Person(name, district, seat.reason, seat.queue_no, seat.checked_in_at is not None)
        found.people.setdefault(seat.status, []).append(person)
        if person.checked_in:
            found.people.setdefault("checked_in", []).append(person)
        elif ended and seat.status == SeatStatus.ATTENDING.value:
            found.people.setdefault("absent", []).append(person)
    return found
