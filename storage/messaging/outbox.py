"""The outbox: every message to many people is written here first, then sent, then marked.

A row's key names what it is (`notice:12:i:345`), so enqueueing the same thing twice sends it
once. The sender (schedules/delivery.py) reads due rows and records each outcome; a row whose
request was in flight when the process died is still `pending` and is sent again at start —
the only way a message can arrive twice.
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.buttons import ButtonData
from storage.db import dialect_insert
from storage.models import OutboxMessage, OutboxStatus

# Rows of (label, button data): the codec packs the data into the row, as handlers route it.
Buttons = list[list[tuple[str, ButtonData]]]

# A failure that surely did not deliver is retried this often, waiting longer each time.
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Outgoing:
    """One message to enqueue."""

    key: str
    chat_id: int
    text: str
    kind: str
    ref_id: int | None = None
    instructor_id: int | None = None
    buttons: Buttons = field(default_factory=list)
    pin: bool = False
    # A picture (PNG bytes) or a file (name, bytes) sent with `text` as its caption; kept in
    # the row (base64), so a restart sends the same bytes. Keep them small (a QR code, an .ics).
    photo: bytes | None = None
    document: tuple[str, bytes] | None = None

    def row(self, now: datetime) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": self.text}
        if self.photo is not None:
            payload["photo"] = base64.b64encode(self.photo).decode("ascii")
        if self.document is not None:
            name, data = self.document
            payload["document"] = {"name": name, "data": base64.b64encode(data).decode("ascii")}
        if self.buttons:
            payload["buttons"] = [
                [[label, data.pack()] for label, data in row] for row in self.buttons
            ]
        if self.pin:
            payload["pin"] = True
        return {
            "key": self.key,
            "chat_id": self.chat_id,
            "kind": self.kind,
            "ref_id": self.ref_id,
            "instructor_id": self.instructor_id,
            "payload": payload,
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "not_before": now,
            "created_at": now,
        }


def attachment(payload: dict[str, Any]) -> tuple[str, str, bytes] | None:
    """A row's picture or file: ("photo", "photo.png", bytes) or ("document", name, bytes)."""
    if "photo" in payload:
        return "photo", "photo.png", base64.b64decode(payload["photo"])
    if "document" in payload:
        document = payload["document"]
        return "document", str(document["name"]), base64.b64decode(document["data"])
    return None


async def enqueue(
    session: AsyncSession, messages: Iterable[Outgoing], *, now: datetime | None = None
) -> int:
    """Writes messages to the outbox (keys already there are skipped); returns how many were new."""
    now = now or datetime.now(UTC)
    rows = [m.row(now) for m in messages]
    added = 0
    # Chunks keep each statement under SQLite's limit of bound parameters.
    for start in range(0, len(rows), 500):
        statement = dialect_insert(session)(OutboxMessage).values(rows[start : start + 500])
        statement = statement.on_conflict_do_nothing(index_elements=[OutboxMessage.key])
        result = await session.execute(statement)
        added += int(getattr(result, "rowcount", 0) or 0)
    return added


async def due(
    session: AsyncSession,
    *,
    now: datetime | None = None,
    skip_chats: Collection[int] = (),
    exclude: Collection[int] = (),
    limit: int = 200,
) -> list[OutboxMessage]:
    """The next due message of each chat, oldest first, for at most `limit` chats, leaving out
    the chats in `skip_chats` (busy, or waiting for their own limit) and the messages in
    `exclude` (in flight).

    One row per chat: a group's backlog of hundreds takes one place, so that a message to any
    other chat is read in the same pass, however much is queued before it.
    """
    conditions = [
        OutboxMessage.status == OutboxStatus.PENDING.value,
        OutboxMessage.not_before <= (now or datetime.now(UTC)),
    ]
    if skip_chats:
        conditions.append(OutboxMessage.chat_id.not_in(list(skip_chats)))
    if exclude:
        conditions.append(OutboxMessage.id.not_in(list(exclude)))
    first = func.min(OutboxMessage.id)
    heads = (
        select(first.label("id"))
        .where(*conditions)
        .group_by(OutboxMessage.chat_id)
        .order_by(first)
        .limit(limit)
        .subquery()
    )
    query = (
        select(OutboxMessage).join(heads, OutboxMessage.id == heads.c.id).order_by(OutboxMessage.id)
    )
    return list(await session.scalars(query))


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the earliest pending message may go (None when nothing is pending)."""
    query = select(func.min(OutboxMessage.not_before)).where(
        OutboxMessage.status == OutboxStatus.PENDING.value
    )
    return (await session.execute(query)).scalar()


async def mark(
    session: AsyncSession,
    message_id: int,
    status: OutboxStatus,
    *,
    telegram_message_id: int | None = None,
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Records the outcome of sending one message."""
    values: dict[str, Any] = {"status": status.value, "error": error}
    if status is OutboxStatus.SENT:
        values |= {"message_id": telegram_message_id, "sent_at": now or datetime.now(UTC)}
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )


async def retry_later(
    session: AsyncSession, message_id: int, attempts: int, error: str, *, now: datetime
) -> bool:
    """Puts a message back after a failure that did not deliver; False once it has used its
    attempts (then it is marked failed)."""
    if attempts >= MAX_ATTEMPTS:
        await mark(session, message_id, OutboxStatus.FAILED, error=error)
        return False
    delay = timedelta(seconds=min(60, 2 ** (attempts - 1)))
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(attempts=attempts, not_before=now + delay, error=error)
    )
    return True


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """Points unsent messages of a group that became a supergroup at its new id."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.chat_id == old_chat_id,
            OutboxMessage.status == OutboxStatus.PENDING.value,
        )
        .values(chat_id=new_chat_id)
    )


async def counts(
    session: AsyncSession, kind: str, ref_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """Messages per status for each of `ref_ids` of one kind: {ref_id: {"sent": 3, ...}}."""
    if not ref_ids:
        return {}
    rows = await session.execute(
        select(OutboxMessage.ref_id, OutboxMessage.status, func.count())
        .where(OutboxMessage.kind == kind, OutboxMessage.ref_id.in_(ref_ids))
        .group_by(OutboxMessage.ref_id, OutboxMessage.status)
    )
    result: dict[int, dict[str, int]] = {ref_id: {} for ref_id in ref_ids}
    for ref_id, status, count in rows:
        if ref_id is not None:
            result[ref_id][status] = int(count)
    return result
