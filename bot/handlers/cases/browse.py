"""/cases <words> (registered users): the library searched, 10 a page, matches marked; a case
opened in full, its 📎 attachment sent again."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import keyboards
from bot.context import Context
from bot.flows import Reply
from bot.guards import answer, command_text, guard
from bot.handlers.cases.share import author_label, card, case_buttons
from bot.texts import t
from storage.cases import records
from storage.cases.search import Found, mark, recall, remember, search, snippet
from storage.common.buttons import CaseButton, CasesPageButton
from storage.models import Case, District, Instructor
from storage.people.access import Identity

LIST_TITLE = 50  # characters of a title in the list (the whole one when opened)
LIST_INDUSTRY = 20
LIST_TAGS = 3
SHOWN_QUERY = 40


def _shown(query: str) -> str:
    flat = " ".join(query.split())
    return flat if len(flat) <= SHOWN_QUERY else flat[:SHOWN_QUERY] + "…"


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


async def _authors(
    session: AsyncSession, cases: list[Case]
) -> dict[int, tuple[str | None, str | None]]:
    """Each case's author's name and district name, in two queries for the page."""
    instructor_ids = {c.instructor_id for c in cases if c.instructor_id is not None}
    district_ids = {c.district_id for c in cases if c.district_id is not None}
    names: dict[int, str] = {}
    districts: dict[int, str] = {}
    if instructor_ids:
        rows = await session.execute(
            Instructor.__table__.select()
            .with_only_columns(Instructor.id, Instructor.name)
            .where(Instructor.id.in_(instructor_ids))
        )
        names = {row.id: row.name for row in rows}
    if district_ids:
        rows = await session.execute(
            District.__table__.select()
            .with_only_columns(District.id, District.name)
            .where(District.id.in_(district_ids))
        )
        districts = {row.id: row.name for row in rows}
    return {
        c.id: (names.get(c.instructor_id or 0), districts.get(c.district_id or 0)) for c in cases
    }


async def _page(
    session: AsyncSession, lang: str, query: str, found: Found, search_id: int | None
) -> Reply:
    """The text of one page of results and its buttons: one per case, then ◀ ▶."""
    authors = await _authors(session, found.cases)
    words = found.words
    lines = [
        t(
            lang,
            "cases.header",
            query=_shown(query),
            total=found.total,
            page=found.page,
            pages=found.pages,
        )
    ]
    opens: list[InlineKeyboardButton] = []
    first = (found.page - 1) * 10
    for number, case in enumerate(found.cases, start=first + 1):
        tags = case.tags[:LIST_TAGS]
        tag_text = (" " + mark(" ".join(f"#{tag}" for tag in tags), words)) if tags else ""
        lines.append(
            t(
                lang,
                "cases.hit",
                number=number,
                title=mark(_cut(case.title, LIST_TITLE), words),
                industry=_cut(case.industry or t(lang, "case.no_industry"), LIST_INDUSTRY),
                tags=tag_text,
                author=author_label(lang, *authors[case.id]),
                snippet=snippet(case.summary, words),
            )
        )
        opens.append(keyboards.button(str(number), CaseButton(case.id, "open")))
    rows = keyboards.rows_of(opens, 5)
    if search_id is not None and found.pages > 1:
        turn = []
        if found.page > 1:
            turn.append(
                keyboards.button(t(lang, "button.prev"), CasesPageButton(search_id, found.page - 1))
            )
        if found.page < found.pages:
            turn.append(
                keyboards.button(t(lang, "button.next"), CasesPageButton(search_id, found.page + 1))
            )
        rows.append(turn)
    return Reply("\n\n".join(lines), InlineKeyboardMarkup(rows))


@guard(role="registered")
async def find_cases(update: Update, context: Context, who: Identity) -> None:
    """`/cases 工资 协商`: the best matches first, 10 a page."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    query = command_text(message).strip()
    if not query:
        await message.reply_text(t(lang, "cases.ask"))
        return
    async with context.sessions.begin() as session:
        found = await search(session, query)
        if not found.words:
            reply = Reply(t(lang, "cases.no_words", query=_shown(query)))
        elif not found.total:
            reply = Reply(t(lang, "cases.none", query=_shown(query)))
        else:
            search_id = await remember(session, who.telegram_id, query) if found.pages > 1 else None
            reply = await _page(session, lang, query, found, search_id)
    await message.reply_text(reply.text, reply_markup=reply.markup)


@guard(role="registered")
async def turn_page(update: Update, context: Context, who: Identity) -> None:
    """◀ ▶ under a search: the page in place of the one shown."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = CasesPageButton.unpack(query.data)
    async with context.sessions() as session:
        words = await recall(session, pressed.search_id, who.telegram_id)
        if words is None:
            reply = None
        else:
            found = await search(session, words, pressed.page)
            reply = await _page(session, lang, words, found, pressed.search_id)
    if reply is None:
        await answer(update, t(lang, "cases.search_gone"))
        return
    await query.answer()
    await query.edit_message_text(reply.text, reply_markup=reply.markup)


@guard(role="registered")
async def open_case(update: Update, context: Context, who: Identity) -> None:
    """A case's button: the whole case, or its attachment sent again."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = CaseButton.unpack(query.data)
    async with context.sessions() as session:
        case = await session.get(Case, pressed.case_id)
        author = author_label(lang, *await records.author_of(session, case)) if case else ""
    if case is None:
        await answer(update, t(lang, "case.gone"))
        return
    chat_id = query.message.chat.id if query.message is not None else who.telegram_id
    if pressed.action == "file":
        if not case.file_id:
            await answer(update, t(lang, "case.no_file"))
            return
        await query.answer()
        if case.file_name is None:
            await context.bot.send_photo(chat_id, case.file_id, caption=case.title)
        else:
            await context.bot.send_document(chat_id, case.file_id, caption=case.title)
        return
    await query.answer()
    await context.bot.send_message(
        chat_id, card(lang, case, author), reply_markup=case_buttons(lang, case)
    )
