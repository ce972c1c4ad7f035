"""/notice (guided or one line), the 收到 button, /notices with status and 提醒未确认."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards, progress
from bot.context import Context, Handlers
from bot.flows import Reply
from bot.guards import answer, guard
from bot.labels import audience_label
from bot.texts import t
from schedules.jobs import wake_sender
from storage.common.buttons import (
    NoticeAudienceButton,
    NoticeButton,
    NoticeChoice,
    NoticeStepButton,
)
from storage.common.when import WhenProblem, describe, parse_when
from storage.messaging import conversations, inbox, notices
from storage.messaging.notices import Audience, AudienceProblem, NoticeStatusView, telegram_length
from storage.models import CallUp, Conversation, Employment, Level, Notice, NoticeAudience
from storage.people import districts
from storage.people.access import Identity

FLOW = "notice"
NAMES_SHOWN = 40  # names listed in a status; the rest are counted
TEAM_TITLE_SHOWN = 24  # characters of a call-up's title on its button


def too_long(lang: str, text: str) -> str | None:
    length = telegram_length(text)
    if length > notices.TEXT_LIMIT:
        return t(lang, "notice.too_long", length=length, limit=notices.TEXT_LIMIT)
    return None


async def _district_names(session: AsyncSession) -> dict[int, str]:
    return {i: n for n, i in (await districts.district_ids(session)).items()}


class Labels(NamedTuple):
    """What audiences are named by: district names and call-up titles, by id."""

    districts: dict[int, str]
    teams: dict[int, str]

    def audience(self, lang: str, kind: str, value: str | None) -> str:
        return audience_label(lang, kind, value, self.districts, self.teams)


async def _labels(session: AsyncSession, audiences: Sequence[tuple[str, str | None]]) -> Labels:
    """The names the given (audience, value) pairs need."""
    teams = [value for kind, value in audiences if kind == NoticeAudience.TEAM.value]
    return Labels(await _district_names(session), await notices.team_titles(session, teams))


def _problem(lang: str, who: Identity, problem: AudienceProblem) -> str:
    """The refusal for an audience the sender may not address."""
    if problem.code == "other_district":
        return t(lang, "refused.other_district", district=who.district_name or "")
    if problem.code == "team_hq_only":
        return t(lang, "notice.team_hq_only")
    return t(lang, f"notice.{problem.code}", id=problem.value)


async def _create(
    session: AsyncSession,
    context: Context,
    who: Identity,
    audience: Audience,
    text: str,
    *,
    confirm: bool,
    send_at: datetime | None,
    request_key: str | None = None,
) -> tuple[str, progress.Broadcast | None]:
    """Creates the notice, releases it now unless it is for later: what happened, and the
    broadcast whose progress the confirmation shows (wake the sender after the commit)."""
    lang = context.lang(who)
    now = datetime.now(UTC)
    try:
        notice = await notices.create_notice(
            session,
            created_by=who.telegram_id,
            scope_district_id=who.scope_district_id,
            audience=audience,
            text=text,
            confirm=confirm,
            send_at=send_at or now,
            request_key=request_key,
        )
    except AudienceProblem as problem:
        return _problem(lang, who, problem), None
    if send_at is not None and send_at > now:
        when = describe(send_at, context.settings.tz, lang)
        later = progress.Broadcast(notices.KIND, notice.id, since=send_at)
        return t(lang, "notice.scheduled", id=notice.id, when=when), later
    messages = await notices.release(session, notice, t, context.settings.bot_language, now=now)
    [view] = await notices.views(session, [notice])
    released = t(
        lang,
        "notice.released",
        id=notice.id,
        messages=messages,
        recipients=view.recipients,
        unbound=view.unbound,
    )
    return released, progress.Broadcast(notices.KIND, notice.id, since=now)


# --- /notice -------------------------------------------------------------------------------


def _audience_buttons(
    lang: str, who: Identity, names: dict[int, str], *, teams: bool
) -> InlineKeyboardMarkup:
    """Everyone, districts (HQ), levels, employments, groups, and 攻关队 when HQ has teams."""
    button = keyboards.button
    rows = [[button(t(lang, "notice.aud.all"), NoticeAudienceButton("all"))]]
    own = [(i, n) for i, n in sorted(names.items()) if who.may_manage(i)]
    if who.is_hq:
        buttons = [button(n, NoticeAudienceButton("district", str(i))) for i, n in own]
        rows.extend(keyboards.rows_of(buttons, 4))
    rows.append(
        [
            button(t(lang, f"level.{level.value}"), NoticeAudienceButton("level", level.value))
            for level in Level
        ]
    )
    rows.append(
        [
            button(
                t(lang, f"employment.{employment.value}"),
                NoticeAudienceButton("employment", employment.value),
            )
            for employment in (Employment.FULL_TIME, Employment.PART_TIME)
        ]
        + [button(t(lang, "notice.aud.groups"), NoticeAudienceButton("groups"))]
    )
    if who.is_hq and teams:
        rows.append([button(t(lang, "notice.aud.teams"), NoticeAudienceButton("team"))])
    rows.append([button(t(lang, "button.cancel"), NoticeStepButton("cancel"))])
    return InlineKeyboardMarkup(rows)


def _team_buttons(lang: str, teams: Sequence[CallUp]) -> InlineKeyboardMarkup:
    """One button per open call-up, `#3 维达纸业工资协商攻关`, above 取消."""
    rows = []
    for call_up in teams:
        title = call_up.title
        if len(title) > TEAM_TITLE_SHOWN:
            title = title[:TEAM_TITLE_SHOWN] + "…"
        data = NoticeAudienceButton("team", str(call_up.id))
        rows.append([keyboards.button(f"#{call_up.id} {title}", data)])
    rows.append([keyboards.button(t(lang, "button.cancel"), NoticeStepButton("cancel"))])
    return InlineKeyboardMarkup(rows)


async def _open_teams(session: AsyncSession, context: Context, who: Identity) -> list[CallUp]:
    """The teams HQ may address in the guided /notice (none for a district admin)."""
    if not who.is_hq:
        return []
    return await notices.open_teams(session, datetime.now(context.settings.tz).date())


def _pair(
    lang: str, yes: tuple[str, NoticeChoice], no: tuple[str, NoticeChoice]
) -> InlineKeyboardMarkup:
    """Two choices (a text key and the choice each) above 取消."""
    return InlineKeyboardMarkup(
        [
            [
                keyboards.button(t(lang, yes[0]), NoticeStepButton(yes[1])),
                keyboards.button(t(lang, no[0]), NoticeStepButton(no[1])),
            ],
            [keyboards.button(t(lang, "button.cancel"), NoticeStepButton("cancel"))],
        ]
    )


@guard(role="admin", chat="private")
async def notice(update: Update, context: Context, who: Identity) -> None:
    """`/notice 全体 <text>` sends at once; `/notice` alone asks step by step with buttons."""
    message = update.effective_message
    assert message is not None and message.text is not None
    lang = context.lang(who)
    parts = message.text.split(maxsplit=2)
    if len(parts) == 1:
        async with context.sessions.begin() as session:
            await conversations.save(session, who.telegram_id, flow=FLOW, step="audience", data={})
            names = await _district_names(session)
            teams = bool(await _open_teams(session, context, who))
        await message.reply_text(
            t(lang, "notice.ask_audience"),
            reply_markup=_audience_buttons(lang, who, names, teams=teams),
        )
        return
    if len(parts) == 2:
        await message.reply_text(t(lang, "notice.usage"))
        return
    async with context.sessions() as session:
        names_to_ids = await districts.district_ids(session)
    try:
        audience = notices.parse_audience(parts[1], names_to_ids)
    except AudienceProblem:
        await message.reply_text(t(lang, "notice.bad_audience", value=parts[1]))
        return
    text = parts[2].strip()
    refusal = too_long(lang, text)
    if refusal:
        await message.reply_text(refusal)
        return
    async with context.sessions.begin() as session:
        key = inbox.request_key(message.chat_id, message.message_id)
        reply, broadcast = await _create(
            session, context, who, audience, text, confirm=True, send_at=None, request_key=key
        )
    if broadcast is not None:
        wake_sender(context)
    confirmation = await message.reply_text(reply)
    await progress.follow(context, confirmation, broadcast, lang=lang)


def _summary(lang: str, data: dict[str, Any], labels: Labels, tz: Any) -> str:
    when = (
        describe(datetime.fromisoformat(data["send_at"]), tz, lang)
        if data.get("send_at")
        else t(lang, "notice.now")
    )
    return t(
        lang,
        "notice.summary",
        audience=labels.audience(lang, data["audience"], data.get("value")),
        confirm=t(lang, "notice.confirm_yes" if data.get("confirm") else "notice.confirm_no"),
        when=when,
        text=data["text"],
    )


async def _ask(
    session: AsyncSession, context: Context, who: Identity, step: str, data: dict[str, Any]
) -> Reply:
    """Saves the flow at `step` and returns its question."""
    await conversations.save(session, who.telegram_id, flow=FLOW, step=step, data=data)
    lang = context.lang(who)
    if step == "text":
        return Reply(t(lang, "notice.ask_text", limit=notices.TEXT_LIMIT))
    if step == "confirm":
        pair = _pair(lang, ("notice.confirm_yes", "confirm"), ("notice.confirm_no", "no_confirm"))
        return Reply(t(lang, "notice.ask_confirm"), pair)
    if step == "when":
        pair = _pair(lang, ("notice.now", "now"), ("notice.later", "later"))
        return Reply(t(lang, "notice.ask_when"), pair)
    if step == "time":
        return Reply(t(lang, "notice.ask_time"))
    labels = await _labels(session, [(data["audience"], data.get("value"))])
    text = _summary(lang, data, labels, context.settings.tz)
    return Reply(text, _pair(lang, ("notice.button.send", "send"), ("button.cancel", "cancel")))


async def _take_button(
    session: AsyncSession,
    context: Context,
    who: Identity,
    pressed: NoticeAudienceButton | NoticeStepButton,
) -> tuple[Reply, progress.Broadcast | None]:
    """One button of the guided /notice, in the transaction: the reply, and the broadcast
    of the notice it sent or scheduled."""
    lang = context.lang(who)
    if isinstance(pressed, NoticeStepButton) and pressed.choice == "cancel":
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "notice.cancelled")), None
    expired = Reply(t(lang, "notice.expired"), alert=True)
    conversation = await conversations.load(session, who.telegram_id)
    if conversation is None or conversation.flow != FLOW:
        return expired, None
    data, step = dict(conversation.data), conversation.step
    if isinstance(pressed, NoticeAudienceButton):
        if step != "audience":
            return expired, None
        data["audience"], data["value"] = pressed.audience, pressed.value
        if pressed.audience == "district" and not who.may_manage(int(pressed.value or 0)):
            refusal = t(lang, "refused.other_district", district=who.district_name)
            return Reply(refusal, alert=True), None
        if pressed.audience == "team":
            return await _take_team(session, context, who, pressed.value), None
        return await _ask(session, context, who, "text", data), None
    choice = pressed.choice
    if choice in ("confirm", "no_confirm") and step == "confirm":
        data["confirm"] = choice == "confirm"
        return await _ask(session, context, who, "when", data), None
    if choice in ("now", "later") and step == "when":
        data["send_at"] = None
        return await _ask(
            session, context, who, "review" if choice == "now" else "time", data
        ), None
    if choice == "send" and step == "review":
        await conversations.clear(session, who.telegram_id)
        send_at = datetime.fromisoformat(data["send_at"]) if data.get("send_at") else None
        audience = Audience(NoticeAudience(data["audience"]), data.get("value"))
        text, broadcast = await _create(
            session,
            context,
            who,
            audience,
            data["text"],
            confirm=bool(data["confirm"]),
            send_at=send_at,
        )
        return Reply(text), broadcast
    return expired, None


async def _take_team(
    session: AsyncSession, context: Context, who: Identity, value: str | None
) -> Reply:
    """攻关队 lists the open teams; a team's button goes on to the text."""
    lang = context.lang(who)
    if not who.is_hq:
        return Reply(t(lang, "notice.team_hq_only"), alert=True)
    if value is None:
        teams = await _open_teams(session, context, who)
        if not teams:
            return Reply(t(lang, "notice.no_teams"), alert=True)
        return Reply(t(lang, "notice.ask_team"), _team_buttons(lang, teams))
    audience = Audience(NoticeAudience.TEAM, value)
    try:
        await notices.check_team(session, audience)
    except AudienceProblem as problem:
        return Reply(_problem(lang, who, problem), alert=True)
    data = {"audience": audience.kind.value, "value": audience.value}
    return await _ask(session, context, who, "text", data)


async def _press(
    update: Update,
    context: Context,
    who: Identity,
    pressed: NoticeAudienceButton | NoticeStepButton,
) -> None:
    """A button of the guided /notice: one transaction, then the answer."""
    query = update.callback_query
    assert query is not None
    async with context.sessions.begin() as session:
        reply, broadcast = await _take_button(session, context, who, pressed)
    if broadcast is not None:
        wake_sender(context)
    if reply.alert:
        await answer(update, reply.text)
        return
    await query.answer()
    confirmation = await query.edit_message_text(reply.text, reply_markup=reply.markup)
    await progress.follow(context, confirmation, broadcast, lang=context.lang(who))


@guard(role="admin", chat="private")
async def press_audience(update: Update, context: Context, who: Identity) -> None:
    """The audience of the guided /notice: everyone, a district, a level, an employment, groups,
    a team."""
    assert update.callback_query is not None and update.callback_query.data is not None
    await _press(update, context, who, NoticeAudienceButton.unpack(update.callback_query.data))


@guard(role="admin", chat="private")
async def press_step(update: Update, context: Context, who: Identity) -> None:
    """The other buttons of the guided /notice: confirmation, when, send, cancel."""
    assert update.callback_query is not None and update.callback_query.data is not None
    await _press(update, context, who, NoticeStepButton.unpack(update.callback_query.data))


async def take_text(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """Text typed at the text or time step of the guided /notice (a step of the router)."""
    lang = context.lang(who)
    data, step = dict(conversation.data), conversation.step
    if step == "text":
        refusal = too_long(lang, text)
        if refusal:
            return Reply(refusal)
        data["text"] = text
        return await _ask(session, context, who, "confirm", data)
    if step == "time":
        try:
            parsed = parse_when(text, datetime.now(UTC), context.settings.tz)
        except WhenProblem as problem:
            return Reply(t(lang, f"when.{problem.code}", value=problem.value))
        if parsed.rule.kind != "once":
            return Reply(t(lang, "notice.once_only"))
        data["send_at"] = parsed.first.isoformat()
        return await _ask(session, context, who, "review", data)
    return Reply(t(lang, "notice.press_button"))


# --- 收到 ----------------------------------------------------------------------------------


@guard(role="registered")
async def press_confirm(update: Update, context: Context, who: Identity) -> None:
    """收到 records the confirmation once and turns the button into its receipt."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    notice_id = NoticeButton.unpack(query.data).notice_id
    now = datetime.now(UTC)
    async with context.sessions.begin() as session:
        outcome = await notices.confirm(session, notice_id, who.telegram_id, now=now)
    if outcome != "ok":
        await answer(update, t(lang, f"notice.confirm.{outcome}"))
        return
    await query.answer(t(lang, "notice.confirm.thanks"))
    stamp = now.astimezone(context.settings.tz).strftime("%m-%d %H:%M")
    receipt = InlineKeyboardMarkup(
        [
            [
                keyboards.button(
                    t(lang, "notice.receipt", at=stamp), NoticeButton(notice_id, "confirm")
                )
            ]
        ]
    )
    await query.edit_message_reply_markup(receipt)


# --- /notices ------------------------------------------------------------------------------


def _counts_line(lang: str, view: NoticeStatusView) -> str:
    in_flight = view.count("pending")
    line = t(
        lang,
        "notices.counts",
        sent=view.count("sent"),
        recipients=view.recipients,
        confirmed=view.confirmed,
        unreachable=view.count("unreachable"),
        unknown=view.count("unknown"),
        failed=view.count("failed"),
        unbound=view.unbound,
    )
    if in_flight:
        line += t(lang, "notices.sending", pending=in_flight)
    return line


def _names(lang: str, names: list[str]) -> str:
    if not names:
        return t(lang, "none")
    shown = "、".join(names[:NAMES_SHOWN])
    extra = len(names) - NAMES_SHOWN
    return shown + (t(lang, "notices.more", count=extra) if extra > 0 else "")


def _headline(lang: str, notice: Notice, labels: Labels, tz: Any) -> str:
    when = describe(notice.send_at, tz, lang)
    preview = notice.text if len(notice.text) <= 30 else notice.text[:30] + "…"
    audience = labels.audience(lang, notice.audience, notice.audience_value)
    state = t(lang, f"notices.state.{notice.status}")
    return t(
        lang,
        "notices.headline",
        id=notice.id,
        when=when,
        audience=audience,
        state=state,
        preview=preview,
    )


@guard(role="admin", chat="private")
async def list_notices(update: Update, context: Context, who: Identity) -> None:
    """The recent notices of the sender's scope with their figures and a button for each."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    async with context.sessions() as session:
        views = await notices.list_notices(session, who.scope_district_id)
        labels = await _labels(
            session, [(v.notice.audience, v.notice.audience_value) for v in views]
        )
    if not views:
        await message.reply_text(t(lang, "notices.none"))
        return
    tz = context.settings.tz
    blocks = [f"{_headline(lang, v.notice, labels, tz)}\n{_counts_line(lang, v)}" for v in views]
    buttons = [
        keyboards.button(f"#{v.notice.id}", NoticeButton(v.notice.id, "status")) for v in views
    ]
    markup = InlineKeyboardMarkup(keyboards.rows_of(buttons, 5))
    await message.reply_text(
        t(lang, "notices.title") + "\n\n" + "\n\n".join(blocks), reply_markup=markup
    )


def _status_text(context: Context, lang: str, view: NoticeStatusView, labels: Labels) -> str:
    lines = [
        _headline(lang, view.notice, labels, context.settings.tz),
        _counts_line(lang, view),
    ]
    if view.notice.confirm:
        lines.append(
            t(lang, "notices.unconfirmed", names=_names(lang, view.unconfirmed_names or []))
        )
    if view.unreachable_names:
        lines.append(t(lang, "notices.unreachable", names=_names(lang, view.unreachable_names)))
    if view.unknown_names:
        lines.append(t(lang, "notices.unknown", names=_names(lang, view.unknown_names)))
    return "\n".join(lines)


def _status_buttons(lang: str, view: NoticeStatusView) -> InlineKeyboardMarkup:
    notice_id = view.notice.id
    row = [keyboards.button(t(lang, "notices.refresh"), NoticeButton(notice_id, "status"))]
    if view.notice.confirm and view.unconfirmed_names:
        row.insert(
            0, keyboards.button(t(lang, "notices.remind"), NoticeButton(notice_id, "remind"))
        )
    return InlineKeyboardMarkup([row])


async def _own_notice(
    session: AsyncSession, context: Context, who: Identity, notice_id: int
) -> tuple[NoticeStatusView, Labels] | str:
    """The status of a notice the admin may see with the names of its audience, or the refusal."""
    lang = context.lang(who)
    view = await notices.notice_status(session, notice_id)
    if view is None:
        return t(lang, "notices.not_found", id=notice_id)
    if not who.may_manage(view.notice.scope_district_id) and not who.is_hq:
        return t(lang, "refused.other_district", district=who.district_name or "")
    return view, await _labels(session, [(view.notice.audience, view.notice.audience_value)])


@guard(role="admin", chat="private")
async def show_status(update: Update, context: Context, who: Identity) -> None:
    """One notice: figures, who has not confirmed, who could not be reached."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    async with context.sessions() as session:
        found = await _own_notice(session, context, who, NoticeButton.unpack(query.data).notice_id)
    if isinstance(found, str):
        await answer(update, found)
        return
    view, labels = found
    await query.answer()
    text = _status_text(context, lang, view, labels)
    if query.message is not None and getattr(query.message, "text", None) == text:
        return  # nothing changed since the last look; Telegram refuses an identical edit
    await query.edit_message_text(text, reply_markup=_status_buttons(lang, view))


@guard(role="admin", chat="private")
async def remind_unconfirmed(update: Update, context: Context, who: Identity) -> None:
    """提醒未确认 re-sends the notice only to those who have not confirmed, at most every 5 min."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    notice_id = NoticeButton.unpack(query.data).notice_id
    async with context.sessions.begin() as session:
        found = await _own_notice(session, context, who, notice_id)
        if not isinstance(found, str):
            outcome, figure = await notices.remind_unconfirmed(
                session, notice_id, t, context.settings.bot_language
            )
    if isinstance(found, str):
        await answer(update, found)
        return
    if outcome == "too_soon":
        minutes = max(1, (figure + 59) // 60)
        await answer(update, t(lang, "notices.remind_too_soon", minutes=minutes))
        return
    if outcome != "ok":
        await answer(update, t(lang, f"notices.remind_{outcome}"))
        return
    wake_sender(context)
    await query.answer(t(lang, "notices.reminded", count=figure), show_alert=True)


HANDLERS: Handlers = [
    CommandHandler("notice", notice),
    CommandHandler("notices", list_notices),
    CallbackQueryHandler(press_audience, pattern=NoticeAudienceButton.pattern()),
    CallbackQueryHandler(press_step, pattern=NoticeStepButton.pattern()),
    CallbackQueryHandler(press_confirm, pattern=NoticeButton.pattern(action="confirm")),
    CallbackQueryHandler(show_status, pattern=NoticeButton.pattern(action="status")),
    CallbackQueryHandler(remind_unconfirmed, pattern=NoticeButton.pattern(action="remind")),
]
