"""The evaluation's board: `/evaluation open <year> 截止:<date>` (HQ), `/evaluation` — an
instructor's own dossier and self-assessment, an admin's progress per district — and the
self-assessment itself (✍️ 写自评, then the typed text)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot import keyboards, progress
from bot.context import Context, Handlers
from bot.flows import Reply
from bot.guards import answer as alert
from bot.guards import guard
from bot.handlers.evaluation.words import Subcommand
from bot.labels import speaker
from bot.texts import t
from schedules.jobs import wake_sender
from storage.common.buttons import SelfAssessmentButton
from storage.evaluation import answers, rounds
from storage.evaluation.answers import TEXT_LIMIT, deadline_text
from storage.evaluation.dossier import describe, dossier
from storage.evaluation.rounds import OpeningProblem, RoundRefusal
from storage.messaging import conversations
from storage.models import Conversation, EvaluationRound
from storage.people.access import Identity

FLOW = "evaluation_self"
CANCEL_WORDS = frozenset({"取消", "cancel", "/cancel", "退出"})
OWN_WORDS = frozenset({"me", "mine", "我", "我的", "档案", "自评"})
PREVIEW = 60  # characters of the answer repeated in the confirmation
NAMES_SHOWN = 30


def _write_markup(lang: str, round_id: int, *, revise: bool) -> InlineKeyboardMarkup:
    label = t(lang, "evaluation.button.revise" if revise else "evaluation.button.write")
    return InlineKeyboardMarkup(
        [[keyboards.button(label, SelfAssessmentButton(round_id, "write"))]]
    )


def _state(lang: str, evaluation: EvaluationRound, now: datetime) -> str:
    closed = rounds.is_closed(evaluation, now=now)
    return t(lang, "evaluation.state.closed" if closed else "evaluation.state.open")


# --- /evaluation open ---------------------------------------------------------------------------


async def open_year(update: Update, context: Context, who: Identity, rest: str) -> None:
    """`/evaluation open 2026 截止:2027-01-15` (HQ): the round, and every reachable participant's
    prompt with their dossier, in one transaction; then the confirmation follows the sending."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    if not who.is_hq:
        await message.reply_text(t(lang, "refused.not_hq" if who.is_admin else "refused.not_admin"))
        return
    now = datetime.now(UTC)
    voice = speaker(context)
    try:
        year, deadline = rounds.parse_opening(rest, now, context.settings.tz)
    except OpeningProblem as problem:
        text = t(lang, f"evaluation.open.problem.{problem.code}", value=problem.value)
        await message.reply_text(text)
        return
    async with context.sessions.begin() as session:
        opened = await answers.open_year(
            session, voice, year, deadline, opened_by=who.telegram_id, now=now
        )
    if isinstance(opened, RoundRefusal):
        values = dict(opened.values)
        if isinstance(values.get("deadline"), datetime):
            values["deadline"] = deadline_text(voice, values["deadline"])  # type: ignore[arg-type]
        await message.reply_text(t(lang, f"evaluation.open.refused.{opened.code}", **values))
        return
    if opened.reachable:
        wake_sender(context)
    confirmation = await message.reply_text(
        t(
            lang,
            "evaluation.opened",
            year=year,
            deadline=deadline_text(voice, deadline),
            participants=opened.participants,
            reachable=opened.reachable,
            not_joined=opened.not_joined,
        )
    )
    if opened.reachable:
        prompts = progress.Broadcast(answers.PROMPT_KIND, opened.evaluation.id, since=now)
        await progress.follow(context, confirmation, prompts, lang=lang)


# --- /evaluation --------------------------------------------------------------------------------


async def _own(
    session: AsyncSession, context: Context, who: Identity, evaluation: EvaluationRound | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """An instructor's view: their dossier of the round's year, their answer, the deadline."""
    lang = context.lang(who)
    voice = speaker(context)
    if evaluation is None:
        return t(lang, "evaluation.no_round"), None
    assert who.instructor is not None
    entry = await rounds.entry_of(session, evaluation.id, who.instructor.id)
    deadline = deadline_text(voice, evaluation.deadline)
    if entry is None:
        return t(lang, "evaluation.not_participant", year=evaluation.year), None
    now = datetime.now(UTC)
    mine = await dossier(session, evaluation.year, who.instructor.id, tz=context.settings.tz)
    if entry.self_text is not None and entry.answered_at is not None:
        answered = t(
            lang,
            "evaluation.my_answer",
            length=len(entry.self_text),
            when=deadline_text(voice, entry.answered_at),
            text=entry.self_text,
        )
    else:
        answered = t(lang, "evaluation.no_answer")
    text = t(
        lang,
        "evaluation.mine",
        year=evaluation.year,
        deadline=deadline,
        state=_state(lang, evaluation, now),
        dossier=describe(voice, lang, mine),
        answer=answered,
    )
    if rounds.is_closed(evaluation, now=now):
        return text, None
    return text, _write_markup(lang, evaluation.id, revise=entry.answered_at is not None)


async def _progress(
    session: AsyncSession, context: Context, who: Identity, evaluation: EvaluationRound | None
) -> str:
    """An admin's view: participants, answered and waiting per district (a district admin's
    own district only, with the names still waiting)."""
    lang = context.lang(who)
    if evaluation is None:
        if not who.is_hq:
            return t(lang, "evaluation.none.admin")
        year = datetime.now(context.settings.tz).year
        return t(lang, "evaluation.none.hq", year=year, next_year=year + 1)
    now = datetime.now(UTC)
    lines = [
        t(
            lang,
            "evaluation.progress.title",
            year=evaluation.year,
            deadline=deadline_text(speaker(context), evaluation.deadline),
            state=_state(lang, evaluation, now),
        )
    ]
    rows = await rounds.progress(session, evaluation.id, who.scope_district_id)
    for row in rows:
        lines.append(
            t(
                lang,
                "evaluation.progress.line",
                district=row.district,
                participants=row.participants,
                answered=row.answered,
                waiting=row.waiting,
            )
        )
    if not rows:
        lines.append(t(lang, "evaluation.progress.nobody"))
    elif who.scope_district_id is None:
        lines.append(
            t(
                lang,
                "evaluation.progress.total",
                participants=sum(r.participants for r in rows),
                answered=sum(r.answered for r in rows),
                waiting=sum(r.waiting for r in rows),
            )
        )
    else:
        names = await rounds.waiting_names(session, evaluation.id, who.scope_district_id)
        if names:
            shown = "、".join(names[:NAMES_SHOWN])
            if len(names) > NAMES_SHOWN:
                shown += t(lang, "list.more", count=len(names))
            lines.append(t(lang, "evaluation.progress.waiting", names=shown))
    return "\n".join(lines)


async def show(update: Update, context: Context, who: Identity, text: str) -> None:
    """`/evaluation [year]`: an instructor's own dossier and self-assessment, an admin's
    progress per district (`/evaluation 我的` for an admin who is also an instructor)."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    if who.role is None:
        await message.reply_text(t(lang, "refused.stranger"))
        return
    words = text.split()
    own = bool(words) and words[0].casefold() in OWN_WORDS
    if own:
        words = words[1:]
    year: int | None = None
    if words:
        if len(words) > 1 or not words[0].isdigit():
            await message.reply_text(t(lang, "evaluation.usage"))
            return
        year = int(words[0])
    markup = None
    async with context.sessions() as session:
        if year is not None:
            evaluation = await rounds.get_round(session, year)
            if evaluation is None:
                await message.reply_text(t(lang, "evaluation.unknown_round", year=year))
                return
        else:
            evaluation = await rounds.latest_round(session)
        if who.is_admin and not (own and who.instructor is not None):
            reply = await _progress(session, context, who, evaluation)
        elif who.instructor is not None:
            reply, markup = await _own(session, context, who, evaluation)
        else:
            reply = t(lang, "refused.not_admin")
    await message.reply_text(reply, reply_markup=markup)


# --- the self-assessment ------------------------------------------------------------------------


def _refusal(lang: str, voice_deadline: str, checked: answers.Answered) -> str:
    evaluation = checked.evaluation
    year = evaluation.year if evaluation is not None else ""
    if checked.outcome == "closed":
        return t(lang, "evaluation.closed", year=year, deadline=voice_deadline)
    if checked.outcome == "not_participant":
        return t(lang, "evaluation.not_participant", year=year)
    return t(lang, "evaluation.no_round")


@guard(role="registered", chat="private")
async def press_write(update: Update, context: Context, who: Identity) -> None:
    """✍️ 写自评 / 修改自评: asks for the text, if the sender may still write."""
    query = update.callback_query
    message = update.effective_message
    assert query is not None and query.data is not None and message is not None
    lang = context.lang(who)
    round_id = SelfAssessmentButton.unpack(query.data).round_id
    if who.instructor is None:
        await alert(update, t(lang, "evaluation.not_yours"))
        return
    now = datetime.now(UTC)
    async with context.sessions.begin() as session:
        checked = await answers.may_answer(session, round_id, who.instructor.id, now=now)
        if checked.outcome == "open":
            await conversations.save(
                session, who.telegram_id, flow=FLOW, step="text", data={"round_id": round_id}
            )
    evaluation = checked.evaluation
    deadline = deadline_text(speaker(context), evaluation.deadline) if evaluation else ""
    if checked.outcome != "open":
        await alert(update, _refusal(lang, deadline, checked))
        return
    assert evaluation is not None
    await query.answer()
    await message.reply_text(
        t(lang, "evaluation.ask", year=evaluation.year, limit=TEXT_LIMIT, deadline=deadline)
    )


async def take_text(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """The self-assessment typed after ✍️ 写自评 (a step of the router)."""
    lang = context.lang(who)
    if text.strip().casefold() in CANCEL_WORDS:
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "evaluation.flow_cancelled"))
    if who.instructor is None:
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "evaluation.not_yours"))
    now = datetime.now(UTC)
    round_id = int(conversation.data["round_id"])
    done = await answers.answer(session, round_id, who.instructor.id, text, now=now)
    evaluation = done.evaluation
    deadline = deadline_text(speaker(context), evaluation.deadline) if evaluation else ""
    if done.outcome == "too_long":
        # The flow stays: the shortened text may come next.
        return Reply(t(lang, "evaluation.too_long", length=done.length, limit=TEXT_LIMIT))
    if done.outcome == "empty":
        return Reply(t(lang, "evaluation.empty"))
    await conversations.clear(session, who.telegram_id)
    if done.outcome not in ("saved", "revised"):
        return Reply(_refusal(lang, deadline, done))
    assert evaluation is not None
    typed = text.strip()
    preview = typed[:PREVIEW] + ("…" if len(typed) > PREVIEW else "")
    reply = t(
        lang, f"evaluation.{done.outcome}", length=done.length, preview=preview, deadline=deadline
    )
    return Reply(reply)


SUBCOMMANDS: dict[str, Subcommand] = {"open": open_year, "开启": open_year}
HANDLERS: Handlers = [
    CallbackQueryHandler(press_write, pattern=SelfAssessmentButton.pattern()),
]
# Guided flows whose typed text the router hands over: (flow name, step).
FLOWS = ((FLOW, take_text),)
