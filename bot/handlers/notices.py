"""/notice (guided or one line), the 收到 button, /notices with status and 提醒未确认."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.context import Context, Handlers
from bot.flows import continues
from bot.guards import answer, guard
from bot.texts import t
from schedules.jobs import wake_sender
from storage.common.when import WhenProblem, describe, parse_when
from storage.messaging import conversations, notices
from storage.messaging.notices import Audience, AudienceProblem, NoticeStatusView, telegram_length
from storage.models import Conversation, Level, Notice, NoticeAudience
from storage.people import districts
from storage.people.access import Identity

FLOW = "notice"
NAMES_SHOWN = 40  # names listed in a status; the rest are counted


def audience_label(lang: str, kind: str, value: str | None, district_names: dict[int, str]) -> str:
    """全体 / 西城区 / 市级指导员 / 专职指导员 / 已绑定的群."""
    if kind == NoticeAudience.DISTRICT.value:
        return t(lang, "notice.aud.district", district=district_names.get(int(value or 0), "?"))
    if kind == NoticeAudience.LEVEL.value:
        return t(lang, "notice.aud.level", level=t(lang, f"level.{value}"))
    if kind == NoticeAudience.EMPLOYMENT.value:
        return t(lang, "notice.aud.employment", employment=t(lang, f"employment.{value}"))
    return t(lang, f"notice.aud.{kind}")


def too_long(lang: str, text: str) -> str | None:
    length = telegram_length(text)
    if length > notices.TEXT_LIMIT:
        return t(lang, "notice.too_long", length=length, limit=notices.TEXT_LIMIT)
    return None


async def _district_names(context: Context) -> dict[int, str]:
    async with context.sessions() as session:
        return {i: n for n, i in (await districts.district_ids(session)).items()}


async def _send(
    context: Context,
    who: Identity,
    audience: Audience,
    text: str,
    *,
    confirm: bool,
    send_at: datetime | None,
) -> str:
    """Creates the notice, releases it now unless it is for later, and says what happened."""
    lang = context.lang(who)
    now = datetime.now(UTC)
    async with context.sessions.begin() as session:
        try:
            notice = await notices.create_notice(
                session,
                created_by=who.telegram_id,
                scope_district_id=who.scope_district_id,
                audience=audience,
                text=text,
                confirm=confirm,
                send_at=send_at or now,
            )
        except AudienceProblem:
            return t(lang, "refused.other_district", district=who.district_name or "")
        if send_at is not None and send_at > now:
            when = describe(send_at, context.settings.tz, lang)
            return t(lang, "notice.scheduled", id=notice.id, when=when)
        messages = await notices.release(session, notice, t, context.settings.bot_language, now=now)
        [view] = await notices.views(session, [notice])
    wake_sender(context)
    return t(
        lang,
        "notice.released",
        id=notice.id,
        messages=messages,
        recipients=view.recipients,
        unbound=view.unbound,
    )


# --- /notice -------------------------------------------------------------------------------


def _audience_buttons(lang: str, who: Identity, names: dict[int, str]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(t(lang, "notice.aud.all"), callback_data="nf:a:all")]]
    own = [(i, n) for i, n in sorted(names.items()) if who.may_manage(i)]
    if who.is_hq:
        buttons = [InlineKeyboardButton(n, callback_data=f"nf:a:d:{i}") for i, n in own]
        rows.extend(buttons[i : i + 4] for i in range(0, len(buttons), 4))
    rows.append(
        [
            InlineKeyboardButton(t(lang, f"level.{level.value}"), callback_data=f"nf:a:l:{level}")
            for level in Level
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(t(lang, "employment.full_time"), callback_data="nf:a:e:full_time"),
            InlineKeyboardButton(t(lang, "employment.part_time"), callback_data="nf:a:e:part_time"),
            InlineKeyboardButton(t(lang, "notice.aud.groups"), callback_data="nf:a:g"),
        ]
    )
    rows.append([InlineKeyboardButton(t(lang, "button.cancel"), callback_data="nf:no")])
    return InlineKeyboardMarkup(rows)


def _pair(lang: str, yes: tuple[str, str], no: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, yes[0]), callback_data=yes[1]),
                InlineKeyboardButton(t(lang, no[0]), callback_data=no[1]),
            ],
            [InlineKeyboardButton(t(lang, "button.cancel"), callback_data="nf:no")],
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
        names = await _district_names(context)
        await message.reply_text(
            t(lang, "notice.ask_audience"), reply_markup=_audience_buttons(lang, who, names)
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
    await message.reply_text(await _send(context, who, audience, text, confirm=True, send_at=None))


def _summary(lang: str, data: dict[str, Any], names: dict[int, str], tz: Any) -> str:
    when = (
        describe(datetime.fromisoformat(data["send_at"]), tz, lang)
        if data.get("send_at")
        else t(lang, "notice.now")
    )
    return t(
        lang,
        "notice.summary",
        audience=audience_label(lang, data["audience"], data.get("value"), names),
        confirm=t(lang, "notice.confirm_yes" if data.get("confirm") else "notice.confirm_no"),
        when=when,
        text=data["text"],
    )


async def _ask(
    context: Context, who: Identity, step: str, data: dict[str, Any]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Saves the flow at `step` and returns its question."""
    async with context.sessions.begin() as session:
        await conversations.save(session, who.telegram_id, flow=FLOW, step=step, data=data)
    lang = context.lang(who)
    if step == "text":
        return t(lang, "notice.ask_text", limit=notices.TEXT_LIMIT), None
    if step == "confirm":
        return t(lang, "notice.ask_confirm"), _pair(
            lang, ("notice.confirm_yes", "nf:c:1"), ("notice.confirm_no", "nf:c:0")
        )
    if step == "when":
        return t(lang, "notice.ask_when"), _pair(
            lang, ("notice.now", "nf:w:now"), ("notice.later", "nf:w:later")
        )
    if step == "time":
        return t(lang, "notice.ask_time"), None
    names = await _district_names(context)
    text = _summary(lang, data, names, context.settings.tz)
    return text, _pair(lang, ("notice.button.send", "nf:ok"), ("button.cancel", "nf:no"))


@guard(role="admin", chat="private")
async def press_flow(update: Update, context: Context, who: Identity) -> None:
    """The buttons of the guided /notice: audience, confirmation, when, send, cancel."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    parts = query.data.split(":")[1:]
    async with context.sessions() as session:
        conversation = await conversations.load(session, who.telegram_id)
    if parts[0] == "no":
        async with context.sessions.begin() as session:
            await conversations.clear(session, who.telegram_id)
        await query.answer()
        await query.edit_message_text(t(lang, "notice.cancelled"))
        return
    if conversation is None or conversation.flow != FLOW:
        await answer(update, t(lang, "notice.expired"))
        return
    data, step = dict(conversation.data), conversation.step
    if parts[0] == "a" and step == "audience":
        kind = {"all": "all", "d": "district", "l": "level", "e": "employment", "g": "groups"}
        data["audience"] = kind[parts[1]]
        data["value"] = parts[2] if len(parts) > 2 else None
        if data["audience"] == "district" and not who.may_manage(int(parts[2])):
            await answer(update, t(lang, "refused.other_district", district=who.district_name))
            return
        text, markup = await _ask(context, who, "text", data)
    elif parts[0] == "c" and step == "confirm":
        data["confirm"] = parts[1] == "1"
        text, markup = await _ask(context, who, "when", data)
    elif parts[0] == "w" and step == "when":
        data["send_at"] = None
        text, markup = await _ask(context, who, "review" if parts[1] == "now" else "time", data)
    elif parts[0] == "ok" and step == "review":
        async with context.sessions.begin() as session:
            await conversations.clear(session, who.telegram_id)
        send_at = datetime.fromisoformat(data["send_at"]) if data.get("send_at") else None
        audience = Audience(NoticeAudience(data["audience"]), data.get("value"))
        text = await _send(
            context, who, audience, data["text"], confirm=bool(data["confirm"]), send_at=send_at
        )
        markup = None
    else:
        await answer(update, t(lang, "notice.expired"))
        return
    await query.answer()
    await query.edit_message_text(text, reply_markup=markup)


@continues(FLOW)
async def continue_notice(
    update: Update, context: Context, who: Identity, conversation: Conversation
) -> None:
    """Text typed at the text or time step of the guided /notice."""
    message = update.effective_message
    assert message is not None and message.text is not None
    lang = context.lang(who)
    data, step = dict(conversation.data), conversation.step
    markup: InlineKeyboardMarkup | None = None
    if step == "text":
        refusal = too_long(lang, message.text)
        if refusal:
            await message.reply_text(refusal)
            return
        data["text"] = message.text
        reply, markup = await _ask(context, who, "confirm", data)
    elif step == "time":
        try:
            parsed = parse_when(message.text, datetime.now(UTC), context.settings.tz)
        except WhenProblem as problem:
            await message.reply_text(t(lang, f"when.{problem.code}", value=problem.value))
            return
        if parsed.rule.kind != "once":
            await message.reply_text(t(lang, "notice.once_only"))
            return
        data["send_at"] = parsed.first.isoformat()
        reply, markup = await _ask(context, who, "review", data)
    else:
        reply = t(lang, "notice.press_button")
    await message.reply_text(reply, reply_markup=markup)


# --- 收到 ----------------------------------------------------------------------------------


@guard(role="registered")
async def press_confirm(update: Update, context: Context, who: Identity) -> None:
    """收到 records the confirmation once and turns the button into its receipt."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    notice_id = int(query.data.split(":")[1])
    now = datetime.now(UTC)
    async with context.sessions.begin() as session:
        outcome = await notices.confirm(session, notice_id, who.telegram_id, now=now)
    if outcome != "ok":
        await answer(update, t(lang, f"notice.confirm.{outcome}"))
        return
    await query.answer(t(lang, "notice.confirm.thanks"))
    stamp = now.astimezone(context.settings.tz).strftime("%m-%d %H:%M")
    receipt = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "notice.receipt", at=stamp), callback_data=query.data)]]
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


def _headline(lang: str, notice: Notice, names: dict[int, str], tz: Any) -> str:
    when = describe(notice.send_at, tz, lang)
    preview = notice.text if len(notice.text) <= 30 else notice.text[:30] + "…"
    audience = audience_label(lang, notice.audience, notice.audience_value, names)
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
    if not views:
        await message.reply_text(t(lang, "notices.none"))
        return
    names = await _district_names(context)
    tz = context.settings.tz
    blocks = [f"{_headline(lang, v.notice, names, tz)}\n{_counts_line(lang, v)}" for v in views]
    buttons = [
        InlineKeyboardButton(f"#{v.notice.id}", callback_data=f"nd:{v.notice.id}") for v in views
    ]
    markup = InlineKeyboardMarkup([buttons[i : i + 5] for i in range(0, len(buttons), 5)])
    await message.reply_text(
        t(lang, "notices.title") + "\n\n" + "\n\n".join(blocks), reply_markup=markup
    )


async def _status_text(context: Context, lang: str, view: NoticeStatusView) -> str:
    names = await _district_names(context)
    lines = [
        _headline(lang, view.notice, names, context.settings.tz),
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
    row = [InlineKeyboardButton(t(lang, "notices.refresh"), callback_data=f"nd:{view.notice.id}")]
    if view.notice.confirm and view.unconfirmed_names:
        row.insert(
            0,
            InlineKeyboardButton(t(lang, "notices.remind"), callback_data=f"nr:{view.notice.id}"),
        )
    return InlineKeyboardMarkup([row])


async def _own_notice(context: Context, who: Identity, notice_id: int) -> NoticeStatusView | str:
    """The status of a notice the admin may see, or the refusal."""
    lang = context.lang(who)
    async with context.sessions() as session:
        view = await notices.notice_status(session, notice_id)
    if view is None:
        return t(lang, "notices.not_found", id=notice_id)
    if not who.may_manage(view.notice.scope_district_id) and not who.is_hq:
        return t(lang, "refused.other_district", district=who.district_name or "")
    return view


@guard(role="admin", chat="private")
async def show_status(update: Update, context: Context, who: Identity) -> None:
    """One notice: figures, who has not confirmed, who could not be reached."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    view = await _own_notice(context, who, int(query.data.split(":")[1]))
    if isinstance(view, str):
        await answer(update, view)
        return
    await query.answer()
    text = await _status_text(context, lang, view)
    if query.message is not None and getattr(query.message, "text", None) == text:
        return  # nothing changed since the last look; Telegram refuses an identical edit
    await query.edit_message_text(text, reply_markup=_status_buttons(lang, view))


@guard(role="admin", chat="private")
async def remind_unconfirmed(update: Update, context: Context, who: Identity) -> None:
    """提醒未确认 re-sends the notice only to those who have not confirmed, at most every 5 min."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang(who)
    notice_id = int(query.data.split(":")[1])
    view = await _own_notice(context, who, notice_id)
    if isinstance(view, str):
        await answer(update, view)
        return
    async with context.sessions.begin() as session:
        outcome, figure = await notices.remind_unconfirmed(
            session, notice_id, t, context.settings.bot_language
        )
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
    CallbackQueryHandler(press_flow, pattern=keyboards.NOTICE_FLOW_PATTERN),
    CallbackQueryHandler(press_confirm, pattern=keyboards.NOTICE_CONFIRM_PATTERN),
    CallbackQueryHandler(show_status, pattern=keyboards.NOTICE_STATUS_PATTERN),
    CallbackQueryHandler(remind_unconfirmed, pattern=keyboards.NOTICE_REMIND_PATTERN),
]
