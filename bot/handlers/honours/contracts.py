"""/contract: collective contract texts uploaded as files (the caption `/contract 企业名称`),
listed with a button that sends each back, and marked featured (特色) with a reward."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot import keyboards
from bot.context import Context
from bot.flows import Reply
from bot.guards import answer, command_text, guard
from bot.handlers.honours.common import find_enterprise, read_amount, take_reward, this_year
from bot.texts import t
from storage.common.buttons import ContractTextButton
from storage.honours import records
from storage.honours.amounts import yuan
from storage.models import ContractText, Enterprise
from storage.people.access import Identity

# A document whose caption is this command is a contract text (bot/handlers/uploads.py leaves
# such documents alone).
CAPTION = re.compile(r"^/contract(?:@\w+)?(?:\s|$)")
FEATURED_WORDS = frozenset({"特色", "featured"})


def _file(lang: str, text: ContractText) -> str:
    return text.file_name or t(lang, "honours.contract.unnamed")


async def _listing(session: AsyncSession, lang: str, enterprise: Enterprise) -> Reply:
    texts = await records.contract_texts(session, enterprise.id)
    if not texts:
        return Reply(t(lang, "honours.contract.none", name=enterprise.name))
    lines = [t(lang, "honours.contract.header", name=enterprise.name)]
    buttons = []
    for i, text in enumerate(texts, 1):
        featured = ""
        if text.featured:
            featured = (
                t(lang, "honours.contract.featured_reward", amount=yuan(text.reward))
                if text.reward is not None
                else t(lang, "honours.contract.featured_mark")
            )
        lines.append(
            t(
                lang,
                "honours.contract.line",
                i=i,
                file=_file(lang, text),
                year=text.year,
                featured=featured,
            )
        )
        label = t(lang, "honours.contract.get", i=i)
        buttons.append(keyboards.button(label, ContractTextButton(text.id, "get")))
    return Reply("\n".join(lines), InlineKeyboardMarkup(keyboards.rows_of(buttons, 3)))


async def _contract(session: AsyncSession, context: Context, who: Identity, text: str) -> Reply:
    lang = context.lang(who)
    text, typed = take_reward(text)
    words = text.split()
    featured = any(word.casefold() in FEATURED_WORDS for word in words) or typed is not None
    name = " ".join(word for word in words if word.casefold() not in FEATURED_WORDS)
    if not name:
        return Reply(t(lang, "honours.usage.contract"))
    reward, problem = read_amount(lang, typed)
    if problem is not None:
        return Reply(problem)
    found = await find_enterprise(session, lang, who, name)
    if found.enterprise is None:
        assert found.refusal is not None
        return Reply(found.refusal)
    enterprise = found.enterprise
    if not featured:
        return await _listing(session, lang, enterprise)
    texts = await records.contract_texts(session, enterprise.id)
    if not texts:
        return Reply(t(lang, "honours.contract.none", name=enterprise.name))
    newest = texts[0]
    await records.feature(session, newest, reward=reward, by=who.telegram_id, now=datetime.now(UTC))
    part = t(lang, "honours.accept.reward_part", amount=yuan(reward)) if reward is not None else ""
    return Reply(
        t(
            lang,
            "honours.contract.featured",
            name=enterprise.name,
            file=_file(lang, newest),
            reward=part,
        )
    )


@guard(role="admin", chat="private")
async def contract(update: Update, context: Context, who: Identity) -> None:
    """`/contract <enterprise>` lists its texts; `… 特色 奖励:5000` features the newest."""
    message = update.effective_message
    assert message is not None
    async with context.sessions.begin() as session:
        reply = await _contract(session, context, who, command_text(message).strip())
    await message.reply_text(reply.text, reply_markup=reply.markup)


@guard(role="admin", chat="private")
async def upload_contract(update: Update, context: Context, who: Identity) -> None:
    """A document with the caption `/contract <enterprise>` is kept as its contract text."""
    message = update.effective_message
    assert message is not None and message.document is not None
    lang = context.lang(who)
    name = CAPTION.sub("", message.caption or "").strip()
    if not name:
        await message.reply_text(t(lang, "honours.usage.contract"))
        return
    async with context.sessions.begin() as session:
        found = await find_enterprise(session, lang, who, name)
        if found.enterprise is not None:
            document = message.document
            kept = await records.add_contract_text(
                session,
                found.enterprise,
                year=this_year(context),
                file_id=document.file_id,
                file_name=document.file_name,
                by=who.telegram_id,
                now=datetime.now(UTC),
            )
            reply = t(
                lang, "honours.contract.saved", name=found.enterprise.name, file=_file(lang, kept)
            )
        else:
            assert found.refusal is not None
            reply = found.refusal
    await message.reply_text(reply)


@guard(role="admin", chat="private")
async def press_contract(update: Update, context: Context, who: Identity) -> None:
    """📄 取回 sends the contract text's file back."""
    query = update.callback_query
    message = update.effective_message
    assert query is not None and query.data is not None and message is not None
    lang = context.lang(who)
    pressed = ContractTextButton.unpack(query.data)
    async with context.sessions() as session:
        text = await session.get(ContractText, pressed.contract_id)
        enterprise = await session.get(Enterprise, text.enterprise_id) if text else None
    if text is None or enterprise is None or not text.file_id:
        await answer(update, t(lang, "honours.contract.gone"))
        return
    if not who.may_manage(enterprise.district_id):
        await answer(update, t(lang, "refused.other_district", district=who.district_name or ""))
        return
    await query.answer()
    await message.reply_document(
        text.file_id, caption=t(lang, "honours.contract.caption", name=enterprise.name)
    )
