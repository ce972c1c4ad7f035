"""/evaluation result and /evaluation override: scores from the democratic rating, the district's
rating and the year's reports, the renewal sheet, HQ's overrides kept with who and when, who sees
what, and the refusals."""

from __future__ import annotations

import io
import secrets
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select, update

from schedules import jobs
from storage.db import Sessions
from storage.evaluation import rounds
from storage.models import (
    Ballot,
    District,
    DistrictRating,
    EvaluationEntry,
    EvaluationRound,
    GradeOverride,
    Instructor,
    RaterLink,
    RatingSession,
    ReportType,
    Vote,
)
from tests.conftest import HQ_ID
from tests.files import ROSTER_HEADERS, xlsx
from tests.harness import Person, World
from tests.reports_data import add_reports

YEAR = 2026
DISTRICT_ADMIN = 2301
# name, district, telegram id
ROSTER = [
    ("王建国", "西城", 801),
    ("李红", "西城", 802),
    ("张伟", "西城", 803),
    ("王建国", "东城", 804),
    ("陈静", "东城", 805),
]


def roster() -> bytes:
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for name, district, telegram_id in ROSTER:
        rows.append(
            [name, "区级", "专职", district, None, None, None, None, None, None, telegram_id, None]
        )
    return xlsx(rows)


async def ids(sessions: Sessions) -> dict[tuple[str, str], int]:
    async with sessions() as session:
        rows = await session.execute(
            select(Instructor.name, District.name, Instructor.id).join(District)
        )
        return {(name, district): iid for name, district, iid in rows}


async def setup(world: World, sessions: Sessions) -> tuple[Person, dict[tuple[str, str], int]]:
    """The roster, a district admin of 西城, the 2026 round opened with a deadline ahead, votes,
    district ratings and reports."""
    hq = world.person(HQ_ID, "总部")
    assert "✅" in (await hq.upload(roster(), "roster.xlsx")).text
    assert "✅" in (await hq.send(f"/admin add {DISTRICT_ADMIN} district 西城")).text
    people = await ids(sessions)
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        opened = await rounds.create_round(
            session, YEAR, now + timedelta(days=10), opened_by=HQ_ID, now=now
        )
        assert isinstance(opened, EvaluationRound)
        # 王建国（西城）: 优秀, 优秀, 称职 → 93.3; 张伟: two raters only → no democratic score.
        ballots = [
            {people[("王建国", "西城")]: "excellent", people[("张伟", "西城")]: "basic"},
            {people[("王建国", "西城")]: "excellent", people[("张伟", "西城")]: "excellent"},
            {people[("王建国", "西城")]: "competent"},
        ]
        for grades in ballots:
            ballot = Ballot(id=secrets.token_hex(16), round_id=opened.id, district_id=None)
            session.add(ballot)
            await session.flush()
            session.add_all(
                Vote(ballot_id=ballot.id, instructor_id=iid, grade=grade)
                for iid, grade in grades.items()
            )
        for (name, district), grade in {
            ("王建国", "西城"): "excellent",
            ("张伟", "西城"): "basic",
            ("陈静", "东城"): "excellent",
        }.items():
            session.add(
                DistrictRating(
                    round_id=opened.id,
                    instructor_id=people[(name, district)],
                    grade=grade,
                    rated_by=HQ_ID,
                    rated_at=now,
                )
            )
        reports = [
            {
                "instructor_id": people[("王建国", "西城")],
                "date": date(YEAR, 1 + i % 12, 10),
                "type": ReportType.VISIT.value,
                "target": "维达纸业",
            }
            for i in range(30)
        ]
        reports += [
            {
                "instructor_id": people[("李红", "西城")],
                "date": date(YEAR, 3, 1 + i),
                "type": ReportType.GUIDANCE.value,
                "target": "某街道",
            }
            for i in range(12)
        ]
        # Neither another year's report nor a deleted one counts.
        reports.append(
            {
                "instructor_id": people[("李红", "西城")],
                "date": date(YEAR - 1, 6, 1),
                "type": ReportType.VISIT.value,
                "target": "某街道",
            }
        )
        reports.append(
            {
                "instructor_id": people[("李红", "西城")],
                "date": date(YEAR, 6, 1),
                "type": ReportType.VISIT.value,
                "target": "某街道",
                "deleted_at": now,
            }
        )
        await add_reports(session, reports)
    return hq, people


async def close(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(EvaluationRound)
            .where(EvaluationRound.year == YEAR)
            .values(deadline=datetime.now(UTC) - timedelta(minutes=1))
        )


def sheet_rows(data: bytes) -> dict[tuple[str, str], dict[str, Any]]:
    book = load_workbook(io.BytesIO(data))
    rows = list(book["考评结果"].iter_rows(values_only=True))
    headers = rows[0]
    return {(row[1], row[2]): dict(zip(headers, row, strict=True)) for row in rows[1:]}


async def test_result_scores_each_part_and_writes_the_renewal_sheet(
    world: World, sessions: Sessions
) -> None:
    hq, _ = await setup(world, sessions)
    await close(sessions)
    replies = await hq.send(f"/evaluation result {YEAR}")
    assert "2026 年度考评结果（全市，5 人）" in replies.text, replies.text
    assert "权重：民主测评 40% · 区评 40% · 活跃度 20%" in replies.text
    [(name, data)] = replies.documents
    assert name == "evaluation-2026.xlsx"
    rows = sheet_rows(data)
    # the districts' official order (东城 before 西城), then names
    assert list(rows) == [
        ("王建国", "东城"),
        ("陈静", "东城"),
        ("张伟", "西城"),
        ("李红", "西城"),
        ("王建国", "西城"),
    ]
    wang = rows[("王建国", "西城")]
    # democratic (100 + 100 + 80) / 3 = 93.3; district 优秀 100; 30 reports ≥ 24 → activity 100
    assert (wang["测评人数"], wang["优秀"], wang["称职"], wang["基本称职"]) == (3, 2, 1, 0)
    assert wang["民主测评得分"] == 93.3 and wang["区评得分"] == 100 and wang["活跃度得分"] == 100
    assert wang["综合得分"] == 97.3 and wang["计算等次"] == "优秀" and wang["续聘建议"] == "续聘"
    zhang = rows[("张伟", "西城")]
    # two raters: no democratic score and no distribution; district 基本称职 60, no reports:
    # (60 × 40 + 0 × 20) / 60 = 40 → 不称职
    assert zhang["测评人数"] == 2 and zhang["优秀"] is None and zhang["民主测评得分"] is None
    assert zhang["综合得分"] == 40 and zhang["认定等次"] == "不称职"
    assert zhang["续聘建议"] == "解聘" and zhang["缺项"] == "民主测评不足 3 人"
    li = rows[("李红", "西城")]
    # 12 reports of 2026 (not the 2025 one, not the deleted one): activity 50, nothing else
    assert li["工作动态"] == 12 and li["活跃度得分"] == 50 and li["综合得分"] == 50
    assert li["缺项"] == "民主测评不足 3 人、区评未评"
    chen = rows[("陈静", "东城")]
    assert chen["综合得分"] == 66.7 and chen["计算等次"] == "基本称职"  # (100 × 40 + 0) / 60
    assert "建议解聘 3 人" in replies.text
    notes = load_workbook(io.BytesIO(data))["说明"]
    assert any("不足 3 人不计" in str(row[1]) for row in notes.iter_rows(values_only=True))


async def test_the_same_inputs_give_the_same_sheet(world: World, sessions: Sessions) -> None:
    hq, _ = await setup(world, sessions)
    await close(sessions)
    first = (await hq.send(f"/evaluation result {YEAR}")).documents[0][1]
    second = (await hq.send("/evaluation result")).documents[0][1]  # the latest year
    book = [list(load_workbook(io.BytesIO(data))["考评结果"].values) for data in (first, second)]
    assert book[0] == book[1] and len(book[0]) == 6


async def test_no_result_before_the_deadline_or_without_a_round(
    world: World, sessions: Sessions
) -> None:
    hq, _ = await setup(world, sessions)
    replies = await hq.send(f"/evaluation result {YEAR}")
    assert "截止之后才能出结果" in replies.text and not replies.documents
    assert "2025 年还没有开始考评" in (await hq.send("/evaluation result 2025")).text
    refused = await hq.send("/evaluation override 李红 称职 理由:补交材料")
    assert "截止之后才能出结果" in refused.text
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(GradeOverride)) == 0


async def test_hq_overrides_a_grade_with_a_reason_kept_with_who_and_when(
    world: World, sessions: Sessions
) -> None:
    hq, people = await setup(world, sessions)
    await close(sessions)
    done = await hq.send("/evaluation override 张伟 称职 理由:全年承担维达纸业攻关")
    assert "张伟（西城）的等次调整为 称职（计算结果为 不称职），续聘" in done.text, done.text
    again = await hq.send("/evaluation override 张伟 西城 基本称职 理由:复核后改为基本称职")
    assert "调整为 基本称职" in again.text
    async with sessions() as session:
        kept = list(await session.scalars(select(GradeOverride).order_by(GradeOverride.id)))
    assert [(o.grade, o.by, o.instructor_id) for o in kept] == [
        ("competent", HQ_ID, people[("张伟", "西城")]),
        ("basic", HQ_ID, people[("张伟", "西城")]),
    ]
    replies = await hq.send(f"/evaluation result {YEAR}")
    zhang = sheet_rows(replies.documents[0][1])[("张伟", "西城")]
    assert (zhang["计算等次"], zhang["认定等次"]) == ("不称职", "基本称职")
    assert zhang["调整理由"] == "复核后改为基本称职" and zhang["续聘建议"] == "续聘"
    assert zhang["调整人"] == "总部" and zhang["调整时间"]
    assert "建议解聘 2 人" in replies.text and "调整过等次的 1 人" in replies.text


async def test_override_refusals_change_nothing(world: World, sessions: Sessions) -> None:
    hq, _ = await setup(world, sessions)
    await close(sessions)
    admin = world.person(DISTRICT_ADMIN, "西城管理员")
    instructor = world.person(801, "王建国")
    cases = [
        (admin, "/evaluation override 张伟 称职 理由:好", "仅限市总工会"),
        (instructor, "/evaluation override 张伟 称职 理由:好", "管理员"),
        (hq, "/evaluation override 张伟 称职", "要写理由"),
        (hq, "/evaluation override 张伟 理由:好", "用法"),
        (hq, "/evaluation override 张伟 很好 理由:好", "用法"),
        (hq, "/evaluation override 赵六 称职 理由:好", "名单里没有“赵六”"),
        (hq, "/evaluation override 王建国 称职 理由:好", "几位“王建国”（东城、西城）"),
        (hq, "/evaluation override 王建国 火星 称职 理由:好", "没有“火星”这个区"),
        (hq, f"/evaluation override 张伟 称职 理由:{'长' * 201}", "理由有 201 个字，最多 200 个字"),
    ]
    for who, line, expected in cases:
        replies = await who.send(line)
        assert expected in replies.text, (line, replies.text)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(GradeOverride)) == 0
    done = await hq.send("/evaluation override 王建国 东城 优秀 理由:东城推荐")
    assert "王建国（东城）的等次调整为 优秀" in done.text


async def test_district_admins_see_their_district_and_instructors_their_own(
    world: World, sessions: Sessions
) -> None:
    await setup(world, sessions)
    await close(sessions)
    admin = world.person(DISTRICT_ADMIN, "西城管理员")
    replies = await admin.send(f"/evaluation result {YEAR}")
    assert "（西城，3 人）" in replies.text
    [(name, data)] = replies.documents
    assert name == "evaluation-2026-西城.xlsx"
    assert {district for _, district in sheet_rows(data)} == {"西城"}
    assert "只有市总工会可以改权重" in (await admin.send("/evaluation result 权重:50,30,20")).text
    wang = world.person(801, "王建国")
    own = await wang.send("/evaluation result")
    assert "你的 2026 年度考评结果" in own.text and "综合得分：97.3" in own.text
    assert "等次：优秀（续聘）" in own.text
    assert not own.documents and "张伟" not in own.text and "李红" not in own.text


async def test_hq_sets_weights_and_thresholds_and_they_are_kept(
    world: World, sessions: Sessions
) -> None:
    hq, _ = await setup(world, sessions)
    await close(sessions)
    bad = {
        "权重:50,30": "请写三个整数",
        "权重:50,30,30": "加起来不是 100",
        "分档:60,75,90": "要从高到低",
        "分档:90,75": "0–100 的三个整数",
        "活跃:0": "1–10000 的整数",
    }
    for keys, expected in bad.items():
        replies = await hq.send(f"/evaluation result {YEAR} {keys}")
        assert expected in replies.text and not replies.documents, (keys, replies.text)
    async with sessions() as session:
        assert await session.scalar(select(EvaluationRound.settings)) is None
    replies = await hq.send(f"/evaluation result {YEAR} 权重:20,20,60 分档:95,80,40 活跃:12")
    assert "权重：民主测评 20% · 区评 20% · 活跃度 60%" in replies.text
    li = sheet_rows(replies.documents[0][1])[("李红", "西城")]
    assert li["活跃度得分"] == 100 and li["综合得分"] == 100 and li["计算等次"] == "优秀"
    kept = await hq.send("/evaluation result")
    assert "活跃度 60%" in kept.text and "活跃度满分 12 条" in kept.text


async def test_participants_are_those_active_at_opening(world: World, sessions: Sessions) -> None:
    """Someone who joins after the round opened is not in its result."""
    hq, _ = await setup(world, sessions)
    async with sessions.begin() as session:
        district = await session.scalar(select(District.id).where(District.name == "西城"))
        session.add(Instructor(name="新人", level="district", employment="full_time",
                               district_id=district, telegram_id=899))  # fmt: skip
    await close(sessions)
    replies = await hq.send(f"/evaluation result {YEAR}")
    assert ("新人", "西城") not in sheet_rows(replies.documents[0][1])
    newcomer = await world.person(899, "新人").send("/evaluation result")
    assert "你不在 2026 年度考评名单里" in newcomer.text
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(EvaluationEntry)) == 5


async def test_the_daily_purge_forgets_unsubmitted_grades_of_closed_rounds(
    world: World, sessions: Sessions
) -> None:
    """A rater who never pressed 提交 leaves a rating session (the one row that ties a chat to a
    link); once the round has closed the daily purge deletes it, and an open round's stays."""
    await setup(world, sessions)
    async with sessions.begin() as session:
        evaluation = await rounds.get_round(session, YEAR)
        assert evaluation is not None
        link = RaterLink(round_id=evaluation.id, district_id=None, number=1,
                         token=secrets.token_hex(16), created_by=HQ_ID)  # fmt: skip
        session.add(link)
        await session.flush()
        session.add(RatingSession(link_id=link.id, chat_id=4242, grades={"1": "excellent"}))
    context = SimpleNamespace(bot_data=world.app.bot_data)
    await jobs.purge(context)  # type: ignore[arg-type]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RatingSession)) == 1
    await close(sessions)
    await jobs.purge(context)  # type: ignore[arg-type]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RatingSession)) == 0
        assert await session.scalar(select(func.count()).select_from(RaterLink)) == 1


async def test_an_unknown_word_gets_every_evaluation_command(world: World) -> None:
    hq = world.person(HQ_ID, "总部")
    replies = await hq.send("/evaluation 乱写 一通")
    for command in ("open 2026", "raters 西城", "rate 西城", "votes", "result 2026", "override"):
        assert f"/evaluation {command}" in replies.text, command
