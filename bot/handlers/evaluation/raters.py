"""TODO(raters): filled in by the evaluation work."""

from __future__ import annotations

from bot.context import Handlers
from bot.handlers.evaluation.words import Subcommand

SUBCOMMANDS: dict[str, Subcommand] = {}
HANDLERS: Handlers = []
FLOWS: tuple = ()
