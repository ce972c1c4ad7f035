"""The subsidy ledger (补贴): /subsidies."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot.context import Handlers
from bot.handlers.subsidies import ledger

HANDLERS: Handlers = [CommandHandler("subsidies", ledger.show_subsidies)]
FLOWS: tuple = ()
