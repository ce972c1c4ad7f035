"""Invite codes: issued, reused, revoked, redeemed, and listed on the invite sheet."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import func, select

from storage.db import Sessions
from storage.models import Instructor, Invite, Status
from storage.people import invites
from storage.people.districts import district_ids
from storage.people.invites import ALPHABET, CODE_LENGTH, InviteRow, generate_code, redeem

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
TTL = timedelta(days=30)
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def add_instructors(sessions: Sessions, *specs: tuple[str, str]) -> list[int]:
    """Adds instructors given as (name, district); returns their ids in order."""
    async with sessions.begin() as session:
        ids = await district_ids(session)
        people = [
            Instructor(name=name, district_id=ids[district], level="street", employment="part_time")
            for name, district in specs
        ]
        session.add_all(people)
        await session.flush()
        return [person.id for person in people]


async def get(sessions: Sessions, instructor_id: int) -> Instructor:
    async with sessions() as session:
        return await session.get_one(Instructor, instructor_id)


async def invite_for(sessions: Sessions, instructor_id: int, **changes: object) -> str:
    """Issues an invite and then sets its columns as given (used_at, revoked_at, expires_at)."""
    async with sessions.begin() as session:
        instructor = await session.get_one(Instructor, instructor_id)
        invite = await invites.issue_invite(session, instructor, ttl=TTL, now=NOW)
        for name, value in changes.items():
            setattr(invite, name, value)
        return invite.code


async def bind(sessions: Sessions, instructor_id: int, telegram_id: int) -> None:
    async with sessions.begin() as session:
        (await session.get_one(Instructor, instructor_id)).telegram_id = telegram_id


def test_codes_are_random_and_unambiguous() -> None:
    """Codes are 10 characters without 0, O, 1 or I, and do not repeat."""
    codes = {generate_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == CODE_LENGTH and set(code) <= set(ALPHABET) for code in codes)
    assert not set("01IO") & set("".join(codes))


async def test_ensure_invites_reuses_valid_codes(sessions: Sessions) -> None:
    """Asking twice gives the same codes; bound instructors get none; a stale code is replaced."""
    first, second, bound = await add_instructors(
        sessions, ("张三", "西城"), ("李四", "东城"), ("王五", "西城")
    )
    await bind(sessions, bound, 555)
    async with sessions.begin() as session:
        people = [await session.get_one(Instructor, i) for i in (second, first, bound)]
        rows = await invites.ensure_invites(session, people, ttl=TTL, now=NOW)
    assert [(row.name, row.district) for row in rows] == [("李四", "东城"), ("张三", "西城")]
    assert rows[0].expires_at == NOW + TTL
    assert rows[0].code != rows[1].code

    async with sessions.begin() as session:
        people = [await session.get_one(Instructor, i) for i in (first, second)]
        again = await invites.ensure_invites(session, people, ttl=TTL, now=NOW + timedelta(days=1))
    assert [row.code for row in again] == [rows[1].code, rows[0].code]
    assert again[0].expires_at == NOW + TTL

    later = NOW + TTL + timedelta(seconds=1)
    async with sessions.begin() as session:
        people = [await session.get_one(Instructor, first)]
        renewed = await invites.ensure_invites(session, people, ttl=TTL, now=later)
    assert renewed[0].code != rows[1].code
    assert renewed[0].expires_at == later + TTL
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Invite)) == 3


async def test_issue_invite_revokes_earlier_codes(sessions: Sessions) -> None:
    """A fresh invite revokes the instructor's unused codes, so the old one is refused."""
    [person] = await add_instructors(sessions, ("张三", "西城"))
    old = await invite_for(sessions, person)
    new = await invite_for(sessions, person)
    assert old != new
    async with sessions.begin() as session:
        refused = await redeem(session, old, 777, now=NOW)
        accepted = await redeem(session, new, 777, now=NOW)
    assert (refused.status, accepted.status) == ("revoked", "ok")


async def test_redeem_binds_the_account(sessions: Sessions) -> None:
    """A valid code binds the account, marks the code used, and matches ignoring case/spaces."""
    [person] = await add_instructors(sessions, ("张三", "西城"))
    code = await invite_for(sessions, person)
    async with sessions.begin() as session:
        result = await redeem(session, f"  {code.lower()} ", 777, now=NOW)
    assert result.status == "ok"
    assert result.instructor is not None and result.instructor.id == person
    assert (await get(sessions, person)).telegram_id == 777
    async with sessions() as session:
        invite = (await session.scalars(select(Invite).where(Invite.code == code))).one()
        assert invite.used_by == 777
        assert invites.aware(invite.used_at or NOW - TTL) == NOW

    async with sessions.begin() as session:
        assert (await redeem(session, code, 777, now=NOW)).status == "already_yours"
        assert (await redeem(session, code, 888, now=NOW)).status == "used"


async def test_redeem_refusals_change_nothing(sessions: Sessions) -> None:
    """Unknown, expired, revoked, bound and ended cases are refused and change nothing."""
    ids = await add_instructors(
        sessions,
        ("过期", "西城"),
        ("撤销", "西城"),
        ("已绑定", "西城"),
        ("离任", "西城"),
        ("别人", "东城"),
        ("新人", "东城"),
    )
    expired_id, revoked_id, bound_id, ended_id, other_id, fresh_id = ids
    expired = await invite_for(sessions, expired_id, expires_at=NOW - timedelta(minutes=1))
    revoked = await invite_for(sessions, revoked_id, revoked_at=NOW - timedelta(days=1))
    spare = await invite_for(sessions, bound_id)
    await bind(sessions, bound_id, 100)
    ended = await invite_for(sessions, ended_id)
    async with sessions.begin() as session:
        (await session.get_one(Instructor, ended_id)).status = Status.ENDED.value
    await bind(sessions, other_id, 200)
    fresh = await invite_for(sessions, fresh_id)

    cases = [
        ("NOSUCHCODE", 300, "unknown", None),
        ("", 300, "unknown", None),
        (expired, 300, "expired", expired_id),
        (revoked, 300, "revoked", revoked_id),
        (spare, 300, "instructor_bound", bound_id),
        (ended, 300, "ended", ended_id),
        (fresh, 200, "account_bound", other_id),
    ]
    for code, telegram_id, status, instructor_id in cases:
        async with sessions.begin() as session:
            result = await redeem(session, code, telegram_id, now=NOW)
        assert result.status == status, code
        assert (result.instructor.id if result.instructor else None) == instructor_id

    async with sessions() as session:
        bound = dict((await session.execute(select(Instructor.name, Instructor.telegram_id))).all())
        used = await session.scalar(select(func.count()).where(Invite.used_at.is_not(None)))
    assert bound == {
        "过期": None,
        "撤销": None,
        "已绑定": 100,
        "离任": None,
        "别人": 200,
        "新人": None,
    }
    assert used == 0


async def test_expiry_is_compared_as_an_instant(sessions: Sessions) -> None:
    """A code is valid until its expiry instant, whatever time zone `now` is given in."""
    [person] = await add_instructors(sessions, ("张三", "西城"))
    code = await invite_for(sessions, person)
    just_after = (NOW + TTL + timedelta(seconds=1)).astimezone(SHANGHAI)
    async with sessions.begin() as session:
        assert (await redeem(session, code, 777, now=just_after)).status == "expired"
    just_before = (NOW + TTL - timedelta(seconds=1)).astimezone(SHANGHAI)
    async with sessions.begin() as session:
        assert (await redeem(session, code, 777, now=just_before)).status == "ok"


async def test_pending_invites_cover_unbound_instructors(sessions: Sessions) -> None:
    """Pending invites list unbound, not-ended instructors by district then name."""
    ids = await add_instructors(
        sessions, ("乙02", "西城"), ("乙01", "西城"), ("甲01", "东城"), ("甲02", "东城")
    )
    await bind(sessions, ids[3], 100)
    async with sessions.begin() as session:
        (await session.get_one(Instructor, ids[0])).status = Status.ENDED.value
    async with sessions.begin() as session:
        everyone = await invites.pending_invites(session, district_id=None, ttl=TTL, now=NOW)
        xicheng = (await district_ids(session))["西城"]
        one = await invites.pending_invites(session, district_id=xicheng, ttl=TTL, now=NOW)
    assert [(row.district, row.name) for row in everyone] == [("东城", "甲01"), ("西城", "乙01")]
    assert [row.code for row in one] == [everyone[1].code]


def test_invite_sheet_reads_back() -> None:
    """The sheet has the headers, the deep link, the local expiry date and formula-proof names."""
    rows = [
        InviteRow("张三", "西城", "ABCDEFGH23", datetime(2026, 12, 25, 17, 0, tzinfo=UTC)),
        InviteRow("=1+1", "东城", "ZZZZZZZZ99", datetime(2026, 12, 25, 1, 0, tzinfo=UTC)),
    ]
    data = invites.invite_sheet(rows, "@xieshang_bot", SHANGHAI)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert table[0] == ["姓名", "所属区", "邀请码", "邀请链接", "有效期至"]
    assert table[1][:4] == [
        "张三",
        "西城",
        "ABCDEFGH23",
        "https://t.me/xieshang_bot?start=ABCDEFGH23",
    ]
    # 17:00 UTC is 01:00 the next day in Shanghai.
    assert [row[4].date() for row in table[1:]] == [date(2026, 12, 26), date(2026, 12, 25)]
    name = sheet.cell(row=3, column=1)
    assert (name.value, name.data_type) == ("=1+1", "s")
    assert sheet.cell(row=2, column=4).hyperlink.target == table[1][3]
