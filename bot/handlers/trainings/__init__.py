"""Trainings and meetings (培训 / 座谈会): /training, answers with a waiting list, /trainings,
check-in, /breakout."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import Handlers
from bot.handlers.trainings import answers, board, breakout, checkin, create
from storage.common.buttons import (
    LeaveReasonButton,
    SeatButton,
    TrainingButton,
    TrainingStepButton,
)

STATUS_ACTIONS = ("status", "list", "sheet", "move", "cancel", "cancel_yes")

HANDLERS: Handlers = [
    *checkin.HANDLERS,
    *breakout.HANDLERS,
    CommandHandler("training", create.training),
    CommandHandler("trainings", board.list_trainings),
    CallbackQueryHandler(create.press_step, pattern=TrainingStepButton.pattern()),
    *(
        CallbackQueryHandler(create.press_draft, pattern=TrainingButton.pattern(action=action))
        for action in ("send", "drop")
    ),
    *(
        CallbackQueryHandler(board.press_status, pattern=TrainingButton.pattern(action=action))
        for action in STATUS_ACTIONS
    ),
    CallbackQueryHandler(answers.press_seat, pattern=SeatButton.pattern()),
    CallbackQueryHandler(answers.press_reason, pattern=LeaveReasonButton.pattern()),
]

# Guided flows whose typed text the router hands over: (flow name, step).
FLOWS = (
    *checkin.FLOWS,
    (create.FLOW, create.take_text),
    (answers.REASON_FLOW, answers.take_reason),
    (board.MOVE_FLOW, board.take_move),
)
