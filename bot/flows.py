"""Guided flows other than /report register here what to do with the text typed at their step.

/report's handler for plain private text (bot/handlers/reports.py) is the one entry for typed
text; it hands a conversation of another flow to the continuation registered for that flow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.context import Context
from storage.models import Conversation
from storage.people.access import Identity

Continuation = Callable[[Update, Context, Identity, Conversation], Awaitable[None]]

CONTINUATIONS: dict[str, Continuation] = {}


def continues(flow: str) -> Callable[[Continuation], Continuation]:
    """Registers the function that takes text typed while `flow` waits for it."""

    def register(function: Continuation) -> Continuation:
        CONTINUATIONS[flow] = function
        return function

    return register
