"""/breakout splits a training's checked-in attendees into groups with sides and a lead; /me
shows the trainings one attended; the attendance sheet lists every seat."""

from __future__ import annotations

import io
import itertools
import random
import secrets
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from math import ceil
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.sandbox.botapi import BotApiStandIn
from schedules.delivery import Sender
from storage.db import Sessions
from storage.models import (
    Admin,
    District,
    Instructor,
    OutboxMessage,
    SeatStatus,
    Training,
    TrainingSeat,
)
from storage.trainings import attendance
from storage.trainings.breakout import EMPLOYER, WORKER, Attendee, experience, seniority, split
from storage.trainings.sheet import COLUMNS, attendance_sheet
from tests.conftest import HQ_ID
from tests.files import ROSTER_HEADERS, xlsx
from tests.harness import Person, World

TODAY = date(2026, 12, 3)
SHANGHAI = ZoneInfo("Asia/Shanghai")

# name, level, employment, district, start date, telegram id
ROSTER: list[tuple[str, str, str, str, date | None, int]] = [
    ("王建国", "市级", "专职", "西城", date(2015, 3, 1), 701),
    ("李红", "区级", "专职", "西城", date(2020, 1, 1), 702),
    ("张伟", "市级", "专职", "东城", date(2018, 1, 1), 703),
    ("刘洋", "区级", "兼职", "东城", date(2022, 1, 1), 704),
    ("陈静", "街乡级", "兼职", "大兴", date(2023, 1, 1), 705),
    ("杨帆", "企业级", "兼职", "大兴", date(2025, 6, 1), 706),
    ("赵敏", "区级", "专职", "平谷", date(2019, 1, 1), 707),
    ("周强", "街乡级", "专职", "平谷", None, 708),
    ("孙丽", "企业级", "兼职", "西城", date(2024, 1, 1), 709),
    ("吴刚", "区级", "兼职", "朝阳", date(2021, 1, 1), 710),
]
IDS = {name: telegram_id for name, *_, telegram_id in ROSTER}
EIGHT = [name for name, *_ in ROSTER[:8]]  # checked in by default


# --- the rule alone ------------------------------------------------------------------------------


def person(i: int, district: int, level: str = "district", employment: str = "part_time",
           start: date | None = None) -> Attendee:  # fmt: skip
    return Attendee(i, f"p{i}", district, f"区{district}", level, employment, start)


def random_room(seed: int) -> tuple[list[Attendee], int]:
    rng = random.Random(seed)
    n = rng.randint(2, 60)
    districts = rng.randint(1, 8)
    people = [
        person(
            i,
            1 if rng.random() < 0.3 else rng.randint(1, districts),
            rng.choice(["city", "district", "street", "enterprise"]),
            rng.choice(["full_time", "part_time"]),
            date(rng.randint(2010, 2026), rng.randint(1, 12), 1),
        )
        for i in range(1, n + 1)
    ]
    return people, rng.randint(1, n // 2)


def test_experience_adds_level_employment_and_years_up_to_five() -> None:
    """市级 6, 区级 4, 街乡级 2, 企业级 0; 专职 +3; +1 a full year since the start, at most 5."""
    assert experience(person(1, 1, "city", "full_time", date(2010, 1, 1)), TODAY) == 14
    assert experience(person(2, 1, "district", "part_time", date(2023, 12, 4)), TODAY) == 4 + 2
    assert experience(person(3, 1, "street", "full_time", None), TODAY) == 5
    assert experience(person(4, 1, "enterprise", "part_time", date(2026, 6, 1)), TODAY) == 0


def test_groups_differ_by_one_at_most_and_each_has_one_lead_its_most_senior() -> None:
    """11 attendees in 3 groups: 4, 4 and 3, everyone once, and each group's lead is its most
    experienced member."""
    levels = ["city", "district", "street", "enterprise"] * 3
    people = [
        person(i, i % 4, levels[i], "full_time" if i % 2 else "part_time", date(2014 + i, 1, 1))
        for i in range(11)
    ]
    groups = split(people, 3, today=TODAY)
    assert sorted(len(g.members) for g in groups) == [3, 4, 4]
    ids = sorted(m.attendee.instructor_id for g in groups for m in g.members)
    assert ids == sorted(p.instructor_id for p in people)
    for group in groups:
        assert [m.lead for m in group.members].count(True) == 1
        assert group.lead.attendee == seniority([m.attendee for m in group.members], TODAY)[0]


def test_sides_alternate_by_experience_and_balance_in_each_group_and_the_room() -> None:
    """In order of seniority members take 职工方 and 企业方 in turn: within a group the counts
    differ by one at most, the second most experienced is on the other side from the lead, and
    the whole room is balanced too."""
    people, _ = random_room(7)
    for k in range(1, len(people) // 2 + 1):
        groups = split(people, k, today=TODAY)
        room: Counter[str] = Counter()
        for group in groups:
            sides = [m.side for m in group.members]
            assert abs(sides.count(WORKER) - sides.count(EMPLOYER)) <= 1
            assert all(a != b for a, b in itertools.pairwise(sides))
            room.update(sides)
        assert abs(room[WORKER] - room[EMPLOYER]) <= 1


@pytest.mark.parametrize("seed", range(40))
def test_no_group_holds_more_of_one_district_than_it_must(seed: int) -> None:
    """A district of c members puts at most ⌈c / k⌉ into one group, in random rooms."""
    people, k = random_room(seed)
    groups = split(people, k, today=TODAY)
    per_district = Counter(p.district_id for p in people)
    for group in groups:
        crowd = Counter(m.attendee.district_id for m in group.members)
        for district, count in crowd.items():
            assert count <= ceil(per_district[district] / k), (group.number, district)
    sizes = [len(g.members) for g in groups]
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == len(people)


def test_experience_is_mixed_across_groups() -> None:
    """Six seniors and six newcomers from six districts in 3 groups: two of each per group, not
    the seniors together."""
    seniors = [person(i, i, "city", "full_time", date(2010, 1, 1)) for i in range(1, 7)]
    newcomers = [person(i + 6, i, "enterprise", "part_time", date(2026, 1, 1)) for i in range(1, 7)]
    groups = split(seniors + newcomers, 3, today=TODAY)
    for group in groups:
        levels = Counter(m.attendee.level for m in group.members)
        assert levels == {"city": 2, "enterprise": 2}


def test_the_most_senior_lead_different_groups_where_the_districts_allow() -> None:
    """Of the test roster's eight (two from each of four districts), the k most senior are in
    k different groups and lead them, for k = 2, 3 and 4."""
    districts = {name: i for i, name in enumerate(["西城", "东城", "大兴", "平谷"])}
    levels = {"市级": "city", "区级": "district", "街乡级": "street", "企业级": "enterprise"}
    people = [
        Attendee(tid, name, districts[district], district, levels[level],
                 "full_time" if employment == "专职" else "part_time", start)
        for name, level, employment, district, start, tid in ROSTER[:8]
    ]  # fmt: skip
    for k in (2, 3, 4):
        groups = split(people, k, today=TODAY)
        assert {g.lead.attendee for g in groups} == set(seniority(people, TODAY)[:k]), k


def test_the_same_attendees_in_any_order_give_the_same_groups() -> None:
    """The split is deterministic: shuffling the input changes nothing."""
    people, k = random_room(3)
    first = split(people, k, today=TODAY)
    shuffled = list(people)
    random.Random(1).shuffle(shuffled)
    assert split(shuffled, k, today=TODAY) == first


def test_split_refuses_groups_of_one() -> None:
    """k < 1 or fewer than 2 per group is no split."""
    people = [person(i, 1) for i in range(1, 6)]
    for k in (0, 3):
        with pytest.raises(ValueError):
            split(people, k, today=TODAY)


# --- through the bot -----------------------------------------------------------------------------


def roster() -> bytes:
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for name, level, employment, district, start, telegram_id in ROSTER:
        rows.append(
            [name, level, employment, district, None, None, None, start, None, None,
             telegram_id, None]
        )  # fmt: skip
    return xlsx(rows)


@pytest.fixture
async def hq(world: World) -> Person:
    """HQ with the roster imported."""
    hq = world.person(HQ_ID, "总部")
    replies = await hq.upload(roster(), "roster.xlsx")
    assert "✅" in replies.text, replies.text
    return hq


async def district_id(sessions: Sessions, name: str) -> int:
    async with sessions() as session:
        found = await session.scalar(select(District.id).where(District.name == name))
    assert found is not None
    return found


async def add_training(
    sessions: Sessions,
    title: str = "工资集体协商模拟",
    *,
    created_by: int = HQ_ID,
    scope: int | None = None,
    status: str = "open",
    starts: datetime | None = None,
    place: str = "市总工会303会议室",
) -> int:
    starts = starts or datetime.now(UTC) - timedelta(minutes=20)
    async with sessions.begin() as session:
        training = Training(
            title=title, format="mock", starts_at=starts, ends_at=starts + timedelta(hours=3),
            place=place, audience="all", audience_value=None, scope_district_id=scope,
            capacity=None, deadline=starts - timedelta(days=1), tags=[], status=status,
            created_by=created_by, checkin_code="123456", checkin_token=secrets.token_hex(8),
            version=0, queue_seq=0, schedule_version=0, breakouts=0,
        )  # fmt: skip
        session.add(training)
        await session.flush()
        return training.id


async def seat(
    sessions: Sessions,
    training_id: int,
    name: str,
    status: str = SeatStatus.ATTENDING.value,
    *,
    checked_in: datetime | None = None,
    queue_no: int | None = None,
    reason: str | None = None,
) -> None:
    async with sessions.begin() as session:
        instructor_id = await session.scalar(select(Instructor.id).where(Instructor.name == name))
        assert instructor_id is not None, name
        session.add(
            TrainingSeat(
                training_id=training_id, instructor_id=instructor_id, status=status,
                reason=reason, queue_no=queue_no, checked_in_at=checked_in, lead=False,
            )
        )  # fmt: skip


async def checked_in_training(sessions: Sessions, names: list[str] = EIGHT, **kwargs: Any) -> int:
    """A training where `names` checked in (the last as a walk-in) and 孙丽 is invited only."""
    training_id = await add_training(sessions, **kwargs)
    at = datetime.now(UTC) - timedelta(minutes=10)
    for i, name in enumerate(names):
        status = SeatStatus.WALK_IN.value if i == len(names) - 1 else SeatStatus.ATTENDING.value
        await seat(sessions, training_id, name, status, checked_in=at + timedelta(minutes=i))
    await seat(sessions, training_id, "孙丽", SeatStatus.ATTENDING.value)
    return training_id


async def seats_by_name(sessions: Sessions, training_id: int) -> dict[str, TrainingSeat]:
    async with sessions() as session:
        rows = await session.execute(
            select(Instructor.name, TrainingSeat)
            .join(TrainingSeat, TrainingSeat.instructor_id == Instructor.id)
            .where(TrainingSeat.training_id == training_id)
        )
        return {name: seat for name, seat in rows}


async def test_breakout_stores_groups_and_tells_each_member_in_private(
    world: World, sessions: Sessions, hq: Person, sender: Sender, standin: BotApiStandIn
) -> None:
    """/breakout 1 2 gives HQ the table; every checked-in attendee (the walk-in too) has a
    group, a side and one lead per group stored and is told in private through the outbox;
    孙丽, invited but not checked in, has no group and no message."""
    training_id = await checked_in_training(sessions)
    table = (await hq.send(f"/breakout {training_id} 2")).text
    assert "已签到 8 人，分成 2 组（第 1 次分组）" in table, table
    assert "第 1 组（4 人，职工方 2、企业方 2）" in table and "第 2 组（4 人" in table
    assert "王建国（西城·市级专职）职工方·组长" in table and "孙丽" not in table
    assert table.count("组长") == 2 and "已私信通知 8 人" in table

    seats = await seats_by_name(sessions, training_id)
    grouped = {name: s for name, s in seats.items() if s.group_no is not None}
    assert set(grouped) == set(EIGHT) and seats["孙丽"].side is None
    for number in (1, 2):
        members = [s for s in grouped.values() if s.group_no == number]
        sides = Counter(s.side for s in members)
        assert len(members) == 4 and sides == {WORKER: 2, EMPLOYER: 2}
        assert sum(s.lead for s in members) == 1
        # Two from each of the four districts: one each per group.
        districts = Counter(
            dict(ROSTER_DISTRICTS)[n] for n, s in grouped.items() if s.group_no == number
        )
        assert set(districts.values()) == {1}
    async with sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert sorted(row.chat_id for row in rows) == sorted(IDS[name] for name in EIGHT)
    assert all(row.kind == "training" and row.ref_id == training_id for row in rows)
    assert all(row.key.startswith(f"training:{training_id}:breakout:1:") for row in rows)

    await sender.drain()
    mine = standin.texts(IDS["王建国"])[-1]
    assert "你在第 1 组，扮演职工方，并担任组长" in mine and "本组成员" in mine
    lead = seats["王建国"]
    fellow = next(n for n, s in grouped.items() if s.group_no == lead.group_no and n != "王建国")
    theirs = standin.texts(IDS[fellow])[-1]
    assert "你在第 1 组" in theirs and "组长：王建国" in theirs and f"· {fellow}（" in theirs
    other = next(n for n, s in grouped.items() if s.group_no == 2)
    assert "你在第 2 组" in standin.texts(IDS[other])[-1]
    assert standin.texts(IDS["孙丽"]) == []


ROSTER_DISTRICTS = [(name, district) for name, _, _, district, _, _ in ROSTER]


async def test_the_stored_groups_are_the_rule_s(
    world: World, sessions: Sessions, hq: Person
) -> None:
    """What /breakout stores is what `split` gives for the same attendees."""
    training_id = await checked_in_training(sessions)
    await hq.send(f"/breakout {training_id} 3")
    async with sessions() as session:
        instructors = list(
            await session.scalars(select(Instructor).where(Instructor.name.in_(EIGHT)))
        )
    people = [
        Attendee(i.id, i.name, i.district_id, i.district.name, i.level, i.employment, i.start_date)
        for i in instructors
    ]
    today = datetime.now(SHANGHAI).date()
    expected = {
        m.attendee.name: (g.number, m.side, m.lead) for g in split(people, 3, today=today)
        for m in g.members
    }  # fmt: skip
    seats = await seats_by_name(sessions, training_id)
    assert {n: (s.group_no, s.side, s.lead) for n, s in seats.items() if n in EIGHT} == expected


async def test_a_second_breakout_replaces_the_first_and_says_so(
    world: World, sessions: Sessions, hq: Person, sender: Sender, standin: BotApiStandIn
) -> None:
    """/breakout again: new groups on the seats, the counter at 2, new messages keyed by the
    second split that say this one counts."""
    training_id = await checked_in_training(sessions)
    await hq.send(f"/breakout {training_id} 2")
    table = (await hq.send(f"/breakout {training_id} 4")).text
    assert "分成 4 组（第 2 次分组）" in table
    seats = await seats_by_name(sessions, training_id)
    assert sorted(s.group_no or 0 for n, s in seats.items() if n in EIGHT) == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]
    async with sessions() as session:
        training = await session.get(Training, training_id)
        keys = list(await session.scalars(select(OutboxMessage.key)))
    assert training is not None and training.breakouts == 2
    assert len(keys) == 16 and sum(":breakout:2:" in key for key in keys) == 8
    await sender.drain()
    assert "分组有调整（第 2 次分组），以这条为准" in standin.texts(IDS["王建国"])[-1]


async def test_bad_breakouts_are_refused_with_the_reason(
    world: World, sessions: Sessions, hq: Person
) -> None:
    """Missing or bad numbers, an unknown or cancelled training, k < 1, more groups than pairs
    and nobody checked in each get their reason; nothing is stored or sent."""
    training_id = await checked_in_training(sessions)
    cancelled = await checked_in_training(sessions, status="cancelled")
    empty = await add_training(sessions, "无人签到的培训")
    await seat(sessions, empty, "李红")
    lonely = await checked_in_training(sessions, ["李红"])
    answers = {
        "/breakout": "用法：/breakout 培训编号 组数",
        f"/breakout {training_id}": "用法：/breakout 培训编号 组数",
        f"/breakout {training_id} 两组": "“两组”不是数字",
        "/breakout abc 2": "“abc”不是数字",
        "/breakout 999 2": "没有编号为 #999 的培训",
        "/breakout 99999999999 2": "没有编号为 #99999999999 的培训",
        f"/breakout {cancelled} 2": "已取消，不能分组",
        f"/breakout {training_id} 0": "组数至少是 1（收到 0）",
        f"/breakout {training_id} -2": "组数至少是 1（收到 -2）",
        f"/breakout {training_id} 5": "已签到 8 人，每组至少 2 人，最多分 4 组（收到 5 组）",
        f"/breakout {empty} 1": "还没有人签到",
        f"/breakout {lonely} 1": "只有 1 人签到，至少 2 人才能分组",
    }
    for line, expected in answers.items():
        assert expected in (await hq.send(line)).text, line
    async with sessions() as session:
        grouped = await session.scalar(
            select(TrainingSeat.id).where(TrainingSeat.group_no.is_not(None))
        )
        sent = await session.scalar(select(OutboxMessage.id))
        counters = list(await session.scalars(select(Training.breakouts)))
    assert grouped is None and sent is None and set(counters) == {0}
    assert "分成 4 组" in (await hq.send(f"/breakout #{training_id} 四")).text


async def test_only_those_who_manage_the_training_may_split_it(
    world: World, sessions: Sessions, hq: Person
) -> None:
    """An instructor is refused; a district admin may split their district's trainings and
    those they organized, but not HQ's or another district's."""
    xicheng, dongcheng = await district_id(sessions, "西城"), await district_id(sessions, "东城")
    async with sessions.begin() as session:
        session.add(Admin(telegram_id=2001, role="district_admin", district_id=xicheng))
        session.add(Admin(telegram_id=2002, role="district_admin", district_id=dongcheng))
    city = await checked_in_training(sessions)
    district = await checked_in_training(sessions, created_by=2001, scope=xicheng)
    xicheng_admin, dongcheng_admin = world.person(2001, "西城"), world.person(2002, "东城")
    wang = world.person(IDS["王建国"], "Wang")
    assert "管理员" in (await wang.send(f"/breakout {city} 2")).text
    assert "不归你管" in (await xicheng_admin.send(f"/breakout {city} 2")).text
    assert "不归你管" in (await dongcheng_admin.send(f"/breakout {district} 2")).text
    assert "分成 2 组" in (await xicheng_admin.send(f"/breakout {district} 2")).text
    assert "分成 3 组" in (await hq.send(f"/breakout {district} 3")).text
    # 东城's admin organized this one for 西城 (say, before moving): the organizer may split it.
    organized = await checked_in_training(sessions, created_by=2002, scope=xicheng)
    assert "分成 2 组" in (await dongcheng_admin.send(f"/breakout {organized} 2")).text


async def test_me_shows_the_trainings_attended_walk_ins_marked(
    world: World, sessions: Sessions, hq: Person
) -> None:
    """/me counts the trainings one checked in at and lists the latest with their date, a
    walk-in marked 现场签到; an invitation without a check-in does not count."""
    first = await checked_in_training(sessions, ["王建国", "周强"])  # 周强 walked in
    async with sessions.begin() as session:
        training = await session.get(Training, first)
        assert training is not None
        training.title = "集体协商实务培训"
        training.starts_at = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    later = await add_training(
        sessions, "四必谈经验交流", starts=datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    )
    await seat(sessions, later, "周强", checked_in=datetime(2026, 12, 1, 6, 5, tzinfo=UTC))
    skipped = await add_training(sessions, "没去的培训")
    await seat(sessions, skipped, "周强", SeatStatus.LEAVE.value, reason="出差")

    me = (await world.person(IDS["周强"], "Zhou").send("/me")).text
    assert "参加培训 2 次" in me
    assert "· 2026-12-01 四必谈经验交流\n· 2026-11-20 集体协商实务培训（现场签到）" in me
    assert "没去的培训" not in me
    assert "参加培训" not in (await world.person(IDS["吴刚"], "Wu").send("/me")).text


async def test_attendance_counts_with_period_and_city_filters(
    world: World, sessions: Sessions, hq: Person
) -> None:
    """attended() and counts() take a period by start and city (HQ's) or district trainings,
    as the evaluation dossier and the mentoring checklist will."""
    xicheng = await district_id(sessions, "西城")
    city = await add_training(sessions, "市级培训", starts=datetime(2026, 3, 1, 1, tzinfo=UTC))
    local = await add_training(
        sessions, "区级座谈", scope=xicheng, starts=datetime(2025, 6, 1, 1, tzinfo=UTC)
    )
    at = datetime(2026, 3, 1, 1, 5, tzinfo=UTC)
    for training_id in (city, local):
        await seat(sessions, training_id, "李红", checked_in=at)
    await seat(sessions, city, "王建国", checked_in=at)
    await seat(sessions, local, "王建国")  # invited, not there
    async with sessions() as session:
        ids = dict((await session.execute(select(Instructor.name, Instructor.id))).all())
        li, wang, wu = ids["李红"], ids["王建国"], ids["吴刚"]
        assert await attendance.counts(session, [li, wang, wu]) == {li: 2, wang: 1, wu: 0}
        year = datetime(2026, 1, 1, tzinfo=UTC)
        assert await attendance.counts(session, [li], since=year) == {li: 1}
        assert await attendance.count(session, li, until=year) == 1
        assert await attendance.count(session, li, city=True) == 1
        found = await attendance.attended(session, li)
    assert [a.title for a in found] == ["市级培训", "区级座谈"]
    assert found[0].city and not found[1].city and found[0].checked_in_at == at


# --- the attendance sheet ------------------------------------------------------------------------


async def test_the_sheet_lists_every_seat_with_answer_check_in_group_and_role(
    world: World, sessions: Sessions, hq: Person
) -> None:
    """One row per seat under the training's title, time and place: 参加 with the check-in time,
    group and role, 候补 n in queue order, 请假 with the reason, 未回复, 现场签到; text that
    looks like a formula stays text."""
    starts = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
    training_id = await add_training(sessions, "=协商实务培训", starts=starts, place="@303会议室")
    at = datetime(2026, 12, 10, 0, 52, tzinfo=UTC)
    await seat(sessions, training_id, "王建国", checked_in=at)
    await seat(sessions, training_id, "张伟", checked_in=at + timedelta(minutes=1))
    await seat(sessions, training_id, "刘洋", SeatStatus.WALK_IN.value, checked_in=at)
    await seat(sessions, training_id, "赵敏", SeatStatus.ATTENDING.value)
    await seat(sessions, training_id, "杨帆", SeatStatus.WAITING.value, queue_no=7)
    await seat(sessions, training_id, "陈静", SeatStatus.WAITING.value, queue_no=4)
    await seat(sessions, training_id, "李红", SeatStatus.LEAVE.value, reason="=外出办案")
    await seat(sessions, training_id, "吴刚", SeatStatus.INVITED.value)
    await hq.send(f"/breakout {training_id} 1")

    async with sessions() as session:
        data = await attendance_sheet(session, training_id, SHANGHAI)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet.title == "签到表"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["培训", "=协商实务培训"] and sheet["B1"].data_type == "s"
    assert rows[1][:2] == ["时间", "2026-12-10 09:00–12:00"]
    assert rows[2][:2] == ["地点", "@303会议室"]
    header = rows.index(list(COLUMNS))
    body = {row[0]: row[1:] for row in rows[header + 1 :]}
    assert list(body) == ["张伟", "王建国", "赵敏", "刘洋", "陈静", "杨帆", "李红", "吴刚"]
    assert body["王建国"] == ["西城", "市级", "参加", None, "2026-12-10 08:52", 1, "职工方·组长"]
    assert body["张伟"][2:] == ["参加", None, "2026-12-10 08:53", 1, "企业方"]
    assert body["赵敏"][2:] == ["参加", None, None, None, None]
    assert body["刘洋"][2:] == ["现场签到", None, "2026-12-10 08:52", 1, "职工方"]
    assert body["陈静"][2] == "候补 1" and body["杨帆"][2] == "候补 2"
    assert body["李红"][2:4] == ["请假", "=外出办案"]
    assert body["吴刚"][2] == "未回复"
    reason_cell = next(c for c in sheet["E"] if c.value == "=外出办案")
    assert reason_cell.data_type == "s"


async def test_the_sheet_of_an_unknown_training_is_refused(sessions: Sessions) -> None:
    """No training, no sheet: LookupError, not an empty file."""
    async with sessions() as session:
        with pytest.raises(LookupError):
            await attendance_sheet(session, 404, SHANGHAI)
