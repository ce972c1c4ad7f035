"""Call-ups (抽调 / 集中攻关): /callup, the invitations' answers, /callups, ratings."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import Handlers
from bot.handlers.callups import answers, board, create, ratings
from storage.common.buttons import (
    CallUpButton,
    DeclineReasonButton,
    InvitationButton,
    RatingButton,
)

DRAFT_ACTIONS = ("send", "drop", "more", "less", "cap_more", "cap_less")
STATUS_ACTIONS = ("status", "add", "cancel", "cancel_yes")

HANDLERS: Handlers = [
    CommandHandler("callup", create.callup),
    CommandHandler("callups", board.list_callups),
    *(
        CallbackQueryHandler(create.press_draft, pattern=CallUpButton.pattern(action=action))
        for action in DRAFT_ACTIONS
    ),
    *(
        CallbackQueryHandler(board.press_status, pattern=CallUpButton.pattern(action=action))
        for action in STATUS_ACTIONS
    ),
    CallbackQueryHandler(ratings.press_rate, pattern=CallUpButton.pattern(action="rate")),
    CallbackQueryHandler(ratings.press_score, pattern=RatingButton.pattern()),
    CallbackQueryHandler(answers.press_invitation, pattern=InvitationButton.pattern()),
    CallbackQueryHandler(answers.press_reason, pattern=DeclineReasonButton.pattern()),
]

# Guided flows whose typed text the router hands over: (flow name, step).
FLOWS = (
    (create.FLOW, create.take_text),
    (answers.REASON_FLOW, answers.take_reason),
    (ratings.COMMENT_FLOW, ratings.take_comment),
)
