"""Spreadsheets sent to the bot: a roster, an enterprise registry or report history, imported
all-or-nothing."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from telegram import Document, Message, Update
from telegram.ext import MessageHandler, filters

from bot.context import Context, Handlers
from bot.guards import guard
from bot.texts import import_problem, t
from storage import imports
from storage.common.spreadsheets import RowError
from storage.people import invites
from storage.people.access import Identity
from storage.people.roster import RosterImport

# Telegram lets bots download files up to 20 MB; bigger ones fail at getFile, so say it first.
MAX_DOWNLOAD = 20 * 1024 * 1024
PROBLEMS_IN_MESSAGE = 30


def problems_csv(lang: str, errors: list[RowError]) -> bytes:
    """Every problem as a CSV that opens in Excel (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(lang, "import.problem", row="#", field="", reason="").strip()])
    for error in errors:
        writer.writerow([import_problem(lang, error)])
    return out.getvalue().encode("utf-8-sig")


async def report_problems(message: Message, lang: str, errors: list[RowError]) -> None:
    """Lists the bad rows in the chat; a long list also comes as a file."""
    lines = [t(lang, "import.failed", count=len(errors))]
    lines += [import_problem(lang, e) for e in errors[:PROBLEMS_IN_MESSAGE]]
    if len(errors) > PROBLEMS_IN_MESSAGE:
        lines.append(t(lang, "import.more", count=len(errors) - PROBLEMS_IN_MESSAGE))
    await message.reply_text("\n".join(lines))
    if len(errors) > PROBLEMS_IN_MESSAGE:
        await message.reply_document(
            problems_csv(lang, errors), filename=t(lang, "import.problems_file")
        )


async def _download(document: Document) -> bytes:
    file = await document.get_file()
    return bytes(await file.download_as_bytearray())


@guard(role="admin", chat="private")
async def receive_spreadsheet(update: Update, context: Context, who: Identity) -> None:
    """Imports a roster (and answers with the invite sheet), a registry or report history."""
    message = update.effective_message
    assert message is not None and message.document is not None
    lang = context.lang(who)
    document = message.document
    if document.file_size and document.file_size > MAX_DOWNLOAD:
        size = f"{document.file_size / 1024 / 1024:.1f}"
        await message.reply_text(t(lang, "upload.too_large", size=size))
        return
    data = await _download(document)
    # Local time: a start date of "today" in Beijing is not in the future just after midnight.
    now = datetime.now(context.settings.tz)
    async with context.sessions.begin() as session:
        imported = await imports.import_file(
            session,
            data,
            document.file_name,
            only_district_id=who.scope_district_id,
            invite_ttl=timedelta(days=context.settings.invite_ttl_days),
            now=now,
        )
        if not imported.result.ok:
            await session.rollback()
    result = imported.result
    if result.file_problem:
        await message.reply_text(t(lang, f"upload.{result.file_problem}"))
        return
    if result.errors:
        await report_problems(message, lang, result.errors)
        return
    counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    if not isinstance(result, RosterImport):
        await message.reply_text(t(lang, f"import.{imported.kind}_ok", **counts))
        return
    summary = t(lang, "import.roster_ok", **counts)
    if not result.invites:
        await message.reply_text(f"{summary}\n{t(lang, 'import.all_bound')}")
        return
    await message.reply_text(
        f"{summary}\n{t(lang, 'import.invites_attached', count=len(result.invites))}"
    )
    sheet = invites.invite_sheet(result.invites, context.bot.username, context.settings.tz)
    await message.reply_document(sheet, filename=t(lang, "import.invites_file"))


HANDLERS: Handlers = [
    # A document captioned /contract is a contract text (bot/handlers/honours), no import.
    MessageHandler(
        filters.Document.ALL & ~filters.CaptionRegex(r"^/contract\b"), receive_spreadsheet
    ),
]
