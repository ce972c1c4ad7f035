"""/subsidies [year] [区名]: the year's allowances, the district's and the city's shares, and the
.xlsx of them, for admins in their scope."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.context import Context
from bot.guards import guard, named_district
from bot.texts import t
from storage.people.access import Identity
from storage.subsidies import ledger as ledgers
from storage.subsidies.ledger import Ledger


def yuan(amount: int) -> str:
    """An amount of yuan as the answer writes it: 66,720."""
    return f"{amount:,}"


def ledger_text(lang: str, ledger: Ledger, scope: str) -> str:
    """The chat's summary: the totals, each district's when the city is asked, what is left out."""
    lines = [t(lang, "subsidies.header", year=ledger.year, scope=scope)]
    if not ledger.rows:
        lines = [t(lang, "subsidies.none", year=ledger.year, scope=scope)]
    else:
        totals = ledger.totals
        lines.append(
            t(
                lang,
                "subsidies.total",
                instructors=totals.instructors,
                total=yuan(totals.total),
                district_part=yuan(totals.district_part),
                city_part=yuan(totals.city_part),
            )
        )
        if ledger.district is None:
            lines.append(t(lang, "subsidies.districts"))
            lines += [
                t(
                    lang,
                    "subsidies.district_line",
                    district=total.district,
                    instructors=total.instructors,
                    total=yuan(total.total),
                    district_part=yuan(total.district_part),
                    city_part=yuan(total.city_part),
                )
                for total in ledger.districts
            ]
    if ledger.without_share:
        lines.append(t(lang, "subsidies.without_share", count=ledger.without_share))
    if ledger.without_allowance:
        lines.append(t(lang, "subsidies.without_allowance", count=ledger.without_allowance))
    if ledger.ended:
        lines.append(t(lang, "subsidies.ended", count=ledger.ended))
    if ledger.not_started:
        lines.append(t(lang, "subsidies.not_started", count=ledger.not_started, year=ledger.year))
    if ledger.rows:
        lines.append(t(lang, "subsidies.rules"))
    return "\n".join(lines)


async def read_request(
    context: Context, who: Identity, words: list[str]
) -> tuple[int, int | None, str] | str:
    """(year, district id or None for the city, the scope's name) that `[year] [区名]` asks
    for in the sender's scope, or the refusal to send."""
    lang = context.lang(who)
    year_words = [word for word in words if any(char.isdigit() for char in word)]
    district_words = [word for word in words if word not in year_words]
    if len(year_words) > 1:
        return t(lang, "subsidies.usage")
    year = datetime.now(context.settings.tz).year
    if year_words:
        asked = ledgers.parse_year(year_words[0])
        if asked is None:
            return t(
                lang,
                "subsidies.bad_year",
                value=year_words[0],
                first=ledgers.FIRST_YEAR,
                last=ledgers.LAST_YEAR,
            )
        year = asked
    district_id = who.scope_district_id
    label = who.district_name if district_id is not None else t(lang, "city")
    if district_words:
        named = await named_district(context, who, " ".join(district_words))
        if isinstance(named, str):
            return named
        district_id, label = named
    return year, district_id, label or ""


@guard(role="admin", chat="private")
async def show_subsidies(update: Update, context: Context, who: Identity) -> None:
    """The year's ledger in the sender's scope: a summary, and the .xlsx when anyone counts."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    asked = await read_request(context, who, context.args or [])
    if isinstance(asked, str):
        await message.reply_text(asked)
        return
    year, district_id, scope = asked
    async with context.sessions() as session:
        ledger = await ledgers.compute_ledger(session, year, district_id)
    await message.reply_text(ledger_text(lang, ledger, scope))
    if ledger.rows:
        # Its own message: sixteen districts' lines may outgrow a caption's 1,024 characters.
        await message.reply_document(
            ledgers.ledger_sheet(ledger),
            filename=t(lang, "subsidies.file", year=year, scope=scope),
            caption=t(lang, "subsidies.header", year=year, scope=scope),
        )
