"""/case (registered users): share a case, step by step or in one line; a file may come along."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot import keyboards
from bot.context import Context
from bot.flows import Reply
from bot.guards import answer, command_text, guard, who_is
from bot.texts import t
from storage.cases import records
from storage.cases.records import CaseDraft, CaseProblem
from storage.common.buttons import CaseButton, CaseStepButton
from storage.messaging import conversations
from storage.models import Case, Conversation
from storage.people.access import Identity

FLOW = "case"
STEPS = ("title", "industry", "summary", "tags", "file", "confirm")
INDUSTRIES = (
    "制造业",
    "建筑业",
    "批发零售",
    "餐饮住宿",
    "交通物流",
    "信息技术",
    "金融保险",
    "教育",
    "医疗卫生",
    "物业服务",
)
SKIP_WORDS = frozenset({"跳过", "skip", "-", "无", "没有"})
SAVE_WORDS = frozenset({"保存", "确认", "save", "ok"})
CANCEL_WORDS = frozenset({"取消", "cancel", "/cancel"})


def problem_text(lang: str, problem: CaseProblem) -> str:
    return "⚠️ " + t(lang, f"case.problem.{problem.code}", **problem.values)


def card(lang: str, case: Case | CaseDraft, author: str) -> str:
    """The whole case as shown when opened or confirmed."""
    tags = t(lang, "case.card.tags", tags=" ".join(f"#{tag}" for tag in case.tags))
    text = t(
        lang,
        "case.card",
        title=case.title,
        industry=case.industry or t(lang, "case.no_industry"),
        tags=tags if case.tags else "",
        author=author,
        summary=case.summary,
    )
    if case.file_id:
        text += t(lang, "case.card.file", name=case.file_name or "🖼")
    return text


def author_label(lang: str, name: str | None, district: str | None) -> str:
    return " · ".join(part for part in (name, district) if part) or t(lang, "case.unknown_author")


def case_buttons(lang: str, case: Case) -> InlineKeyboardMarkup | None:
    if not case.file_id:
        return None
    return InlineKeyboardMarkup(
        [[keyboards.button(t(lang, "case.button.file"), CaseButton(case.id, "file"))]]
    )


def _ask(lang: str, step: str) -> Reply:
    """The question of a step, with buttons where a press beats typing."""
    rows: list[list[InlineKeyboardButton]] = []
    if step == "industry":
        industries = [
            keyboards.button(name, CaseStepButton("industry", index))
            for index, name in enumerate(INDUSTRIES)
        ]
        rows.extend(keyboards.rows_of(industries, 3))
    if step in ("tags", "file"):
        rows.append([keyboards.button(t(lang, "case.button.skip"), CaseStepButton("skip"))])
    return Reply(t(lang, f"case.ask.{step}"), InlineKeyboardMarkup(rows) if rows else None)


def _draft(data: dict[str, Any]) -> CaseDraft:
    return CaseDraft(
        title=data["title"],
        industry=data.get("industry"),
        summary=data["summary"],
        tags=list(data.get("tags") or []),
        file_id=data.get("file_id"),
        file_name=data.get("file_name"),
    )


def _author(who: Identity) -> tuple[int | None, int | None, str | None, str | None]:
    """Instructor id, district id, name and district name of the speaker."""
    instructor = who.instructor
    if instructor is not None:
        district = instructor.district.name if instructor.district else None
        return instructor.id, instructor.district_id, instructor.name, district
    return None, who.district_id, None, who.district_name


def _preview(lang: str, who: Identity, data: dict[str, Any]) -> Reply:
    _, _, name, district = _author(who)
    text = t(
        lang, "case.preview", card=card(lang, _draft(data), author_label(lang, name, district))
    )
    buttons = [
        keyboards.button(t(lang, "case.button.save"), CaseStepButton("save")),
        keyboards.button(t(lang, "case.button.drop"), CaseStepButton("drop")),
    ]
    return Reply(text, InlineKeyboardMarkup([buttons]))


async def _store(session: AsyncSession, lang: str, who: Identity, draft: CaseDraft) -> Reply:
    """Stores the case (its limits checked once more) and words the confirmation."""
    instructor_id, district_id, name, district = _author(who)
    case = await records.add(
        session,
        draft,
        author_telegram_id=who.telegram_id,
        instructor_id=instructor_id,
        district_id=district_id,
        now=datetime.now(UTC),
    )
    text = (
        t(lang, "case.saved", id=case.id)
        + "\n\n"
        + card(lang, case, author_label(lang, name, district))
    )
    return Reply(text, case_buttons(lang, case))


def _read(step: str, text: str) -> Any:
    if step == "title":
        return records.read_title(text)
    if step == "industry":
        return records.read_industry(text)
    if step == "summary":
        return records.read_summary(text)
    return records.read_tags(text)


async def _advance(
    session: AsyncSession, lang: str, who: Identity, conversation: Conversation, typed: str
) -> Reply:
    """Takes one answer (typed or pressed) and asks the next question, or saves."""
    step, data = conversation.step, dict(conversation.data)
    word = typed.strip().casefold()
    if word in CANCEL_WORDS:
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "case.cancelled"))
    if step == "confirm":
        if word not in SAVE_WORDS:
            return _preview(lang, who, data)
        await conversations.clear(session, who.telegram_id)
        return await _store(session, lang, who, _draft(data))
    if step == "file":
        if word not in SKIP_WORDS:
            asked = _ask(lang, "file")
            return Reply(t(lang, "case.ask.file_again"), asked.markup)
    elif step == "tags" and word in SKIP_WORDS:
        data["tags"] = []
    else:
        try:
            data[step] = _read(step, typed)
        except CaseProblem as problem:
            asked = _ask(lang, step)
            return Reply(problem_text(lang, problem) + "\n" + asked.text, asked.markup)
    following = STEPS[STEPS.index(step) + 1]
    await conversations.save(session, who.telegram_id, flow=FLOW, step=following, data=data)
    return _preview(lang, who, data) if following == "confirm" else _ask(lang, following)


@guard(role="registered", chat="private")
async def share_case(update: Update, context: Context, who: Identity) -> None:
    """`/case 标题 | 行业 | 摘要 | 标签` stores a case; `/case` alone asks step by step."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    line = command_text(message).strip()
    async with context.sessions.begin() as session:
        if not line:
            await conversations.save(session, who.telegram_id, flow=FLOW, step="title", data={})
            reply = _ask(lang, "title")
        else:
            try:
                reply = await _store(session, lang, who, records.parse_line(line))
            except CaseProblem as problem:
                reply = Reply(problem_text(lang, problem))
    await message.reply_text(reply.text, reply_markup=reply.markup)


async def take_text(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """An answer typed in the guided /case (a step of the router)."""
    return await _advance(session, context.lang(who), who, conversation, text)


def _pressed_word(pressed: CaseStepButton, step: str) -> str | None:
    """What a press stands for at `step`, as if typed; None when it is not for this step."""
    if pressed.action == "drop":
        return "取消"
    if pressed.action == "industry" and step == "industry":
        return INDUSTRIES[(pressed.value or 0) % len(INDUSTRIES)]
    if pressed.action == "skip" and step in ("tags", "file"):
        return "跳过"
    if pressed.action == "save" and step == "confirm":
        return "保存"
    return None


@guard(role="registered", chat="private")
async def press_step(update: Update, context: Context, who: Identity) -> None:
    """An industry, 跳过, 保存 or 取消 in the guided /case."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = CaseStepButton.unpack(query.data)
    async with context.sessions.begin() as session:
        conversation = await conversations.load(session, who.telegram_id)
        if conversation is None or conversation.flow != FLOW:
            reply = None
        else:
            typed = _pressed_word(pressed, conversation.step)
            if typed is None:  # an older message's button: ask the current step again
                reply = _preview(lang, who, dict(conversation.data))
                if conversation.step != "confirm":
                    reply = _ask(lang, conversation.step)
            else:
                reply = await _advance(session, lang, who, conversation, typed)
    if reply is None:
        await answer(update, t(lang, "case.flow_again"))
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    message = update.effective_message
    assert message is not None
    await message.reply_text(reply.text, reply_markup=reply.markup)


async def take_file(update: Update, context: Context) -> None:
    """A document or photo sent at the guided /case's 附件 step (group -1, before the
    spreadsheet uploads): taken for the case; any other file goes on to group 0."""
    message, user = update.effective_message, update.effective_user
    chat = update.effective_chat
    if message is None or user is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    async with context.sessions() as session:
        conversation = await conversations.load(session, user.id)
        waiting = conversation is not None and (conversation.flow, conversation.step) == (
            FLOW,
            "file",
        )
    if not waiting:
        return
    who = await who_is(update, context)
    if who is None or who.role is None:
        return
    lang = context.lang(who)
    if message.document is not None:
        file_id, file_name = message.document.file_id, message.document.file_name or "file"
    elif message.photo:
        file_id, file_name = message.photo[-1].file_id, None  # no name: sent back as a photo
    else:
        return
    async with context.sessions.begin() as session:
        conversation = await conversations.load(session, user.id)
        if conversation is not None and conversation.flow == FLOW:
            data = {**conversation.data, "file_id": file_id, "file_name": file_name}
            await conversations.save(session, user.id, flow=FLOW, step="confirm", data=data)
            reply = _preview(lang, who, data)
        else:
            reply = Reply(t(lang, "case.flow_again"))
    await message.reply_text(reply.text, reply_markup=reply.markup)
    raise ApplicationHandlerStop
