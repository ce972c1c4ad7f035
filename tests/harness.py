"""Helpers that make tests read like use: `hq.send("/people")`, `me.press("中文")`.

Updates go through the real `Application.process_update`; the Bot API at the far end of HTTP is
the local stand-in (bot/sandbox/botapi.py), whose recorded calls are what the user would see.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Update

from bot.context import XieshangApp
from bot.sandbox.botapi import BotApiStandIn, Call

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


class Replies(list[str]):
    """What the bot said in one chat while handling one update: texts, files and alerts."""

    def __init__(self, calls: list[Call], alerts: list[str]) -> None:
        super().__init__(
            str(c.params.get("text") or c.params.get("caption") or "")
            for c in calls
            if c.method in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
            and not c.rejected
        )
        self.calls = calls
        self.alerts = alerts
        self.documents: list[tuple[str, bytes]] = [
            c.files["document"]
            for c in calls
            if c.method == "sendDocument" and "document" in c.files and not c.rejected
        ]

    @property
    def text(self) -> str:
        """Everything said, alerts included, as one string (for `in` checks)."""
        return "\n".join([*self, *self.alerts])


@dataclass
class Chat:
    """A chat the tests speak in: a private chat (id = the user's) or a group."""

    id: int
    type: str = "private"
    title: str | None = None

    def as_dict(self, user: dict[str, Any]) -> dict[str, Any]:
        if self.type == "private":
            return {"id": self.id, "type": "private", "first_name": user["first_name"]}
        return {"id": self.id, "type": self.type, "title": self.title or "group"}


@dataclass
class Person:
    """A Telegram user who sends messages, uploads files and presses buttons."""

    world: World
    id: int
    first_name: str
    username: str | None = None
    language_code: str = "zh-hans"
    last_chat: Chat | None = field(default=None, repr=False)

    @property
    def user(self) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username:
            user["username"] = self.username
        return user

    def _message(self, chat: Chat | None, **content: Any) -> dict[str, Any]:
        chat = chat or Chat(self.id)
        self.last_chat = chat
        return {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": chat.as_dict(self.user),
            "from": self.user,
            **content,
        }

    async def send(self, text: str, *, chat: Chat | None = None) -> Replies:
        """Sends a text (a command when it starts with /) and returns the bot's replies there."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self.world.process(
            {"message": self._message(chat, **content)}, chat or Chat(self.id)
        )

    async def upload(
        self,
        content: bytes,
        file_name: str,
        *,
        file_size: int | None = None,
        chat: Chat | None = None,
    ) -> Replies:
        """Sends a document; `file_size` may claim more than the bytes (Telegram's own figure)."""
        file_id = self.world.standin.add_file(content, file_name)
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": file_name,
            "file_size": file_size if file_size is not None else len(content),
        }
        return await self.world.process(
            {"message": self._message(chat, document=document)}, chat or Chat(self.id)
        )

    async def press(self, button: str, *, chat: Chat | None = None) -> Replies:
        """Presses the newest inline button labelled `button` in the chat."""
        chat = chat or self.last_chat or Chat(self.id)
        call, data = self.world.find_button(chat.id, button)
        message = dict(call.result) if isinstance(call.result, dict) else {}
        message.setdefault("chat", chat.as_dict(self.user))
        update = {
            "callback_query": {
                "id": str(next(_update_ids)),
                "from": self.user,
                "chat_instance": str(chat.id),
                "data": data,
                "message": message,
            }
        }
        return await self.world.process(update, chat)


@dataclass
class World:
    """The application under test, its Bot API stand-in, and a way to make people and groups."""

    app: XieshangApp
    standin: BotApiStandIn

    def person(
        self, telegram_id: int, first_name: str = "用户", username: str | None = None
    ) -> Person:
        return Person(self, telegram_id, first_name, username)

    def group(
        self, chat_id: int = -4001, title: str = "西城协商群", supergroup: bool = False
    ) -> Chat:
        return Chat(chat_id, "supergroup" if supergroup else "group", title)

    async def process(self, update: dict[str, Any], chat: Chat) -> Replies:
        """Feeds one update through the real Application and collects what it said in `chat`."""
        update = {"update_id": next(_update_ids), **update}
        before = len(self.standin.calls)
        tasks = asyncio.all_tasks()
        await self.app.process_update(Update.de_json(update, self.app.bot))
        # Handlers registered with block=False run as tasks: wait for what this update started.
        started = asyncio.all_tasks() - tasks - {asyncio.current_task()}
        await asyncio.gather(*started)
        new = self.standin.calls[before:]
        said = [c for c in new if _chat_of(c) == chat.id]
        alerts = [
            str(c.params.get("text"))
            for c in new
            if c.method == "answerCallbackQuery" and c.params.get("text")
        ]
        return Replies(said, alerts)

    def find_button(self, chat_id: int, label: str) -> tuple[Call, str]:
        for call in reversed(self.standin.calls):
            if _chat_of(call) != chat_id:
                continue
            markup = call.params.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if button.get("text") == label and "callback_data" in button:
                        return call, button["callback_data"]
        raise AssertionError(f"no button {label!r} in chat {chat_id}")


def _chat_of(call: Call) -> int | None:
    chat_id = call.params.get("chat_id")
    try:
        return int(chat_id) if chat_id is not None else None
    except (TypeError, ValueError):
        return None
