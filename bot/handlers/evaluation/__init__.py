"""The annual evaluation (年度考评): /evaluation and its words — open, raters, rate, result,
override — the self-assessment, the democratic rating by one-time links (/start rate_<token>),
and the district's rating.

Each module names the words it answers in SUBCOMMANDS; `/evaluation` alone, or with a word no
module knows, goes to board.show (an instructor's own dossier, an admin's progress).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import Context, Handlers
from bot.guards import command_text, guard
from bot.handlers.evaluation import board, raters, result
from bot.handlers.evaluation.words import Subcommand
from storage.people.access import Identity

SUBCOMMANDS: dict[str, Subcommand] = {
    **board.SUBCOMMANDS,
    **raters.SUBCOMMANDS,
    **result.SUBCOMMANDS,
}


@guard(chat="private")
async def evaluation(update: Update, context: Context, who: Identity) -> None:
    """`/evaluation <word> <rest>` runs the word's handler with the rest of the line."""
    message = update.effective_message
    assert message is not None
    word, _, rest = command_text(message).strip().partition(" ")
    run = SUBCOMMANDS.get(word.lower())
    if run is None:
        await board.show(update, context, who, command_text(message).strip())
        return
    await run(update, context, who, rest.strip())


HANDLERS: Handlers = [
    *raters.HANDLERS,  # first: its /start rate_<token> goes before welcome's /start
    CommandHandler("evaluation", evaluation),
    *board.HANDLERS,
    *result.HANDLERS,
]

# Guided flows whose typed text the router hands over: (flow name, step).
FLOWS = (*board.FLOWS, *raters.FLOWS, *result.FLOWS)
