"""Reports in the database: enterprise matching, idempotent creation, edits, deletion, flows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Sessions
from storage.messaging import conversations
from storage.models import (
    Enterprise,
    Instructor,
    Report,
    ReportRevision,
    ReportSource,
    ReportType,
    Status,
)
from storage.people.access import identify
from storage.people.districts import district_ids
from storage.reports import records
from storage.reports.records import EditOutcome, ReportProblem

TODAY = date(2026, 11, 25)
OWNER = 501
OTHER = 502
REGISTRY = [
    "维达纸业（中国）有限公司",
    "维达纸业",
    "维达纸品厂",
    "京东物流北京分公司",
    "小马餐饮店",
    "百分_百%科技",
]


async def setup(sessions: Sessions) -> dict[str, int]:
    """Two bound instructors (西城, 平谷) and the registry; returns ids by name."""
    async with sessions.begin() as session:
        ids = await district_ids(session)
        people = [
            Instructor(
                name="王建国",
                district_id=ids["西城"],
                level="street",
                employment="part_time",
                telegram_id=OWNER,
            ),
            Instructor(
                name="李红",
                district_id=ids["平谷"],
                level="street",
                employment="part_time",
                telegram_id=OTHER,
            ),
        ]
        session.add_all(people)
        session.add_all(Enterprise(name=name, district_id=ids["平谷"]) for name in REGISTRY)
        await session.flush()
        found = {p.name: p.id for p in people}
        for enterprise in await session.scalars(select(Enterprise)):
            found[enterprise.name] = enterprise.id
        return found


async def instructor_of(session: AsyncSession, telegram_id: int) -> Instructor | None:
    """Who may report from `telegram_id`, as every handler finds them."""
    return (await identify(session, telegram_id, frozenset())).instructor


async def add_report(
    sessions: Sessions, target: str = "小马餐饮店", **extra: Any
) -> tuple[Report, bool]:
    async with sessions.begin() as session:
        instructor = await instructor_of(session, OWNER)
        assert instructor is not None
        match = await records.match_enterprise(session, target)
        values: dict[str, Any] = {
            "type": ReportType.VISIT,
            "person_times": 5,
            "day": TODAY,
            "note": "讲解工资协商流程",
            "source": ReportSource.LINE,
        } | extra
        return await records.create_report(
            session, instructor=instructor, target=target, enterprise=match.enterprise, **values
        )


async def created_at(sessions: Sessions, report_id: int) -> datetime:
    async with sessions() as session:
        return records.aware((await session.get_one(Report, report_id)).created_at)


async def edit(
    sessions: Sessions,
    report_id: int,
    changes: dict[str, Any],
    *,
    by: int = OWNER,
    now: datetime | None = None,
) -> EditOutcome:
    async with sessions.begin() as session:
        return await records.edit_report(
            session,
            report_id,
            telegram_id=by,
            changes=changes,
            now=now or await created_at(sessions, report_id) + timedelta(hours=1),
            today=TODAY,
        )


async def stored(sessions: Sessions, report_id: int) -> tuple[Any, ...]:
    async with sessions() as session:
        r = await session.get_one(Report, report_id)
        return (r.type, r.target, r.enterprise_id, r.person_times, r.date, r.note, r.deleted_at)


async def history(sessions: Sessions, report_id: int) -> list[tuple[str, dict[str, Any], int]]:
    async with sessions() as session:
        revisions = await session.scalars(
            select(ReportRevision)
            .where(ReportRevision.report_id == report_id)
            .order_by(ReportRevision.id)
        )
        return [(r.action, r.before, r.changed_by or 0) for r in revisions]


async def test_exact_match_links_the_enterprise(sessions: Sessions) -> None:
    """A target naming a registered enterprise links it and stores its registered name."""
    ids = await setup(sessions)
    report, created = await add_report(sessions, " 京东物流北京分公司 ")
    assert created
    assert (report.enterprise_id, report.target) == (
        ids["京东物流北京分公司"],
        "京东物流北京分公司",
    )
    async with sessions() as session:
        instructor = await session.get_one(Instructor, ids["王建国"])
        assert (report.instructor_id, report.district_id) == (instructor.id, instructor.district_id)


async def test_half_width_brackets_match_full_width(sessions: Sessions) -> None:
    """ "维达纸业(中国)有限公司" matches the registered "维达纸业（中国）有限公司"."""
    ids = await setup(sessions)
    report, _ = await add_report(sessions, "维达纸业(中国)有限公司")
    assert report.enterprise_id == ids["维达纸业（中国）有限公司"]
    assert report.target == "维达纸业（中国）有限公司"


async def test_unknown_name_kept_as_free_text(sessions: Sessions) -> None:
    """An unknown target is stored as typed, with no enterprise."""
    await setup(sessions)
    report, created = await add_report(sessions, "金融街街道办")
    assert created and (report.enterprise_id, report.target) == (None, "金融街街道办")
    assert (await stored(sessions, report.id))[:3] == ("visit", "金融街街道办", None)


async def test_close_names_suggested_best_first(sessions: Sessions) -> None:
    """A near name matches nothing exactly but offers up to three close names, best first."""
    await setup(sessions)
    async with sessions() as session:
        contained = await records.match_enterprise(session, "维达")
        typo = await records.match_enterprise(session, "微达纸业")
        longer = await records.match_enterprise(session, "京东物流北京分公司亦庄仓")
        none = await records.match_enterprise(session, "完全不同的名字")
    assert contained.enterprise is None
    assert [e.name for e in contained.suggestions] == [
        "维达纸业",
        "维达纸品厂",
        "维达纸业（中国）有限公司",
    ]
    assert typo.enterprise is None and [e.name for e in typo.suggestions] == ["维达纸业"]
    assert [e.name for e in longer.suggestions] == ["京东物流北京分公司"]
    assert none == records.Match(None, [])


async def test_like_wildcards_in_names_are_literal(sessions: Sessions) -> None:
    """% and _ in a target or a registered name match only themselves."""
    await setup(sessions)
    async with sessions() as session:
        # Unescaped, "维%" and "维_" would be patterns matching every 维达 name.
        assert (await records.match_enterprise(session, "维%")).suggestions == []
        assert (await records.match_enterprise(session, "维_")).suggestions == []
        inside = await records.match_enterprise(session, "北京百分_百%科技有限公司")
        assert [e.name for e in inside.suggestions] == ["百分_百%科技"]
        # Unescaped, the registered name would be a pattern matching this longer target.
        far = await records.match_enterprise(session, "百分X百YY科技有限公司很长的名字")
        assert far.suggestions == []


async def test_same_message_creates_one_report(sessions: Sessions) -> None:
    """Feeding the same (chat_id, message_id) twice stores one report and returns it twice."""
    await setup(sessions)
    first, created = await add_report(sessions, chat_id=-100, message_id=7)
    again, created_again = await add_report(
        sessions, "京东物流北京分公司", chat_id=-100, message_id=7
    )
    other, created_other = await add_report(sessions, chat_id=-100, message_id=8)
    assert other.id != first.id
    assert (created, created_again, created_other) == (True, False, True)
    assert again.id == first.id and again.target == "小马餐饮店"
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 2


async def test_same_message_in_one_transaction(sessions: Sessions) -> None:
    """A duplicate within the same transaction is also found, not inserted."""
    await setup(sessions)
    async with sessions.begin() as session:
        instructor = await instructor_of(session, OWNER)
        assert instructor is not None
        results = [
            await records.create_report(
                session,
                instructor=instructor,
                type=ReportType.OTHER,
                target="x",
                enterprise=None,
                person_times=0,
                day=TODAY,
                note=None,
                source=ReportSource.GROUP,
                chat_id=-1,
                message_id=1,
            )
            for _ in range(2)
        ]
    assert [created for _, created in results] == [True, False]
    assert results[0][0].id == results[1][0].id


async def test_create_refuses_bad_shapes(sessions: Sessions) -> None:
    """create_report refuses a blank target, a negative count and a too long note."""
    await setup(sessions)
    with pytest.raises(ReportProblem) as blank:
        await add_report(sessions, "  ")
    with pytest.raises(ReportProblem) as negative:
        await add_report(sessions, person_times=-1)
    with pytest.raises(ReportProblem) as long_note:
        await add_report(sessions, note="讲" * 5000)
    assert [blank.value.code, negative.value.code, long_note.value.code] == [
        "missing_target",
        "bad_count",
        "note_too_long",
    ]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 0


async def test_edit_keeps_the_old_values(sessions: Sessions) -> None:
    """An edit within 7 days applies the change and keeps a revision with the old values."""
    ids = await setup(sessions)
    report, _ = await add_report(sessions)
    later = await created_at(sessions, report.id) + timedelta(days=6, hours=23)
    outcome = await edit(
        sessions,
        report.id,
        {"person_times": 8, "date": date(2026, 11, 20), "target": "维达纸业", "note": "回访"},
        now=later,
    )
    assert outcome.status == "ok" and outcome.report is not None
    assert outcome.report.enterprise is not None and outcome.report.enterprise.name == "维达纸业"
    assert await stored(sessions, report.id) == (
        "visit",
        "维达纸业",
        ids["维达纸业"],
        8,
        date(2026, 11, 20),
        "回访",
        None,
    )
    assert await history(sessions, report.id) == [
        (
            "edit",
            {
                "type": "visit",
                "target": "小马餐饮店",
                "enterprise_id": ids["小马餐饮店"],
                "person_times": 5,
                "date": "2026-11-25",
                "note": "讲解工资协商流程",
            },
            OWNER,
        )
    ]


async def test_edit_links_a_suggested_enterprise(sessions: Sessions) -> None:
    """Choosing an enterprise for an unmatched report sets its id and registered name."""
    ids = await setup(sessions)
    report, _ = await add_report(sessions, "维达")
    outcome = await edit(sessions, report.id, {"enterprise_id": ids["维达纸品厂"]})
    assert outcome.ok
    assert (await stored(sessions, report.id))[1:3] == ("维达纸品厂", ids["维达纸品厂"])
    assert [(a, b["target"]) for a, b, _ in await history(sessions, report.id)] == [
        ("edit", "维达")
    ]


async def test_unchanged_edit_writes_no_revision(sessions: Sessions) -> None:
    """An edit to the current values changes nothing and keeps no revision."""
    await setup(sessions)
    report, _ = await add_report(sessions)
    outcome = await edit(
        sessions,
        report.id,
        {"type": "visit", "person_times": 5, "date": TODAY, "note": "讲解工资协商流程"},
    )
    assert outcome.ok
    assert await history(sessions, report.id) == []


async def test_edit_after_seven_days_refused(sessions: Sessions) -> None:
    """An edit more than 7 days after the report was made is too late and changes nothing."""
    await setup(sessions)
    report, _ = await add_report(sessions)
    before = await stored(sessions, report.id)
    late = await created_at(sessions, report.id) + timedelta(days=7, minutes=1)
    outcome = await edit(sessions, report.id, {"person_times": 9}, now=late)
    assert outcome.status == "too_late"
    assert await stored(sessions, report.id) == before
    assert await history(sessions, report.id) == []
    async with sessions.begin() as session:
        deleted = await records.delete_report(
            session, report.id, telegram_id=OWNER, now=late, today=TODAY
        )
    assert deleted.status == "too_late"
    assert (await stored(sessions, report.id))[-1] is None


async def test_someone_elses_report_refused(sessions: Sessions) -> None:
    """Another account can neither edit nor delete a report, and nothing changes."""
    await setup(sessions)
    report, _ = await add_report(sessions)
    before = await stored(sessions, report.id)
    assert (await edit(sessions, report.id, {"person_times": 9}, by=OTHER)).status == "not_yours"
    async with sessions.begin() as session:
        outcome = await records.delete_report(
            session, report.id, telegram_id=OTHER, now=datetime.now(UTC), today=TODAY
        )
    assert outcome.status == "not_yours"
    assert await stored(sessions, report.id) == before
    assert await history(sessions, report.id) == []


async def test_edit_with_bad_values_refused(sessions: Sessions) -> None:
    """An edit to a future date, a negative count or an unknown type is invalid; nothing changes."""
    await setup(sessions)
    report, _ = await add_report(sessions)
    before = await stored(sessions, report.id)
    future = await edit(
        sessions, report.id, {"date": TODAY + timedelta(days=1), "person_times": -1}
    )
    unknown = await edit(sessions, report.id, {"type": "拜访"})
    assert (future.status, future.problems) == (
        "invalid",
        [ReportProblem("bad_count", -1), ReportProblem("future_date", "2026-11-26")],
    )
    assert (unknown.status, unknown.problems) == (
        "invalid",
        [ReportProblem("unknown_type", "拜访")],
    )
    assert await stored(sessions, report.id) == before


async def test_delete_is_soft_and_hides_the_report(sessions: Sessions) -> None:
    """A deletion keeps the row and a revision, and /myreports no longer lists it."""
    ids = await setup(sessions)
    kept, _ = await add_report(sessions, day=TODAY - timedelta(days=1))
    gone, _ = await add_report(sessions, "维达纸业")
    async with sessions() as session:
        assert [r.id for r in await records.recent_reports(session, ids["王建国"])] == [
            gone.id,
            kept.id,
        ]
    now = await created_at(sessions, gone.id) + timedelta(minutes=5)
    async with sessions.begin() as session:
        outcome = await records.delete_report(
            session, gone.id, telegram_id=OWNER, now=now, today=TODAY
        )
    assert outcome.ok
    async with sessions() as session:
        assert [r.id for r in await records.recent_reports(session, ids["王建国"])] == [kept.id]
        row = await session.get_one(Report, gone.id)
        assert row.deleted_at is not None and records.aware(row.deleted_at) == now
    assert [action for action, _, _ in await history(sessions, gone.id)] == ["delete"]
    again = await edit(sessions, gone.id, {"person_times": 1}, now=now)
    assert again.status == "not_found"
    assert (await edit(sessions, 99999, {"person_times": 1}, now=now)).status == "not_found"


async def test_recent_reports_newest_day_first(sessions: Sessions) -> None:
    """Recent reports come newest day first, then newest made first, up to the limit."""
    ids = await setup(sessions)
    older, _ = await add_report(sessions, day=date(2026, 11, 1))
    first, _ = await add_report(sessions, day=date(2026, 11, 20))
    second, _ = await add_report(sessions, day=date(2026, 11, 20))
    async with sessions() as session:
        listed = await records.recent_reports(session, ids["王建国"])
        limited = await records.recent_reports(session, ids["王建国"], limit=2)
        others = await records.recent_reports(session, ids["李红"])
    assert [r.id for r in listed] == [second.id, first.id, older.id]
    assert [r.id for r in limited] == [second.id, first.id]
    assert others == []


async def test_ended_instructor_cannot_report(sessions: Sessions) -> None:
    """An instructor whose appointment ended is not found by their Telegram account."""
    ids = await setup(sessions)
    async with sessions.begin() as session:
        (await session.get_one(Instructor, ids["李红"])).status = Status.ENDED.value
    async with sessions() as session:
        assert await instructor_of(session, OTHER) is None
        assert await instructor_of(session, 999) is None
        found = await instructor_of(session, OWNER)
        assert found is not None and found.id == ids["王建国"]


NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


async def test_conversation_save_load_clear(sessions: Sessions) -> None:
    """A flow saved is loaded back in a new session, replaced by the next save, and cleared."""
    async with sessions.begin() as session:
        await conversations.save(session, OWNER, flow="report", step="type", data={}, now=NOW)
    async with sessions.begin() as session:
        saved = await conversations.save(
            session,
            OWNER,
            flow="report",
            step="count",
            data={"type": "visit", "target": "维达纸业"},
            now=NOW + timedelta(minutes=1),
        )
        assert saved.step == "count"
    async with sessions() as session:
        loaded = await conversations.load(session, OWNER, now=NOW + timedelta(minutes=2))
        assert loaded is not None
        assert (loaded.flow, loaded.step, loaded.data) == (
            "report",
            "count",
            {"type": "visit", "target": "维达纸业"},
        )
        assert await conversations.load(session, OTHER, now=NOW) is None
    async with sessions.begin() as session:
        await conversations.clear(session, OWNER)
        await conversations.clear(session, OTHER)  # clearing nothing is fine
    async with sessions() as session:
        assert await conversations.load(session, OWNER, now=NOW) is None


async def test_stale_conversation_ignored(sessions: Sessions) -> None:
    """A flow untouched for more than a day counts as absent and is purged."""
    async with sessions.begin() as session:
        await conversations.save(session, OWNER, flow="report", step="note", data={}, now=NOW)
        await conversations.save(
            session, OTHER, flow="report", step="note", data={}, now=NOW + timedelta(hours=20)
        )
    later = NOW + timedelta(days=1, minutes=1)
    async with sessions.begin() as session:
        assert await conversations.load(session, OWNER, now=later) is None
        assert await conversations.load(session, OTHER, now=later) is not None
        assert await conversations.purge_stale(session, now=later) == 1
    async with sessions() as session:
        assert await conversations.load(session, OWNER, now=NOW) is None
        assert await conversations.load(session, OTHER, now=later) is not None


async def test_conversation_saved_without_a_clock_is_fresh(sessions: Sessions) -> None:
    """Saved and loaded at the current time, a flow is found."""
    async with sessions.begin() as session:
        await conversations.save(session, OWNER, flow="edit", step="line", data={"report_id": 3})
    async with sessions() as session:
        loaded = await conversations.load(session, OWNER)
        assert loaded is not None and loaded.data == {"report_id": 3}


async def test_revision_rows_point_at_their_report(sessions: Sessions) -> None:
    """Revisions belong to the report edited and record who changed it."""
    await setup(sessions)
    report, _ = await add_report(sessions)
    await edit(sessions, report.id, {"note": "补充"})
    await edit(sessions, report.id, {"note": None})
    async with sessions() as session:
        rows = list(await session.scalars(select(ReportRevision)))
    assert [(r.report_id, r.changed_by, r.before["note"]) for r in rows] == [
        (report.id, OWNER, "讲解工资协商流程"),
        (report.id, OWNER, "补充"),
    ]
