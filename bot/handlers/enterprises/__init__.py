"""TODO(enterprises): filled in by issue 14's work."""

from __future__ import annotations

from bot.context import Handlers

HANDLERS: Handlers = []
FLOWS: tuple = ()
