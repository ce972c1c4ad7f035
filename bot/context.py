"""The callback context every handler receives: sessions, settings and the speaker's language."""

from __future__ import annotations

from typing import Any, cast

from telegram.ext import Application, BaseHandler, CallbackContext, ExtBot

from bot.settings import Settings
from bot.texts import normalize
from storage.db import Sessions
from storage.people.access import Identity


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to what build_application put into bot_data."""

    @property
    def sessions(self) -> Sessions:
        return cast(Sessions, self.bot_data["sessions"])

    @property
    def settings(self) -> Settings:
        return cast(Settings, self.bot_data["settings"])

    def lang(self, who: Identity | None) -> str:
        """The language to answer `who` in: their choice, else BOT_LANGUAGE."""
        default = self.settings.bot_language
        return normalize(who.language if who else None, default)


XieshangApp = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]

# What each handlers module exports as HANDLERS.
Handlers = list[BaseHandler[Any, Context, Any]]
