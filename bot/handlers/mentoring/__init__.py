"""Mentoring (传帮带): /mentor, the sign-off buttons, /mentoring."""

from __future__ import annotations

from bot.context import Handlers

HANDLERS: Handlers = []
FLOWS: tuple = ()
