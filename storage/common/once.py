"""Rows made once per request: an update handled again after a crash finds what it made.

A handler that creates something passes the chat id and message id of the message that asked
for it as `request_key` (a unique column); the second handling gets the first one's row back.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession


class _Requested(Protocol):
    request_key: Any


Row = TypeVar("Row", bound=_Requested)


async def add_once(session: AsyncSession, row: Row) -> Row:
    """Adds `row`, unless the request behind its `request_key` already made one: that one is
    returned instead, and `row` is dropped."""
    if row.request_key is not None:
        model = type(row)
        query = select(model).where(model.request_key == row.request_key)
        existing = await session.scalar(query)
        if existing is not None:
            return existing
    session.add(row)
    await session.flush()
    return row
