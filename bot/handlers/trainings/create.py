"""/training (admins): one line or step by step, then the draft, then 发出邀请."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot import keyboards, progress
from bot.context import Context
from bot.flows import Reply
from bot.guards import answer, command_text, guard
from bot.labels import audience_label, line_problem, speaker
from bot.texts import t
from schedules.jobs import wake_sender
from storage.common.buttons import TrainingButton, TrainingStepButton
from storage.messaging import conversations, inbox, notices
from storage.messaging.notices import Audience
from storage.models import Conversation, NoticeAudience, Training, TrainingFormat
from storage.people import districts
from storage.people.access import Identity
from storage.trainings import parsing, records
from storage.trainings.parsing import TrainingProblem, TrainingSpec

FLOW = "training"
STEPS = ("title", "format", "time", "place", "audience", "capacity", "deadline", "tags")
OPTIONAL = ("format", "audience", "capacity", "deadline", "tags")
SKIP_WORDS = frozenset({"跳过", "默认", "skip", "-", "无"})
CANCEL_WORDS = frozenset({"取消", "cancel", "/cancel"})


def problem_text(lang: str, problem: TrainingProblem) -> str:
    return line_problem(lang, problem, "training")


async def describe_audience(session: AsyncSession, lang: str, training: Training) -> str:
    names = {i: n for n, i in (await districts.district_ids(session)).items()}
    teams = await notices.team_titles(session, [training.audience_value])
    if training.audience == NoticeAudience.ALL.value and training.scope_district_id is not None:
        return names.get(training.scope_district_id, "")
    return audience_label(lang, training.audience, training.audience_value, names, teams)


def draft_buttons(lang: str, training_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                keyboards.button(
                    t(lang, "training.button.send"), TrainingButton(training_id, "send")
                ),
                keyboards.button(
                    t(lang, "training.button.drop"), TrainingButton(training_id, "drop")
                ),
            ]
        ]
    )


async def _draft(
    session: AsyncSession, context: Context, who: Identity, spec: TrainingSpec, key: str | None
) -> Reply:
    """Stores the draft and words it with how many it would reach."""
    lang = context.lang(who)
    if spec.audience.kind is NoticeAudience.TEAM:
        await notices.check_team(session, spec.audience)
    training = await records.create_draft(
        session,
        spec,
        created_by=who.telegram_id,
        scope_district_id=who.scope_district_id,
        now=datetime.now(UTC),
        request_key=key,
    )
    reach = await records.audience_size(session, training)
    values = records.facts(speaker(context), lang, training)
    tag_line = t(lang, "training.tag_line", tags=values["tags"]) if training.tags else ""
    text = t(
        lang,
        "training.draft",
        **values,
        audience=await describe_audience(session, lang, training),
        reach=reach,
        tag_line=tag_line,
    )
    if not reach:
        text += "\n\n" + t(lang, "training.nobody")
    return Reply(text, draft_buttons(lang, training.id))


@guard(role="admin", chat="private")
async def training(update: Update, context: Context, who: Identity) -> None:
    """`/training <title> 时间:… 地点:…` shows the draft; `/training` alone asks step by step."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    text = command_text(message).strip()
    if not text:
        async with context.sessions.begin() as session:
            await conversations.save(session, who.telegram_id, flow=FLOW, step="title", data={})
        await message.reply_text(t(lang, "training.ask.title"))
        return
    async with context.sessions.begin() as session:
        try:
            spec = parsing.parse_training(
                text,
                now=datetime.now(UTC),
                tz=context.settings.tz,
                districts=await districts.district_ids(session),
                scope_district_id=who.scope_district_id,
            )
            key = inbox.request_key(message.chat_id, message.message_id)
            reply = await _draft(session, context, who, spec, key)
        except TrainingProblem as problem:
            reply = Reply(problem_text(lang, problem))
        except notices.AudienceProblem as problem:
            reply = Reply(t(lang, f"training.problem.audience_{problem.code}", value=problem.value))
    await message.reply_text(reply.text, reply_markup=reply.markup)


def _ask(lang: str, step: str) -> Reply:
    """The question of a step, with buttons where a press beats typing."""
    rows = []
    if step == "format":
        rows.append(
            [
                keyboards.button(t(lang, f"training.format.{f.value}"), TrainingStepButton(f.value))
                for f in TrainingFormat
            ]
        )
    if step in OPTIONAL and step != "format":
        rows.append([keyboards.button(t(lang, "training.button.skip"), TrainingStepButton("skip"))])
    return Reply(t(lang, f"training.ask.{step}"), InlineKeyboardMarkup(rows) if rows else None)


def _read(step: str, text: str, context: Context, who: Identity, names: dict[str, int]) -> Any:
    """One answer of the guided flow, read as the one-line form reads its key."""
    now = datetime.now(UTC)
    tz = context.settings.tz
    if step == "title":
        if len(text) > parsing.TITLE_LIMIT:
            raise TrainingProblem("title_too_long", text[:20] + "…")
        return text
    if step == "place":
        if len(text) > parsing.PLACE_LIMIT:
            raise TrainingProblem("place_too_long", text[:20] + "…")
        return text
    if step == "format":
        return parsing.read_format(text).value
    if step == "time":
        return [moment.isoformat() for moment in parsing.read_time(text, now, tz)]
    if step == "audience":
        audience = parsing.read_audience(text, names, who.scope_district_id)
        return [audience.kind.value, audience.value]
    if step == "capacity":
        return parsing.read_capacity(text)
    if step == "deadline":
        return parsing.read_deadline_for(text, now, tz).isoformat()
    return parsing.read_tags(text)


def _spec(data: dict[str, Any]) -> TrainingSpec:
    starts_at, ends_at = (datetime.fromisoformat(v) for v in data["time"])
    kind, value = data.get("audience") or [NoticeAudience.ALL.value, None]
    deadline = data.get("deadline")
    return TrainingSpec(
        title=data["title"],
        format=TrainingFormat(data.get("format") or TrainingFormat.LECTURE.value),
        starts_at=starts_at,
        ends_at=ends_at,
        place=data["place"],
        audience=Audience(NoticeAudience(kind), value),
        capacity=data.get("capacity"),
        deadline=datetime.fromisoformat(deadline) if deadline else starts_at,
        tags=list(data.get("tags") or []),
    )


async def _advance(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """Takes one answer (typed or pressed) and asks the next question, or shows the draft."""
    lang = context.lang(who)
    if not who.is_admin:
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "refused.not_admin"))
    step, data = conversation.step, dict(conversation.data)
    typed = text.strip()
    if typed.casefold() in CANCEL_WORDS:
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "training.flow_cancelled"))
    if step in OPTIONAL and typed.casefold() in SKIP_WORDS:
        data[step] = None
    else:
        try:
            data[step] = _read(step, typed, context, who, await districts.district_ids(session))
        except TrainingProblem as problem:
            asked = _ask(lang, step)
            return Reply(problem_text(lang, problem) + "\n" + asked.text, asked.markup)
    following = STEPS[STEPS.index(step) + 1 :] if step in STEPS else ()
    if following:
        await conversations.save(session, who.telegram_id, flow=FLOW, step=following[0], data=data)
        return _ask(lang, following[0])
    await conversations.clear(session, who.telegram_id)
    spec = _spec(data)
    try:
        parsing.check(spec)
        return await _draft(session, context, who, spec, None)
    except TrainingProblem as problem:
        return Reply(problem_text(lang, problem) + "\n\n" + t(lang, "training.flow_again"))
    except notices.AudienceProblem as problem:
        return Reply(t(lang, f"training.problem.audience_{problem.code}", value=problem.value))


async def take_text(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """An answer typed in the guided /training (a step of the router)."""
    return await _advance(session, context, who, conversation, text)


@guard(role="admin", chat="private")
async def press_step(update: Update, context: Context, who: Identity) -> None:
    """A format button or 跳过 in the guided /training."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    choice = TrainingStepButton.unpack(query.data).choice
    async with context.sessions.begin() as session:
        conversation = await conversations.load(session, who.telegram_id)
        if conversation is None or conversation.flow != FLOW:
            reply = None
        else:
            typed = "skip" if choice == "skip" else choice
            reply = await _advance(session, context, who, conversation, typed)
    if reply is None:
        await answer(update, t(lang, "training.flow_again"))
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    message = update.effective_message
    assert message is not None
    await message.reply_text(reply.text, reply_markup=reply.markup)


@guard(role="admin", chat="private")
async def press_draft(update: Update, context: Context, who: Identity) -> None:
    """The draft's 发出邀请 and 取消."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = TrainingButton.unpack(query.data)
    now = datetime.now(UTC)
    async with context.sessions.begin() as session:
        training = await session.get(Training, pressed.training_id)
        if training is None or not who.may_manage(training.scope_district_id):
            reply = Reply(t(lang, "training.not_yours"), alert=True)
        elif pressed.action == "drop":
            dropped = await records.drop_draft(session, pressed.training_id, now=now)
            reply = Reply(t(lang, "training.dropped" if dropped else "training.not_draft"))
            reply = Reply(reply.text, alert=not dropped)
        else:
            outcome, invited = await records.release(
                session, pressed.training_id, speaker(context), now=now
            )
            if outcome == "sent":
                reply = Reply(t(lang, "training.sent", id=pressed.training_id, invited=invited))
            else:
                reply = Reply(t(lang, f"training.release.{outcome}"), alert=True)
    if pressed.action == "send" and not reply.alert:
        wake_sender(context)
    if reply.alert:
        await answer(update, reply.text)
        return
    await query.answer()
    confirmation = await query.edit_message_text(reply.text)
    if pressed.action == "send":
        invitations = progress.Broadcast(records.INVITE_KIND, pressed.training_id, since=now)
        await progress.follow(context, confirmation, invitations, lang=lang)
