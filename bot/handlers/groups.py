"""/bindgroup and /unbindgroup in a group (the city, a district, a call-up's team); a binding
follows the group into a supergroup."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import keyboards
from bot.context import Context, Handlers
from bot.guards import answer, guard, refuse_district
from bot.texts import t
from storage.common.buttons import BindButton
from storage.models import GroupScope
from storage.people import districts, groups
from storage.people.access import Identity

logger = logging.getLogger(__name__)


async def _privacy_hint(context: Context, chat_id: int, lang: str) -> str:
    """Says how to let the bot read #走访 posts when privacy mode hides them."""
    me = await context.bot.get_me()
    if me.can_read_all_group_messages:
        return ""
    try:
        member = await context.bot.get_chat_member(chat_id, me.id)
    except TelegramError:
        return "\n\n" + t(lang, "bind.privacy")
    if member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
        return ""
    return "\n\n" + t(lang, "bind.privacy")


async def _bind(
    update: Update,
    context: Context,
    who: Identity,
    scope: GroupScope,
    district: str | None = None,
    district_id: int | None = None,
) -> str | None:
    """Binds the current group after the scope check; returns the answer, None if refused.

    The district is given by name (typed) or by id (a button)."""
    chat = update.effective_chat
    assert chat is not None
    lang = context.lang(who)
    async with context.sessions.begin() as session:
        if scope is GroupScope.DISTRICT:
            names = await districts.district_ids(session)
            if district_id is not None:
                ids = {i: n for n, i in names.items()}
                district = ids.get(district_id, "?")
            found = districts.find_district(names, district or "")
            if found is None:
                return t(lang, "district.unknown", name=district or "", names="、".join(names))
            district_id = names[found]
        group = None
        if who.may_manage(district_id):
            group = await groups.bind_group(
                session,
                chat.id,
                title=chat.title,
                scope=scope,
                district_id=district_id,
                bound_by=who.telegram_id,
            )
    if group is None:  # refused: the sender may not manage that scope
        await answer(
            update, refuse_district(context, who) if who.district_id else t(lang, "refused.not_hq")
        )
        return None
    if group.district is not None:
        text = t(lang, "bind.ok_district", district=group.district.name)
    else:
        text = t(lang, "bind.ok_city")
    return text + await _privacy_hint(context, chat.id, lang)


async def _bind_team(update: Update, context: Context, who: Identity, args: list[str]) -> str:
    """Binds the current group to a call-up's team (HQ only); returns the answer or the refusal."""
    chat = update.effective_chat
    assert chat is not None
    lang = context.lang(who)
    if not who.is_hq:
        return t(lang, "bind.team_hq_only")
    call_up_id = groups.team_id(args[0]) if len(args) == 1 else None
    if call_up_id is None:
        return t(lang, "bind.team_usage")
    async with context.sessions.begin() as session:
        try:
            call_up = await groups.find_team(session, call_up_id)
        except groups.TeamProblem as problem:
            return t(lang, f"bind.team_{problem.code}", id=call_up_id)
        await groups.bind_group(
            session,
            chat.id,
            title=chat.title,
            scope=GroupScope.TEAM,
            district_id=None,
            team_id=call_up.id,
            bound_by=who.telegram_id,
        )
    text = t(lang, "bind.ok_team", id=call_up.id, title=call_up.title)
    return text + await _privacy_hint(context, chat.id, lang)


@guard(role="admin", chat="group")
async def bind_group(update: Update, context: Context, who: Identity) -> None:
    """`/bindgroup city|district <区名>|team <抽调编号>` binds the group; alone, it offers the
    city and districts as buttons."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    args = [a.lower() for a in context.args or []]
    if args[:1] == ["city"] and len(args) == 1:
        text = await _bind(update, context, who, GroupScope.CITY, None)
    elif args[:1] == ["district"] and len(args) == 2:
        text = await _bind(update, context, who, GroupScope.DISTRICT, (context.args or [])[1])
    elif args[:1] == ["team"]:
        text = await _bind_team(update, context, who, args[1:])
    elif not args:
        async with context.sessions() as session:
            names = await districts.district_ids(session)
        options = [(i, n) for n, i in names.items() if who.may_manage(i)]
        await message.reply_text(
            t(lang, "bind.choose"), reply_markup=keyboards.bind_scopes(lang, who.is_hq, options)
        )
        return
    else:
        text = t(lang, "bind.usage")
    if text:
        await message.reply_text(text)


@guard(role="admin", chat="group")
async def press_bind(update: Update, context: Context, who: Identity) -> None:
    """A scope button binds the group, if the presser is an admin of that scope."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pressed = BindButton.unpack(query.data)
    if pressed.scope == "city":
        text = await _bind(update, context, who, GroupScope.CITY)
    else:
        text = await _bind(
            update, context, who, GroupScope.DISTRICT, district_id=pressed.district_id
        )
    if text:
        await query.answer()
        await query.edit_message_text(text)


@guard(role="admin", chat="group")
async def unbind_group(update: Update, context: Context, who: Identity) -> None:
    """Removes the group's binding, if the sender may manage its scope."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    lang = context.lang(who)
    async with context.sessions.begin() as session:
        group = await groups.find_group(session, chat.id)
        if group is None:
            text = t(lang, "unbind.none")
        elif not who.may_manage(group.district_id):
            text = refuse_district(context, who)
        else:
            await groups.unbind_group(session, chat.id)
            text = t(lang, "unbind.ok")
    await message.reply_text(text)


async def follow_migration(update: Update, context: Context) -> None:
    """Moves a group's binding to its new supergroup id (the service message comes twice)."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    async with context.sessions.begin() as session:
        moved = await groups.migrate_group(session, old, new)
    if moved:
        logger.info("group %s became supergroup %s; binding moved", old, new)


HANDLERS: Handlers = [
    CommandHandler("bindgroup", bind_group),
    CommandHandler("unbindgroup", unbind_group),
    CallbackQueryHandler(press_bind, pattern=BindButton.pattern()),
    MessageHandler(filters.StatusUpdate.MIGRATE, follow_migration),
]
