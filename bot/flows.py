"""The one router for text typed in a private chat: it goes to the guided flow the person is in.

Each guided flow registers its step for typed text in bot/app.py (`router.add("report", …)`).
A step runs inside the one transaction of the update, beside the loaded conversation, and
returns the reply; the router sends it after the commit. Text typed while no flow waits for
it, or by someone without a role, goes to the fallback (a pointer to /help).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import Context
from storage.messaging import conversations
from storage.models import Conversation
from storage.people.access import Identity, identify


@dataclass(frozen=True)
class Reply:
    """What a flow answers to a step: a text, maybe with buttons.

    `alert`: to a button press, the text comes as an alert and the message stays as it was."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    alert: bool = False


# A flow's step for typed text: None when the text is not for it (the fallback answers).
Step = Callable[[AsyncSession, Context, Identity, Conversation, str], Awaitable[Reply | None]]
Fallback = Callable[[Update, Context], Awaitable[None]]


class FlowRouter:
    """Hands typed text to the step of the flow in progress, registered by name."""

    def __init__(self, fallback: Fallback) -> None:
        self._steps: dict[str, Step] = {}
        self._fallback = fallback

    def add(self, flow: str, step: Step) -> None:
        """Registers the step that takes text typed while `flow` waits for it."""
        if flow in self._steps:
            raise ValueError(f"flow {flow!r} is registered twice")
        self._steps[flow] = step

    async def route(self, update: Update, context: Context) -> None:
        """One transaction: load the conversation, run its step; then reply, or fall back."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not message.text:
            return
        reply = None
        async with context.sessions.begin() as session:
            conversation = await conversations.load(session, user.id)
            step = self._steps.get(conversation.flow) if conversation is not None else None
            if conversation is not None and step is not None:
                who = await identify(session, user.id, context.settings.hq_admin_ids)
                if who.role is not None:
                    reply = await step(session, context, who, conversation, message.text)
        if reply is None:
            await self._fallback(update, context)
            return
        await message.reply_text(reply.text, reply_markup=reply.markup)

    def handler(self) -> BaseHandler[Any, Context, Any]:
        """The handler for plain text in private chats (commands are not for flows)."""
        return MessageHandler(
            filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, self.route
        )
