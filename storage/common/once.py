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


async def made_by(session: AsyncSession, model: type[Row], request_key: str | None) -> Row | None:
    """The row of `model` that the request `request_key` already made, if any."""
    if request_key is None:
        return None
    return await session.scalar(select(model).where(model.request_key == request_key))
