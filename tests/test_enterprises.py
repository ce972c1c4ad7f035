"""/enterprises: the registry of an admin's scope page by page, and a search of its names."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select

from storage import enterprises
from storage.db import Sessions
from storage.enterprises.search import rank
from storage.models import Enterprise
from tests.conftest import HQ_ID
from tests.files import SAMPLE_ROSTER, replace_cell, xlsx
from tests.harness import World

HEADERS = ["企业名称", "所属区", "街道乡镇", "区域", "行业", "职工人数", "是否建会", "集体合同"]
REGISTRY: list[list[Any]] = [
    HEADERS,
    ["维达北方纸业（北京）有限公司", "平谷", "兴谷街道", "东部", "制造业", 1200, "是",
     "2024-05-01"],
    ["北京大华纸业有限公司", "平谷", "马坊镇", "西部", "制造业", 300, "是", "否"],
    ["京东物流北京分公司", "大兴", "亦庄镇", "南部", "物流", 3500, "是", "是"],
    ["小马餐饮店", "西城", None, None, "餐饮", 8, "否", None],
    *(
        [f"平谷第{n:02d}食品厂", "平谷", "兴谷街道", "中部", "食品", 50 + n, "是", None]
        for n in range(1, 22)
    ),
]  # fmt: skip
PINGGU = 23  # enterprises of Pinggu in REGISTRY
DISTRICT_ADMIN = 2001  # Pinggu's
INSTRUCTOR = 3001


async def load(sessions: Sessions, rows: list[list[Any]] = REGISTRY) -> None:
    async with sessions.begin() as session:
        result = await enterprises.import_enterprises(
            session, xlsx(rows), "registry.xlsx", only_district_id=None
        )
    assert result.ok, result.errors


async def registry_size(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Enterprise)) or 0)


async def test_hq_pages_a_district_with_buttons(world: World, sessions: Sessions) -> None:
    """Ten a page with 第 k/N 页 and ◀ ▶; each line shows place, industry, employees, 建会 and
    集体合同 (with its signing day when known)."""
    await load(sessions)
    hq = world.person(HQ_ID)
    first = await hq.send("/enterprises 平谷")
    assert f"平谷企业名录：共 {PINGGU} 家（第 1/3 页）" in first.text
    assert first.text.count("\n    ") == 10
    second = await hq.press("下一页 ▶")
    assert "（第 2/3 页）" in second.text and second.calls[-1].method == "editMessageText"
    third = await hq.press("下一页 ▶")
    assert "（第 3/3 页）" in third.text and third.text.count("\n    ") == 3
    with_buttons = world.standin.calls[-1].params["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in with_buttons[0]] == ["◀ 上一页"]
    pages = [first.text, second.text, third.text]
    assert "\n".join(pages).count("食品厂") == 21
    vida = next(text for text in pages if "维达北方纸业" in text)
    assert (
        "维达北方纸业（北京）有限公司\n    平谷·兴谷街道·东部｜制造业｜1200 人｜已建会｜"
        "集体合同✅ 2024-05-01 签订"
    ) in vida
    dahua = next(text for text in pages if "大华纸业" in text)
    assert "马坊镇·西部｜制造业｜300 人｜已建会｜无集体合同" in dahua
    back = await hq.press("◀ 上一页")
    assert "（第 2/3 页）" in back.text

    city = await hq.send("/enterprises")
    assert "全市企业名录：共 25 家（第 1/3 页）" in city.text
    shop = await hq.send("/enterprises 西城")
    assert "西城企业名录：共 1 家（第 1/1 页）" in shop.text
    assert "小马餐饮店\n    西城｜餐饮｜8 人｜未建会｜集体合同未填" in shop.text
    assert "reply_markup" not in world.standin.calls[-1].params
    assert "东城的企业名录还是空的" in (await hq.send("/enterprises 东城区")).text


async def test_district_admin_sees_only_their_district(world: World, sessions: Sessions) -> None:
    """A district admin's list and search keep to their district; another district's name, a
    search there, or an old button of the city is refused with the reason."""
    await load(sessions)
    hq = world.person(HQ_ID)
    await hq.send("/admin add 2001 district 平谷")
    pinggu = world.person(DISTRICT_ADMIN)
    own = await pinggu.send("/enterprises")
    assert f"平谷企业名录：共 {PINGGU} 家（第 1/3 页）" in own.text
    assert "（第 2/3 页）" in (await pinggu.press("下一页 ▶")).text
    assert "你只能管理平谷区的数据" in (await pinggu.send("/enterprises 西城")).text
    assert "你只能管理平谷区的数据" in (await pinggu.send("/enterprises 大兴 京东")).text
    outside = await pinggu.send("/enterprises 京东物流")
    assert "平谷没有名称含“京东物流”或与它相近的企业" in outside.text
    assert "京东物流北京分公司" not in outside.text
    assert "维达北方纸业" in (await pinggu.send("/enterprises 维达")).text

    # The city's list, as if the district admin could press its buttons (an old message).
    await hq.send("/enterprises")
    city_list, city_button = world.find_button(HQ_ID, "下一页 ▶")
    assert city_button == "enterprises:0:2"
    city_list.params["chat_id"] = DISTRICT_ADMIN
    pressed = await pinggu.press("下一页 ▶")
    assert "你只能管理平谷区的数据" in pressed.text


async def test_search_exact_part_and_typo(world: World, sessions: Sessions) -> None:
    """The exact name, a part of it, half-width brackets and a typo all find the enterprise;
    names containing the words come before close names."""
    await load(sessions)
    hq = world.person(HQ_ID)
    vida = "维达北方纸业（北京）有限公司"
    exact = await hq.send(f"/enterprises {vida}")
    assert "找到 1 家企业" in exact.text and vida in exact.text
    brackets = await hq.send("/enterprises 维达北方纸业(北京)有限公司")
    assert "找到 1 家企业" in brackets.text and vida in brackets.text
    part = await hq.send("/enterprises 维达")
    assert "🔎 “维达”：全市找到 1 家企业" in part.text and vida in part.text
    typo = await hq.send("/enterprises 维大纸业")
    assert "🔎 “维大纸业”：全市找到 2 家企业" in typo.text
    assert vida in typo.text and "大华纸业" in typo.text
    paper = await hq.send("/enterprises 纸业")
    assert paper.text.index("北京大华纸业") < paper.text.index("维达北方纸业")
    words_in_district = await hq.send("/enterprises 平谷 京冬物流")
    assert "平谷没有名称含“京冬物流”" in words_in_district.text
    assert "京东物流北京分公司" in (await hq.send("/enterprises 京冬物流")).text
    many = await hq.send("/enterprises 食品厂")
    assert "全市找到 21 家企业" in many.text
    assert many.text.count("\n    ") == 10 and "只列出最相符的 10 家" in many.text


async def test_no_match_names_the_closest(world: World, sessions: Sessions) -> None:
    """Nothing close enough: the answer says so, with the closest names when some share half
    of the words, and the usage otherwise."""
    await load(sessions)
    hq = world.person(HQ_ID)
    near = await hq.send("/enterprises 京西物流运输")
    assert "全市没有名称含“京西物流运输”或与它相近的企业" in near.text
    assert "名称最接近的是：\n1. 京东物流北京分公司" in near.text
    far = await hq.send("/enterprises 完全不同的名字")
    assert "没有名称含“完全不同的名字”" in far.text and "用法" in far.text


async def test_any_input_is_safe(world: World, sessions: Sessions) -> None:
    """Symbols, SQL, 500 characters and brackets alone get a clear answer, never an error, and
    leave the registry as it was."""
    await load(sessions)
    hq = world.person(HQ_ID)
    for words in ("%%%", "'; drop table enterprises; --", "_", "维" * 500, "（）", "a" * 500):
        replies = await hq.send(f"/enterprises {words}")
        assert len(replies) == 1 and "没有名称含" in replies.text, words
        assert len(replies[0]) < 4096
        assert "出错" not in replies.text
    assert "…" in (await hq.send(f"/enterprises {'维' * 500}")).text
    assert await registry_size(sessions) == len(REGISTRY) - 1


async def test_instructors_and_strangers_are_refused(world: World, sessions: Sessions) -> None:
    """/enterprises is for admins: an instructor and a stranger are told why."""
    await load(sessions)
    roster = replace_cell(SAMPLE_ROSTER, 2, "telegram_id", INSTRUCTOR)
    await world.person(HQ_ID).upload(xlsx(roster), "roster.xlsx")
    instructor = await world.person(INSTRUCTOR).send("/enterprises 维达")
    assert instructor.text == "此命令仅限管理员使用。"
    stranger = await world.person(4001).send("/enterprises")
    assert "你还没有登记" in stranger.text


def test_ranking_is_fast_over_a_city_registry() -> None:
    """Ranking 5,000 names takes milliseconds, even for 500 typed characters (a loose bound
    that holds on a loaded machine; bench figures are for the closing note)."""
    names = [(i, f"北京市第{i}号{'纸业物流餐饮科技'[i % 8 :]}有限公司") for i in range(5000)]
    names.append((5000, "维达北方纸业（北京）有限公司"))
    for words in ("维大纸业", "维" * 500, "有限公司"):
        started = time.perf_counter()
        rank(words, names)
        assert time.perf_counter() - started < 1.0
    assert rank("维大纸业", names)[0][0] == 5000
