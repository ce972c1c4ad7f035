"""The inbox: every update from Telegram is stored before it is acknowledged, then handled once.

Polling confirms an update to Telegram (the next getUpdates offset) and the webhook answers 200
only after `store_updates` has committed it; handlers then run from here, and `mark_handled`
records the outcome. A crash at any moment loses no acknowledged update; an update delivered
twice is stored once and handled once. A crash during handling leaves the update unmarked, so it
is handled again at start: what a handler creates carries `request_key`, so nothing is created
twice.

An update of the democratic rating (a rater link's /start rate_<token>, a RaterButton press)
names its sender and what they chose: once handled, its payload is replaced by a stub
({"update_id": N, "redacted": "rating"}), so the week the inbox keeps updates ties no vote to
a Telegram account (`private_kind`, `mark_handled(redact=...)`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.buttons import RATER_START, RaterButton
from storage.db import dialect_insert
from storage.models import InboxUpdate

# An update whose handling crashed the process this often is set aside, not retried forever.
MAX_ATTEMPTS = 3
KEEP_HANDLED = timedelta(days=7)


async def store_updates(
    session: AsyncSession, updates: Iterable[dict[str, Any]], *, now: datetime | None = None
) -> int:
    """Stores updates by update_id (a second delivery is ignored); returns how many were new."""
    rows = [
        {"update_id": int(u["update_id"]), "payload": u, "received_at": now or datetime.now(UTC)}
        for u in updates
    ]
    if not rows:
        return 0
    statement = dialect_insert(session)(InboxUpdate).values(rows)
    statement = statement.on_conflict_do_nothing(index_elements=[InboxUpdate.update_id])
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


async def pending(
    session: AsyncSession, *, exclude: Collection[int] = (), limit: int = 100
) -> list[InboxUpdate]:
    """Updates not yet handled, oldest first, leaving out `exclude` (those in progress)."""
    query = (
        select(InboxUpdate)
        .where(InboxUpdate.handled_at.is_(None))
        .order_by(InboxUpdate.update_id)
        .limit(limit)
    )
    if exclude:
        query = query.where(InboxUpdate.update_id.not_in(list(exclude)))
    return list(await session.scalars(query))


async def count_pending(session: AsyncSession) -> int:
    query = select(func.count()).select_from(InboxUpdate).where(InboxUpdate.handled_at.is_(None))
    return int((await session.execute(query)).scalar_one())


async def begin_attempt(session: AsyncSession, update_id: int) -> int:
    """Counts an attempt to handle the update (before handling); returns the attempt's number."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id)
        .values(attempts=InboxUpdate.attempts + 1)
    )
    row = await session.get(InboxUpdate, update_id, populate_existing=True)
    return row.attempts if row is not None else 0


def private_kind(payload: dict[str, Any]) -> str | None:
    """ "rating" for an update of the democratic rating, whose sender must not be kept with it
    (a rater link's /start rate_<token>, a press on a RaterButton); None for any other."""
    query = payload.get("callback_query")
    if isinstance(query, dict) and str(query.get("data") or "").startswith(
        RaterButton.prefix + ":"
    ):
        return "rating"
    for kind in ("message", "edited_message"):
        message = payload.get(kind)
        if not isinstance(message, dict):
            continue
        words = str(message.get("text") or "").split()
        if len(words) > 1 and words[0].split("@")[0] == "/start":
            if words[1].startswith(RATER_START):
                return "rating"
    return None


async def mark_handled(
    session: AsyncSession,
    update_id: int,
    *,
    error: str | None = None,
    now: datetime | None = None,
    redact: str | None = None,
) -> None:
    """Marks an update as done (with the error that ended it, if any); with `redact` (a
    `private_kind`), its payload becomes a stub that keeps only the update_id."""
    values: dict[str, Any] = {"handled_at": now or datetime.now(UTC), "error": error}
    if redact is not None:
        values["payload"] = {"update_id": update_id, "redacted": redact}
    await session.execute(
        update(InboxUpdate).where(InboxUpdate.update_id == update_id).values(**values)
    )


def request_key(chat_id: int, message_id: int) -> str:
    """The key a row made by handling a message carries (unique): handling the same update again,
    after a crash left it unmarked, finds that row instead of adding another."""
    return f"{chat_id}:{message_id}"


async def purge_handled(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Deletes handled updates older than KEEP_HANDLED (a daily job); returns how many."""
    cutoff = (now or datetime.now(UTC)) - KEEP_HANDLED
    statement = delete(InboxUpdate).where(InboxUpdate.handled_at < cutoff)
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
