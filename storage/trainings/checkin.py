"""Check-in at a training: the code and the QR token, /checkin and /start ci_<token>.

The organizer gets the code and the QR picture 15 minutes before the start; check-in works
from 30 minutes before the start until the end. Wrong codes are counted per Telegram account:
5 within 10 minutes and the account must wait, so a 6-digit code cannot be found by trying.
A QR token (128 random bits) needs no such limit.

Two check-ins of one person at once (two presses, a scan and a typed code) make one: a seat is
checked in by UPDATE … WHERE checked_in_at IS NULL, and a walk-in's seat is an INSERT … ON
CONFLICT DO NOTHING on (training, instructor); whoever finds the row already taken answers
"already". The organizer's message is claimed likewise (UPDATE … WHERE code_sent_at IS NULL).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import qrcode
from qrcode.image.pil import PilImage
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.recruiting import Voice
from storage.common.text import narrow
from storage.common.times import aware
from storage.db import dialect_insert
from storage.messaging import outbox
from storage.models import (
    CheckinAttempt,
    Instructor,
    SeatStatus,
    Status,
    Training,
    TrainingSeat,
    TrainingStatus,
)
from storage.trainings.codes import CODE_DIGITS
from storage.trainings.records import KIND, facts

TOKEN_PREFIX = "ci_"  # /start ci_<token>: the QR link's payload

ANNOUNCE_BEFORE = timedelta(minutes=15)  # the organizer gets the code this long before the start
OPENS_BEFORE = timedelta(minutes=30)  # check-in works from this long before the start
WRONG_CODES = 5  # this many wrong codes within WRONG_WINDOW and the account waits
WRONG_WINDOW = timedelta(minutes=10)
# An ended training's code answers "ended" this long after its end; later it may be another
# training's code (codes are unique only among trainings still to end), so it is just wrong.
CODE_REMEMBERED = timedelta(days=1)

Outcome = Literal[
    "ok", "walk_in", "already", "wrong_code", "too_early", "ended", "cancelled", "stranger",
    "too_many",
]  # fmt: skip

_CODE = re.compile(rf"\d{{{CODE_DIGITS}}}")


@dataclass(frozen=True)
class CheckIn:
    """What a check-in came to: the outcome, the training it was for (if one was found), and
    the moment the answer names: when the person checked in ("ok", "walk_in", "already"),
    when check-in opens ("too_early"), or when to try again ("too_many")."""

    outcome: Outcome
    training: Training | None = None
    at: datetime | None = None


def read_code(text: str) -> str | None:
    """The 6-digit code in what someone typed (full-width digits and spaces allowed:
    "１２３ ４５６" gives "123456"), or None if it is no code."""
    digits = re.sub(r"[\s\-]", "", narrow(text))
    return digits if _CODE.fullmatch(digits) and digits.isascii() else None


def checkin_link(bot_username: str, token: str) -> str:
    """The link the QR picture holds: opening it sends /start ci_<token> to the bot."""
    return f"https://t.me/{bot_username.removeprefix('@')}?start={TOKEN_PREFIX}{token}"


def qr_png(data: str) -> bytes:
    """A QR picture (PNG) of `data`, large enough to scan from a projected screen."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=12, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(image_factory=PilImage).save(buffer)
    return buffer.getvalue()


async def announce_codes(
    session: AsyncSession, voice: Voice, *, now: datetime, bot_username: str
) -> int:
    """15 minutes before the start: the organizer gets the code and the QR picture of
    https://t.me/<bot>?start=ci_<token> (once per training); returns messages enqueued."""
    due = await session.scalars(
        select(Training).where(
            Training.status == TrainingStatus.OPEN.value,
            Training.code_sent_at.is_(None),
            Training.starts_at <= now + ANNOUNCE_BEFORE,
            Training.ends_at > now,
        )
    )
    messages = []
    for training in due.all():
        # The claim: of two ticks at once (or two instances), one finds the row still unsent.
        claimed = await session.execute(
            update(Training)
            .where(
                Training.id == training.id,
                Training.code_sent_at.is_(None),
                Training.status == TrainingStatus.OPEN.value,
            )
            .values(code_sent_at=now)
        )
        if not getattr(claimed, "rowcount", 0):
            continue
        organizer = training.created_by
        lang = (await voice.langs(session, [organizer]))[organizer]
        text = voice.translate(
            lang,
            "checkin.announce",
            code=training.checkin_code,
            opens=voice.when(aware(training.starts_at) - OPENS_BEFORE),
            **facts(voice, lang, training),
        )
        messages.append(
            outbox.Outgoing(
                # The schedule's version in the key: a training moved (and its claim cleared)
                # announces its new window instead of being taken for the old message.
                f"training:{training.id}:code:{training.schedule_version}",
                organizer,
                text,
                KIND,
                training.id,
                photo=qr_png(checkin_link(bot_username, training.checkin_token)),
            )
        )
    return await outbox.enqueue(session, messages, now=now) if messages else 0


async def _instructor_id(session: AsyncSession, telegram_id: int) -> int | None:
    return await session.scalar(
        select(Instructor.id).where(
            Instructor.telegram_id == telegram_id, Instructor.status != Status.ENDED.value
        )
    )


async def _wait_until(session: AsyncSession, telegram_id: int, now: datetime) -> datetime | None:
    """When the account may try a code again, if it typed too many wrong ones lately."""
    recent = list(
        await session.scalars(
            select(CheckinAttempt.at)
            .where(
                CheckinAttempt.telegram_id == telegram_id, CheckinAttempt.at > now - WRONG_WINDOW
            )
            .order_by(CheckinAttempt.at.desc())
            .limit(WRONG_CODES)
        )
    )
    if len(recent) < WRONG_CODES:
        return None
    # The 5th newest leaving the window leaves 4: from then on a try is allowed. Rounded up
    # to the minute, as the answer names it ("after 10:25" must not be a second too early).
    free = aware(recent[-1]) + WRONG_WINDOW
    minute = free.replace(second=0, microsecond=0)
    return minute if minute == free else minute + timedelta(minutes=1)


async def _count_wrong(session: AsyncSession, telegram_id: int, now: datetime) -> None:
    # The account's attempts that no longer count go as a new one comes: the table stays small.
    await session.execute(
        delete(CheckinAttempt).where(
            CheckinAttempt.telegram_id == telegram_id, CheckinAttempt.at <= now - WRONG_WINDOW
        )
    )
    session.add(CheckinAttempt(telegram_id=telegram_id, at=now))
    await session.flush()


async def _by_code(session: AsyncSession, code: str, now: datetime) -> Training | None:
    """The training a code stands for: open before cancelled, then the one whose check-in
    window is nearest to now (an old code may have come back for a new training)."""
    found = await session.scalars(
        select(Training).where(
            Training.checkin_code == code,
            Training.status.in_([TrainingStatus.OPEN.value, TrainingStatus.CANCELLED.value]),
            Training.ends_at > now - CODE_REMEMBERED,
        )
    )

    def distance(training: Training) -> tuple[bool, timedelta]:
        opens, ends = aware(training.starts_at) - OPENS_BEFORE, aware(training.ends_at)
        away = opens - now if now < opens else now - ends if now >= ends else timedelta(0)
        return training.status != TrainingStatus.OPEN.value, away

    return min(found.all(), key=distance, default=None)


async def _by_token(session: AsyncSession, token: str) -> Training | None:
    return await session.scalar(
        select(Training).where(
            Training.checkin_token == token, Training.status != TrainingStatus.DRAFT.value
        )
    )


async def _seat(session: AsyncSession, training_id: int, instructor_id: int) -> TrainingSeat | None:
    return await session.scalar(
        select(TrainingSeat)
        .where(TrainingSeat.training_id == training_id, TrainingSeat.instructor_id == instructor_id)
        .execution_options(populate_existing=True)
    )


async def _mark(session: AsyncSession, seat_id: int, now: datetime) -> bool:
    marked = await session.execute(
        update(TrainingSeat)
        .where(TrainingSeat.id == seat_id, TrainingSeat.checked_in_at.is_(None))
        .values(checked_in_at=now)
    )
    return bool(getattr(marked, "rowcount", 0))


async def _walk_in(
    session: AsyncSession, training_id: int, instructor_id: int, now: datetime
) -> bool:
    statement = dialect_insert(session)(TrainingSeat).values(
        training_id=training_id,
        instructor_id=instructor_id,
        status=SeatStatus.WALK_IN.value,
        checked_in_at=now,
        lead=False,
    )
    statement = statement.on_conflict_do_nothing(
        index_elements=[TrainingSeat.training_id, TrainingSeat.instructor_id]
    )
    inserted = await session.execute(statement)
    return bool(getattr(inserted, "rowcount", 0))


async def check_in(
    session: AsyncSession,
    telegram_id: int,
    *,
    code: str | None = None,
    token: str | None = None,
    now: datetime,
) -> CheckIn:
    """Checks `telegram_id` in by a typed code or a QR token: an invited person's seat gets
    its check-in time, a registered instructor without a seat is recorded as a walk-in; a
    second check-in changes nothing. A code that is no open training's counts as a wrong one."""
    if (code is None) == (token is None):
        raise TypeError("check_in: a code or a token, one of them")
    instructor_id = await _instructor_id(session, telegram_id)
    if instructor_id is None:
        return CheckIn("stranger")
    if code is not None:
        wait_until = await _wait_until(session, telegram_id, now)
        if wait_until is not None:
            return CheckIn("too_many", at=wait_until)
        typed = read_code(code)
        training = await _by_code(session, typed, now) if typed else None
        if training is None:
            await _count_wrong(session, telegram_id, now)
            return CheckIn("wrong_code")
    else:
        training = await _by_token(session, str(token))
        if training is None:
            return CheckIn("wrong_code")
    if training.status == TrainingStatus.CANCELLED.value:
        return CheckIn("cancelled", training)
    seat = await _seat(session, training.id, instructor_id)
    if seat is not None and seat.checked_in_at is not None:
        return CheckIn("already", training, aware(seat.checked_in_at))
    opens = aware(training.starts_at) - OPENS_BEFORE
    if now < opens:
        return CheckIn("too_early", training, opens)
    if now >= aware(training.ends_at):
        return CheckIn("ended", training)
    if seat is None:
        if await _walk_in(session, training.id, instructor_id, now):
            return CheckIn("walk_in", training, now)
        # A seat appeared since the look: the same person checking in at the same moment.
        seat = await _seat(session, training.id, instructor_id)
        assert seat is not None
    if await _mark(session, seat.id, now):
        return CheckIn(
            "walk_in" if seat.status == SeatStatus.WALK_IN.value else "ok", training, now
        )
    seat = await _seat(session, training.id, instructor_id)
    assert seat is not None and seat.checked_in_at is not None
    return CheckIn("already", training, aware(seat.checked_in_at))
