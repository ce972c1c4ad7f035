"""/breakout <training id> <k>: the checked-in attendees in k groups for mock negotiation;
each member is told in private (through the outbox), the sender gets the whole table."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CommandHandler

from bot.chunks import split_messages
from bot.context import Context, Handlers
from bot.guards import guard
from bot.labels import speaker
from bot.texts import t
from schedules.jobs import wake_sender
from storage.callups.recruiting import Voice
from storage.common.text import number
from storage.people.access import Identity
from storage.trainings import breakout as breakouts
from storage.trainings.breakout import EMPLOYER, WORKER, Breakout, Refusal


def read_number(text: str) -> int | None:
    """`12`, `#12`, `十二`, `-1` as a number; None for anything else."""
    text = text.strip().lstrip("#＃")
    if text[:1] in ("-", "－"):
        rest = number(text[1:])
        return -rest if rest is not None else None
    return number(text)


def table_lines(lang: str, voice: Voice, done: Breakout) -> list[str]:
    """The whole split: a headline, then each group with its members, sides and lead."""
    training = done.training
    lines = [
        t(lang, "breakout.table", id=training.id, title=training.title, count=done.attendees,
          groups=len(done.groups), round=done.round)
    ]  # fmt: skip
    for group in done.groups:
        sides = [member.side for member in group.members]
        lines.append("")
        lines.append(
            t(lang, "breakout.group", number=group.number, size=len(group.members),
              workers=sides.count(WORKER), employers=sides.count(EMPLOYER))
        )  # fmt: skip
        for member in group.members:
            person = member.attendee
            lines.append(
                t(lang, "breakout.table.line", name=person.name, district=person.district,
                  level=t(lang, f"level.{person.level}"),
                  employment=t(lang, f"employment.{person.employment}"),
                  role=breakouts.role_text(voice, lang, member))
            )  # fmt: skip
    lines.append("")
    lines.append(t(lang, "breakout.told", count=done.told))
    if done.untold:
        lines.append(t(lang, "breakout.untold", names="、".join(done.untold)))
    lines.append(t(lang, "breakout.replaced"))
    return lines


@guard(role="admin", chat="private")
async def breakout(update: Update, context: Context, who: Identity) -> None:
    """`/breakout 12 4` splits training #12's checked-in attendees into 4 groups."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    args = context.args or []
    if len(args) != 2:
        await message.reply_text(t(lang, "breakout.usage"))
        return
    training_id, k = (read_number(arg) for arg in args)
    if training_id is None or k is None:
        bad = args[0] if training_id is None else args[1]
        await message.reply_text(t(lang, "breakout.bad_number", value=bad))
        return
    voice = speaker(context)
    async with context.sessions.begin() as session:
        done = await breakouts.run(session, training_id, k, who, voice, now=datetime.now(UTC))
    if isinstance(done, Refusal):
        await message.reply_text(t(lang, f"breakout.{done.code}", **done.values))
        return
    wake_sender(context)
    for text in split_messages(table_lines(lang, voice, done)):
        await message.reply_text(text)


HANDLERS: Handlers = [CommandHandler("breakout", breakout)]
