"""Progress reports in four flows: the guided /report (guided.py), the one-line /report
(line.py), a #走访 post in a bound group (group.py), and /myreports to edit or delete (mine.py).

The guided flow and the edit take typed text through the router: bot/app.py registers
`guided.take_text` and `mine.take_line` under their flow names.
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import Handlers
from bot.handlers.reports import group, guided, line, mine
from storage.common.buttons import MyReportButton, ReportLinkButton, ReportStepButton

HANDLERS: Handlers = [
    CommandHandler("report", line.report),
    CommandHandler("myreports", mine.my_reports),
    CallbackQueryHandler(guided.press, pattern=ReportStepButton.pattern()),
    CallbackQueryHandler(line.link_enterprise, pattern=ReportLinkButton.pattern()),
    CallbackQueryHandler(mine.press_edit, pattern=MyReportButton.pattern(action="edit")),
    CallbackQueryHandler(mine.press_delete, pattern=MyReportButton.pattern(action="delete")),
    CallbackQueryHandler(mine.press_erase, pattern=MyReportButton.pattern(action="erase")),
    MessageHandler(
        filters.ChatType.GROUPS & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND,
        group.record_group_report,
    ),
]
