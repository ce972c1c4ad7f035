"""Model enterprises (示范企业) and rewards: /quota, /model, /accept, /contract, /quotas and
/rewards."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import Handlers
from bot.handlers.honours import contracts, figures, nominate
from storage.common.buttons import ContractTextButton

HANDLERS: Handlers = [
    CommandHandler("quota", nominate.set_quota),
    CommandHandler("model", nominate.nominate),
    CommandHandler("accept", nominate.accept),
    CommandHandler("contract", contracts.contract),
    CommandHandler("quotas", figures.show_quotas),
    CommandHandler("rewards", figures.show_rewards),
    MessageHandler(
        filters.Document.ALL & filters.CaptionRegex(contracts.CAPTION), contracts.upload_contract
    ),
    CallbackQueryHandler(contracts.press_contract, pattern=ContractTextButton.pattern()),
]
FLOWS: tuple = ()
