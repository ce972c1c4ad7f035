"""Long answers in as few messages as Telegram takes (4,096 characters, counted as Telegram
counts them), cut between lines — and a line too long for one message after a separator, or
anywhere if it has none. /dispatch, /breakout's table and /mentoring use it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from storage.messaging.notices import TEXT_LIMIT, telegram_length


def _pieces(line: str, limit: int, separator: str) -> Iterator[str]:
    """A line too long for one message, cut after a separator (or anywhere, if it has none)."""
    while telegram_length(line) > limit:
        cut = limit
        while telegram_length(line[:cut]) > limit:
            cut -= 1
        at = line.rfind(separator, 0, cut) if separator else -1
        end = at + len(separator) if at > 0 else cut
        yield line[:end]
        line = line[end:]
    yield line


def split_messages(lines: Sequence[str], separator: str = "", limit: int = TEXT_LIMIT) -> list[str]:
    """`lines` packed into as few messages as Telegram takes, cut between lines where it can."""
    messages: list[str] = []
    current = ""
    for line in lines:
        for piece in _pieces(line, limit, separator):
            joined = f"{current}\n{piece}" if current else piece
            if current and telegram_length(joined) > limit:
                messages.append(current)
                joined = piece
            current = joined
    if current.strip():
        messages.append(current)
    return messages
