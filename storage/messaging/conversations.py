"""Guided flows in progress (the /report buttons), one per Telegram account, in the database.

Kept in a table rather than in memory so a flow survives a bot restart; one untouched for
STALE_AFTER counts as abandoned.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.times import aware
from storage.db import dialect_insert
from storage.models import Conversation

STALE_AFTER = timedelta(days=1)


def _now(now: datetime | None) -> datetime:
    return aware(now) if now is not None else datetime.now(UTC)


async def load(
    session: AsyncSession, telegram_id: int, *, now: datetime | None = None
) -> Conversation | None:
    """The account's flow in progress, or None if there is none or it is stale."""
    conversation = await session.get(Conversation, telegram_id, populate_existing=True)
    if conversation is None or _now(now) - aware(conversation.updated_at) > STALE_AFTER:
        return None
    return conversation


async def save(
    session: AsyncSession,
    telegram_id: int,
    *,
    flow: str,
    step: str,
    data: dict[str, Any],
    now: datetime | None = None,
) -> Conversation:
    """Starts or moves on the account's flow; `data` (JSON-safe) replaces what it held."""
    values = {
        "telegram_id": telegram_id,
        "flow": flow,
        "step": step,
        "data": dict(data),
        "updated_at": _now(now),
    }
    # An upsert: two updates of one account handled at once must not both try to insert.
    statement = dialect_insert(session)(Conversation).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[Conversation.telegram_id],
        set_={name: statement.excluded[name] for name in ("flow", "step", "data", "updated_at")},
    )
    await session.execute(statement)
    return await session.get_one(Conversation, telegram_id, populate_existing=True)


async def clear(session: AsyncSession, telegram_id: int) -> None:
    """Ends the account's flow, finished or cancelled."""
    await session.execute(delete(Conversation).where(Conversation.telegram_id == telegram_id))


async def purge_stale(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Deletes abandoned flows (for a daily job); returns how many."""
    cutoff = _now(now) - STALE_AFTER
    statement = delete(Conversation).where(Conversation.updated_at < cutoff)
    # Not evaluated in Python: SQLite hands back naive times that do not compare with aware.
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
