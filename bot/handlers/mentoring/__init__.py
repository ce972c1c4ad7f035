"""Mentoring (传帮带): /mentor, the sign-off buttons, /mentoring."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import Handlers
from bot.handlers.mentoring import assign, board, signoff
from storage.common.buttons import SignoffButton

HANDLERS: Handlers = [
    CommandHandler("mentor", assign.assign_mentor),
    CommandHandler("mentoring", board.show_mentoring),
    CallbackQueryHandler(signoff.press_signoff, pattern=SignoffButton.pattern()),
]

# Guided flows whose typed text the router hands over: (flow name, step).
FLOWS = ((signoff.REASON_FLOW, signoff.take_reason),)
