"""/people [区名]: instructors of the admin's scope with whether they have joined, page by page."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.context import Context, Handlers
from bot.guards import answer, guard, named_district, refuse_district
from bot.texts import t
from storage.common.buttons import PeoplePageButton
from storage.people import districts, roster
from storage.people.access import Identity

PAGE_SIZE = 30


async def people_page(
    context: Context, lang: str, district_id: int | None, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the list, with its ◀ ▶ buttons."""
    async with context.sessions() as session:
        total, bound = await roster.count_instructors(session, district_id)
        scope = t(lang, "city")
        if district_id is not None:
            names = {i: n for n, i in (await districts.district_ids(session)).items()}
            scope = names.get(district_id, "?")
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        people = await roster.list_instructors(
            session, district_id, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
    if total == 0:
        return t(lang, "people.empty", scope=scope), None
    lines = [
        t(lang, "people.header", scope=scope, total=total, bound=bound, page=page, pages=pages)
    ]
    for person in people:
        lines.append(
            t(
                lang,
                "people.line",
                name=person.name,
                district=person.district.name,
                level=t(lang, f"level.{person.level}"),
                employment=t(lang, f"employment.{person.employment}"),
                binding=t(lang, "people.bound" if person.telegram_id else "people.unbound"),
            )
        )
    return "\n".join(lines), keyboards.pages(lang, district_id, page, pages)


@guard(role="admin", chat="private")
async def list_people(update: Update, context: Context, who: Identity) -> None:
    """HQ sees the city or a named district; a district admin sees their own district only."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    district_id = who.scope_district_id
    if context.args:
        named = await named_district(context, who, context.args[0])
        if isinstance(named, str):
            await message.reply_text(named)
            return
        district_id = named[0]
    text, markup = await people_page(context, lang, district_id, 1)
    await message.reply_text(text, reply_markup=markup)


@guard(role="admin", chat="private")
async def turn_page(update: Update, context: Context, who: Identity) -> None:
    """◀ ▶ show another page in place, still within the presser's scope."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pressed = PeoplePageButton.unpack(query.data)
    district_id = pressed.district_id or None
    if not who.may_manage(district_id):
        await answer(update, refuse_district(context, who))
        return
    text, markup = await people_page(context, context.lang(who), district_id, pressed.page)
    await query.answer()
    await query.edit_message_text(text, reply_markup=markup)


HANDLERS: Handlers = [
    CommandHandler("people", list_people),
    CallbackQueryHandler(turn_page, pattern=PeoplePageButton.pattern()),
]
