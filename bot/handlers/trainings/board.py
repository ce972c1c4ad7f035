"""/trainings: admins see their trainings and one training's status with names, the attendance
sheet, 改时间 and 取消培训; instructors see the trainings they are invited to."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, InputFile, Update

from bot import keyboards
from bot.context import Context
from bot.flows import Reply
from bot.guards import answer, command_text, guard
from bot.labels import speaker
from bot.texts import t
from schedules.jobs import wake_sender
from storage.common.buttons import TrainingButton
from storage.common.text import number
from storage.messaging import conversations
from storage.models import Conversation, SeatStatus, Training
from storage.people.access import Identity
from storage.trainings import parsing, records, rsvp, sheet
from storage.trainings.parsing import TrainingProblem

MOVE_FLOW = "training_move"
NAMES_SHOWN = 30  # names per section in the status message; the sheet has everyone


def _capacity(training: Training) -> str:
    return f"/{training.capacity}" if training.capacity else ""


def status_buttons(lang: str, training: Training) -> InlineKeyboardMarkup:
    tid = training.id
    return InlineKeyboardMarkup(
        [
            [
                keyboards.button(t(lang, "training.button.status"), TrainingButton(tid, "status")),
                keyboards.button(t(lang, "training.button.sheet"), TrainingButton(tid, "sheet")),
            ],
            [
                keyboards.button(t(lang, "training.button.move"), TrainingButton(tid, "move")),
                keyboards.button(t(lang, "training.button.cancel"), TrainingButton(tid, "cancel")),
            ],
        ]
    )


def _names(lang: str, people: list[records.Person], *, queue: bool = False) -> str:
    shown = []
    for i, person in enumerate(people[:NAMES_SHOWN], 1):
        name = f"{person.name}（{person.district}）"
        if queue:
            name = f"{i}. {name}"
        if person.reason:
            name += f"：{person.reason}"
        shown.append(name)
    more = len(people) - NAMES_SHOWN
    if more > 0:
        shown.append(t(lang, "training.more", n=more))
    return "\n".join(shown) if queue else "、".join(shown)


async def status_text(session: AsyncSession, context: Context, lang: str, training_id: int) -> str:
    now = datetime.now(UTC)
    found = await records.detail(session, training_id, now=now)
    assert found is not None
    training = found.training
    values = records.facts(speaker(context), lang, training)
    values |= {"capacity": _capacity(training)}
    text = t(
        lang,
        "training.status",
        **values,
        state=t(lang, f"training.state.{records.state(training, now=now)}"),
        invited=sum(found.count(s.value) for s in SeatStatus if s is not SeatStatus.WALK_IN),
        attending=found.count(SeatStatus.ATTENDING.value),
        waiting=found.count(SeatStatus.WAITING.value),
        leave=found.count(SeatStatus.LEAVE.value),
        pending=found.count(SeatStatus.INVITED.value),
        checked=found.count("checked_in"),
        walk_in=found.count(SeatStatus.WALK_IN.value),
        absent=found.count("absent"),
    )
    for section in ("attending", "waiting", "leave", "invited", "walk_in", "checked_in", "absent"):
        people = found.people.get(section, [])
        if people:
            title = t(lang, f"training.section.{section}")
            text += f"\n\n{title}：\n" + _names(lang, people, queue=section == "waiting")
    return text


async def _list_for_admin(session: AsyncSession, context: Context, who: Identity) -> Reply:
    lang = context.lang(who)
    now = datetime.now(UTC)
    trainings = await records.list_trainings(session, who.scope_district_id)
    if not trainings:
        return Reply(t(lang, "trainings.none"))
    seats = await records.counts(session, [tr.id for tr in trainings])
    lines = [t(lang, "trainings.header")]
    rows = []
    for training in trainings:
        counted = seats[training.id]
        lines.append(
            t(
                lang,
                "trainings.line",
                id=training.id,
                title=training.title,
                when=records.when_text(training, context.settings.tz),
                state=t(lang, f"training.state.{records.state(training, now=now)}"),
                attending=counted[SeatStatus.ATTENDING.value],
                capacity=_capacity(training),
                waiting=counted[SeatStatus.WAITING.value],
                leave=counted[SeatStatus.LEAVE.value],
                checked=counted["checked_in"],
            )
        )
        label = f"#{training.id} {training.title[:20]}"
        rows.append([keyboards.button(label, TrainingButton(training.id, "status"))])
    return Reply("\n\n".join(lines), InlineKeyboardMarkup(rows))


async def _list_for_instructor(session: AsyncSession, context: Context, who: Identity) -> Reply:
    lang = context.lang(who)
    assert who.instructor is not None
    mine = await records.invited_to(session, who.instructor.id, now=datetime.now(UTC))
    if not mine:
        return Reply(t(lang, "trainings.mine_none"))
    lines = [t(lang, "trainings.mine_header")]
    for training, seat in mine:
        said = t(lang, f"training.seat.{seat.status}")
        if seat.status == SeatStatus.WAITING.value and seat.queue_no is not None:
            said += f" {await rsvp.position(session, training.id, seat.queue_no)}"
        lines.append(
            t(
                lang,
                "trainings.mine_line",
                id=training.id,
                title=training.title,
                when=records.when_text(training, context.settings.tz),
                place=training.place,
                answer=said,
            )
        )
    return Reply("\n\n".join(lines))


@guard(role="registered", chat="private")
async def list_trainings(update: Update, context: Context, who: Identity) -> None:
    """`/trainings` lists; `/trainings <id>` shows one (admins)."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    argument = command_text(message).strip().lstrip("#")
    async with context.sessions.begin() as session:
        if not who.is_admin:
            reply = await _list_for_instructor(session, context, who)
        elif not argument:
            reply = await _list_for_admin(session, context, who)
        else:
            training_id = number(argument)
            training = await session.get(Training, training_id) if training_id else None
            if training_id is None:
                reply = Reply(t(lang, "training.usage_status"))
            elif training is None:
                reply = Reply(t(lang, "training.not_found", id=argument))
            elif not who.may_manage(training.scope_district_id):
                reply = Reply(t(lang, "training.not_yours"))
            else:
                text = await status_text(session, context, lang, training.id)
                reply = Reply(text, status_buttons(lang, training))
    await message.reply_text(reply.text, reply_markup=reply.markup)


@guard(role="admin", chat="private")
async def press_status(update: Update, context: Context, who: Identity) -> None:
    """A training's buttons: 刷新, 签到表, 改时间, 取消培训 and its confirmation."""
    query = update.callback_query
    message = update.effective_message
    assert query is not None and query.data is not None and message is not None
    lang = context.lang(who)
    pressed = TrainingButton.unpack(query.data)
    tid = pressed.training_id
    now = datetime.now(UTC)
    async with context.sessions.begin() as session:
        training = await session.get(Training, tid)
        if training is None:
            await answer(update, t(lang, "training.not_found", id=tid))
            return
        if not who.may_manage(training.scope_district_id):
            await answer(update, t(lang, "training.not_yours"))
            return
        if pressed.action == "sheet":
            data = await sheet.attendance_sheet(session, tid, context.settings.tz)
        elif pressed.action == "move":
            await conversations.save(
                session, who.telegram_id, flow=MOVE_FLOW, step="time", data={"id": tid}
            )
        elif pressed.action == "cancel_yes":
            changed = await records.cancel(session, tid, speaker(context), now=now)
        elif pressed.action in ("status", "list"):
            text = await status_text(session, context, lang, tid)
    if pressed.action == "sheet":
        await query.answer()
        await message.reply_document(
            InputFile(data, filename=f"training-{tid}.xlsx"),
            caption=t(lang, "training.sheet_caption", id=tid),
        )
    elif pressed.action == "move":
        await query.answer()
        await message.reply_text(t(lang, "training.move_ask"))
    elif pressed.action == "cancel":
        confirm = InlineKeyboardMarkup(
            [
                [
                    keyboards.button(
                        t(lang, "training.button.cancel_yes"), TrainingButton(tid, "cancel_yes")
                    ),
                    keyboards.button(
                        t(lang, "training.button.keep"), TrainingButton(tid, "status")
                    ),
                ]
            ]
        )
        await query.answer()
        await message.reply_text(
            t(lang, "training.cancel_confirm", id=tid, title=training.title), reply_markup=confirm
        )
    elif pressed.action == "cancel_yes":
        if changed.outcome == "cancelled":
            await answer(update, t(lang, "training.already_cancelled"))
            return
        if changed.told:
            wake_sender(context)
        await query.answer()
        await query.edit_message_text(t(lang, "training.cancelled_done", id=tid, told=changed.told))
    else:
        await query.answer()
        await query.edit_message_text(text, reply_markup=status_buttons(lang, training))


async def take_move(
    session: AsyncSession, context: Context, who: Identity, conversation: Conversation, text: str
) -> Reply:
    """The new time typed after 改时间 (a step of the router)."""
    lang = context.lang(who)
    if text.strip().casefold() in ("取消", "cancel", "/cancel"):
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "training.flow_cancelled"))
    training = await session.get(Training, int(conversation.data["id"]))
    if training is None or not who.may_manage(training.scope_district_id):
        await conversations.clear(session, who.telegram_id)
        return Reply(t(lang, "training.not_yours"))
    now = datetime.now(UTC)
    try:
        starts_at, ends_at = parsing.read_time(text, now, context.settings.tz)
    except TrainingProblem as problem:
        return Reply(
            t(lang, f"training.problem.{problem.code}", value=problem.value)
            + "\n"
            + t(lang, "training.move_ask")
        )
    await conversations.clear(session, who.telegram_id)
    changed = await records.move(
        session, training.id, starts_at, ends_at, speaker(context), now=now
    )
    if changed.outcome == "cancelled":
        return Reply(t(lang, "training.already_cancelled"))
    if changed.told:
        wake_sender(context)  # before the commit: the sender looks again within a second
    assert changed.training is not None
    when = records.when_text(changed.training, context.settings.tz)
    return Reply(t(lang, "training.moved_done", id=training.id, when=when, told=changed.told))
