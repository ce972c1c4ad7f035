"""The annual evaluation's opening, dossier, self-assessment, deadline reminders and progress:
HQ opens a year, every joined instructor gets their dossier with ✍️ 写自评, answers up to 2,000
characters until the deadline, is reminded 3 days and 1 day before, and admins follow the
answers per district."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from bot.sandbox.botapi import BotApiStandIn
from schedules import jobs
from schedules.delivery import Sender
from storage.common.buttons import SelfAssessmentButton
from storage.common.periods import year as year_period
from storage.db import Sessions
from storage.evaluation.dossier import dossiers
from storage.models import (
    CallUp,
    CallUpInvitation,
    Employment,
    Enterprise,
    EvaluationEntry,
    EvaluationRound,
    Instructor,
    Level,
    MentoringSignoff,
    OutboxMessage,
    Report,
    Training,
    TrainingSeat,
)
from storage.reports.stats import compute_stats
from storage.reports.tags import add_tags
from tests.conftest import HQ_ID
from tests.files import ROSTER_HEADERS, xlsx
from tests.harness import Chat, Person, World
from tests.reports_data import add_reports

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
DISTRICT_ADMIN = 2101
# name, district, telegram id (None: not joined)
ROSTER: list[tuple[str, str, int | None]] = [
    ("王建国", "西城", 701),
    ("李红", "西城", 702),
    ("张伟", "东城", 703),
    ("周强", "西城", None),
]
IDS = {name: tid for name, _, tid in ROSTER}


def roster() -> bytes:
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for name, district, telegram_id in ROSTER:
        rows.append(
            [name, "市级", "专职", district, None, None, None, None, None, None, telegram_id, None]
        )
    return xlsx(rows)


async def hq_with_roster(world: World) -> Person:
    hq = world.person(HQ_ID, "总部")
    replies = await hq.upload(roster(), "roster.xlsx")
    assert "✅" in replies.text, replies.text
    return hq


def day_ahead(days: int) -> date:
    return datetime.now(TZ).date() + timedelta(days=days)


def person(world: World, name: str) -> tuple[Person, Chat]:
    tid = IDS[name]
    assert tid is not None
    return world.person(tid, name), Chat(tid)


async def people(sessions: Sessions) -> dict[str, int]:
    async with sessions() as session:
        return {n: i for i, n in await session.execute(select(Instructor.id, Instructor.name))}


async def open_year(world: World, sender: Sender, *, days: int = 40) -> Person:
    hq = await hq_with_roster(world)
    opened = await hq.send(f"/evaluation open {YEAR} 截止:{day_ahead(days).isoformat()}")
    assert "已开启 2026 年度考评" in opened.text, opened.text
    await sender.drain()
    return hq


async def the_round(sessions: Sessions) -> EvaluationRound:
    async with sessions() as session:
        return (await session.scalars(select(EvaluationRound))).one()


async def entries(sessions: Sessions) -> dict[str, EvaluationEntry]:
    async with sessions() as session:
        rows = await session.execute(
            select(Instructor.name, EvaluationEntry).join(
                Instructor, Instructor.id == EvaluationEntry.instructor_id
            )
        )
        return {name: entry for name, entry in rows}


async def queued(sessions: Sessions, kind: str) -> list[OutboxMessage]:
    async with sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        return list(await session.scalars(query))


async def tick(world: World, now: datetime) -> int:
    context = type("Ctx", (), {"bot_data": world.app.bot_data, "bot": world.app.bot})()
    return await jobs.advance_evaluation(context, now=now)


async def seed_year(sessions: Sessions) -> dict[str, int]:
    """A year of work: reports (tagged, deleted, of other years, filed in another district,
    without an enterprise), a training checked in at, a call-up served and rated."""
    ids = await people(sessions)
    async with sessions.begin() as session:
        home = {
            i: d for i, d in await session.execute(select(Instructor.id, Instructor.district_id))
        }
        session.add_all(
            [
                Enterprise(name="维达纸业", district_id=home[ids["王建国"]]),
                Enterprise(name="金融街控股", district_id=home[ids["王建国"]]),
            ]
        )
        await session.flush()
        firms = {n: i for i, n in await session.execute(select(Enterprise.id, Enterprise.name))}

        def row(name: str, day: date, kind: str, target: str, n: int, **extra: Any) -> Any:
            return {
                "instructor_id": ids[name],
                "date": day,
                "type": kind,
                "target": target,
                "person_times": n,
                "enterprise_id": firms.get(target),
                **extra,
            }

        deleted = datetime(2026, 6, 1, tzinfo=UTC)
        await add_reports(
            session,
            [
                row("王建国", date(2026, 3, 2), "visit", "维达纸业", 60),
                row("王建国", date(2026, 6, 9), "visit", "金融街控股", 40),
                row("王建国", date(2026, 7, 1), "guidance", "维达纸业", 20),
                row("王建国", date(2026, 12, 31), "other", "街道会议", 5),
                row("王建国", date(2025, 12, 31), "visit", "维达纸业", 7),  # another year
                row("王建国", date(2027, 1, 1), "visit", "维达纸业", 9),  # another year
                row("王建国", date(2026, 5, 5), "visit", "维达纸业", 500, deleted_at=deleted),
                row("李红", date(2026, 1, 1), "training", "德胜街道", 70),
                row("李红", date(2026, 4, 4), "contract", "金融街控股", 3,
                    district_id=home[ids["张伟"]]),  # filed while in another district
                row("张伟", date(2026, 9, 9), "negotiation", "维达纸业", 12),
            ],
        )  # fmt: skip
        report_ids = list(await session.scalars(select(Report.id).order_by(Report.id)))
        await add_tags(session, [(report_ids[0], "四必谈"), (report_ids[7], "四必谈")])
        starts = datetime(2026, 5, 10, 1, 0, tzinfo=UTC)
        training = Training(
            title="集体协商实务培训", format="lecture", starts_at=starts,
            ends_at=starts + timedelta(hours=3), place="303", audience="all", capacity=None,
            deadline=starts, tags=[], status="open", created_by=HQ_ID, checkin_code="1234",
            checkin_token="t" * 32,
        )  # fmt: skip
        earlier = Training(
            title="去年的培训", format="lecture", starts_at=starts - timedelta(days=365),
            ends_at=starts - timedelta(days=365), place="303", audience="all", capacity=None,
            deadline=starts, tags=[], status="open", created_by=HQ_ID, checkin_code="5678",
            checkin_token="u" * 32,
        )  # fmt: skip
        session.add_all([training, earlier])
        await session.flush()
        for which in (training, earlier):
            session.add(
                TrainingSeat(
                    training_id=which.id, instructor_id=ids["王建国"], status="attending",
                    checked_in_at=which.starts_at, lead=False,
                )
            )  # fmt: skip
        call_up = CallUp(
            title="维达纸业工资协商攻关", target="维达纸业", size=3, per_district=1,
            skills=[], districts=[], starts=date(2026, 8, 1), ends=date(2026, 8, 20),
            answer_minutes=120, deadline=datetime(2026, 7, 30, tzinfo=UTC),
            status="recruiting", created_by=HQ_ID,
        )  # fmt: skip
        session.add(call_up)
        await session.flush()
        session.add(
            CallUpInvitation(
                call_up_id=call_up.id, instructor_id=ids["王建国"], rank=1, status="accepted",
                invited_at=deleted, expires_at=deleted, rating=4,
            )
        )  # fmt: skip
    return ids


# --- opening ------------------------------------------------------------------------------------


async def test_opening_sends_each_joined_instructor_the_prompt_with_their_dossier(
    world: World, sessions: Sessions, sender: Sender, standin: BotApiStandIn
) -> None:
    """HQ's confirmation counts participants, reachable and not joined; each joined instructor
    gets their own year's figures with ✍️ 写自评 (the unjoined 周强 nothing), and the
    confirmation is edited with the sending's final counts."""
    hq = await hq_with_roster(world)
    await seed_year(sessions)
    deadline = day_ahead(40)
    opened = await hq.send(f"/evaluation open 2026 截止:{deadline.isoformat()}")
    assert "已开启 2026 年度考评，自评截止 " + f"{deadline.isoformat()} 23:59" in opened.text
    assert "参评指导员 4 人" in opened.text and "已向 3 位" in opened.text, opened.text
    assert "1 人还没绑定" in opened.text
    await sender.drain()
    wang = standin.texts(701)[-1]
    assert "2026 年度考评开始了" in wang, wang
    assert "报告 4 条，125 人次；覆盖企业 2 家" in wang
    assert "走访 2 条（100 人次）" in wang and "指导 1 条（20 人次）" in wang
    assert "培训签到 1 次" in wang and "抽调攻关 1 次，市总评分 ★4" in wang
    assert "报告 2 条，73 人次；覆盖企业 1 家" in standin.texts(702)[-1]
    assert "报告 1 条，12 人次" in standin.texts(703)[-1]
    world.find_button(701, "✍️ 写自评")
    assert len(await queued(sessions, "eval_prompt")) == 3
    evaluation = await the_round(sessions)
    assert evaluation.year == YEAR
    assert evaluation.deadline.replace(tzinfo=UTC) == datetime.combine(
        deadline, time(23, 59), tzinfo=TZ
    )
    context = type("Ctx", (), {"bot_data": world.app.bot_data, "bot": world.app.bot})()
    await jobs.show_progress(context, now=datetime.now(UTC) + timedelta(seconds=10))
    edits = [c.params["text"] for c in standin.calls_to("editMessageText", HQ_ID)]
    assert "已开启" in edits[-1] and "发送完毕：送达 3" in edits[-1], edits[-1]


async def test_reopening_a_year_is_refused_with_its_deadline(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """A second opening of the same year says it is open and until when; nothing more is sent."""
    hq = await open_year(world, sender, days=40)
    again = await hq.send(f"/evaluation open 2026 deadline:{day_ahead(50).isoformat()}")
    assert "2026 年度考评已经开启过了" in again.text, again.text
    assert f"自评截止 {day_ahead(40).isoformat()} 23:59" in again.text
    assert len(await queued(sessions, "eval_prompt")) == 3
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(EvaluationRound)) == 1


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        ("", "请写要考评的年份"),
        ("2026", "请写自评截止日期"),
        ("20266 截止:2027-01-15", "年份“20266”不对"),
        ("今年 截止:2027-01-15", "年份“今年”不对"),
        ("1999 截止:2027-01-15", "年份“1999”不对"),
        ("2026 截止:2025-01-15", "截止日期“2025-01-15”已经过去了"),
        ("2026 截止:2025-01-15 18:00", "已经过去了"),
        ("2026 截止:下辈子", "截止日期“下辈子”看不懂"),
    ],
)
async def test_bad_openings_are_refused_with_the_reason_and_store_nothing(
    world: World, sessions: Sessions, rest: str, expected: str
) -> None:
    hq = await hq_with_roster(world)
    refused = await hq.send(f"/evaluation open {rest}".strip())
    assert expected in refused.text, refused.text
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(EvaluationRound)) == 0
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_only_hq_opens_a_year(world: World, sessions: Sessions) -> None:
    """A district admin and an instructor are told who may open; no round is made."""
    hq = await hq_with_roster(world)
    await hq.send(f"/admin add {DISTRICT_ADMIN} district 西城")
    admin = world.person(DISTRICT_ADMIN, "区管理员")
    line = f"/evaluation open 2026 截止:{day_ahead(30).isoformat()}"
    assert "仅限市总工会管理员" in (await admin.send(line)).text
    wang, _ = person(world, "王建国")
    assert "仅限管理员" in (await wang.send(line)).text
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(EvaluationRound)) == 0


# --- the dossier --------------------------------------------------------------------------------


async def test_the_dossier_has_the_figures_of_stats_for_the_person_and_year(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """For each instructor, the dossier's reports per type, person-times and enterprises are
    /stats's for that person and year, with tagged, deleted, other-year reports and a report
    filed in another district present; /evaluation and /stats 2026 show the same totals."""
    await hq_with_roster(world)
    ids = await seed_year(sessions)
    async with sessions() as session:
        found = await dossiers(session, YEAR, list(ids.values()), tz=TZ)
        for name, instructor_id in ids.items():
            stats = await compute_stats(session, year_period(YEAR), instructor_id=instructor_id)
            mine = found[instructor_id]
            assert mine.by_type == stats.by_type, name
            assert mine.reports == stats.total_reports, name
            assert mine.person_times == stats.total_person_times, name
            assert mine.enterprises == stats.enterprises_covered, name
    wang = found[ids["王建国"]]
    assert (wang.reports, wang.person_times, wang.enterprises) == (4, 125, 2)
    assert (wang.trainings, wang.callups, wang.ratings) == (1, 1, (4,))
    assert found[ids["李红"]].reports == 2 and found[ids["周强"]].reports == 0
    await open_year(world, sender)
    wang_person, _ = person(world, "王建国")
    stats_text = (await wang_person.send("/stats 2026")).text
    assert "合计：4 条，125 人次；覆盖企业 2 家" in stats_text, stats_text
    own = (await wang_person.send("/evaluation")).text
    assert "报告 4 条，125 人次；覆盖企业 2 家" in own, own


async def test_a_mentors_dossier_lists_the_mentees_and_their_step(
    world: World, sessions: Sessions
) -> None:
    """The mentor sees each mentee with the step signed off 已达到; the mentee their own step."""
    await hq_with_roster(world)
    ids = await people(sessions)
    async with sessions.begin() as session:
        await session.execute(
            update(Instructor).where(Instructor.id == ids["李红"]).values(mentor_id=ids["王建国"])
        )
        for step, result in ((1, "reached"), (2, "reached"), (3, "not_reached")):
            session.add(
                MentoringSignoff(
                    mentee_id=ids["李红"], mentor_id=ids["王建国"], step=step,
                    due_on=date(2026, step + 2, 1), result=result,
                    signed_at=datetime(2026, step + 2, 2, tzinfo=UTC),
                )
            )  # fmt: skip
    async with sessions() as session:
        found = await dossiers(session, YEAR, [ids["王建国"], ids["李红"], ids["张伟"]], tz=TZ)
    [mentee] = found[ids["王建国"]].mentees
    assert (mentee.name, mentee.reached) == ("李红", 2)
    assert found[ids["李红"]].reached == 2 and found[ids["王建国"]].reached is None
    assert found[ids["张伟"]].mentees == () and found[ids["张伟"]].reached is None


# --- the self-assessment ------------------------------------------------------------------------


async def test_a_self_assessment_over_2000_characters_is_refused_then_saved_and_revised(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """2,001 characters are refused with the length and the limit and nothing is kept; the
    shortened text is saved with a summary; /evaluation shows it with 修改自评; a revision
    replaces it."""
    await open_year(world, sender)
    wang, chat = person(world, "王建国")
    asked = await wang.press("✍️ 写自评", chat=chat)
    assert "不超过 2000 字" in asked.text, asked.text
    refused = await wang.send("字" * 2001)
    assert "有 2001 字，超过了 2000 字的上限，没有保存" in refused.text, refused.text
    assert (await entries(sessions))["王建国"].self_text is None
    answer = "今年走访企业 4 家，指导工资集体协商。"
    saved = await wang.send(answer)
    assert f"自评已保存（{len(answer)} 字）" in saved.text and "今年走访企业" in saved.text, (
        saved.text
    )
    entry = (await entries(sessions))["王建国"]
    assert entry.self_text == answer and entry.answered_at
    shown = await wang.send("/evaluation")
    assert f"我的自评（{len(answer)} 字" in shown.text and "指导工资集体协商" in shown.text, (
        shown.text
    )
    await wang.press("✍️ 修改自评", chat=chat)
    revised = await wang.send("字" * 2000)
    assert "自评已修改（2000 字）" in revised.text, revised.text
    assert (await entries(sessions))["王建国"].self_text == "字" * 2000
    # The flow has ended: more text is not taken as an answer.
    await wang.send("再补充一句")
    assert (await entries(sessions))["王建国"].self_text == "字" * 2000


async def test_after_the_deadline_the_self_assessment_is_refused_with_the_deadline(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """Text typed after the deadline (the flow started before it) and a later press of the
    button are refused saying when it closed; nothing changes."""
    await open_year(world, sender)
    wang, chat = person(world, "王建国")
    await wang.press("✍️ 写自评", chat=chat)
    passed = datetime.now(UTC) - timedelta(minutes=1)
    async with sessions.begin() as session:
        await session.execute(update(EvaluationRound).values(deadline=passed))
    shown = passed.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    late = await wang.send("迟到的自评")
    assert f"已于 {shown} 截止" in late.text, late.text
    assert (await entries(sessions))["王建国"].self_text is None
    pressed = await wang.press("✍️ 写自评", chat=chat)
    assert f"已于 {shown} 截止" in pressed.text, pressed.text
    mine = await wang.send("/evaluation")
    assert "已截止" in mine.text and not mine.calls[-1].params.get("reply_markup")


async def test_someone_who_joined_after_the_opening_is_told_they_do_not_take_part(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """An instructor added after the opening is no participant: /evaluation says so, and the
    button of a prompt is refused likewise."""
    await open_year(world, sender)
    async with sessions.begin() as session:
        district = await session.scalar(select(Instructor.district_id).limit(1))
        session.add(
            Instructor(
                name="新人", level=Level.DISTRICT.value, employment=Employment.FULL_TIME.value,
                district_id=district, telegram_id=706, industries=[], skills=[],
            )
        )  # fmt: skip
    newcomer = world.person(706, "新人")
    told = await newcomer.send("/evaluation")
    assert "你不在 2026 年度考评的参评名单里" in told.text, told.text
    # The same answer to the button of someone else's prompt forwarded to them.
    evaluation = await the_round(sessions)
    update_ = {
        "callback_query": {
            "id": "1",
            "from": newcomer.user,
            "chat_instance": "706",
            "data": SelfAssessmentButton(evaluation.id, "write").pack(),
            "message": {"message_id": 1, "date": 0, "chat": {"id": 706, "type": "private"}},
        }
    }
    pressed = await world.process(update_, Chat(706))
    assert "你不在 2026 年度考评的参评名单里" in pressed.text, pressed.text
    assert len(await entries(sessions)) == 4


# --- reminders ----------------------------------------------------------------------------------


async def test_reminders_go_3_days_and_1_day_before_once_to_those_without_an_answer(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """Nothing before the moment; at 3 days the joined participants without an answer get one
    reminder however often the tick runs; at 1 day likewise; 李红 who answered, and the
    unjoined 周强, get none."""
    await open_year(world, sender)
    li, chat = person(world, "李红")
    await li.press("✍️ 写自评", chat=chat)
    assert "已保存" in (await li.send("我的自评")).text
    deadline = (await the_round(sessions)).deadline.replace(tzinfo=UTC)
    await tick(world, deadline - timedelta(days=3, minutes=1))
    assert await queued(sessions, "eval_remind") == []
    await tick(world, deadline - timedelta(days=3))
    await tick(world, deadline - timedelta(days=3) + timedelta(seconds=1))
    rows = await queued(sessions, "eval_remind")
    assert sorted(row.chat_id for row in rows) == [701, 703]
    assert all("还有 3 天截止" in row.payload["text"] for row in rows)
    await tick(world, deadline - timedelta(days=1))
    await tick(world, deadline - timedelta(hours=2))
    rows = await queued(sessions, "eval_remind")
    assert len(rows) == 4 and sorted(row.chat_id for row in rows[2:]) == [701, 703]
    assert all("明天截止" in row.payload["text"] for row in rows[2:])
    # The reminder carries the ✍️ 写自评 button of the round.
    assert rows[0].payload["buttons"] == [[["✍️ 写自评", f"eval_self:{rows[0].ref_id}:write"]]]


async def test_no_reminder_goes_when_hq_switched_them_off(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """/schedules 关闭 考评截止提醒: none at 3 days; switched on again, the 1-day one goes."""
    hq = await open_year(world, sender)
    await jobs.restore_schedules(world.app.bot_data)
    listing = await hq.send("/schedules")
    assert "考评截止提醒" in listing.text, listing.text
    await hq.press("关闭 考评截止提醒")
    deadline = (await the_round(sessions)).deadline.replace(tzinfo=UTC)
    await tick(world, deadline - timedelta(days=3))
    assert await queued(sessions, "eval_remind") == []
    await hq.send("/schedules")
    await hq.press("开启 考评截止提醒")
    await tick(world, deadline - timedelta(days=1))
    assert len(await queued(sessions, "eval_remind")) == 3


async def test_a_year_opened_two_days_before_its_deadline_skips_the_3_day_reminder(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """The 3-day reminder's moment had passed at the opening: only the 1-day one goes."""
    await open_year(world, sender, days=2)
    deadline = (await the_round(sessions)).deadline.replace(tzinfo=UTC)
    await tick(world, max(datetime.now(UTC), deadline - timedelta(days=3)))
    assert await queued(sessions, "eval_remind") == []
    await tick(world, deadline - timedelta(days=1))
    assert len(await queued(sessions, "eval_remind")) == 3


# --- progress -----------------------------------------------------------------------------------


async def test_progress_per_district_for_hq_and_only_their_own_for_a_district_admin(
    world: World, sessions: Sessions, sender: Sender
) -> None:
    """HQ sees every district and the total; 西城's admin sees 西城 and who is waiting there,
    nothing of 东城; an instructor sees their own dossier, never another's."""
    hq = await open_year(world, sender)
    li, chat = person(world, "李红")
    await li.press("✍️ 写自评", chat=chat)
    await li.send("自评")
    board = await hq.send("/evaluation")
    assert "西城：3 人，已交 1，未交 2" in board.text, board.text
    assert "东城：1 人，已交 0，未交 1" in board.text
    assert "合计：4 人，已交 1，未交 3" in board.text
    await hq.send(f"/admin add {DISTRICT_ADMIN} district 西城")
    admin = world.person(DISTRICT_ADMIN, "区管理员")
    own = await admin.send("/evaluation")
    assert "西城：3 人，已交 1，未交 2" in own.text and "未交：" in own.text, own.text
    assert "王建国" in own.text and "周强" in own.text and "李红" not in own.text
    assert "东城" not in own.text and "合计" not in own.text
    zhang, _ = person(world, "张伟")
    mine = await zhang.send("/evaluation")
    assert "你的 2026 年度档案" in mine.text and "我的自评：还没写" in mine.text, mine.text
    assert "西城" not in mine.text and "王建国" not in mine.text and "李红" not in mine.text


async def test_without_a_round_admins_are_told_how_to_open_one(
    world: World, sessions: Sessions
) -> None:
    hq = await hq_with_roster(world)
    assert "/evaluation open" in (await hq.send("/evaluation")).text
    wang, _ = person(world, "王建国")
    assert "年度考评还没有开始" in (await wang.send("/evaluation")).text
    stranger = world.person(9999, "陌生人")
    assert "还没有登记" in (await stranger.send("/evaluation")).text
