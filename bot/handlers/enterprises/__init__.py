"""/enterprises [区名] [words]: the registry of the admin's scope page by page, or a search of
its names (exact, containing, then close names). HQ sees the city or a named district; a
district admin their own district only."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.context import Context, Handlers
from bot.guards import answer, command_text, guard, refuse_district
from bot.texts import t
from storage.common.buttons import EnterprisePageButton
from storage.enterprises import search
from storage.models import Enterprise
from storage.people import districts
from storage.people.access import Identity

ECHO = 30  # characters of the typed words quoted back at most


def details(lang: str, enterprise: Enterprise) -> str:
    """平谷·兴谷街道·东部｜制造业｜1200 人｜已建会｜集体合同✅ 2024-05-01 签订."""
    place = "·".join(
        part for part in (enterprise.district.name, enterprise.street, enterprise.region) if part
    )
    parts = [place]
    if enterprise.industry:
        parts.append(enterprise.industry)
    if enterprise.employees is not None:
        parts.append(t(lang, "enterprises.employees", count=enterprise.employees))
    union = {True: "yes", False: "no", None: "unknown"}[enterprise.unionized]
    parts.append(t(lang, f"enterprises.union.{union}"))
    if enterprise.contract_signed_on is not None:
        parts.append(
            t(lang, "enterprises.contract.signed", date=enterprise.contract_signed_on.isoformat())
        )
    else:
        contract = {True: "yes", False: "no", None: "unknown"}[enterprise.collective_contract]
        parts.append(t(lang, f"enterprises.contract.{contract}"))
    return "｜".join(parts)


def lines_of(lang: str, enterprises: list[Enterprise], first: int = 1) -> list[str]:
    return [
        t(lang, "enterprises.line", number=number, name=e.name, details=details(lang, e))
        for number, e in enumerate(enterprises, first)
    ]


def page_keyboard(
    lang: str, district_id: int | None, page: int, pages: int
) -> InlineKeyboardMarkup | None:
    """◀ ▶ for the registry's pages; None when it fits one page."""
    row = []
    if page > 1:
        row.append(
            keyboards.button(
                t(lang, "button.prev"), EnterprisePageButton(district_id or 0, page - 1)
            )
        )
    if page < pages:
        row.append(
            keyboards.button(
                t(lang, "button.next"), EnterprisePageButton(district_id or 0, page + 1)
            )
        )
    return InlineKeyboardMarkup([row]) if row else None


async def registry_page(
    context: Context, lang: str, district_id: int | None, scope: str, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the scope's registry with its ◀ ▶ buttons."""
    async with context.sessions() as session:
        shown = await search.registry_page(session, district_id, page)
    if shown.total == 0:
        return t(lang, "enterprises.empty", scope=scope), None
    header = t(
        lang,
        "enterprises.header",
        scope=scope,
        total=shown.total,
        page=shown.page,
        pages=shown.pages,
    )
    first = (shown.page - 1) * search.PAGE_SIZE + 1
    text = "\n".join([header, *lines_of(lang, shown.enterprises, first)])
    return text, page_keyboard(lang, district_id, shown.page, shown.pages)


async def search_text(
    context: Context, lang: str, district_id: int | None, scope: str, words: str
) -> str:
    """The search's answer: the matches best first, or that there are none and the closest."""
    async with context.sessions() as session:
        found = await search.search_enterprises(session, words, district_id)
    echo = words if len(words) <= ECHO else words[:ECHO] + "…"
    if not found.matches:
        lines = [t(lang, "enterprises.none", scope=scope, words=echo)]
        if found.closest:
            lines.append(t(lang, "enterprises.closest"))
            lines.extend(lines_of(lang, found.closest))
        else:
            lines.append(t(lang, "enterprises.hint"))
        return "\n".join(lines)
    lines = [t(lang, "enterprises.found", words=echo, scope=scope, total=found.total)]
    lines.extend(lines_of(lang, found.matches))
    if found.total > len(found.matches):
        lines.append(t(lang, "enterprises.found_more", shown=len(found.matches)))
    return "\n".join(lines)


@guard(role="admin", chat="private")
async def show_enterprises(update: Update, context: Context, who: Identity) -> None:
    """Lists the scope's registry, or searches it when words follow the optional district."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    district_id = who.scope_district_id
    scope = who.district_name or t(lang, "city")
    words = command_text(message).strip()
    first, rest = [*words.split(maxsplit=1), "", ""][:2]
    if first:
        async with context.sessions() as session:
            names = await districts.district_ids(session)
        found = districts.find_district(names, first)
        if found is not None:
            if not who.may_manage(names[found]):
                await message.reply_text(refuse_district(context, who))
                return
            district_id, scope, words = names[found], found, rest.strip()
    if words:
        await message.reply_text(await search_text(context, lang, district_id, scope, words))
        return
    text, markup = await registry_page(context, lang, district_id, scope, 1)
    await message.reply_text(text, reply_markup=markup)


@guard(role="admin", chat="private")
async def turn_page(update: Update, context: Context, who: Identity) -> None:
    """◀ ▶ show another page in place, still within the presser's scope."""
    query = update.callback_query
    assert query is not None and query.data is not None
    pressed = EnterprisePageButton.unpack(query.data)
    district_id = pressed.district_id or None
    if not who.may_manage(district_id):
        await answer(update, refuse_district(context, who))
        return
    lang = context.lang(who)
    scope = t(lang, "city")
    if district_id is not None:
        async with context.sessions() as session:
            names = {i: n for n, i in (await districts.district_ids(session)).items()}
        scope = names.get(district_id, "?")
    text, markup = await registry_page(context, lang, district_id, scope, pressed.page)
    await query.answer()
    await query.edit_message_text(text, reply_markup=markup)


HANDLERS: Handlers = [
    CommandHandler("enterprises", show_enterprises),
    CallbackQueryHandler(turn_page, pattern=EnterprisePageButton.pattern()),
]
FLOWS: tuple = ()
