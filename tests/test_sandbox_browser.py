"""The sandbox's web chat in a real browser: Debian's Chromium driven by Playwright.

Without /usr/bin/chromium the tests skip with the reason; in CI (REQUIRE_POSTGRES=1) conftest.py
turns that skip into a failure, and .ci/run installs chromium first. Never `playwright install`.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.runner import GROUP, PERSONAS, Sandbox
from bot.settings import Settings
from tests.files import roster_rows, xlsx

CHROMIUM = Path(os.environ.get("SANDBOX_CHROMIUM", "/usr/bin/chromium"))
HAVE_CHROMIUM = CHROMIUM.is_file()
SHOTS = Path(os.environ.get("SANDBOX_SCREENSHOTS", "/tmp"))
HQ = next(p for p in PERSONAS if p.role == "hq")
STRANGER = next(p for p in PERSONAS if p.role == "stranger")
WANG = next(p for p in PERSONAS if p.name == "王建国")
LI = next(p for p in PERSONAS if p.name == "李红")
WAIT = 15_000  # ms a reply may take to appear


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    running = Sandbox(Settings(_env_file=None), folder=tmp_path / "sandbox", port=0)  # type: ignore[call-arg]
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium, or a skip that says how to get it (a failure in CI)."""
    if not HAVE_CHROMIUM:
        pytest.skip(
            f"no Chromium at {CHROMIUM}: apt-get install -y --no-install-recommends chromium"
            " fonts-wqy-microhei (never `playwright install`)"
        )
    pytest.importorskip("playwright.async_api", reason="pip install -e '.[dev]'")
    return CHROMIUM


@pytest.fixture
async def page(chromium: Path, sandbox: Sandbox) -> AsyncIterator[Any]:
    """A phone-sized page (390 px wide) of the web chat."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium))
        context = await browser.new_context(
            viewport={"width": 390, "height": 780},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        page = await context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        page.dialogs = dialogs
        await page.goto(sandbox.url)
        yield page
        await browser.close()


async def _be(page: Any, persona_id: int, chat_id: int | None = None) -> None:
    await page.select_option("#persona", str(persona_id))
    if chat_id is not None:
        await page.select_option("#chat", str(chat_id))


async def _say(page: Any, text: str) -> None:
    await page.fill("#text", text)
    await page.click("#send")


async def test_hq_sends_start_and_sees_the_welcome(page: Any) -> None:
    await _be(page, HQ.telegram_id)
    await _say(page, "/start")
    reply = page.locator(".msg:not(.mine) .text").last
    await reply.wait_for(timeout=WAIT)
    assert "/notice" in await reply.text_content()
    assert await page.locator(".msg.mine .text").first.text_content() == "/start"
    # The command menu the bot published for HQ.
    await page.fill("#text", "/no")
    await page.locator("#menu .cmd", has_text="/notice").first.wait_for(timeout=WAIT)
    await page.screenshot(path=str(SHOTS / "sandbox-hq-start.png"), full_page=False)


async def test_a_script_in_a_message_shows_as_text(page: Any) -> None:
    text = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    await _be(page, STRANGER.telegram_id)
    await _say(page, text)
    mine = page.locator(".msg.mine .text").first
    await mine.wait_for(timeout=WAIT)
    assert await mine.text_content() == text
    await page.locator(".msg:not(.mine)").first.wait_for(timeout=WAIT)  # the bot answered
    assert await page.locator("#messages script, #messages img[src='x']").count() == 0
    assert page.dialogs == []
    await page.screenshot(path=str(SHOTS / "sandbox-escaping.png"))


async def test_hq_presses_a_button(page: Any, sandbox: Sandbox) -> None:
    await _be(page, HQ.telegram_id)
    await _say(page, "/notice")
    button = page.locator(".msg:not(.mine) .keyboard button").first
    await button.wait_for(timeout=WAIT)
    await page.screenshot(path=str(SHOTS / "sandbox-hq-notice.png"))
    assert await button.text_content() == "全体"
    await button.click()
    # The bot edits its question in place: the next step's text, the buttons gone.
    await page.locator(".msg:not(.mine) .text", has_text="请输入通知内容").wait_for(timeout=WAIT)
    assert await page.locator(".keyboard button").count() == 0
    pressed = [
        u.get("callback_query", {}).get("data") for u in _pushed(sandbox) if "callback_query" in u
    ]
    assert pressed == ["notice_to:all"]
    await page.screenshot(path=str(SHOTS / "sandbox-hq-button.png"))


async def test_a_group_post_gets_its_thumbs_up(page: Any) -> None:
    await _be(page, WANG.telegram_id, GROUP.chat_id)
    await _say(page, "#走访 金融街控股 6人次 宣传集体协商")
    await page.locator(".msg.mine .reactions", has_text="👍").wait_for(timeout=WAIT)
    await page.screenshot(path=str(SHOTS / "sandbox-group.png"))


async def test_the_stranger_joins_with_the_invite_code_the_page_suggests(page: Any) -> None:
    await _be(page, STRANGER.telegram_id)
    assert STRANGER.invite_code is not None
    hint = page.locator(".empty", has_text=f"/start {STRANGER.invite_code}")
    await hint.wait_for(timeout=WAIT)
    await _say(page, f"/start {STRANGER.invite_code}")
    reply = page.locator(".msg:not(.mine) .text").first
    await reply.wait_for(timeout=WAIT)
    assert "刘洋" in await reply.text_content()
    await page.screenshot(path=str(SHOTS / "sandbox-join.png"))


async def _press(page: Any, label: str) -> None:
    """Presses the newest button called exactly `label` (waiting for it to appear)."""
    exactly = re.compile(f"^{re.escape(label)}$")
    button = page.locator(".keyboard button:not([disabled])", has_text=exactly).last
    await button.wait_for(timeout=WAIT)
    await button.click()


async def test_hq_sends_a_notice_two_instructors_press_received_and_hq_sees_2(page: Any) -> None:
    await _be(page, HQ.telegram_id)
    await _say(page, "/notice")
    await _press(page, "西城")
    await page.locator(".text", has_text="请输入通知内容").wait_for(timeout=WAIT)
    await _say(page, "周五前报送四必谈材料")
    await _press(page, "需要确认")
    await _press(page, "立即发送")
    await _press(page, "📢 发送")
    await page.locator(".text", has_text="发送完毕").wait_for(timeout=WAIT)
    for instructor in (WANG, LI):
        await _be(page, instructor.telegram_id)
        await page.locator(".text", has_text="周五前报送四必谈材料").wait_for(timeout=WAIT)
        await _press(page, "收到")
        # The bot's answer to the press shows over the chat.
        await page.locator("#toast", has_text="已确认收到").wait_for(timeout=WAIT)
    await page.screenshot(path=str(SHOTS / "sandbox-notice-received.png"))
    await _be(page, HQ.telegram_id)
    await _say(page, "/notices")
    await page.locator(".text", has_text="已确认 2").wait_for(timeout=WAIT)
    await page.screenshot(path=str(SHOTS / "sandbox-notices.png"))


async def test_hq_uploads_a_roster_and_gets_the_invite_sheet(page: Any) -> None:
    await _be(page, HQ.telegram_id)
    roster = {
        "name": "新指导员名单.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": xlsx(roster_rows(3)),
    }
    await page.set_input_files("#file", files=[roster])
    await page.locator(".msg.mine a.doc", has_text="新指导员名单.xlsx").wait_for(timeout=WAIT)
    await page.locator(".text", has_text="新增 3 人").wait_for(timeout=WAIT)
    sheet = page.locator(".msg:not(.mine) a.doc", has_text="邀请名单").last
    await sheet.wait_for(timeout=WAIT)
    await page.screenshot(path=str(SHOTS / "sandbox-roster.png"))
    async with page.expect_download() as download_info:
        await sheet.click()
    download = await download_info.value
    assert (await download.path()).read_bytes()[:2] == b"PK"


async def test_an_instructor_reports_in_one_line_and_with_the_guided_buttons(page: Any) -> None:
    await _be(page, WANG.telegram_id)
    await _say(page, "/report 走访 金融街控股 5人次 宣传协商")
    await page.locator(".text", has_text="已记录").wait_for(timeout=WAIT)
    await _say(page, "/report")
    await _press(page, "指导")
    await page.locator(".text", has_text="哪家企业").wait_for(timeout=WAIT)
    await _say(page, "西单商场")
    await _press(page, "10")
    await _press(page, "今天")
    await _press(page, "跳过")
    await page.locator(".text", has_text="请确认").wait_for(timeout=WAIT)
    await page.screenshot(path=str(SHOTS / "sandbox-report-confirm.png"))
    await _press(page, "✅ 确认")
    recorded = page.locator(".text", has_text="已记录")
    await recorded.nth(1).wait_for(timeout=WAIT)
    assert "指导 · 西单商场 · 10人次" in await recorded.nth(1).text_content()
    await page.screenshot(path=str(SHOTS / "sandbox-report.png"))


def _pushed(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The updates the bot received through getUpdates."""
    updates: list[dict[str, Any]] = []
    for call in sandbox.api.calls_to("getUpdates"):
        updates += call.result or []
    return updates


async def test_hq_sees_the_chart_inline_and_downloads_the_export(page: Any) -> None:
    await _be(page, HQ.telegram_id)
    await _say(page, "/chart")
    chart = page.locator(".msg:not(.mine) img").first
    await chart.wait_for(timeout=WAIT)
    await page.wait_for_function(
        "() => [...document.querySelectorAll('.msg img')].some(i => i.naturalWidth > 100)",
        timeout=WAIT,
    )
    await _say(page, "/export")
    link = page.locator("a.doc", has_text=".xlsx").first
    await link.wait_for(timeout=WAIT)
    async with page.expect_download() as download_info:
        await link.click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert (await download.path()).read_bytes()[:2] == b"PK"  # a zip: the workbook
    await page.screenshot(path=str(SHOTS / "sandbox-chart-export.png"))


async def test_the_page_switches_to_english(page: Any) -> None:
    await page.click("#lang")
    await page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert await page.text_content("#who-label") == "I am"
    assert await page.get_attribute("#text", "placeholder") == "Message or /command"
    options = await page.locator("#persona option").all_text_contents()
    assert "City federation (HQ)" in options
    await page.screenshot(path=str(SHOTS / "sandbox-english.png"))
