"""TODO(board): filled in by the evaluation work."""

from __future__ import annotations

from bot.context import Handlers
from bot.handlers.evaluation.words import Subcommand

SUBCOMMANDS: dict[str, Subcommand] = {}
HANDLERS: Handlers = []
FLOWS: tuple = ()


async def show(update, context, who, text):  # type: ignore[no-untyped-def]
    """Placeholder: an instructor's own dossier, an admin's progress per district."""
