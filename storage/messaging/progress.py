"""Broadcast progress: an admin's confirmation of a broadcast shows how far it has gone.

A handler that starts a broadcast (a notice, a call-up's invitations, a training's invitations)
replies with its confirmation, then has that message followed (`follow`, through
bot/progress.py). Each tick, schedules/progress.py asks `due` which confirmations to edit now,
edits them and records each outcome (`edited`, `hold`, `drop`). Everything is in the table
broadcast_progress, so after a restart the next tick goes on where the last one was.

Which rows: a `Broadcast` is the outbox rows of one (kind, ref_id) written at or after `since`
(pass the `now` that was given to outbox.enqueue, or for a broadcast that is released later, the
time it will be released). The newest of them when they are first seen closes the set, so rows
the same call-up writes later (a declined place passed on) do not count in it.

When: a line `发送中 320/1050` at most every INTERVAL and only when the count moved, the first
one INTERVAL after the rows were first seen, so a broadcast done sooner gets its final edit
alone; the final counts once no row is pending, also at least INTERVAL after the previous edit.

The API, for every feature that broadcasts:

    Broadcast(kind, ref_id, since)
        what a confirmation follows: kind is the outbox kind of the rows ("notice",
        "callup_invite", "training_invite"), ref_id the notice, call-up or training.
    await follow(session, broadcast, *, chat_id, message_id, lang, text, buttons=None, now)
        -> BroadcastProgress | None
        remembers the confirmation message (its text, and its buttons as [[label, data]]) to be
        edited with the progress below the text; None when there is nothing to follow (no rows
        were written and none are to come). A message followed again follows the new broadcast.
    await due(session, *, now) -> list[Step]
        the edits to make now, each with its counts and whether it is the final one.
    await edited(session, step, *, now) / hold(session, progress_id, *, until) /
    drop(session, progress_id, *, now)
        an edit made (or "not modified"); a 429 or no answer (try again at `until`); a message
        that can no longer be edited (stop following).
    compose(text, line) -> str
        the confirmation with its progress line below, within Telegram's length.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.times import aware
from storage.messaging.notices import TEXT_LIMIT, telegram_length
from storage.models import BroadcastProgress, OutboxMessage, OutboxStatus

# The shortest time between two edits of one confirmation.
INTERVAL = timedelta(seconds=5)
# A broadcast released later that has written nothing this long after its time (a scheduled
# notice whose audience has nobody on Telegram) is shown as done with nothing sent.
GRACE = timedelta(minutes=1)

WAITING = frozenset({OutboxStatus.PENDING.value, OutboxStatus.SENDING.value})


@dataclass(frozen=True)
class Broadcast:
    """The outbox rows of (kind, ref_id) written at or after `since`."""

    kind: str
    ref_id: int
    since: datetime


@dataclass(frozen=True)
class Counts:
    """Where a broadcast's rows stand."""

    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    unknown: int = 0
    waiting: int = 0  # pending, or handed to Telegram without an answer yet

    @classmethod
    def of(cls, statuses: Mapping[str, int]) -> Counts:
        return cls(
            sent=statuses.get(OutboxStatus.SENT.value, 0),
            unreachable=statuses.get(OutboxStatus.UNREACHABLE.value, 0),
            failed=statuses.get(OutboxStatus.FAILED.value, 0),
            unknown=statuses.get(OutboxStatus.UNKNOWN.value, 0),
            waiting=sum(n for status, n in statuses.items() if status in WAITING),
        )

    @property
    def total(self) -> int:
        return self.sent + self.unreachable + self.failed + self.unknown + self.waiting

    @property
    def done(self) -> int:
        """Rows whose outcome is known: the `320` of `发送中 320/1050`."""
        return self.total - self.waiting


@dataclass(frozen=True)
class Step:
    """One edit to make now: the confirmation, its counts, and whether they are final."""

    progress_id: int
    chat_id: int
    message_id: int
    lang: str
    text: str
    buttons: list[Any] | None
    counts: Counts
    final: bool


async def _last_row(session: AsyncSession, kind: str, ref_id: int, since: datetime) -> int | None:
    """The newest outbox row of (kind, ref_id) written at or after `since`."""
    return (
        await session.execute(
            select(func.max(OutboxMessage.id)).where(
                OutboxMessage.kind == kind,
                OutboxMessage.ref_id == ref_id,
                OutboxMessage.created_at >= since,
            )
        )
    ).scalar()


async def follow(
    session: AsyncSession,
    broadcast: Broadcast,
    *,
    chat_id: int,
    message_id: int,
    lang: str,
    text: str,
    buttons: list[Any] | None = None,
    now: datetime,
) -> BroadcastProgress | None:
    """Remembers the confirmation `message_id` in `chat_id` (its `text` and `buttons`, rows of
    [label, callback data]) to show the progress of `broadcast`; None when it wrote nothing and
    nothing is to come."""
    last_id = await _last_row(session, broadcast.kind, broadcast.ref_id, broadcast.since)
    if last_id is None and broadcast.since <= now:
        return None
    # One message shows one broadcast: the newest (a second 增加人数 on the same status).
    await session.execute(
        update(BroadcastProgress)
        .where(
            BroadcastProgress.chat_id == chat_id,
            BroadcastProgress.message_id == message_id,
            BroadcastProgress.done_at.is_(None),
        )
        .values(done_at=now)
    )
    row = BroadcastProgress(
        kind=broadcast.kind,
        ref_id=broadcast.ref_id,
        since=broadcast.since,
        last_id=last_id,
        chat_id=chat_id,
        message_id=message_id,
        lang=lang,
        text=text,
        buttons=buttons or None,
        started_at=now if last_id is not None else None,
    )
    session.add(row)
    await session.flush()
    return row


async def _counts(session: AsyncSession, row: BroadcastProgress) -> Counts:
    statuses = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(
            OutboxMessage.kind == row.kind,
            OutboxMessage.ref_id == row.ref_id,
            OutboxMessage.created_at >= row.since,
            OutboxMessage.id <= (row.last_id or 0),
        )
        .group_by(OutboxMessage.status)
    )
    return Counts.of({status: int(n) for status, n in statuses})


async def due(session: AsyncSession, *, now: datetime) -> list[Step]:
    """The confirmations to edit at `now`: a progress line once INTERVAL has passed since the
    rows were first seen and since the last edit, and only when the count moved; the final
    counts once no row is waiting. A broadcast released later is taken up when its rows appear."""
    rows = list(
        await session.scalars(
            select(BroadcastProgress)
            .where(
                BroadcastProgress.done_at.is_(None),
                BroadcastProgress.since <= now,
                or_(BroadcastProgress.hold_until.is_(None), BroadcastProgress.hold_until <= now),
            )
            .order_by(BroadcastProgress.id)
        )
    )
    steps = []
    for row in rows:
        if row.last_id is None:
            row.last_id = await _last_row(session, row.kind, row.ref_id, row.since)
            if row.last_id is None:
                if now >= aware(row.since) + GRACE:
                    steps.append(_step(row, Counts(), final=True))
                continue
            row.started_at = now
        counts = await _counts(session, row)
        if not counts.waiting:
            steps.append(_step(row, counts, final=True))
        elif row.started_at is not None and now >= aware(row.started_at) + INTERVAL:
            if counts.done != row.shown:
                steps.append(_step(row, counts, final=False))
    return steps


def _step(row: BroadcastProgress, counts: Counts, *, final: bool) -> Step:
    return Step(
        progress_id=row.id,
        chat_id=row.chat_id,
        message_id=row.message_id,
        lang=row.lang,
        text=row.text,
        buttons=row.buttons,
        counts=counts,
        final=final,
    )


async def edited(session: AsyncSession, step: Step, *, now: datetime) -> None:
    """Records that the confirmation shows `step` (the final counts end the following)."""
    values: dict[str, Any] = {"hold_until": now + INTERVAL, "shown": step.counts.done}
    if step.final:
        values["done_at"] = now
    await session.execute(
        update(BroadcastProgress).where(BroadcastProgress.id == step.progress_id).values(**values)
    )


async def hold(session: AsyncSession, progress_id: int, *, until: datetime) -> None:
    """No edit of this confirmation before `until` (a 429's retry_after, or no answer)."""
    await session.execute(
        update(BroadcastProgress)
        .where(BroadcastProgress.id == progress_id)
        .values(hold_until=until)
    )


async def drop(session: AsyncSession, progress_id: int, *, now: datetime) -> None:
    """Stops following a confirmation that can no longer be edited (deleted, too old, blocked);
    the broadcast itself goes on."""
    await session.execute(
        update(BroadcastProgress).where(BroadcastProgress.id == progress_id).values(done_at=now)
    )


def compose(text: str, line: str) -> str:
    """The confirmation with the progress line below it; a confirmation that leaves no room for
    the line within Telegram's limit is shortened, never the line."""
    if not text:
        return line
    joined = f"{text}\n\n{line}"
    if telegram_length(joined) <= TEXT_LIMIT:
        return joined
    room = TEXT_LIMIT - telegram_length(f"…\n\n{line}")
    kept, used = [], 0
    for char in text:
        used += telegram_length(char)
        if used > room:
            break
        kept.append(char)
    return "".join(kept) + f"…\n\n{line}"
