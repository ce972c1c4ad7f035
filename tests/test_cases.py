"""The case library: /case (one line or guided, a file kept and sent again), its limits, and
/cases — Chinese words, ranked, marked, paged, safe with any input, alike on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.sandbox.botapi import BotApiStandIn
from bot.texts import t as text_of
from schedules import jobs
from storage.cases import records
from storage.cases.records import CaseDraft
from storage.cases.search import recall, remember, search
from storage.db import Sessions
from storage.models import Case, CaseSearch
from tests.conftest import HQ_ID
from tests.files import ROSTER_HEADERS, xlsx
from tests.harness import Chat, Person, World

WANG, LI = 701, 702
STRANGER = 999


def roster() -> bytes:
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for name, district, telegram_id in (("王建国", "西城", WANG), ("李红", "东城", LI)):
        rows.append(
            [name, "市级", "专职", district, None, None, None, None, None, None, telegram_id, None]
        )
    return xlsx(rows)


async def with_roster(world: World) -> tuple[Person, Person]:
    """HQ and 王建国 (an instructor of 西城), after HQ uploaded the roster."""
    hq = world.person(HQ_ID, "总部")
    replies = await hq.upload(roster(), "roster.xlsx")
    assert "✅" in replies.text, replies.text
    return hq, world.person(WANG, "王建国")


async def cases(sessions: Sessions) -> list[Case]:
    async with sessions() as session:
        return list(await session.scalars(select(Case).order_by(Case.id)))


async def count(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Case)) or 0)


# title, industry, summary, tags: the fixed library of the search table below.
LIBRARY: list[tuple[str, str, str, list[str]]] = [
    ("工资集体协商促进职工收入增长", "制造业",
     "某机械制造企业工会连续三年与企业开展工资集体协商，职工工资年均增长6%。", ["工资", "四必谈"]),
    ("建筑工地农民工工资支付专项协商", "建筑业",
     "区总工会指导建筑企业就农民工工资按月足额支付开展专项协商，建立工资保证金制度。",
     ["农民工", "欠薪"]),
    ("女职工权益保护专项集体合同", "餐饮住宿",
     "连锁餐饮企业签订女职工权益保护专项集体合同，明确孕期、哺乳期的休息安排。", ["女职工"]),
    ("快递行业劳动定额协商", "交通物流",
     "快递企业与骑手代表协商派件劳动定额和计件单价，减少超时劳动。", ["新就业形态", "劳动定额"]),
    ("医院安全生产与职业健康协商", "医疗卫生",
     "医院工会就夜班补贴和职业健康检查与院方协商，落实安全生产责任。", ["安全生产"]),
    ("软件企业弹性工作制协商", "信息技术",
     "软件企业就弹性工作时间和加班调休开展协商，形成书面协议。", ["工时"]),
]  # fmt: skip

WAGES, MIGRANTS, WOMEN, COURIERS, HOSPITAL, SOFTWARE = (title for title, *_ in LIBRARY)

# query -> the titles found, best first; the same on SQLite and PostgreSQL.
SEARCH_TABLE: list[tuple[str, list[str]]] = [
    ("工资", [WAGES, MIGRANTS]),
    ("女职工", [WOMEN, WAGES]),  # 女职工 holds 职工, which 职工收入 has too
    ("劳动定额", [COURIERS]),
    ("快递骑手", [COURIERS]),  # two words, each in the summary
    ("安全生产", [HOSPITAL]),
    ("集体合同", [WOMEN, WAGES]),
    ("工资协商", [WAGES, MIGRANTS, SOFTWARE, HOSPITAL, COURIERS]),
    ("弹性工作", [SOFTWARE]),
    ("加班", [SOFTWARE]),  # in the summary only
    ("四必谈", [WAGES]),  # a tag only
    ("火星移民", []),
    ('"快递" OR NEAR(骑手*) AND -欠薪', [COURIERS, MIGRANTS]),  # FTS syntax: only words
    ("WAGE 工资 ^协商:", [WAGES, MIGRANTS, SOFTWARE, HOSPITAL, COURIERS]),
    ("，。！？……", []),
]


async def load_library(sessions: Sessions) -> None:
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        for title, industry, summary, tags in LIBRARY:
            await records.add(
                session,
                CaseDraft(title, industry, summary, tags),
                author_telegram_id=WANG,
                instructor_id=None,
                district_id=None,
                now=now,
            )


@pytest.mark.parametrize(("query", "titles"), SEARCH_TABLE, ids=[q for q, _ in SEARCH_TABLE])
async def test_the_search_table(sessions: Sessions, query: str, titles: list[str]) -> None:
    """Each query of the table finds exactly these cases in this order, on either backend."""
    await load_library(sessions)
    async with sessions() as session:
        found = await search(session, query)
    assert [case.title for case in found.cases] == titles
    assert found.total == len(titles)


# --- /case ----------------------------------------------------------------------------------


async def test_one_line_case_is_stored_with_its_words(world: World, sessions: Sessions) -> None:
    """`/case 标题 | 行业 | 摘要 | 标签` (full-width ｜ and 、 too) stores the case with its author,
    district and segmented words, and says so."""
    _, wang = await with_roster(world)
    replies = await wang.send(
        "/case 工资集体协商促进增长 ｜ 制造业 ｜ 企业工会与行政开展工资集体协商，工资增长6%。"
        " ｜ 工资、四必谈"
    )
    assert "✅ 案例已保存" in replies.text, replies.text
    assert "王建国 · 西城" in replies.text and "#工资 #四必谈" in replies.text
    [case] = await cases(sessions)
    assert (case.title, case.industry, case.tags) == (
        "工资集体协商促进增长",
        "制造业",
        ["工资", "四必谈"],
    )
    assert case.author_telegram_id == WANG and case.instructor_id is not None
    assert case.district_id is not None
    assert "工资" in case.terms.split() and "四必谈" in case.terms.split()


async def test_guided_case_with_a_document_is_fetched_again(
    world: World, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """The guided /case takes title, an industry button, summary, tags and a document (from an
    admin too: not read as a roster), stores nothing before 保存, and 📎 附件 sends that file."""
    hq, wang = await with_roster(world)
    assert "先发标题" in (await hq.send("/case")).text
    assert "哪个行业" in (await hq.send("快递员劳动定额协商")).text
    assert "摘要" in (await hq.press("交通物流")).text
    assert "标签" in (await hq.send("快递企业与骑手代表协商派件定额和单价。")).text
    assert "附件" in (await hq.send("新就业形态、劳动定额")).text
    preview = await hq.upload(b"%PDF-1.4 agreement", "定额协议.pdf")
    assert "请确认" in preview.text and "定额协议.pdf" in preview.text, preview.text
    assert await count(sessions) == 0
    saved = await hq.press("✅ 保存")
    assert "✅ 案例已保存" in saved.text, saved.text
    [case] = await cases(sessions)
    assert case.file_name == "定额协议.pdf" and case.file_id
    assert case.industry == "交通物流" and case.tags == ["新就业形态", "劳动定额"]
    # Another user finds it, opens it, and fetches the file again.
    found = await wang.send("/cases 定额")
    assert "快递员劳动【定额】协商" in found.text, found.text
    opened = await wang.press("1")
    assert "快递企业与骑手代表协商派件定额和单价。" in opened.text
    await wang.press("📎 附件")
    [sent] = [c for c in standin.calls_to("sendDocument", WANG) if not c.rejected]
    assert sent.params["document"] == case.file_id
    assert sent.result["document"]["file_name"] == "定额协议.pdf"


async def test_guided_case_skips_cancels_and_takes_a_photo(
    world: World, sessions: Sessions, standin: BotApiStandIn
) -> None:
    """Tags and the attachment may be skipped; typing at the 附件 step asks for a file again;
    取消 stores nothing; a photo is kept and sent again as a photo."""
    _, wang = await with_roster(world)
    await wang.send("/case")
    await wang.send("夜班补贴协商")
    await wang.send("医疗")  # typed, not a button
    await wang.send("医院工会就夜班补贴与院方协商。")
    assert "附件" in (await wang.press("跳过")).text
    assert "发文件或照片" in (await wang.send("没有文件啊")).text
    assert "请确认" in (await wang.press("跳过")).text
    assert "已取消" in (await wang.press("取消")).text
    assert await count(sessions) == 0
    await wang.send("/case")
    await wang.send("夜班补贴协商")
    await wang.send("医疗")
    await wang.send("医院工会就夜班补贴与院方协商。")
    await wang.send("跳过")
    file_id = standin.add_file(b"\x89PNG photo", "photo.png")
    photo = [{"file_id": file_id, "file_unique_id": file_id, "width": 320, "height": 320}]
    preview = await world.process({"message": wang._message(None, photo=photo)}, Chat(WANG))
    assert "请确认" in preview.text, preview.text
    assert "✅ 案例已保存" in (await wang.send("保存")).text
    [case] = await cases(sessions)
    assert (case.industry, case.tags, case.file_id, case.file_name) == ("医疗", [], file_id, None)
    await wang.send("/cases 夜班")
    await wang.press("1")
    await wang.press("📎 附件")
    [sent] = [c for c in standin.calls_to("sendPhoto", WANG) if not c.rejected]
    assert sent.params["photo"] == file_id


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (f"/case {'长' * 101} | 制造业 | 摘要", "标题有 101 字，最多 100 字"),
        (f"/case 标题 | 制造业 | {'字' * 2001}", "摘要有 2001 字，最多 2000 字"),
        ("/case 标题 | 制造业 | 摘要 | 一,二,三,四,五,六", "标签有 6 个，最多 5 个"),
        ("/case 只有标题 | 制造业", "至少三项"),
        ("/case 标题 |  | 摘要 | " + "长" * 21, "太长了"),
    ],
)
async def test_limits_are_refused_with_reasons_and_nothing_stored(
    world: World, sessions: Sessions, line: str, said: str
) -> None:
    """A title over 100, a summary over 2,000 (its length said), over 5 tags, too few parts or
    an overlong tag: refused with the reason, nothing stored."""
    _, wang = await with_roster(world)
    replies = await wang.send(line)
    assert said in replies.text, replies.text
    assert await count(sessions) == 0


async def test_guided_summary_too_long_waits_for_a_shorter_one(
    world: World, sessions: Sessions
) -> None:
    """In the guided flow an overlong summary is refused with its length, and the step waits."""
    _, wang = await with_roster(world)
    await wang.send("/case")
    await wang.send("标题")
    await wang.send("制造业")
    refused = await wang.send("字" * 2500)
    assert "摘要有 2500 字" in refused.text and "请发案例摘要" in refused.text
    assert "标签" in (await wang.send("短摘要")).text
    assert await count(sessions) == 0


async def test_a_stranger_is_refused(world: World, sessions: Sessions) -> None:
    """Someone not registered can neither share nor search."""
    await with_roster(world)
    stranger = world.person(STRANGER, "路人")
    refusal = text_of("zh_CN", "refused.stranger")
    assert refusal in (await stranger.send("/case 标题 | 行业 | 摘要")).text
    assert refusal in (await stranger.send("/cases 工资")).text
    assert await count(sessions) == 0


# --- /cases ---------------------------------------------------------------------------------


async def test_results_are_ranked_and_marked(world: World, sessions: Sessions) -> None:
    """/cases 工资: the best match first, the word marked in title, tags and the summary's
    snippet, with the industry and the author."""
    _, wang = await with_roster(world)
    await load_library(sessions)
    replies = await wang.send("/cases 工资")
    [text] = replies
    assert text.startswith("🔎 “工资”：共 2 个案例，第 1/1 页"), text
    first, second = text.index("1. 【工资】集体协商"), text.index("2. 建筑工地农民工【工资】")
    assert first < second
    assert "#【工资】 #四必谈" in text and "制造业" in text
    assert "开展【工资】集体协商，职工【工资】年均增长6%。" in text
    assert "下一页" not in str(replies.calls[-1].params.get("reply_markup"))


async def test_pages_of_ten(world: World, sessions: Sessions) -> None:
    """23 matches: 10 a page, ▶ and ◀ edit the list in place, numbers run on."""
    _, wang = await with_roster(world)
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        for number in range(23):
            await records.add(
                session,
                CaseDraft(f"协商案例{number:02d}", "制造业", f"第{number}个协商案例。", []),
                author_telegram_id=WANG,
                instructor_id=None,
                district_id=None,
                now=now + timedelta(seconds=number),
            )
    first = await wang.send("/cases 协商")
    assert "共 23 个案例，第 1/3 页" in first.text and "10. " in first.text
    assert "11. " not in first.text
    second = await wang.press("下一页 ▶")
    assert second.calls[-1].method == "editMessageText"
    assert "第 2/3 页" in second.text and "11. " in second.text and "20. " in second.text
    third = await wang.press("下一页 ▶")
    assert "第 3/3 页" in third.text and "23. " in third.text and "24. " not in third.text
    back = await wang.press("◀ 上一页")
    assert "第 2/3 页" in back.text


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"工资',
        "工资*",
        "( ) : ^ - + * \" '",
        "NEAR(工资 协商, 2)",
        "工资 OR AND NOT 协商",
        "col:工资",
        "工资' OR '1'='1",
        "工资 & 协商 | !合同 <-> :*",
        "工资" * 2000,
        " ".join(f"词{n}" for n in range(500)),
        "\\ \\\\ '' \"\"",
    ],
)
async def test_any_input_is_answered_never_an_error(
    world: World, sessions: Sessions, query: str
) -> None:
    """FTS syntax, SQL-ish quotes and very long queries are only words: an answer, no error."""
    _, wang = await with_roster(world)
    await load_library(sessions)
    replies = await wang.send(f"/cases {query}")
    assert replies and text_of("zh_CN", "error.generic") not in replies.text, replies.text
    assert "🔎" in replies.text or "没有找到" in replies.text or "没有可以搜索的词" in replies.text


async def test_empty_and_punctuation_queries_get_a_clear_answer(world: World) -> None:
    """/cases alone asks for words; only punctuation says there are none; no match says so."""
    _, wang = await with_roster(world)
    assert "请在 /cases 后面写要找的词" in (await wang.send("/cases")).text
    assert "没有可以搜索的词" in (await wang.send("/cases ，。！？……")).text
    assert "没有找到和“火星移民”相关的案例" in (await wang.send("/cases 火星移民")).text


async def test_pages_turn_only_for_the_searcher(world: World, sessions: Sessions) -> None:
    """In a group, another member's press on ▶ of someone's search is refused with the reason
    and the list stays as it was."""
    hq, wang = await with_roster(world)
    group = world.group()
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        for number in range(12):
            await records.add(
                session,
                CaseDraft(f"工资协商{number}", None, "工资协商的做法。", []),
                author_telegram_id=WANG,
                instructor_id=None,
                district_id=None,
                now=now,
            )
    first = await hq.send("/cases 工资", chat=group)
    assert "第 1/2 页" in first.text, first.text
    refused = await wang.press("下一页 ▶", chat=group)
    assert "不是你发起的" in refused.text
    assert not [c for c in refused.calls if c.method == "editMessageText"]
    turned = await hq.press("下一页 ▶", chat=group)
    assert "第 2/2 页" in turned.text


async def test_the_daily_purge_forgets_searches_older_than_a_week(
    world: World, sessions: Sessions
) -> None:
    """A search's ◀ ▶ point at a kept row; the daily purge deletes those older than 7 days and
    keeps newer ones."""
    async with sessions.begin() as session:
        old = await remember(session, HQ_ID, "工资")
        new = await remember(session, HQ_ID, "协商")
        await session.execute(
            update(CaseSearch)
            .where(CaseSearch.id == old)
            .values(created_at=datetime.now(UTC) - timedelta(days=8))
        )
    await jobs.purge(SimpleNamespace(bot_data=world.app.bot_data))  # type: ignore[arg-type]
    async with sessions() as session:
        assert await recall(session, old, HQ_ID) is None
        assert await recall(session, new, HQ_ID) == "协商"
