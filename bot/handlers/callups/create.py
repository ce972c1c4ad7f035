"""/callup (HQ): one line or step by step, then the draft with its ranking, then 发出邀请."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update

from bot import progress
from bot.context import Context
from bot.flows import Reply
from bot.guards import answer, command_text, guard
from bot.handlers.callups.wording import draft_buttons, draft_text
from bot.labels import line_problem, speaker
from bot.texts import t
from schedules.jobs import wake_sender
from storage.callups import parsing, records, recruiting
from storage.callups.parsing import CallUpProblem, CallUpSpec
from storage.callups.ranking import Wanted, rank, reachable
from storage.common.buttons import CallUpButton
from storage.messaging import conversations, inbox
from storage.models import CallUpStatus, Conversation
from storage.people import districts
from storage.people.access import Identity

FLOW = "callup"
# The guided flow asks these in turn; each answer is read by the one-line form's reader.
STEPS = ("title", "target", "size", "skills", "dates", "answer", "deadline")
OPTIONAL = ("skills", "answer")
SKIP_WORDS = frozenset({"跳过", "不限", "默认", "skip", "-", "无"})
CANCEL_WORDS = frozenset({"取消", "cancel", "/cancel"})


def problem_text(lang: str, problem: CallUpProblem) -> str:
    return line_problem(lang, problem, "callup")


async def _district_names(session: AsyncSession) -> dict[int, str]:
    return {i: n for n, i in (await districts.district_ids(session)).items()}


async def _draft(
    session: AsyncSession,
    context: Context,
    who: Identity,
    spec: CallUpSpec,
    request_key: str | None,
) -> Reply:
    """Stores the draft and words its preview; refuses more places than the candidates can
    fill (nothing stored)."""
    lang = context.lang(who)
    names = await districts.district_ids(session)
    target = await records.resolve_target(session, spec.target, names)
    today = datetime.now(context.settings.tz).date()
    district_id = target.enterprise.district_id if target.enterprise else target.district_id
    industry = spec.industry or target.industry
    if target.enterprise is not None and industry is None:
        industry = target.enterprise.industry
    wanted = Wanted(spec.starts, spec.ends, spec.skills, spec.districts, district_id, industry)
    candidates = await rank(session, wanted, today=today)
    most = reachable(candidates, spec.cap)
    if spec.size > most:
        return Reply(
            t(lang, "callup.problem.too_many", size=spec.size, reachable=most,
              eligible=len(candidates))
        )  # fmt: skip
    spec.industry = industry
    call_up = await records.create_draft(
        session,
        spec,
        created_by=who.telegram_id,
        enterprise=target.enterprise,
        target_district_id=target.district_id,
        request_key=request_key,
    )
    found = await records.preview(session, call_up, today=today)
    hint = ""
    if target.suggestions:
        hint = t(lang, "callup.target_unknown", names="、".join(target.suggestions))
    elif target.enterprise is None and target.district_id is None and target.industry is None:
        hint = t(lang, "callup.target_free")
    text = draft_text(lang, found, context.settings.tz, await _district_names(session), hint)
    return Reply(text, draft_buttons(lang, call_up))


@guard(role="hq", chat="private")
async def callup(update: Update, context: Context, who: Identity) -> None:
    """`/callup <title> 人数:5 …` shows the draft with its ranking; `/callup` alone asks step
    by step."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    text = command_text(message).strip()
    if not text:
        async with context.sessions.begin() as session:
            await conversations.save(session, who.telegram_id, flow=FLOW, step="title", data={})
        await message.reply_text(t(lang, "callup.ask.title"))
        return
    now = datetime.now(UTC)
    async with context.sessions.begin() as session:
        try:
            spec = parsing.parse_callup(
                text,
                now=now,
                tz=context.settings.tz,
                districts=await districts.district_ids(session),
            )
        except CallUpProblem as problem:
            reply = Reply(problem_text(lang, problem))
        else:
            key = inbox.request_key(message.chat_id, message.message_id)
            reply = await _draft(session, context, who, spec, key)
    await message.reply_text(reply.text, reply_markup=reply.markup)


def _read(step: str, text: str, now: datetime, context: Context, names: dict[str, int]) -> Any:
    """One answer of the guided flow, read as the one-line form reads its key."""
    tz = context.settings.tz
    today = now.astimezone(tz).date()
    if step in ("title", "target"):
        limit = parsing.TITLE_LIMIT if step == "title" else parsing.TARGET_LIMIT
        if len(text) > limit:
            raise CallUpProblem(f"{step}_too_long", text[:20] + "…")
        return text
    if step == "size":
        return parsing.read_size(text)
    if step == "skills":
        return parsing.read_list(text)
    if step == "dates":
        starts, ends = parsing.read_dates(text, today)
        return [starts.isoformat(), ends.isoformat()]
    if step == "answer":
        return parsing.read_minutes(text)
    return parsing.read_deadline(text, now, tz).isoformat()


async def take_text(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """An answer typed in the guided /callup (a step of the router)."""
    lang = context.lang(who)
    if not who.is_hq:
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "refused.not_hq"))
    step, data = conversation.step, dict(conversation.data)
    typed = text.strip()
    if typed.casefold() in CANCEL_WORDS:
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "callup.flow_cancelled"))
    now = datetime.now(UTC)
    if step in OPTIONAL and typed.casefold() in SKIP_WORDS:
        data[step] = [] if step == "skills" else parsing.DEFAULT_ANSWER_MINUTES
    else:
        try:
            data[step] = _read(step, typed, now, context, await districts.district_ids(session))
        except CallUpProblem as problem:
            return Reply(problem_text(lang, problem) + "\n" + t(lang, f"callup.ask.{step}"))
    following = STEPS[STEPS.index(step) + 1 :] if step in STEPS else ()
    if following:
        await conversations.save(session, who.telegram_id, flow=FLOW, step=following[0], data=data)
        return Reply(t(lang, f"callup.ask.{following[0]}"))
    await conversations.clear(session, who.telegram_id)
    spec = CallUpSpec(
        title=data["title"],
        size=int(data["size"]),
        target=data["target"],
        starts=datetime.fromisoformat(data["dates"][0]).date(),
        ends=datetime.fromisoformat(data["dates"][1]).date(),
        deadline=datetime.fromisoformat(data["deadline"]),
        skills=list(data.get("skills") or []),
        answer_minutes=int(data.get("answer") or parsing.DEFAULT_ANSWER_MINUTES),
    )
    spec.per_district = spec.cap
    try:
        parsing.check(spec, context.settings.tz)
    except CallUpProblem as problem:
        return Reply(problem_text(lang, problem) + "\n\n" + t(lang, "callup.flow_again"))
    return await _draft(session, context, who, spec, None)


@guard(role="hq", chat="private")
async def press_draft(update: Update, context: Context, who: Identity) -> None:
    """The draft's buttons: ± places, ± per district, 发出邀请, 取消."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    pressed = CallUpButton.unpack(query.data)
    now = datetime.now(UTC)
    sent = False
    async with context.sessions.begin() as session:
        if pressed.action == "drop":
            dropped = await recruiting.drop_draft(session, pressed.call_up_id, now=now)
            reply = (
                Reply(t(lang, "callup.dropped"))
                if dropped
                else Reply(t(lang, "callup.not_draft"), alert=True)
            )
        elif pressed.action == "send":
            reply = await _send(session, context, lang, pressed.call_up_id, now)
            sent = not reply.alert
        else:
            reply = await _adjust(session, context, lang, pressed.call_up_id, pressed.action, now)
    if sent:
        wake_sender(context)
    shown = await _show(update, reply)
    if sent:
        invitations = progress.Broadcast(recruiting.INVITE_KIND, pressed.call_up_id, since=now)
        await progress.follow(context, shown, invitations, lang=lang)


def _too_many(lang: str, size: int, found: records.Preview) -> str:
    return t(
        lang,
        "callup.problem.too_many",
        size=size,
        reachable=found.reachable,
        eligible=len(found.candidates),
    )


async def _adjust(
    session: AsyncSession, context: Context, lang: str, call_up_id: int, action: str, now: datetime
) -> Reply:
    today = now.astimezone(context.settings.tz).date()
    call_up = await records.lock(session, call_up_id)
    if call_up is None or call_up.status != CallUpStatus.DRAFT.value:
        return Reply(t(lang, "callup.not_draft"), alert=True)
    if action == "more":
        found = await records.preview(session, call_up, today=today)
        if call_up.size + 1 > found.reachable:
            return Reply(_too_many(lang, call_up.size + 1, found), alert=True)
    await records.adjust(session, call_up_id, action)
    found = await records.preview(session, call_up, today=today)
    text = draft_text(lang, found, context.settings.tz, await _district_names(session))
    return Reply(text, draft_buttons(lang, call_up))


async def _send(
    session: AsyncSession, context: Context, lang: str, call_up_id: int, now: datetime
) -> Reply:
    call_up = await records.lock(session, call_up_id)
    if call_up is None:
        return Reply(t(lang, "callups.not_found", id=call_up_id), alert=True)
    if call_up.status == CallUpStatus.DRAFT.value:
        today = now.astimezone(context.settings.tz).date()
        found = await records.preview(session, call_up, today=today)
        if not found.enough:
            return Reply(_too_many(lang, call_up.size, found), alert=True)
    outcome, invited = await recruiting.release(session, call_up_id, speaker(context), now=now)
    if outcome != "sent":
        return Reply(t(lang, f"callup.release.{outcome}"), alert=True)
    return Reply(t(lang, "callup.sent", id=call_up_id, invited=invited, size=call_up.size))


async def _show(update: Update, reply: Reply) -> Message | bool | None:
    """The reply as an alert, or in the pressed message: then the edited message."""
    query = update.callback_query
    assert query is not None
    if reply.alert:
        await answer(update, reply.text)
        return None
    await query.answer()
    return await query.edit_message_text(reply.text, reply_markup=reply.markup)
