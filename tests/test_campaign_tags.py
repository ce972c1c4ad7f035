"""Campaign tags (#四必谈) on reports: written in one line, in a group and in the guided flow,
kept through edits, filtering /stats, /export and /chart and their command-line twins, the
export's 标签 column and the history import's."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storage.common.periods import parse_period
from storage.common.spreadsheets import RowError
from storage.common.tags import TagProblem, extract_tags, hashtag, read_tags
from storage.db import Sessions
from storage.models import Report, ReportRevision, ReportTag
from storage.reports.exports import REPORT_COLUMNS, write_export
from storage.reports.history import import_reports
from storage.reports.records import ReportProblem, parse_group_message, parse_line
from storage.reports.stats import TypeFigures, compute_stats, monthly_counts, stats_json
from storage.reports.tags import add_tags
from tests.conftest import HQ_ID
from tests.files import SAMPLE_ROSTER, csv_bytes, xlsx
from tests.harness import Person, World
from tests.reports_data import GUIDANCE, TRAINING, Y2017, add_reports, make_world, report
from tests.support import import_sample

TODAY = date(2026, 11, 25)
HEADER = ["日期", "指导员", "层级", "所属区", "类型", "对象", "人次", "备注", "标签"]
# 西城's 2017 with the 四必谈 campaign: 2 guidance for 130 person-times and 2 trainings for 130;
# untagged reports, 平谷 and 2018 must not leak into those figures.
HISTORY: list[list[Any]] = [
    HEADER,
    [date(2017, 3, 2), "王建国", "市级", "西城", "指导", "维达纸业", 60, "工资协商辅导", "四必谈"],
    [date(2017, 5, 9), "李红", "区级", "西城", "指导", "德胜街道", 70, None, "#四必谈 #工资专项"],
    [date(2017, 9, 1), "王建国", "市级", "西城", "指导", "金融街街道", 50, None, None],
    [date(2017, 4, 1), "李红", "区级", "西城", "培训", "西城区总工会", 80, "集体协商培训",
     "四必谈、工资专项"],
    [date(2017, 6, 1), "李红", "区级", "西城", "培训", "德胜街道", 70, None, None],
    [date(2017, 11, 1), "王建国", "市级", "西城", "培训", "金融街街道", 50, None, "＃四必谈"],
    [date(2017, 6, 5), "赵敏", "街乡级", "平谷", "指导", "兴谷街道", 99, None, "四必谈,"],
    [date(2018, 1, 5), "李红", "区级", "西城", "指导", "德胜街道", 11, None, "四必谈"],
]  # fmt: skip
ENTERPRISES = [["企业名称", "所属区"], ["维达纸业", "西城"], ["京西商贸", "门头沟"]]


def today_of(world: World) -> date:
    return datetime.now(world.app.bot_data["settings"].tz).date()


async def instructor(world: World) -> Person:
    """李红 of 西城, joined by invite, with two registered enterprises."""
    codes = await import_sample(world)
    await world.person(HQ_ID).upload(xlsx(ENTERPRISES), "企业.xlsx")
    li = world.person(501, "Li")
    await li.send(f"/start {codes['李红']}")
    return li


async def tags_by_report(sessions: Sessions) -> dict[int, list[str]]:
    """Every report not deleted, by id, with its tags."""
    async with sessions() as session:
        reports = await session.scalars(select(Report).where(Report.deleted_at.is_(None)))
        return {item.id: item.tags for item in reports}


async def only_report(sessions: Sessions) -> Report:
    async with sessions() as session:
        (item,) = (await session.scalars(select(Report))).all()
        return item


async def load_history(world: World) -> Person:
    """HQ with the roster and the tagged history of 2017 imported through the chat."""
    hq = world.person(HQ_ID)
    await hq.upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    replies = await hq.upload(csv_bytes(HISTORY), "工作动态.csv")
    assert "工作动态已导入：新增 8 条" in replies.text, replies.text
    return hq


# --- reading tags ----------------------------------------------------------------------------


def test_tags_are_read_where_people_write_them() -> None:
    """A #word starting a word is a tag (＃ too), taken out of the text; #3, a#b and a quoted
    name are not; the same tag twice, in any case or width, is one."""
    assert extract_tags("讲解工资协商 #四必谈 第二次") == (["四必谈"], "讲解工资协商 第二次")
    assert extract_tags("讲解，#四必谈。") == (["四必谈"], "讲解。")
    assert extract_tags("讲解，#四必谈，第二次") == (["四必谈"], "讲解，第二次")
    assert extract_tags("#四必谈#工资专项 讲解") == (["四必谈", "工资专项"], "讲解")
    assert extract_tags("＃ＡＢＣ #abc 讲解") == (["abc"], "讲解")
    assert extract_tags("1号#3车间 #3 「#不是标签」") == ([], "1号#3车间 #3 「#不是标签」")
    assert extract_tags("讲解\n#四必谈\n第二行") == (["四必谈"], "讲解\n第二行")


def test_a_cell_or_a_word_names_tags_or_says_why_not() -> None:
    """Cells list tags with spaces, commas or 、; a command's #word is one tag; bad ones say why."""
    assert read_tags("#四必谈 #工资专项") == ["四必谈", "工资专项"]
    assert read_tags("四必谈、工资专项，四必谈; x") == ["四必谈", "工资专项", "x"]
    assert read_tags(None) == []
    with pytest.raises(TagProblem) as bad:
        read_tags("四必谈 工资-专项")
    assert bad.value == TagProblem("bad_tag", "工资-专项")
    with pytest.raises(TagProblem) as many:
        read_tags("a b c d e f")
    assert many.value == TagProblem("too_many_tags", 6)
    with pytest.raises(TagProblem) as long:
        read_tags("长" * 33)
    assert long.value == TagProblem("tag_too_long", "长" * 33)
    assert hashtag("＃四必谈") == "四必谈" and hashtag("2017") is None and hashtag("西城") is None
    for word in ("#", "#3", "#!"):
        with pytest.raises(TagProblem):
            hashtag(word)


def test_a_report_line_carries_its_tags_anywhere_after_the_type() -> None:
    """Tags after the type, before or after the count, date and note, never reach the note."""
    parsed = parse_line("走访 维达纸业 5人次 讲解工资协商 #四必谈", today=TODAY)
    assert parsed.ok and parsed.tags == ["四必谈"] and parsed.note == "讲解工资协商"
    parsed = parse_line("走访 #四必谈 维达纸业 ＃工资专项 5人次 昨天", today=TODAY)
    assert (parsed.target, parsed.person_times, parsed.day) == ("维达纸业", 5, date(2026, 11, 24))
    assert parsed.tags == ["四必谈", "工资专项"] and parsed.note is None
    # A type written as a hashtag stays the type.
    parsed = parse_line("#走访 维达纸业 #四必谈", today=TODAY)
    assert (parsed.type, parsed.tags) == ("visit", ["四必谈"])
    group = parse_group_message("＃走访 维达纸业 3人次 了解意向 #四必谈 #工资专项", TODAY)
    assert group is not None and group.ok
    assert (group.type, group.person_times, group.note) == ("visit", 3, "了解意向")
    assert group.tags == ["四必谈", "工资专项"]
    general = parse_group_message("#工作动态 指导 维达纸业 #四必谈", TODAY)
    assert general is not None and (general.type, general.tags) == ("guidance", ["四必谈"])


def test_too_many_or_too_long_tags_are_problems() -> None:
    """Six tags, or one of 33 characters, make the report unstorable with the reason."""
    six = parse_line("走访 维达纸业 #a #b #c #d #e #f", today=TODAY)
    assert not six.ok and six.problems == [ReportProblem("too_many_tags", 6)]
    long = parse_line(f"走访 维达纸业 #{'长' * 33}", today=TODAY)
    assert long.problems == [ReportProblem("tag_too_long", "长" * 33)]


# --- reporting with tags in the chat ---------------------------------------------------------


async def test_a_one_line_report_is_tagged(world: World, sessions: Sessions) -> None:
    """`/report 走访 维达纸业 5人次 讲解工资协商 #四必谈` stores the tag apart from the note and
    says so."""
    li = await instructor(world)
    replies = await li.send("/report 走访 维达纸业 5人次 讲解工资协商 #四必谈")
    assert "✅ 已记录" in replies.text and "讲解工资协商 · 标签 #四必谈" in replies.text
    stored = await only_report(sessions)
    assert (stored.note, stored.person_times, stored.tags) == ("讲解工资协商", 5, ["四必谈"])
    assert stored.enterprise_id is not None


async def test_a_group_post_is_tagged(world: World, sessions: Sessions) -> None:
    """In a bound group the first hashtag is the type, the further ones are tags."""
    li = await instructor(world)
    group = world.group(-7001, "西城协商群")
    await world.person(HQ_ID).send("/bindgroup district 西城", chat=group)
    replies = await li.send("#走访 维达纸业 3人次 了解意向 #四必谈 ＃工资专项", chat=group)
    assert list(replies) == []
    assert world.standin.calls_to("setMessageReaction", chat_id=-7001)
    stored = await only_report(sessions)
    assert (stored.type, stored.note, stored.tags) == ("visit", "了解意向", ["四必谈", "工资专项"])


async def test_the_guided_flow_takes_tags_with_the_note(world: World, sessions: Sessions) -> None:
    """Tags typed at the note step are shown as 标签 on the confirmation and stored."""
    li = await instructor(world)
    await li.send("/report")
    await li.press("指导")
    await li.send("维达纸业")
    await li.press("5")
    asked = await li.press("今天")
    assert "#四必谈" in asked.text  # the note's question says how to tag
    confirm = await li.send("讲解劳动合同 #四必谈")
    assert "请确认" in confirm.text and "讲解劳动合同 · 标签 #四必谈" in confirm.text
    assert "✅ 已记录" in (await li.press("✅ 确认")).text
    stored = await only_report(sessions)
    assert (stored.type, stored.note, stored.tags) == ("guidance", "讲解劳动合同", ["四必谈"])


async def test_the_guided_flow_takes_tags_alone_or_with_the_target(
    world: World, sessions: Sessions
) -> None:
    """A tag typed with the target counts too; a note of tags alone leaves no note."""
    li = await instructor(world)
    await li.send("/report")
    await li.press("走访")
    assert "多少人次" in (await li.send("维达纸业 #四必谈")).text
    await li.press("3")
    await li.press("今天")
    confirm = await li.send("#工资专项")
    assert "维达纸业 · 3人次 · 标签 #四必谈 #工资专项" in confirm.text
    await li.press("✅ 确认")
    stored = await only_report(sessions)
    assert (stored.target, stored.note, stored.tags) == ("维达纸业", None, ["四必谈", "工资专项"])


async def test_bad_tags_are_answered_and_nothing_is_stored(
    world: World, sessions: Sessions
) -> None:
    """Too many or too long tags are refused with the limit, in one line, in the guided flow
    and in a group; nothing is stored."""
    li = await instructor(world)
    many = await li.send("/report 走访 维达纸业 #a #b #c #d #e #f")
    assert "❌ 没有记录" in many.text and "标签太多（6 个），最多 5 个" in many.text
    assert "标签 #a #b #c #d #e #f" in many.text  # what was understood
    long = await li.send(f"/report 走访 维达纸业 #{'长' * 33}")
    assert "太长，每个标签最多 32 个字" in long.text
    await li.send("/report")
    await li.press("走访")
    await li.send("维达纸业 #a #b #c")
    await li.press("3")
    await li.press("今天")
    again = await li.send("讲解 #d #e #f")
    assert "标签太多（6 个），最多 5 个" in again.text and "跳过" in str(again.calls[-1].params)
    group = world.group(-7002, "西城协商群")
    await world.person(HQ_ID).send("/bindgroup district 西城", chat=group)
    assert list(await li.send("#走访 维达纸业 #a #b #c #d #e #f", chat=group)) == []
    assert "标签太多" in world.standin.texts(501)[-1]
    assert await tags_by_report(sessions) == {}
    # The flow is still at the note: fewer tags go through.
    await li.send("讲解 #d")
    assert "✅ 已记录" in (await li.press("✅ 确认")).text
    assert list((await tags_by_report(sessions)).values()) == [["a", "b", "c", "d"]]


async def test_an_edit_keeps_replaces_or_clears_the_tags(world: World, sessions: Sessions) -> None:
    """/myreports: a corrected line without tags keeps them, with tags replaces them, `#无`
    removes them; each revision keeps the tags it replaced."""
    li = await instructor(world)
    await li.send("/report 走访 维达纸业 5人次 #四必谈")
    stored = await only_report(sessions)
    listing = await li.send("/myreports")
    assert f"#{stored.id}" in listing.text and "标签 #四必谈" in listing.text
    asked = await li.press(f"✏️ 改 #{stored.id}")
    assert "不写标签则保留原有标签" in asked.text and "标签 #四必谈" in asked.text
    kept = await li.send("走访 维达纸业 6人次")
    assert "6人次 · 标签 #四必谈" in kept.text
    assert (await only_report(sessions)).tags == ["四必谈"]

    await li.send("/myreports")
    await li.press(f"✏️ 改 #{stored.id}")
    replaced = await li.send("走访 维达纸业 6人次 #工资专项 #Q4")
    assert "标签 #q4 #工资专项" in replaced.text
    assert (await only_report(sessions)).tags == ["q4", "工资专项"]

    await li.send("/myreports")
    await li.press(f"✏️ 改 #{stored.id}")
    cleared = await li.send("走访 维达纸业 6人次 #无")
    assert "已修改" in cleared.text and "标签" not in cleared.text
    assert (await only_report(sessions)).tags == []
    async with sessions() as session:
        revisions = list(await session.scalars(select(ReportRevision).order_by(ReportRevision.id)))
    assert [revision.before.get("tags") for revision in revisions] == [
        ["四必谈"],
        ["四必谈"],
        ["q4", "工资专项"],
    ]


async def test_linking_an_enterprise_keeps_the_tags(world: World, sessions: Sessions) -> None:
    """Choosing a suggested enterprise for an unmatched report leaves its tags alone."""
    li = await instructor(world)
    replies = await li.send("/report 指导 京西商贸公司 3人 #四必谈")
    assert "不在企业名录中" in replies.text
    linked = await li.press("京西商贸")
    assert "已更正为" in linked.text and "标签 #四必谈" in linked.text
    stored = await only_report(sessions)
    assert (stored.target, stored.tags) == ("京西商贸", ["四必谈"])


# --- filters in the chat ---------------------------------------------------------------------


async def test_stats_filter_by_tag_with_and_without_a_district(world: World) -> None:
    """/stats 2017 西城 #四必谈 counts only the tagged reports of 西城; without the district, the
    city's; the answer names the filter."""
    hq = await load_history(world)
    xicheng = (await hq.send("/stats 2017 西城 #四必谈")).text
    assert "📊 西城 · 标签 #四必谈 · 2017" in xicheng
    assert "指导：2 次，130 人次" in xicheng and "培训：2 次，130 人次" in xicheng
    assert "合计：4 条，260 人次" in xicheng
    city = (await hq.send("/stats ＃四必谈 2017")).text
    assert "📊 全市 · 标签 #四必谈 · 2017" in city
    assert "指导：3 次，229 人次" in city and "培训：2 次，130 人次" in city
    untagged = (await hq.send("/stats 2017 西城")).text
    assert "标签" not in untagged and "指导：3 次，180 人次" in untagged
    wage = (await hq.send("/stats #工资专项 西城 2017")).text
    assert "指导：1 次，70 人次" in wage and "培训：1 次，80 人次" in wage


async def test_instructors_and_district_admins_filter_their_own_figures(world: World) -> None:
    """An instructor's /stats #四必谈 counts their own tagged reports; a district admin's their
    district's."""
    await load_history(world)
    codes = await import_sample(world)
    li = world.person(501, "Li")
    await li.send(f"/start {codes['李红']}")
    mine = (await li.send("/stats 2017 #四必谈")).text
    assert "我的 · 标签 #四必谈 · 2017" in mine
    assert "指导：1 次，70 人次" in mine and "培训：1 次，80 人次" in mine
    await world.person(HQ_ID).send("/admin add 2001 district 平谷")
    pinggu = (await world.person(2001).send("/stats 2017 #四必谈")).text
    assert "平谷 · 标签 #四必谈" in pinggu and "指导：1 次，99 人次" in pinggu


async def test_export_filters_by_tag_and_has_a_tag_column(world: World, sessions: Sessions) -> None:
    """/export 2017 #四必谈 holds only the tagged reports, their tags in 标签, and says so."""
    hq = await load_history(world)
    replies = await hq.send("/export 2017 西城 #四必谈")
    assert "西城 · 标签 #四必谈 · 2017 的工作动态" in replies.text
    name, content = replies.documents[0]
    assert name == "工作动态_西城_2017_四必谈.xlsx"
    book = load_workbook(io.BytesIO(content))
    rows = list(book["工作动态"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert [(row[4], row[6], row[8]) for row in rows[1:]] == [
        ("指导", 60, "四必谈"),
        ("培训", 80, "四必谈、工资专项"),
        ("指导", 70, "四必谈、工资专项"),
        ("培训", 50, "四必谈"),
    ]
    districts = list(book["各区汇总"].iter_rows(values_only=True))
    header, xicheng = districts[0], districts[1]
    assert xicheng[header.index("指导人次")] == 130 and xicheng[header.index("培训人次")] == 130
    # The city without a tag, and the city with one: the same reports as the chat's.
    async with sessions() as session:
        everything = await write_export(session, Y2017, district_id=None)
        city = await write_export(session, Y2017, district_id=None, tag="四必谈")
    assert everything.reports == 7 and city.reports == 5
    assert everything.data is not None
    assert sum(1 for row in _rows(everything.data)[1:] if row[8] is None) == 2


async def test_chart_filters_by_tag(world: World, sessions: Sessions) -> None:
    """/chart 2017 #四必谈 draws the tagged reports, titled with the filter."""
    hq = await load_history(world)
    replies = await hq.send("/chart 2017 西城 #四必谈")
    photos = [c for c in replies.calls if c.method == "sendPhoto"]
    assert photos and photos[0].files["photo"][1].startswith(b"\x89PNG")
    assert "西城 · 标签 #四必谈 2017" in replies.text
    async with sessions() as session:
        tagged = await monthly_counts(session, Y2017, tag="四必谈")
    assert tagged == [
        ("2017-03", GUIDANCE, 1),
        ("2017-04", TRAINING, 1),
        ("2017-05", GUIDANCE, 1),
        ("2017-06", GUIDANCE, 1),
        ("2017-11", TRAINING, 1),
    ]


async def test_bad_or_unknown_tag_filters_are_explained(world: World) -> None:
    """`#`, `#3`, two tags or a tag nobody used is refused saying why; /coverage takes none."""
    hq = await load_history(world)
    assert "不是有效的标签" in (await hq.send("/stats 2017 #")).text
    assert "不是有效的标签" in (await hq.send("/stats 2017 #3")).text
    assert "太长" in (await hq.send(f"/export 2017 #{'长' * 33}")).text
    two = (await hq.send("/stats #四必谈 #工资专项")).text
    assert "一次只能按一个标签筛选" in two and "#四必谈 #工资专项" in two
    unknown = (await hq.send("/chart 2017 #四必淡")).text
    assert "还没有工作动态带标签 #四必淡" in unknown
    assert "已用过的标签：#四必谈、#工资专项" in unknown
    assert "不按标签筛选" in (await hq.send("/coverage #四必谈")).text


# --- storage: figures, export, import --------------------------------------------------------


async def seed_tagged(sessions: Sessions) -> dict[str, int]:
    """2017 with 四必谈 on two of 王建国's reports in 西城 (one also 工资专项) and on 赵敏's in
    平谷; 李红's and 张伟's carry none. Returns the instructors' ids."""
    async with sessions.begin() as session:
        world = await make_world(session)
        await add_reports(
            session,
            [
                report(world, "王建国", date(2017, 3, 2), GUIDANCE, "维达纸业（中国）", 60),
                report(world, "李红", date(2017, 9, 1), GUIDANCE, "维达纸业（中国）", 50),
                report(world, "张伟", date(2017, 12, 31), GUIDANCE, "什刹海街道", 30),
                report(world, "王建国", date(2017, 4, 20), TRAINING, "西城区总工会", 80),
                report(world, "赵敏", date(2017, 5, 5), GUIDANCE, "平谷桃业", 99),
            ],
        )
        # Each report's person-times tell it apart.
        ids = {n: id_ for n, id_ in await session.execute(select(Report.person_times, Report.id))}
        await add_tags(
            session,
            [(ids[60], "四必谈"), (ids[80], "四必谈"), (ids[80], "工资专项"), (ids[99], "四必谈")],
        )
        return world.people


async def test_tagged_figures_are_read_from_the_reports(sessions: Sessions) -> None:
    """With a tag every figure counts only tagged reports: types, coverage, who reported, who is
    silent, the ranking; whole months (which the rollups serve untagged) agree with the reports."""
    people = await seed_tagged(sessions)
    async with sessions() as session:
        city = (await compute_stats(session, Y2017)).by_type  # the rollups' path, untagged
        district = await session.scalar(
            select(Report.district_id).where(Report.target == "什刹海街道")
        )
        tagged = await compute_stats(
            session, Y2017, district_id=district, tag="四必谈", ranking=True
        )
        by_reports = await compute_stats(
            session, Y2017, district_id=district, tag="四必谈", ranking=True, rollups=False
        )
        wang = await compute_stats(session, Y2017, instructor_id=people["王建国"], tag="四必谈")
    assert city[GUIDANCE] == TypeFigures(4, 239)
    assert tagged == by_reports
    assert tagged.tag == "四必谈" and stats_json(tagged)["tag"] == "四必谈"
    assert tagged.by_type[GUIDANCE] == TypeFigures(1, 60)
    assert tagged.by_type[TRAINING] == TypeFigures(1, 80)
    assert (tagged.total_reports, tagged.enterprises_covered, tagged.active_instructors) == (
        2,
        1,
        1,
    )
    # 李红 and 张伟 reported in 2017, but nothing tagged 四必谈.
    assert {name for _, name, _ in tagged.silent_instructors} == {"张伟", "李红"}
    assert [figures.name for figures in tagged.top] == ["王建国"]
    assert wang.by_type[GUIDANCE] == TypeFigures(1, 60) and wang.total_reports == 2


async def test_the_export_lists_tags_and_filters_every_sheet(sessions: Sessions) -> None:
    """标签 follows 备注, tags joined by 、; with a tag the summaries count only tagged reports."""
    await seed_tagged(sessions)
    assert REPORT_COLUMNS[-2:] == ("备注", "标签")
    async with sessions() as session:
        everything = await write_export(session, Y2017, district_id=None)
        tagged = await write_export(session, Y2017, district_id=None, tag="工资专项")
    assert everything.data is not None and tagged.data is not None
    rows = _rows(everything.data)[1:]
    assert sorted((row[1], row[5], row[8] or "") for row in rows) == sorted(
        [
            ("王建国", "维达纸业（中国）", "四必谈"),
            ("李红", "维达纸业（中国）", ""),
            ("张伟", "什刹海街道", ""),
            ("王建国", "西城区总工会", "四必谈、工资专项"),
            ("赵敏", "平谷桃业", "四必谈"),
        ]
    )
    assert tagged.reports == 1
    book = load_workbook(io.BytesIO(tagged.data))
    people = {row[0]: row for row in book["指导员汇总"].iter_rows(min_row=2, values_only=True)}
    # Everyone else active is silent for 工资专项: a row of zeros each.
    assert set(people) == {"王建国", "李红", "张伟", "赵敏", "孙丽"}
    assert people["王建国"][1:5] == ("西城", 0, 0, 1)  # 所属区, 走访, 指导, 培训
    assert sum(row[3] + row[4] for row in people.values()) == 1


async def run_import(sessions: Sessions, rows: list[list[Any]]) -> Any:
    async with sessions.begin() as session:
        result = await import_reports(
            session, xlsx(rows), "history.xlsx", only_district_id=None, today=TODAY
        )
        if not result.ok:
            await session.rollback()
        return result


async def test_history_import_reads_tags(sessions: Sessions) -> None:
    """标签 cells with #, spaces, commas or 、 are read; a second import adds the tags a row
    lacks (never taking any away); bad cells refuse the file naming the row."""
    async with sessions.begin() as session:
        await make_world(session)
    rows: list[list[Any]] = [
        HEADER,
        [date(2017, 3, 2), "王建国", "市级", "西城", "指导", "维达纸业（中国）", 60, None,
         "四必谈"],
        [date(2017, 4, 2), "王建国", "市级", "西城", "指导", "金融街控股", 40, None,
         "#四必谈 #工资专项"],
        [date(2017, 5, 2), "李红", "区级", "西城", "培训", "德胜街道", 70, None, None],
    ]  # fmt: skip
    first = await run_import(sessions, rows)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert sorted((await tags_by_report(sessions)).values()) == [
        [],
        ["四必谈"],
        ["四必谈", "工资专项"],
    ]
    again = await run_import(sessions, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    # The same reports with more tags: the missing ones are added, none removed.
    more = [
        HEADER,
        rows[1],
        [*rows[2][:8], "工资专项"],
        [*rows[3][:8], "四必谈，工资专项"],
    ]
    added = await run_import(sessions, more)
    assert (added.created, added.updated, added.unchanged) == (0, 1, 2)
    assert sorted((await tags_by_report(sessions)).values()) == [
        ["四必谈"],
        ["四必谈", "工资专项"],
        ["四必谈", "工资专项"],
    ]
    bad = [
        HEADER,
        [date(2017, 6, 2), "李红", "区级", "西城", "培训", "德胜街道", 1, None, "四必谈!"],
        [date(2017, 6, 3), "李红", "区级", "西城", "培训", "德胜街道", 1, None, "a b c d e f"],
        [date(2017, 6, 4), "李红", "区级", "西城", "培训", "德胜街道", 1, None, "长" * 33],
    ]
    refused = await run_import(sessions, bad)
    assert refused.errors == [
        RowError(2, "tags", "bad_tag", "四必谈!"),
        RowError(3, "tags", "too_many_tags", "6"),
        RowError(4, "tags", "tag_too_long", "长" * 33),
    ]
    async with sessions() as session:
        assert len((await session.scalars(select(ReportTag))).all()) == 5


async def test_export_import_export_keeps_the_tags(sessions: Sessions) -> None:
    """An exported workbook imported into an empty database exports the same, tags included."""
    await seed_tagged(sessions)
    async with sessions() as session:
        first = await write_export(session, Y2017, district_id=None)
    assert first.data is not None
    async with sessions.begin() as session:
        await session.execute(ReportTag.__table__.delete())
        await session.execute(Report.__table__.delete())
    result = await run_import(sessions, [list(row) for row in _rows(first.data)])
    assert result.ok and result.created == 5
    async with sessions() as session:
        second = await write_export(session, Y2017, district_id=None)
    assert second.data is not None
    assert _rows(second.data) == _rows(first.data)


def _rows(data: bytes) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(data))
    return list(book["工作动态"].iter_rows(values_only=True))


# --- the command line ------------------------------------------------------------------------


async def test_cli_stats_and_export_filter_by_tag(
    sessions: Sessions, database_url: str, tmp_path: Path
) -> None:
    """`xieshang stats --tag 四必谈` gives the figures /stats gives; `export --tag` the same
    workbook; a bad --tag exits 2 saying why."""
    await seed_tagged(sessions)
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "PTB_TIMEDELTA": "true"}

    def xieshang(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    shown = await asyncio.to_thread(
        xieshang, "stats", "--period", "2017", "--district", "西城", "--tag", "#四必谈", "--json"
    )
    assert shown.returncode == 0, shown.stderr
    async with sessions() as session:
        district = await session.scalar(
            select(Report.district_id).where(Report.target == "什刹海街道")
        )
        figures = await compute_stats(
            session, parse_period("2017", TODAY), district_id=district, tag="四必谈", ranking=True
        )
        expected = await write_export(session, Y2017, district_id=None, tag="四必谈")
    assert json.loads(shown.stdout) == stats_json(figures)
    text = await asyncio.to_thread(xieshang, "stats", "--period", "2017", "--tag", "四必谈")
    assert "标签 #四必谈" in text.stdout and "指导：2 次，159 人次" in text.stdout
    out = tmp_path / "tagged.xlsx"
    exported = await asyncio.to_thread(
        xieshang, "export", "--period", "2017", "--tag", "四必谈", "--out", str(out)
    )
    assert exported.returncode == 0 and "#四必谈" in exported.stdout, exported.stderr
    assert expected.data is not None
    assert _rows(out.read_bytes()) == _rows(expected.data)
    bad = await asyncio.to_thread(xieshang, "stats", "--period", "2017", "--tag", "3")
    assert bad.returncode == 2 and "不是有效的标签" in bad.stderr
