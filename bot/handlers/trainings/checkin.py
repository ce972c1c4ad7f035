"""Check-in at a training: /checkin <code>, /checkin and then the code, or the QR link
(/start ci_<token>, which must come before welcome's /start)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.context import Context, Handlers
from bot.flows import Reply
from bot.guards import command_text, guard
from bot.texts import t
from schedules.callups import voice
from storage.callups.recruiting import Voice
from storage.common.text import fold
from storage.messaging import conversations
from storage.models import Conversation
from storage.people.access import Identity, remember_user
from storage.trainings.checkin import TOKEN_PREFIX, CheckIn, check_in, read_code
from storage.trainings.records import facts

FLOW = "checkin"
CANCEL_WORDS = frozenset({"取消", "cancel"})


def answer_text(lang: str, done: CheckIn, voice: Voice, *, by_link: bool = False) -> str:
    """What the person is told: the training's title and time, or why there was no check-in."""
    if done.outcome == "too_many":
        assert done.at is not None
        return t(lang, "checkin.too_many", at=f"{done.at.astimezone(voice.timezone):%H:%M}")
    if done.outcome == "wrong_code":
        return t(lang, "checkin.wrong_link" if by_link else "checkin.wrong_code")
    if done.training is None:
        return t(lang, "checkin.stranger")
    at = voice.when(done.at) if done.at is not None else ""
    return t(lang, f"checkin.{done.outcome}", at=at, opens=at, **facts(voice, lang, done.training))


def _voice(context: Context) -> Voice:
    settings = context.settings
    return voice(t, settings.bot_language, settings.bot_timezone)


async def _leave_flow(session: AsyncSession, telegram_id: int) -> None:
    """A check-in by command or link ends a /checkin that was waiting for its code."""
    waiting = await conversations.load(session, telegram_id)
    if waiting is not None and waiting.flow == FLOW:
        await conversations.clear(session, telegram_id)


@guard(chat="private")
async def checkin(update: Update, context: Context, who: Identity) -> None:
    """/checkin 123456 checks in; /checkin alone asks for the code."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    typed = command_text(message).strip()
    if who.instructor is None:
        await message.reply_text(t(lang, "checkin.stranger"))
        return
    if not typed:
        async with context.sessions.begin() as session:
            await conversations.save(session, who.telegram_id, flow=FLOW, step="code", data={})
        await message.reply_text(t(lang, "checkin.ask"))
        return
    code = read_code(typed)
    if code is None:
        await message.reply_text(t(lang, "checkin.not_a_code"))
        return
    async with context.sessions.begin() as session:
        await _leave_flow(session, who.telegram_id)
        done = await check_in(session, who.telegram_id, code=code, now=datetime.now(UTC))
    await message.reply_text(answer_text(lang, done, _voice(context)))


@guard(chat="private")
async def checkin_by_link(update: Update, context: Context, who: Identity) -> None:
    """The QR picture's link: /start ci_<token> checks the scanner in."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    token = (context.args or [""])[0].removeprefix(TOKEN_PREFIX)
    async with context.sessions.begin() as session:
        await remember_user(session, user.id, username=user.username, full_name=user.full_name)
        await _leave_flow(session, who.telegram_id)
        done = await check_in(session, who.telegram_id, token=token, now=datetime.now(UTC))
    await message.reply_text(answer_text(context.lang(who), done, _voice(context), by_link=True))


async def take_code(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """The code typed after /checkin (a step of the router)."""
    lang = context.lang(who)
    if fold(text) in CANCEL_WORDS:
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "checkin.flow_cancelled"))
    code = read_code(text)
    if code is None:
        return Reply(t(lang, "checkin.not_a_code"))
    await conversations.clear(session, who.telegram_id)
    done = await check_in(session, who.telegram_id, code=code, now=datetime.now(UTC))
    return Reply(answer_text(lang, done, _voice(context)))


HANDLERS: Handlers = [
    # Before welcome's /start, which would take ci_<token> for an invite code.
    CommandHandler(
        "start", checkin_by_link, filters=filters.Regex(rf"^/start(@\w+)?\s+{TOKEN_PREFIX}")
    ),
    CommandHandler("checkin", checkin),
]

# Guided flows whose typed text the router hands over: (flow name, step).
FLOWS = ((FLOW, take_code),)
