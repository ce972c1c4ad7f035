"""/start (with or without an invite code) and /help."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import Context, Handlers
from bot.guards import guard, who_is
from bot.labels import role_name
from bot.menus import help_lines, publish_chat_menu
from bot.texts import t
from storage.people import invites
from storage.people.access import Identity, remember_user


def help_text(lang: str, who: Identity) -> str:
    """The commands of the speaker's role, one a line."""
    header = "help.admin" if who.is_admin else "help.instructor" if who.role else "help.stranger"
    lines = [t(lang, header), *help_lines(lang, who.role)]
    if who.is_admin:
        lines += ["", t(lang, "help.upload")]
    return "\n".join(lines)


@guard(chat="private")
async def start(update: Update, context: Context, who: Identity) -> None:
    """Greets the sender; with an invite code, binds their account to that instructor first."""
    user = update.effective_user
    message = update.effective_message
    assert user is not None and message is not None
    async with context.sessions.begin() as session:
        await remember_user(session, user.id, username=user.username, full_name=user.full_name)
        redeemed = None
        if context.args:
            redeemed = await invites.redeem(
                session, context.args[0], user.id, now=datetime.now(UTC)
            )
    lang = context.lang(who)
    if redeemed is not None and redeemed.status != "ok":
        name = redeemed.instructor.name if redeemed.instructor else ""
        await message.reply_text(t(lang, f"invite.{redeemed.status}", name=name))
        return
    if redeemed is not None:
        who = await who_is(update, context) or who
        assert who.instructor is not None
        instructor = who.instructor
        greeting = t(
            lang,
            "start.welcome",
            name=instructor.name,
            district=instructor.district.name,
            level=t(lang, f"level.{instructor.level}"),
        )
    elif who.is_admin:
        greeting = t(lang, "start.admin", role=role_name(lang, who))
    elif who.instructor is not None:
        greeting = t(lang, "start.hello", name=who.instructor.name)
    else:
        await message.reply_text(t(lang, "start.stranger"))
        return
    await message.reply_text(f"{greeting}\n\n{help_text(lang, who)}")
    await publish_chat_menu(context.bot, user.id, who.role, lang)


@guard()
async def show_help(update: Update, context: Context, who: Identity) -> None:
    """Lists the commands of the sender's role."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(help_text(context.lang(who), who))


async def point_to_help(update: Update, context: Context) -> None:
    """Unknown commands and stray text in a private chat get a pointer, never silence."""
    who = await who_is(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    if who.role is None:
        key = "refused.stranger"
    elif message.text and message.text.startswith("/"):
        key = "unknown_command"
    else:
        key = "hint.help"
    await message.reply_text(t(context.lang(who), key))


async def answer_stale_button(update: Update, context: Context) -> None:
    """A button no handler knows (an old message's, a flow long gone) is answered, not left
    spinning."""
    query = update.callback_query
    if query is None:
        return
    who = await who_is(update, context)
    await query.answer(t(context.lang(who), "button.stale"), show_alert=True)


HANDLERS: Handlers = [
    CommandHandler("start", start),
    CommandHandler("help", show_help),
]
