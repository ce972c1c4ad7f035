"""/invite <name> [区名]: a fresh single-use invite link for one instructor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.context import Context, Handlers
from bot.guards import answer, guard, refuse_district
from bot.texts import t
from storage.common.buttons import InviteButton
from storage.models import Instructor
from storage.people import districts, invites, roster
from storage.people.access import Identity


async def _issue(context: Context, who: Identity, instructor: Instructor) -> str:
    """Issues the invite and words the answer (or why none was issued)."""
    lang = context.lang(who)
    if not who.may_manage(instructor.district_id):
        return refuse_district(context, who)
    if instructor.telegram_id is not None:
        return t(lang, "invite.bound_already", name=instructor.name)
    ttl = timedelta(days=context.settings.invite_ttl_days)
    async with context.sessions.begin() as session:
        invite = await invites.issue_invite(
            session, await session.merge(instructor), ttl=ttl, now=datetime.now(UTC)
        )
    expires = invites.aware(invite.expires_at).astimezone(context.settings.tz)
    return t(
        lang,
        "invite.issued",
        name=instructor.name,
        district=instructor.district.name,
        code=invite.code,
        link=invites.invite_link(context.bot.username, invite.code),
        expires=expires.strftime("%Y-%m-%d"),
    )


@guard(role="admin", chat="private")
async def issue_invite(update: Update, context: Context, who: Identity) -> None:
    """Finds the instructor by name (and district); several matches are offered as buttons."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    args = context.args or []
    if not args or len(args) > 2:
        await message.reply_text(t(lang, "invite.usage"))
        return
    name = args[0]
    refusal, matches = None, []
    async with context.sessions() as session:
        district_id = who.scope_district_id
        if len(args) == 2:
            names = await districts.district_ids(session)
            found = districts.find_district(names, args[1])
            if found is None:
                refusal = t(lang, "district.unknown", name=args[1], names="、".join(names))
            elif not who.may_manage(names[found]):
                refusal = refuse_district(context, who)
            else:
                district_id = names[found]
        if refusal is None:
            matches = await roster.find_instructors(session, name, district_id)
    if refusal is not None:
        await message.reply_text(refusal)
        return
    if not matches:
        await message.reply_text(t(lang, "invite.not_found", name=name))
    elif len(matches) == 1:
        await message.reply_text(await _issue(context, who, matches[0]))
    else:
        options = [(m.id, f"{m.name}（{m.district.name}）") for m in matches]
        await message.reply_text(
            t(lang, "invite.choose", name=name), reply_markup=keyboards.choose_instructor(options)
        )


@guard(role="admin", chat="private")
async def press_invite(update: Update, context: Context, who: Identity) -> None:
    """Choosing one of several namesakes issues their invite."""
    query = update.callback_query
    assert query is not None and query.data is not None
    async with context.sessions() as session:
        instructor = await session.get(Instructor, InviteButton.unpack(query.data).instructor_id)
    if instructor is None:
        await answer(update, t(context.lang(who), "invite.not_found", name="?"))
        return
    await query.answer()
    await query.edit_message_text(await _issue(context, who, instructor))


HANDLERS: Handlers = [
    CommandHandler("invite", issue_invite),
    CallbackQueryHandler(press_invite, pattern=InviteButton.pattern()),
]
