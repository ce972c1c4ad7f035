"""/me shows one's profile; /lang switches the language."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.context import Context, Handlers
from bot.guards import guard
from bot.labels import role_name
from bot.menus import publish_chat_menu
from bot.texts import normalize, t
from storage.callups import records
from storage.common.buttons import LanguageButton
from storage.models import CallUp, Instructor
from storage.people.access import Identity, set_language
from storage.trainings import attendance
from storage.trainings.attendance import Attended

RECENT_TRAININGS = 5  # trainings listed in /me; the count covers all


def profile_text(lang: str, instructor: Instructor, mentor: str | None) -> str:
    none = t(lang, "none")
    return t(
        lang,
        "me.instructor",
        name=instructor.name,
        level=t(lang, f"level.{instructor.level}"),
        employment=t(lang, f"employment.{instructor.employment}"),
        district=instructor.district.name,
        street=instructor.street or none,
        industries="、".join(instructor.industries or []) or none,
        skills="、".join(instructor.skills or []) or none,
        start_date=instructor.start_date.isoformat() if instructor.start_date else none,
        mentor=mentor or none,
        phone=instructor.phone or none,
        status=t(lang, f"status.{instructor.status}"),
    )


def _callups_text(lang: str, served: list[tuple[CallUp, int | None]]) -> str:
    """The task teams one served in, with HQ's rating once given (for /me)."""
    lines = [t(lang, "callup.me.title", count=len(served))]
    for call_up, rating in served:
        lines.append(
            t(
                lang,
                "callup.me.line",
                id=call_up.id,
                title=call_up.title,
                starts=call_up.starts.isoformat(),
                ends=call_up.ends.isoformat(),
                rating=f"★{rating}" if rating else t(lang, "callup.me.unrated"),
            )
        )
    return "\n".join(lines)


def _trainings_text(lang: str, tz: ZoneInfo, total: int, recent: list[Attended]) -> str:
    """How many trainings one checked in at, and the latest few (for /me)."""
    lines = [t(lang, "attendance.me.title", count=total)]
    for item in recent:
        lines.append(
            t(
                lang,
                "attendance.me.line",
                date=item.starts_at.astimezone(tz).date().isoformat(),
                title=item.title,
                walk_in=t(lang, "attendance.me.walk_in") if item.walk_in else "",
            )
        )
    if total > len(recent):
        lines.append(t(lang, "attendance.me.more", count=total - len(recent)))
    return "\n".join(lines)


@guard(chat="private")
async def show_me(update: Update, context: Context, who: Identity) -> None:
    """Shows the sender's profile: an instructor's record, or an admin's role."""
    assert update.effective_message is not None
    lang = context.lang(who)
    parts = []
    if who.is_admin:
        parts.append(t(lang, "me.admin", role=role_name(lang, who), telegram_id=who.telegram_id))
    if who.instructor is not None:
        mentor = None
        async with context.sessions() as session:
            if who.instructor.mentor_id is not None:
                found = await session.get(Instructor, who.instructor.mentor_id)
                mentor = found.name if found else None
            served = await records.memberships(session, who.instructor.id)
            trained = await attendance.count(session, who.instructor.id)
            recent = await attendance.attended(session, who.instructor.id, limit=RECENT_TRAININGS)
        parts.append(profile_text(lang, who.instructor, mentor))
        if served:
            parts.append(_callups_text(lang, served))
        if trained:
            parts.append(_trainings_text(lang, context.settings.tz, trained, recent))
    if not parts:
        parts.append(t(lang, "me.stranger", telegram_id=who.telegram_id))
    await update.effective_message.reply_text("\n\n".join(parts))


async def _switch(update: Update, context: Context, who: Identity, choice: str) -> str:
    lang = normalize(choice)
    async with context.sessions.begin() as session:
        await set_language(session, who.telegram_id, lang)
    if who.role is not None:
        await publish_chat_menu(context.bot, who.telegram_id, who.role, lang)
    return t(lang, "lang.set")


@guard()
async def switch_language(update: Update, context: Context, who: Identity) -> None:
    """`/lang en|zh` switches at once; `/lang` alone offers two buttons."""
    assert update.effective_message is not None
    choice = (context.args or [""])[0].lower()
    if choice not in ("zh", "en", "zh_cn", "cn", "中文", "english"):
        markup = keyboards.languages()
        if context.args:
            await update.effective_message.reply_text(t(context.lang(who), "lang.usage"))
        await update.effective_message.reply_text(t("zh_CN", "lang.choose"), reply_markup=markup)
        return
    choice = "en" if choice in ("en", "english") else "zh"
    await update.effective_message.reply_text(await _switch(update, context, who, choice))


@guard()
async def press_language(update: Update, context: Context, who: Identity) -> None:
    """A language button switches and replaces the buttons with the confirmation."""
    query = update.callback_query
    assert query is not None and query.data is not None
    text = await _switch(update, context, who, LanguageButton.unpack(query.data).code)
    await query.answer()
    await query.edit_message_text(text)


HANDLERS: Handlers = [
    CommandHandler("me", show_me),
    CommandHandler("lang", switch_language),
    CallbackQueryHandler(press_language, pattern=LanguageButton.pattern()),
]
