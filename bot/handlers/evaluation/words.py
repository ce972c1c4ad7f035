"""What the /evaluation words share: the shape of a word's handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.context import Context
from storage.people.access import Identity

# A word's handler: (update, context, sender, the rest of the line after the word).
Subcommand = Callable[[Update, Context, Identity, str], Awaitable[None]]
