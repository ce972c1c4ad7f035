"""/districts lists the districts; HQ adds one with `/districts add <名称>`."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import Context, Handlers
from bot.guards import guard
from bot.texts import t
from storage.people import districts
from storage.people.access import Identity


@guard(role="admin", chat="private")
async def manage_districts(update: Update, context: Context, who: Identity) -> None:
    """Lists districts for admins; `add` (HQ only) adds a new one, once."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    args = context.args or []
    if not args:
        async with context.sessions() as session:
            names = [d.name for d in await districts.list_districts(session)]
        await message.reply_text(
            t(lang, "districts.list", count=len(names), names="、".join(names))
        )
        return
    if args[0].lower() != "add" or len(args) != 2:
        await message.reply_text(t(lang, "districts.usage"))
        return
    if not who.is_hq:
        await message.reply_text(t(lang, "refused.not_hq"))
        return
    async with context.sessions.begin() as session:
        before = set(await districts.district_ids(session))
        try:
            district = await districts.add_district(session, args[1])
        except ValueError:
            district = None
    if district is None:
        await message.reply_text(t(lang, "districts.usage"))
        return
    key = "districts.exists" if district.name in before else "districts.added"
    await message.reply_text(t(lang, key, name=district.name))


HANDLERS: Handlers = [CommandHandler("districts", manage_districts)]
