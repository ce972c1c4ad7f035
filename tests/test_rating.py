"""The democratic rating (民主测评) and the district's rating: admins make one-time rater links
(.xlsx and a PDF of QR codes); a rater, registered or not, opens one, grades each instructor of
its scope on paged buttons and submits once; the ballot keeps no trace of who voted, in any
table or log; a distribution shows only where 3 raters voted; district admins rate their own."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import logging
import math
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select, update

from bot.runtime import Dispatcher, store_received
from storage.db import Sessions
from storage.evaluation import ballots, district, qrsheet, raters
from storage.evaluation.rounds import create_round, get_round
from storage.messaging import inbox
from storage.models import (
    Ballot,
    DistrictRating,
    EvaluationRound,
    InboxUpdate,
    Instructor,
    RaterLink,
    RatingSession,
    Vote,
)
from storage.models.base import Base
from storage.people.districts import district_ids
from tests.conftest import HQ_ID
from tests.files import ROSTER_HEADERS, xlsx
from tests.harness import Chat, Person, Replies, World

YEAR = 2026
DISTRICT_ADMIN = 2201
XICHENG = ["王建国", "李红", "周强", "吴敏", "郑华", "孙丽", "钱进"]  # 7: two pages of 5
DONGCHENG = ["张伟", "刘洋"]
LINK = re.compile(r"^https://t\.me/xieshang_test_bot\?start=rate_([A-Za-z0-9_-]{24})$")
# Far from the harness's ids (which count up from 1) and from test_dispatcher's.
_ids = itertools.count(7_000_000)
# Where a registered instructor's Telegram id is kept whether or not they rate.
REGISTRATION = frozenset({"instructors"})


def roster() -> bytes:
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for name in XICHENG:
        rows.append([name, "区级", "专职", "西城", None, None, None, None, None, None, None, None])
    for name in DONGCHENG:
        rows.append([name, "区级", "专职", "东城", None, None, None, None, None, None, None, None])
    return xlsx(rows)


async def setup(world: World, sessions: Sessions, *, days: int = 10) -> Person:
    """HQ uploads the roster and the year's round opens (deadline `days` ahead)."""
    hq = world.person(HQ_ID, "总部")
    replies = await hq.upload(roster(), "roster.xlsx")
    assert "✅" in replies.text, replies.text
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        made = await create_round(
            session, YEAR, now + timedelta(days=days), opened_by=HQ_ID, now=now
        )
        assert isinstance(made, EvaluationRound)
    return hq


async def close_round(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(EvaluationRound)
            .where(EvaluationRound.year == YEAR)
            .values(deadline=datetime.now(UTC) - timedelta(minutes=1))
        )


async def instructor_ids(sessions: Sessions) -> dict[str, int]:
    async with sessions() as session:
        rows = await session.execute(select(Instructor.name, Instructor.id))
        return {name: iid for name, iid in rows}


async def tokens(sessions: Sessions) -> list[str]:
    async with sessions() as session:
        return list(await session.scalars(select(RaterLink.token).order_by(RaterLink.id)))


async def links_for(world: World, hq: Person, scope: str, count: int) -> list[str]:
    """The tokens of the links `/evaluation raters <scope> <count>` gives, read from the .xlsx."""
    replies = await hq.send(f"/evaluation raters {scope} {count}")
    assert "✅" in replies.text, replies.text
    sheet = load_workbook(io.BytesIO(replies.documents[0][1])).active
    assert sheet is not None
    found = []
    for row in list(sheet.iter_rows(values_only=True))[1:]:
        match = LINK.match(str(row[2]))
        assert match, row
        found.append(match.group(1))
    return found


# --- talking to the bot as a rater: every update through the inbox and the dispatcher -------


def _user(person: Person) -> dict[str, Any]:
    return person.user


def message_update(person: Person, text: str) -> dict[str, Any]:
    return {
        "update_id": next(_ids),
        "message": {
            "message_id": next(_ids),
            "date": int(time.time()),
            "chat": {"id": person.id, "type": "private", "first_name": person.first_name},
            "from": _user(person),
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


def keyboard_message(world: World, chat_id: int) -> tuple[dict[str, Any], list[list[dict]]]:
    """The newest message in the chat with an inline keyboard, and its rows."""
    for call in reversed(world.standin.calls):
        if str(call.params.get("chat_id")) != str(chat_id) or call.rejected:
            continue
        markup = call.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = markup.get("inline_keyboard")
        if rows:
            message = dict(call.result) if isinstance(call.result, dict) else {}
            return message, rows
    raise AssertionError(f"no keyboard in chat {chat_id}")


def button_data(world: World, chat_id: int, label: str, *, after: str | None = None) -> str:
    """The data of the button `label` on the newest keyboard; with `after`, the button in the
    row below the one whose first button names `after` (an instructor's grades)."""
    _, rows = keyboard_message(world, chat_id)
    for index, row in enumerate(rows):
        if after is not None:
            if after in row[0]["text"]:
                for button in rows[index + 1]:
                    if button["text"].removeprefix("✅") == label:
                        return str(button["callback_data"])
            continue
        for button in row:
            if button["text"] == label:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} (after {after!r}) in chat {chat_id}")


def press_update(world: World, person: Person, data: str) -> dict[str, Any]:
    message, _ = keyboard_message(world, person.id)
    message.setdefault("chat", {"id": person.id, "type": "private", "first_name": "x"})
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": _user(person),
            "chat_instance": str(person.id),
            "data": data,
            "message": message,
        },
    }


async def through_inbox(
    world: World, sessions: Sessions, *updates: tuple[dict[str, Any], int]
) -> list[Replies]:
    """Stores the updates in the inbox and lets the real dispatcher handle them (each chat's
    lane at the same time as the others'); returns what was said in each update's chat."""
    before = len(world.standin.calls)
    await store_received(sessions, [u for u, _ in updates])
    dispatcher = Dispatcher(world.app, sessions)
    assert await dispatcher.handle_pending() == len(updates)
    await dispatcher.finish()
    new = world.standin.calls[before:]
    said = []
    for _, chat_id in updates:
        calls = [c for c in new if str(c.params.get("chat_id")) == str(chat_id)]
        alerts = [
            str(c.params.get("text"))
            for c in new
            if c.method == "answerCallbackQuery" and c.params.get("text")
        ]
        said.append(Replies(calls, alerts))
    return said


async def open_link(world: World, sessions: Sessions, rater: Person, token: str) -> Replies:
    [replies] = await through_inbox(
        world, sessions, (message_update(rater, f"/start rate_{token}"), rater.id)
    )
    return replies


async def press(world: World, sessions: Sessions, rater: Person, data: str) -> Replies:
    [replies] = await through_inbox(world, sessions, (press_update(world, rater, data), rater.id))
    return replies


async def grade(world: World, sessions: Sessions, rater: Person, name: str, label: str) -> Replies:
    return await press(world, sessions, rater, button_data(world, rater.id, label, after=name))


async def rate_all(
    world: World, sessions: Sessions, rater: Person, token: str, grades: dict[str, str]
) -> Replies:
    """Opens the link, grades (turning pages as needed) and submits."""
    replies = await open_link(world, sessions, rater, token)
    assert "民主测评" in replies.text, replies.text
    for name, label in grades.items():
        try:
            button_data(world, rater.id, label, after=name)
        except AssertionError:
            await press(world, sessions, rater, button_data(world, rater.id, "下一页 ▶"))
        await grade(world, sessions, rater, name, label)
    replies = await press(world, sessions, rater, button_data(world, rater.id, "📮 提交"))
    if "确定现在提交" in replies.text:
        replies = await press(world, sessions, rater, button_data(world, rater.id, "✅ 确认提交"))
    return replies


async def count_of(sessions: Sessions, model: type[Any]) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


# --- links ------------------------------------------------------------------------------------


async def test_hq_gets_n_links_as_xlsx_and_a_pdf_of_qr_codes(
    world: World, sessions: Sessions
) -> None:
    """/evaluation raters 西城 14 gives 14 numbered links of 西城 in an .xlsx (序号, 范围, 链接,
    nothing formula-like) and a PDF of ceil(14/12) pages; the tokens are 144-bit, unique."""
    hq = await setup(world, sessions)
    replies = await hq.send("/evaluation raters 西城 14")
    assert "已生成 14 个西城民主测评链接" in replies.text, replies.text
    assert len(replies.documents) == 2
    (xlsx_name, xlsx_bytes), (pdf_name, pdf) = replies.documents
    assert xlsx_name.endswith(".xlsx") and pdf_name.endswith(".pdf")
    sheet = load_workbook(io.BytesIO(xlsx_bytes)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "范围", "链接")
    assert [row[0] for row in rows[1:]] == list(range(1, 15))
    assert {row[1] for row in rows[1:]} == {"西城"}
    found = [LINK.match(str(row[2])) for row in rows[1:]]
    assert all(found)
    assert sorted(m.group(1) for m in found if m) == sorted(await tokens(sessions))
    assert len(set(await tokens(sessions))) == 14
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages == math.ceil(14 / qrsheet.PER_PAGE) == 2
    async with sessions() as session:
        districts_of = set(await session.scalars(select(RaterLink.district_id)))
        numbers = sorted(await session.scalars(select(RaterLink.number)))
    assert len(districts_of) == 1 and None not in districts_of
    assert numbers == list(range(1, 15))


async def test_bad_counts_unknown_districts_and_others_districts_are_refused(
    world: World, sessions: Sessions
) -> None:
    """n=0, n=501, 火星区, a district admin's other district or the city, an instructor, and a
    round past its deadline or none at all: each refused with its reason, no link made."""
    hq = world.person(HQ_ID, "总部")
    assert "还没有开启年度考评" in (await hq.send("/evaluation raters 西城 5")).text
    hq = await setup(world, sessions)
    await hq.send(f"/admin add {DISTRICT_ADMIN} district 西城")
    admin = world.person(DISTRICT_ADMIN, "西城管理员")
    assert "1 到 500" in (await hq.send("/evaluation raters 西城 0")).text
    assert "1 到 500" in (await hq.send("/evaluation raters 西城 501")).text
    assert "没有“火星区”这个区" in (await hq.send("/evaluation raters 火星区 5")).text
    assert "/evaluation raters 区名 人数" in (await hq.send("/evaluation raters 西城")).text
    assert "只能管理西城" in (await admin.send("/evaluation raters 东城 5")).text
    assert "只有市总管理员" in (await admin.send("/evaluation raters 全市 5")).text
    stranger = world.person(9999, "路人")
    assert "只有管理员" in (await stranger.send("/evaluation raters 西城 5")).text
    assert await count_of(sessions, RaterLink) == 0
    assert "已生成 3 个西城" in (await admin.send("/evaluation raters 西城 3")).text
    assert "已生成 2 个全市" in (await hq.send("/evaluation raters 全市 2")).text
    await close_round(sessions)
    assert "已于" in (await hq.send("/evaluation raters 西城 5")).text
    assert await count_of(sessions, RaterLink) == 5


def test_the_qr_sheet_draws_number_and_scope_in_chinese(tmp_path: Any) -> None:
    """A page holds 12 codes with their numbers; 13 entries make two pages."""
    from bot.charts import chinese_font

    font = chinese_font()
    entries = [
        qrsheet.SheetEntry(n, "西城", f"https://t.me/b?start=rate_{n:024d}") for n in range(1, 14)
    ]
    pages = qrsheet.render_pages(
        entries, title="2026 年度民主测评 · 西城", caption="一人一码", font_path=str(font.path),
        font_index=font.face_index,
    )  # fmt: skip
    assert len(pages) == 2
    pages[0].save(tmp_path / "page1.png")
    # The second page has one code: far more white than the first.
    dark = [sum(page.histogram()[:128]) for page in pages]
    assert dark[1] < dark[0] / 5


# --- rating ------------------------------------------------------------------------------------


async def test_a_rater_rates_changes_turns_pages_and_submits_once(
    world: World, sessions: Sessions
) -> None:
    """A stranger opens a 西城 link: 7 instructors on 2 pages (第 1/2 页), grades, changes a grade
    (the chosen one marked ✅), is asked to confirm with 5 ungraded, submits; the link is then
    refused, the session is gone and one ballot holds the two grades."""
    hq = await setup(world, sessions)
    [token] = await links_for(world, hq, "西城", 1)
    rater = world.person(880001, "评委")
    replies = await open_link(world, sessions, rater, token)
    assert "2026 年度民主测评 · 西城" in replies.text and "第 1/2 页" in replies.text
    _, rows = keyboard_message(world, rater.id)
    names = [row[0]["text"] for row in rows if len(row) == 1 and "（" in row[0]["text"]]
    assert len(names) == 5
    assert [b["text"] for b in rows[1]] == ["优秀", "称职", "基本称职", "不称职"]
    first = names[0].split(". ")[1].split("（")[0]
    await grade(world, sessions, rater, first, "优秀")
    replies = await grade(world, sessions, rater, first, "称职")
    assert "已选：" in replies.text and "称职" in replies.text
    _, rows = keyboard_message(world, rater.id)
    assert [b["text"] for b in rows[1]] == ["优秀", "✅称职", "基本称职", "不称职"]
    replies = await press(world, sessions, rater, button_data(world, rater.id, "下一页 ▶"))
    assert "第 2/2 页" in replies.text
    _, rows = keyboard_message(world, rater.id)
    last = rows[0][0]["text"].split(". ")[1].split("（")[0]
    await grade(world, sessions, rater, last, "不称职")
    replies = await press(world, sessions, rater, button_data(world, rater.id, "📮 提交"))
    assert "还有 5 人没有评（共 7 人）" in replies.text
    replies = await press(world, sessions, rater, button_data(world, rater.id, "↩ 返回继续评"))
    assert "已评 2/7" in replies.text
    await press(world, sessions, rater, button_data(world, rater.id, "📮 提交"))
    replies = await press(world, sessions, rater, button_data(world, rater.id, "✅ 确认提交"))
    assert "已提交" in replies.text and "2 位" in replies.text
    ids = await instructor_ids(sessions)
    async with sessions() as session:
        votes = {(v.instructor_id, v.grade) for v in await session.scalars(select(Vote))}
    assert votes == {(ids[first], "competent"), (ids[last], "incompetent")}
    assert await count_of(sessions, Ballot) == 1
    assert await count_of(sessions, RatingSession) == 0
    replies = await open_link(world, sessions, rater, token)
    assert "已经提交过了" in replies.text
    other = world.person(880002, "另一位")
    assert "已经提交过了" in (await open_link(world, sessions, other, token)).text
    assert await count_of(sessions, RatingSession) == 0


async def test_unknown_token_and_closed_round_are_refused(world: World, sessions: Sessions) -> None:
    """A token no link has is refused; after the deadline an unused link is refused too, a
    press on a sheet opened before the deadline stores nothing, and the unsubmitted session is
    forgotten."""
    hq = await setup(world, sessions)
    [token] = await links_for(world, hq, "全市", 1)
    rater = world.person(880003, "评委")
    assert "链接无效" in (await open_link(world, sessions, rater, "x" * 24)).text
    replies = await open_link(world, sessions, rater, token)
    assert "2026 年度民主测评 · 全市" in replies.text
    await close_round(sessions)
    replies = await press(world, sessions, rater, button_data(world, rater.id, "优秀"))
    assert "截止" in replies.text
    async with sessions() as session:
        grades = list(await session.scalars(select(RatingSession.grades)))
    assert grades == [{}]
    # Opening a link after the deadline also forgets the sessions never submitted (the one
    # place a chat met a link).
    assert "截止" in (await open_link(world, sessions, rater, token)).text
    assert await count_of(sessions, RatingSession) == 0
    assert await count_of(sessions, Ballot) == 0


async def test_a_press_outside_the_links_scope_is_refused(world: World, sessions: Sessions) -> None:
    """A forged press grading a 东城 instructor on a 西城 link is refused; nothing is stored, and
    a press naming another chat's session is refused as well."""
    hq = await setup(world, sessions)
    [token] = await links_for(world, hq, "西城", 1)
    rater = world.person(880004, "评委")
    await open_link(world, sessions, rater, token)
    ids = await instructor_ids(sessions)
    data = button_data(world, rater.id, "优秀", after="王建国")
    session_id = int(data.split(":")[1])
    forged = f"rater:{session_id}:grade:{ids['张伟']}:excellent"
    replies = await press(world, sessions, rater, forged)
    assert "不在这个链接的测评范围内" in replies.text
    intruder = world.person(880005, "别人")
    await open_link(world, sessions, intruder, (await links_for(world, hq, "西城", 1))[0])
    stolen = f"rater:{session_id}:grade:{ids['王建国']}:excellent"
    replies = await press(world, sessions, intruder, stolen)
    assert "已经结束" in replies.text
    async with sessions() as session:
        held = list(await session.scalars(select(RatingSession.grades)))
    assert held == [{}, {}]


async def test_two_devices_submitting_at_once_cast_one_ballot(
    world: World, sessions: Sessions
) -> None:
    """One link opened on two phones, graded on both, 提交 pressed on both at the same moment
    (through the dispatcher, two lanes at once): exactly one ballot, the other is told."""
    hq = await setup(world, sessions)
    [token] = await links_for(world, hq, "东城", 1)
    phones = [world.person(880010, "手机一"), world.person(880011, "手机二")]
    for phone, label in zip(phones, ("优秀", "不称职"), strict=True):
        await open_link(world, sessions, phone, token)
        for name in DONGCHENG:
            await grade(world, sessions, phone, name, label)
    presses = [
        (press_update(world, phone, button_data(world, phone.id, "📮 提交")), phone.id)
        for phone in phones
    ]
    said = await through_inbox(world, sessions, *presses)
    assert await count_of(sessions, Ballot) == 1
    assert await count_of(sessions, Vote) == 2
    assert await count_of(sessions, RatingSession) == 0
    texts = sorted("已提交" in replies.text for replies in said)
    assert texts == [False, True], [r.text for r in said]
    async with sessions() as session:
        grades = set(await session.scalars(select(Vote.grade)))
    assert len(grades) == 1


async def test_nothing_ties_a_vote_to_a_rater_in_any_table_or_log(
    world: World, sessions: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    """Three raters (one of them a registered instructor) vote through the inbox and the
    dispatcher: no row of any table but telegram_users mentions a rater's Telegram id, no row
    holds a rater's id with a grade or a ballot id (the instructor's own row names them, as
    before), the inbox keeps only redacted stubs of their
    updates, and no log record names their ids or tokens."""
    caplog.set_level(logging.DEBUG)
    hq = await setup(world, sessions)
    tokens_ = await links_for(world, hq, "东城", 3)
    # An instructor who joined is a rater too: their telegram_users row is there anyway.
    registered = world.person(880020, "张伟")
    async with sessions.begin() as session:
        await session.execute(
            update(Instructor).where(Instructor.name == "张伟").values(telegram_id=registered.id)
        )
    raters_ = [registered, world.person(880021, "评委二"), world.person(880022, "评委三")]
    caplog.clear()
    for rater, token, label in zip(raters_, tokens_, ("优秀", "称职", "优秀"), strict=True):
        replies = await rate_all(world, sessions, rater, token, dict.fromkeys(DONGCHENG, label))
        assert "已提交" in replies.text
    rater_ids = {str(r.id) for r in raters_}
    ballot_ids = set()
    async with sessions() as session:
        ballot_ids = {str(b) for b in await session.scalars(select(Ballot.id))}
        assert len(ballot_ids) == 3
        grades = {"excellent", "competent", "basic", "incompetent"}
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                cells = [str(value) for value in row]
                text = json.dumps(cells, ensure_ascii=False)
                named = {rid for rid in rater_ids if re.search(rf"\b{rid}\b", text)}
                # The registered rater's own registration names them, as it did before.
                allowed = {str(registered.id)} if table.name in REGISTRATION else set()
                if table.name != "telegram_users":
                    assert not named - allowed, (table.name, row)
                assert not (named and (grades & set(cells) or ballot_ids & set(cells))), row
        stubs = list(
            await session.scalars(
                select(InboxUpdate.payload).where(InboxUpdate.update_id >= 7_000_000)
            )
        )
    rating_stubs = [p for p in stubs if p.get("redacted") == "rating"]
    assert rating_stubs and all(set(p) == {"update_id", "redacted"} for p in rating_stubs)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    logged += "\n".join(str(record.args) for record in caplog.records)
    assert "Processing update" not in logged or all(r not in logged for r in rater_ids)
    for secret in (*rater_ids, *tokens_):
        assert secret not in logged, secret
    assert caplog.records  # the hushed records are there, saying nothing


async def test_the_distribution_shows_from_three_raters(world: World, sessions: Sessions) -> None:
    """Two raters: 不足 3 人，不显示 and distribution() leaves the instructor out; a third: the
    counts per grade and 3 raters, in /evaluation votes and in distribution()."""
    hq = await setup(world, sessions)
    tokens_ = await links_for(world, hq, "东城", 3)
    ids = await instructor_ids(sessions)
    for n, (token, label) in enumerate(zip(tokens_[:2], ("优秀", "称职"), strict=True)):
        rater = world.person(880030 + n, "评委")
        await rate_all(world, sessions, rater, token, {"张伟": label, "刘洋": label})
    replies = await hq.send("/evaluation votes 东城")
    assert "张伟（东城）：不足 3 人，不显示" in replies.text, replies.text
    assert "已收到 2 份测评票" in replies.text
    async with sessions() as session:
        evaluation = await get_round(session, YEAR)
        assert evaluation is not None
        assert await ballots.distribution(session, evaluation.id) == {}
    rater = world.person(880039, "评委")
    await rate_all(world, sessions, rater, tokens_[2], {"张伟": "优秀"})
    replies = await hq.send("/evaluation votes 东城")
    assert "张伟（东城）：优秀 2 · 称职 1 · 基本称职 0 · 不称职 0（3 人）" in replies.text
    assert "刘洋（东城）：不足 3 人，不显示" in replies.text
    async with sessions() as session:
        shown = await ballots.distribution(session, evaluation.id)
        only = await ballots.distribution(session, evaluation.id, [ids["刘洋"]])
    assert shown == {ids["张伟"]: Counter(excellent=2, competent=1, basic=0, incompetent=0)}
    assert shown[ids["张伟"]].total() == 3
    assert only == {}


# --- the district's rating -------------------------------------------------------------------


async def test_a_district_admin_rates_their_own_district_only(
    world: World, sessions: Sessions
) -> None:
    """西城's admin rates 西城 (each press stored at once, changeable), is refused 东城 by name and
    by a forged press; HQ without a district is told to name one; after the deadline refused."""
    hq = await setup(world, sessions)
    await hq.send(f"/admin add {DISTRICT_ADMIN} district 西城")
    admin = world.person(DISTRICT_ADMIN, "西城管理员")
    replies = await admin.send("/evaluation rate")
    assert "2026 年度区级评价 · 西城" in replies.text and "第 1/2 页" in replies.text
    await admin.press("优秀")
    ids = await instructor_ids(sessions)
    _, rows = keyboard_message(world, admin.id)
    first = rows[0][0]["text"].split(". ")[1].split("（")[0]
    data = button_data(world, admin.id, "不称职", after=first)
    await admin.press("不称职")
    async with sessions() as session:
        evaluation = await get_round(session, YEAR)
        assert evaluation is not None
        assert await district.district_grades(session, evaluation.id) == {ids[first]: "incompetent"}
        rated_by = await session.scalar(select(DistrictRating.rated_by))
    assert rated_by == DISTRICT_ADMIN
    assert data.startswith("drate:")
    assert "只能评价西城" in (await admin.send("/evaluation rate 东城")).text
    async with sessions() as session:
        dongcheng_id = (await district_ids(session))["东城"]
    forged = f"drate:{dongcheng_id}:grade:{ids['张伟']}:excellent"
    refused = await world.process(press_update(world, admin, forged), Chat(admin.id))
    assert "只能评价西城" in refused.text
    assert "请写要评价哪个区" in (await hq.send("/evaluation rate")).text
    replies = await hq.send("/evaluation rate 东城")
    assert "区级评价 · 东城" in replies.text
    await hq.press("称职")
    async with sessions() as session:
        assert len(await district.district_grades(session, evaluation.id)) == 2
    await close_round(sessions)
    assert "截止" in (await admin.send("/evaluation rate")).text
    replies = await hq.press("优秀")
    assert "截止" in replies.text
    async with sessions() as session:
        assert set((await district.district_grades(session, evaluation.id)).values()) == {
            "incompetent",
            "competent",
        }


async def test_a_second_submit_that_saw_the_link_unused_casts_nothing(
    world: World, sessions: Sessions
) -> None:
    """The claim itself, without the lanes' timing: device A has cast but not committed when
    device B's 提交 reads the link (still unused) and reaches its UPDATE; once A commits, B's
    UPDATE ... WHERE used_at IS NULL changes no row, so B casts nothing and is told "used"."""
    hq = await setup(world, sessions)
    [token] = await links_for(world, hq, "东城", 1)
    now = datetime.now(UTC)
    ids = await instructor_ids(sessions)
    async with sessions.begin() as session:
        a = await raters.open_link(session, token, 880040, now=now)
        b = await raters.open_link(session, token, 880041, now=now)
        assert a.rating is not None and b.rating is not None
        a_id, b_id = a.rating.id, b.rating.id
        for rating_id, chat in ((a_id, 880040), (b_id, 880041)):
            await ballots.set_grade(session, rating_id, chat, ids["张伟"], "basic", now=now)
    claiming = asyncio.Event()

    def watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE RATER_LINKS"):
            claiming.set()

    async def second() -> str:
        async with sessions.begin() as session_b:
            connection = await session_b.connection()
            event.listen(connection.sync_connection, "before_cursor_execute", watch)
            pressed, _ = await ballots.submit(session_b, b_id, 880041, now=now)
            return pressed.outcome

    async with sessions.begin() as session_a:
        pressed, votes = await ballots.submit(session_a, a_id, 880040, now=now)
        assert (pressed.outcome, votes) == ("ok", 1)
        other = asyncio.create_task(second())
        await asyncio.wait_for(claiming.wait(), 30)
    assert await asyncio.wait_for(other, 60) == "used"
    assert await count_of(sessions, Ballot) == 1
    assert await count_of(sessions, Vote) == 1
    assert await count_of(sessions, RatingSession) == 0


async def test_a_used_link_keeps_the_day_not_the_moment(world: World, sessions: Sessions) -> None:
    """used_at holds midnight (UTC) of the day: the order in which numbered links were used
    cannot be matched to the order the ballots were stored in."""
    hq = await setup(world, sessions)
    [token] = await links_for(world, hq, "东城", 1)
    await rate_all(world, sessions, world.person(880050, "评委"), token, {"张伟": "优秀"})
    async with sessions() as session:
        used = await session.scalar(select(RaterLink.used_at))
    assert used is not None
    assert (used.hour, used.minute, used.second, used.microsecond) == (0, 0, 0, 0)


def test_only_rating_updates_are_private() -> None:
    """A rater link's /start and a rater button are private; an invite's /start, another
    button and a plain message are not (their payloads are kept as before)."""
    user = {"id": 5, "is_bot": False, "first_name": "x"}

    def message(text: str) -> dict[str, Any]:
        return {"update_id": 1, "message": {"text": text, "from": user, "chat": {"id": 5}}}

    def pressed(data: str) -> dict[str, Any]:
        return {"update_id": 1, "callback_query": {"data": data, "from": user}}

    assert inbox.private_kind(message("/start rate_abc")) == "rating"
    assert inbox.private_kind(message("/start@xieshang_bot rate_abc")) == "rating"
    assert inbox.private_kind(pressed("rater:1:grade:2:basic")) == "rating"
    assert inbox.private_kind(message("/start ABCD1234")) is None
    assert inbox.private_kind(message("rate_abc")) is None
    assert inbox.private_kind(pressed("drate:1:grade:2:basic")) is None
    assert inbox.private_kind(pressed("callup_rate:1:5")) is None


async def test_an_error_in_a_rating_update_is_logged_without_it(
    world: World,
    sessions: Sessions,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A grade that fails: the rater is told something went wrong, the log has the traceback's
    frames and the error's type, but neither the rater's id, nor the button, nor the error's
    text; the inbox keeps the error's type only."""
    hq = await setup(world, sessions)
    [token] = await links_for(world, hq, "东城", 1)
    rater = world.person(880060, "评委")
    await open_link(world, sessions, rater, token)

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"row of chat {rater.id} with {kwargs.get('now')}")

    monkeypatch.setattr(ballots, "set_grade", broken)
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    data = button_data(world, rater.id, "优秀", after="张伟")
    replies = await press(world, sessions, rater, data)
    assert "出了点问题" in replies.text, replies.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError" in logged and "press_rater" in logged
    for secret in (str(rater.id), data, token):
        assert secret not in logged, secret
    async with sessions() as session:
        errors = list(
            await session.scalars(select(InboxUpdate.error).where(InboxUpdate.error.is_not(None)))
        )
    assert all(str(rater.id) not in error for error in errors)
