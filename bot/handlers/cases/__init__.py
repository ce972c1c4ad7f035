"""The case library (经验交流): /case shares a case (guided or one line, a file may come along),
/cases searches it with Chinese word segmentation."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import Handlers
from bot.handlers.cases import browse, share
from storage.common.buttons import CaseButton, CasesPageButton, CaseStepButton

# By group (Application.add_handlers takes either form). Group -1: a file sent at /case's 附件
# step is taken before group 0's spreadsheet uploads would read it as an import; any other file
# passes on.
HANDLERS: dict[int, Handlers] = {
    -1: [MessageHandler(filters.Document.ALL | filters.PHOTO, share.take_file)],
    0: [
        CommandHandler("case", share.share_case),
        CommandHandler("cases", browse.find_cases),
        CallbackQueryHandler(share.press_step, pattern=CaseStepButton.pattern()),
        CallbackQueryHandler(browse.open_case, pattern=CaseButton.pattern()),
        CallbackQueryHandler(browse.turn_page, pattern=CasesPageButton.pattern()),
    ],
}

# Guided flows whose typed text the router hands over: (flow name, step).
FLOWS = ((share.FLOW, share.take_text),)
