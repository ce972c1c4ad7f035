"""Check-in at trainings: the organizer's code and QR 15 minutes before, /checkin <code> and the
QR link from 30 minutes before the start until the end, walk-ins, wrong codes rate-limited."""

from __future__ import annotations

import asyncio
import io
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import qrcode
from PIL import Image
from sqlalchemy import func, select, update
from telegram import Update

from bot.sandbox.botapi import BotApiStandIn
from schedules import jobs
from schedules.delivery import Sender
from storage.db import Sessions
from storage.models import (
    CheckinAttempt,
    Instructor,
    OutboxMessage,
    SeatStatus,
    Training,
    TrainingSeat,
    TrainingStatus,
)
from storage.trainings.checkin import check_in
from storage.trainings.codes import new_credentials
from tests.conftest import HQ_ID
from tests.files import ROSTER_HEADERS, xlsx
from tests.harness import Person, World

# name, district, telegram id
ROSTER = [
    ("王建国", "西城", 701),
    ("李红", "西城", 702),
    ("张伟", "东城", 703),
    ("刘洋", "大兴", 704),
]
IDS = {name: tid for name, _, tid in ROSTER}
STRANGER = 999
TZ_HOURS = 8  # BOT_TIMEZONE Asia/Shanghai
_numbers = itertools.count(10**6)  # ids of updates and messages fed by at_once


def roster() -> bytes:
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for name, district, telegram_id in ROSTER:
        rows.append(
            [name, "区级", "专职", district, None, None, "劳资人事", date(2020, 1, 1),
             None, None, telegram_id, None]
        )  # fmt: skip
    return xlsx(rows)


@pytest.fixture
async def hq(world: World) -> Person:
    """HQ, with the roster of four instructors who all joined."""
    hq = world.person(HQ_ID, "总部")
    replies = await hq.upload(roster(), "roster.xlsx")
    assert "✅" in replies.text, replies.text
    return hq


def person(world: World, name: str) -> Person:
    return world.person(IDS[name], name)


async def add_training(
    sessions: Sessions,
    *,
    starts_in: timedelta,
    hours: int = 3,
    status: TrainingStatus = TrainingStatus.OPEN,
    seats: dict[str, SeatStatus] | None = None,
    title: str = "集体协商实务培训",
) -> Training:
    """A training starting `starts_in` from now, with seats for the named instructors."""
    now = datetime.now(UTC).replace(microsecond=0)
    starts_at = now + starts_in
    async with sessions.begin() as session:
        code, token = await new_credentials(session, now=now)
        training = Training(
            title=title,
            format="lecture",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            place="市总工会303会议室",
            audience="all",
            capacity=None,
            deadline=starts_at - timedelta(days=1),
            tags=[],
            status=status.value,
            created_by=HQ_ID,
            checkin_code=code,
            checkin_token=token,
        )
        session.add(training)
        await session.flush()
        for name, seat_status in (seats or {}).items():
            instructor_id = await session.scalar(
                select(Instructor.id).where(Instructor.name == name)
            )
            assert instructor_id is not None
            session.add(
                TrainingSeat(training_id=training.id, instructor_id=instructor_id,
                             status=seat_status.value, invited_at=now)
            )  # fmt: skip
    return training


async def seats(sessions: Sessions, training_id: int) -> dict[str, tuple[str, datetime | None]]:
    """Each seat's instructor, status and check-in time."""
    async with sessions() as session:
        rows = await session.execute(
            select(Instructor.name, TrainingSeat.status, TrainingSeat.checked_in_at)
            .join(Instructor, Instructor.id == TrainingSeat.instructor_id)
            .where(TrainingSeat.training_id == training_id)
        )
        return {name: (status, at) for name, status, at in rows}


def local(moment: datetime) -> str:
    """MM-DD HH:MM in Beijing time, as the answers show times."""
    return (moment.astimezone(UTC) + timedelta(hours=TZ_HOURS)).strftime("%m-%d %H:%M")


async def tick(world: World, now: datetime) -> int:
    context = type("Ctx", (), {"bot_data": world.app.bot_data, "bot": world.app.bot})()
    return await jobs.advance_trainings(context, now=now)


async def at_once(world: World, *sent: tuple[Person, str]) -> None:
    """Feeds the messages through the Application at the same time (Person.send waits for
    the tasks its update starts, which concurrent sends would share)."""
    updates = []
    for who, text in sent:
        entity = {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
        message = {
            "message_id": next(_numbers),
            "date": int(datetime.now(UTC).timestamp()),
            "chat": {"id": who.id, "type": "private", "first_name": who.first_name},
            "from": who.user,
            "text": text,
            "entities": [entity],
        }
        raw = {"update_id": next(_numbers), "message": message}
        updates.append(Update.de_json(raw, world.app.bot))
    await asyncio.gather(*(world.app.process_update(update) for update in updates))


def qr_holds(png: bytes, text: str) -> bool:
    """Whether the picture's modules are those of a QR code of `text` (12-pixel boxes)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=12, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    image = Image.open(io.BytesIO(png)).convert("L")
    if image.size != (len(matrix) * 12, len(matrix) * 12):
        return False
    return all(
        (image.getpixel((c * 12 + 6, r * 12 + 6)) == 0) == dark
        for r, row in enumerate(matrix)
        for c, dark in enumerate(row)
    )


# --- the organizer's code -------------------------------------------------------------------


async def test_the_organizer_gets_the_code_and_qr_15_minutes_before_once(
    world: World, hq: Person, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """At 15 minutes before the start (not at 20) the organizer gets one message with the code,
    the window and a QR picture of the bot's ci_ link; two ticks at once and a later tick add
    nothing; drafts and cancelled trainings get none."""
    training = await add_training(sessions, starts_in=timedelta(minutes=10))
    await add_training(sessions, starts_in=timedelta(minutes=10), status=TrainingStatus.DRAFT)
    await add_training(sessions, starts_in=timedelta(minutes=10), status=TrainingStatus.CANCELLED)
    starts = training.starts_at
    assert await tick(world, starts - timedelta(minutes=20)) == 0
    due = starts - timedelta(minutes=15)
    results = await asyncio.gather(tick(world, due), tick(world, due))
    assert sorted(results) == [0, 1]
    assert await tick(world, starts - timedelta(minutes=5)) == 0
    await sender.drain()
    photos = [c for c in standin.calls_to("sendPhoto", HQ_ID) if not c.rejected]
    assert len(photos) == 1
    caption = str(photos[0].params["caption"])
    assert f"签到码：{training.checkin_code}" in caption and "集体协商实务培训" in caption
    assert f"{local(starts - timedelta(minutes=30))} 起" in caption
    assert f"/checkin {training.checkin_code}" in caption
    link = f"https://t.me/xieshang_test_bot?start=ci_{training.checkin_token}"
    assert qr_holds(photos[0].files["photo"][1], link)
    async with sessions() as session:
        sent_at = await session.scalar(
            select(Training.code_sent_at).where(Training.id == training.id)
        )
        rows = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == HQ_ID)
        )
    assert sent_at is not None and rows == 1


async def test_no_code_goes_out_after_the_end(
    world: World, hq: Person, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """A training that ended while the bot was down gets no code afterwards."""
    training = await add_training(sessions, starts_in=timedelta(hours=-4), hours=3)
    assert await tick(world, training.ends_at + timedelta(minutes=1)) == 0


# --- checking in ----------------------------------------------------------------------------


async def test_check_in_by_code_and_by_qr(world: World, hq: Person, sessions: Sessions) -> None:
    """An attending instructor checks in with /checkin <code> (full-width digits and spaces
    too), one on leave by the QR link: each is told the title and time, and the seat keeps its
    status with the check-in time."""
    training = await add_training(
        sessions,
        starts_in=timedelta(minutes=20),
        seats={"王建国": SeatStatus.ATTENDING, "张伟": SeatStatus.LEAVE},
    )
    code = training.checkin_code
    wide = "".join(chr(ord(d) + 0xFEE0) for d in code)  # １２３４５６
    replies = await person(world, "王建国").send(f"/checkin {wide[:3]} {wide[3:]}")
    assert "✅ 签到成功" in replies.text and "集体协商实务培训" in replies.text
    assert local(training.starts_at) in replies.text and "市总工会303会议室" in replies.text
    replies = await person(world, "张伟").send(f"/start ci_{training.checkin_token}")
    assert "✅ 签到成功" in replies.text and "现场签到" not in replies.text
    held = await seats(sessions, training.id)
    assert held["王建国"][0] == "attending" and held["王建国"][1] is not None
    assert held["张伟"][0] == "leave" and held["张伟"][1] is not None


async def test_a_second_check_in_changes_nothing(
    world: World, hq: Person, sessions: Sessions
) -> None:
    """Checking in again, by code or QR, says it was done already and keeps the first time."""
    training = await add_training(
        sessions, starts_in=timedelta(minutes=-10), seats={"王建国": SeatStatus.ATTENDING}
    )
    wang = person(world, "王建国")
    await wang.send(f"/checkin {training.checkin_code}")
    first = (await seats(sessions, training.id))["王建国"][1]
    assert first is not None
    again = await wang.send(f"/checkin {training.checkin_code}")
    assert "你已经签到过了" in again.text and "签到成功" not in again.text
    scanned = await wang.send(f"/start ci_{training.checkin_token}")
    assert "你已经签到过了" in scanned.text
    assert (await seats(sessions, training.id))["王建国"][1] == first


async def test_a_walk_in_is_recorded_as_such(world: World, hq: Person, sessions: Sessions) -> None:
    """A registered instructor who was not invited checks in and is told it counts as 现场签到;
    the training gets a walk_in seat with the time."""
    training = await add_training(
        sessions, starts_in=timedelta(minutes=5), seats={"王建国": SeatStatus.ATTENDING}
    )
    replies = await person(world, "李红").send(f"/start ci_{training.checkin_token}")
    assert "✅ 签到成功" in replies.text and "已记为现场签到" in replies.text
    status, at = (await seats(sessions, training.id))["李红"]
    assert status == "walk_in" and at is not None


async def test_check_in_works_only_in_its_window(
    world: World, hq: Person, sessions: Sessions
) -> None:
    """Before start − 30 minutes the answer says from when; after the end it says it ended;
    25 minutes before the start it works."""
    early = await add_training(
        sessions, starts_in=timedelta(hours=2), seats={"王建国": SeatStatus.ATTENDING}
    )
    ended = await add_training(
        sessions, starts_in=timedelta(hours=-4), hours=3, seats={"王建国": SeatStatus.ATTENDING},
        title="经验交流座谈会",
    )  # fmt: skip
    soon = await add_training(sessions, starts_in=timedelta(minutes=25), title="分组模拟协商")
    wang = person(world, "王建国")
    replies = await wang.send(f"/checkin {early.checkin_code}")
    assert "还没开始签到" in replies.text
    assert f"{local(early.starts_at - timedelta(minutes=30))} 起可以签到" in replies.text
    replies = await wang.send(f"/start ci_{ended.checkin_token}")
    assert "经验交流座谈会" in replies.text and "已经结束" in replies.text
    replies = await wang.send(f"/checkin {ended.checkin_code}")
    assert "已经结束" in replies.text
    assert (await seats(sessions, early.id))["王建国"][1] is None
    assert (await seats(sessions, ended.id))["王建国"][1] is None
    replies = await wang.send(f"/checkin {soon.checkin_code}")
    assert "✅ 签到成功" in replies.text and "分组模拟协商" in replies.text


async def test_wrong_and_cancelled_codes_and_links_are_refused(
    world: World, hq: Person, sessions: Sessions
) -> None:
    """A code no training has, a draft's code, a broken QR link and a cancelled training's code
    each get their answer and check nobody in; only the wrong codes count as failed tries."""
    training = await add_training(sessions, starts_in=timedelta(minutes=10))
    draft = await add_training(
        sessions, starts_in=timedelta(minutes=10), status=TrainingStatus.DRAFT
    )
    cancelled = await add_training(
        sessions, starts_in=timedelta(minutes=10), status=TrainingStatus.CANCELLED,
        title="取消的座谈会",
    )  # fmt: skip
    wrong = next(
        f"{n:06d}"
        for n in range(1_000_000)
        if f"{n:06d}" not in (training.checkin_code, draft.checkin_code, cancelled.checkin_code)
    )
    wang = person(world, "王建国")
    assert "签到码不对" in (await wang.send(f"/checkin {wrong}")).text
    assert "签到码不对" in (await wang.send(f"/checkin {draft.checkin_code}")).text
    assert "签到链接无效" in (await wang.send("/start ci_not-a-token")).text
    assert "签到链接无效" in (await wang.send(f"/start ci_{draft.checkin_token}")).text
    replies = await wang.send(f"/checkin {cancelled.checkin_code}")
    assert "取消的座谈会" in replies.text and "已取消" in replies.text
    assert "已取消" in (await wang.send(f"/start ci_{cancelled.checkin_token}")).text
    assert "6 位数字" in (await wang.send("/checkin 12345")).text
    async with sessions() as session:
        tries = await session.scalar(select(func.count()).select_from(CheckinAttempt))
        checked = await session.scalar(select(func.count()).select_from(TrainingSeat))
    assert tries == 2 and checked == 0


async def test_strangers_are_told_who_may_check_in(
    world: World, hq: Person, sessions: Sessions
) -> None:
    """An unknown account and an admin without an instructor record, by code or QR, are told
    that only registered instructors check in; nothing is recorded."""
    training = await add_training(sessions, starts_in=timedelta(minutes=10))
    stranger = world.person(STRANGER, "路人")
    for who in (stranger, hq):
        for text in (f"/checkin {training.checkin_code}", f"/start ci_{training.checkin_token}"):
            replies = await who.send(text)
            assert "只有已登记的协商指导员才能签到" in replies.text, (who.id, text)
            assert "签到成功" not in replies.text
    assert await seats(sessions, training.id) == {}


async def test_wrong_codes_are_rate_limited(world: World, hq: Person, sessions: Sessions) -> None:
    """After 5 wrong codes in 10 minutes even the right code is refused with the time to try
    again, without counting as another try; once the tries are 10 minutes old it works."""
    training = await add_training(
        sessions, starts_in=timedelta(minutes=10), seats={"王建国": SeatStatus.ATTENDING}
    )
    code = training.checkin_code
    wrong = [f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" != code][:5]
    wang, li = person(world, "王建国"), person(world, "李红")
    for typed in wrong:
        assert "签到码不对" in (await wang.send(f"/checkin {typed}")).text
    refused = await wang.send(f"/checkin {code}")
    assert "输错次数太多" in refused.text and "签到成功" not in refused.text
    async with sessions() as session:
        oldest = await session.scalar(select(func.min(CheckinAttempt.at)))
        tries = await session.scalar(select(func.count()).select_from(CheckinAttempt))
    assert oldest is not None and tries == 5
    free = oldest.replace(tzinfo=UTC) + timedelta(minutes=10)
    shown = (free.replace(second=0, microsecond=0) + timedelta(minutes=1)).astimezone(UTC)
    assert f"请 {local(shown)[6:]} 以后再试" in refused.text
    assert (await seats(sessions, training.id))["王建国"][1] is None
    # Another person is not held back by 王建国's tries.
    assert "签到成功" in (await li.send(f"/checkin {code}")).text
    async with sessions.begin() as session:
        await session.execute(
            update(CheckinAttempt).values(at=CheckinAttempt.at - timedelta(minutes=10))
        )
    assert "✅ 签到成功" in (await wang.send(f"/checkin {code}")).text


async def test_two_check_ins_at_once_make_one(
    world: World, hq: Person, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """An invited person sending the code while scanning the QR, and a walk-in sending the code
    twice at once, are each checked in once: one 签到成功 and one 已经签到过了."""
    training = await add_training(
        sessions, starts_in=timedelta(minutes=10), seats={"王建国": SeatStatus.ATTENDING}
    )
    wang, li = person(world, "王建国"), person(world, "李红")
    await at_once(
        world,
        (wang, f"/checkin {training.checkin_code}"),
        (wang, f"/start ci_{training.checkin_token}"),
        (li, f"/checkin {training.checkin_code}"),
        (li, f"/checkin {training.checkin_code}"),
    )
    held = await seats(sessions, training.id)
    assert held["王建国"][0] == "attending" and held["王建国"][1] is not None
    assert held["李红"][0] == "walk_in" and held["李红"][1] is not None
    async with sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(TrainingSeat))
    assert rows == 2
    for who in (wang, li):
        said = standin.texts(who.id)[-2:]
        assert sum("签到成功" in text for text in said) == 1, said
        assert sum("你已经签到过了" in text for text in said) == 1, said


async def test_checkin_alone_asks_for_the_code(
    world: World, hq: Person, sessions: Sessions
) -> None:
    """/checkin without a code asks for it; a typed non-code asks again; the code checks in."""
    training = await add_training(
        sessions, starts_in=timedelta(minutes=10), seats={"王建国": SeatStatus.INVITED}
    )
    wang = person(world, "王建国")
    assert "请输入签到码" in (await wang.send("/checkin")).text
    assert "签到码是 6 位数字" in (await wang.send("我到了")).text
    replies = await wang.send(f" {training.checkin_code} ")
    assert "✅ 签到成功" in replies.text
    assert (await seats(sessions, training.id))["王建国"][1] is not None
    assert "请输入签到码" in (await wang.send("/checkin")).text
    assert "这次先不签到" in (await wang.send("取消")).text


async def test_checkin_is_for_private_chats(world: World, hq: Person, sessions: Sessions) -> None:
    """/checkin in a group points to the private chat and checks nobody in."""
    training = await add_training(
        sessions, starts_in=timedelta(minutes=10), seats={"王建国": SeatStatus.ATTENDING}
    )
    replies = await person(world, "王建国").send(
        f"/checkin {training.checkin_code}", chat=world.group()
    )
    assert "签到成功" not in replies.text and replies.text
    assert (await seats(sessions, training.id))["王建国"][1] is None


@pytest.mark.parametrize("name", ["王建国", "李红"])
async def test_a_check_in_racing_an_uncommitted_one_finds_it_done(
    world: World, hq: Person, sessions: Sessions, name: str
) -> None:
    """While one check-in's transaction is still open, a second of the same person (an invited
    one's seat, a walk-in's new seat) waits for it and then answers "already": one row, one
    check-in time."""
    training = await add_training(
        sessions, starts_in=timedelta(minutes=10), seats={"王建国": SeatStatus.ATTENDING}
    )
    now = datetime.now(UTC)
    async with sessions.begin() as first:
        done = await check_in(first, IDS[name], code=training.checkin_code, now=now)
        assert done.outcome == ("ok" if name == "王建国" else "walk_in")

        async def second() -> str:
            async with sessions.begin() as session:
                later = now + timedelta(seconds=1)
                return (await check_in(session, IDS[name], token=training.checkin_token,
                                       now=later)).outcome  # fmt: skip

        racing = asyncio.create_task(second())
        await asyncio.sleep(0.3)  # the second reaches its UPDATE / INSERT and waits
        assert not racing.done()
    assert await racing == "already"
    held = await seats(sessions, training.id)
    at = held[name][1]
    assert at is not None and at.replace(tzinfo=UTC) == now  # the first one's
