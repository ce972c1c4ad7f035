"""Invite codes: single-use, random, expiring; `/start <code>` binds an account to an instructor."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.spreadsheets import Link, xlsx_bytes
from storage.common.times import aware
from storage.models import District, Instructor, Invite, Status

# No 0/O, 1/I: codes get read aloud and typed from paper. All fit Telegram's deep-link
# alphabet (A-Z, a-z, 0-9, _ and -, at most 64 characters).
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10

REDEEM_STATUSES = (
    "ok",
    "already_yours",
    "unknown",
    "used",
    "revoked",
    "expired",
    "instructor_bound",
    "account_bound",
    "ended",
)

INVITE_SHEET_HEADERS = ("姓名", "所属区", "邀请码", "邀请链接", "有效期至")

_CHUNK = 500
T = TypeVar("T")


@dataclass(frozen=True)
class InviteRow:
    """One line of an invite sheet."""

    name: str
    district: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    """The outcome of `/start <code>`; `instructor` is None only when the code is unknown."""

    status: str
    instructor: Instructor | None


def generate_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


async def _new_codes(session: AsyncSession, count: int) -> list[str]:
    """`count` fresh codes, none of them already in the table."""
    codes: set[str] = set()
    while len(codes) < count:
        batch = {generate_code() for _ in range(count - len(codes))} - codes
        taken = set(
            (await session.scalars(select(Invite.code).where(Invite.code.in_(batch)))).all()
        )
        codes |= batch - taken
    return list(codes)


async def _district_names(session: AsyncSession) -> dict[int, str]:
    rows = await session.execute(select(District.id, District.name))
    return {district_id: name for district_id, name in rows}


async def ensure_invites(
    session: AsyncSession, instructors: Sequence[Instructor], *, ttl: timedelta, now: datetime
) -> list[InviteRow]:
    """A valid invite for each instructor not yet bound: reused if one exists, else created."""
    now = aware(now)
    unbound = [instructor for instructor in instructors if instructor.telegram_id is None]
    ids = [instructor.id for instructor in unbound]
    valid: dict[int, Invite] = {}
    for chunk in _chunks(ids):
        found = await session.scalars(
            select(Invite).where(
                Invite.instructor_id.in_(chunk),
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
                Invite.expires_at > now,
            )
        )
        for invite in found:
            best = valid.get(invite.instructor_id)
            if best is None or aware(invite.expires_at) > aware(best.expires_at):
                valid[invite.instructor_id] = invite
    missing = list(dict.fromkeys(i for i in ids if i not in valid))
    for instructor_id, code in zip(missing, await _new_codes(session, len(missing)), strict=True):
        invite = Invite(code=code, instructor_id=instructor_id, expires_at=now + ttl)
        session.add(invite)
        valid[instructor_id] = invite
    districts = await _district_names(session)
    return [
        InviteRow(
            name=instructor.name,
            district=districts.get(instructor.district_id, ""),
            code=valid[instructor.id].code,
            expires_at=aware(valid[instructor.id].expires_at),
        )
        for instructor in unbound
    ]


async def issue_invite(
    session: AsyncSession, instructor: Instructor, *, ttl: timedelta, now: datetime
) -> Invite:
    """A fresh invite for the instructor; their earlier unused invites are revoked."""
    now = aware(now)
    earlier = await session.scalars(
        select(Invite).where(
            Invite.instructor_id == instructor.id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
        )
    )
    for invite in earlier:
        invite.revoked_at = now
    [code] = await _new_codes(session, 1)
    invite = Invite(code=code, instructor_id=instructor.id, expires_at=now + ttl)
    session.add(invite)
    await session.flush()
    return invite


async def pending_invites(
    session: AsyncSession, *, district_id: int | None, ttl: timedelta, now: datetime
) -> list[InviteRow]:
    """Invites for every unbound instructor who has not ended (of one district if given)."""
    query = (
        select(Instructor)
        .where(Instructor.telegram_id.is_(None), Instructor.status != Status.ENDED.value)
        .order_by(Instructor.district_id, Instructor.name, Instructor.id)
    )
    if district_id is not None:
        query = query.where(Instructor.district_id == district_id)
    instructors = list((await session.scalars(query)).all())
    return await ensure_invites(session, instructors, ttl=ttl, now=now)


async def redeem(session: AsyncSession, code: str, telegram_id: int, *, now: datetime) -> Redeemed:
    """Binds the account to the code's instructor if code, instructor and account all allow it.

    Nothing changes unless the status is "ok". The invite's and the instructor's rows are
    locked first (PostgreSQL), so two accounts racing for one code cannot both win.
    """
    now = aware(now)
    code = code.strip().upper()
    if not code or len(code) > 32:
        return Redeemed("unknown", None)
    found = (
        await session.execute(
            select(Invite.id, Invite.instructor_id).where(Invite.code == code).with_for_update()
        )
    ).first()
    if found is None:
        return Redeemed("unknown", None)
    invite_id, instructor_id = found
    await session.execute(
        select(Instructor.id).where(Instructor.id == instructor_id).with_for_update()
    )
    invite = (
        await session.scalars(
            select(Invite).where(Invite.id == invite_id).execution_options(populate_existing=True)
        )
    ).one()
    instructor = invite.instructor
    status = await _refusal(session, invite, instructor, telegram_id, now)
    if status is not None:
        return status
    instructor.telegram_id = telegram_id
    invite.used_at = now
    invite.used_by = telegram_id
    await session.flush()
    return Redeemed("ok", instructor)


async def _refusal(
    session: AsyncSession,
    invite: Invite,
    instructor: Instructor,
    telegram_id: int,
    now: datetime,
) -> Redeemed | None:
    if instructor.telegram_id == telegram_id:
        return Redeemed("already_yours", instructor)
    other = (
        await session.scalars(select(Instructor).where(Instructor.telegram_id == telegram_id))
    ).first()
    if other is not None:
        return Redeemed("account_bound", other)
    if invite.used_at is not None:
        return Redeemed("used", instructor)
    if invite.revoked_at is not None:
        return Redeemed("revoked", instructor)
    if aware(invite.expires_at) <= now:
        return Redeemed("expired", instructor)
    if instructor.status == Status.ENDED.value:
        return Redeemed("ended", instructor)
    if instructor.telegram_id is not None:
        return Redeemed("instructor_bound", instructor)
    return None


def invite_sheet(rows: Sequence[InviteRow], bot_username: str, tz: tzinfo) -> bytes:
    """The invite sheet as .xlsx: name, district, code, deep link, last valid day in `tz`."""
    username = bot_username.strip().lstrip("@")
    table: list[list[object]] = [list(INVITE_SHEET_HEADERS)]
    for row in rows:
        link = invite_link(username, row.code)
        table.append(
            [
                row.name,
                row.district,
                row.code,
                Link(link, link),
                aware(row.expires_at).astimezone(tz).date(),
            ]
        )
    return xlsx_bytes({"邀请码": table})


def invite_link(bot_username: str, code: str) -> str:
    """The deep link that opens the bot with `/start <code>`."""
    return f"https://t.me/{bot_username.strip().lstrip('@')}?start={code}"
