"""The sandbox as a newcomer starts it: the local Bot API, the unchanged bot and the web chat."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox.runner import GROUP, PERSONAS, CannotListen, Sandbox, is_loopback
from bot.settings import Settings

HQ = next(p for p in PERSONAS if p.role == "hq")
STRANGER = next(p for p in PERSONAS if p.role == "stranger")
ADMIN = next(p for p in PERSONAS if p.role == "district_admin")


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """A running sandbox on free ports, its data in a folder of the test."""
    running = Sandbox(Settings(_env_file=None), folder=tmp_path / "sandbox", port=0)  # type: ignore[call-arg]
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def _chat_until(
    client: aiohttp.ClientSession, url: str, persona: int, chat: int, wanted: str, count: int = 1
) -> list[dict[str, Any]]:
    """The chat's messages once `count` messages containing `wanted` arrived (the page's long
    poll)."""
    since: int | None = None
    for _ in range(20):
        query: dict[str, Any] = {"persona": persona, "chat": chat}
        if since is not None:
            query["since"] = since
        async with client.get(f"{url}/api/chat", params=query) as response:
            assert response.status == 200
            data = await response.json()
        if sum(wanted in m["text"] for m in data["messages"]) >= count:
            return list(data["messages"])
        since = data["version"]
    raise AssertionError(f"no message with {wanted!r}: {data['messages']}")


async def test_start_as_hq_gets_the_bots_welcome_and_menu(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as client:
        async with client.get(f"{sandbox.url}/") as page:
            assert page.status == 200
            assert "协商通" in await page.text()
            assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        body = {"persona": HQ.telegram_id, "chat": HQ.telegram_id, "text": "/start"}
        async with client.post(f"{sandbox.url}/api/send", json=body) as sent:
            assert sent.status == 200
        messages = await _chat_until(client, sandbox.url, HQ.telegram_id, HQ.telegram_id, "/help")
        assert messages[0]["text"] == "/start" and not messages[0]["from"]["bot"]
        reply = messages[-1]
        assert reply["from"]["bot"] and "/notice" in reply["text"]  # HQ's commands
        query = {"persona": HQ.telegram_id, "chat": HQ.telegram_id}
        async with client.get(f"{sandbox.url}/api/chat", params=query) as response:
            menu = [c["command"] for c in (await response.json())["commands"]]
        assert "notice" in menu and "start" in menu
    # The bot took the update through getUpdates with the sandbox's token, as from Telegram.
    assert sandbox.bot_settings is not None
    assert sandbox.api.calls_to("getUpdates")[-1].token == sandbox.bot_settings.telegram_bot_token


async def test_a_message_is_data_never_markup(sandbox: Sandbox) -> None:
    """The text comes back as JSON text, to be shown with textContent (the browser test looks)."""
    text = "<script>alert(1)</script>"
    chat = STRANGER.telegram_id
    async with aiohttp.ClientSession() as client:
        body = {"persona": chat, "chat": chat, "text": text}
        async with client.post(f"{sandbox.url}/api/send", json=body) as sent:
            assert sent.status == 200
        messages = await _chat_until(client, sandbox.url, chat, chat, "<script>")
        assert messages[0]["text"] == text
        async with client.get(f"{sandbox.url}/static/app.js") as script:
            assert "innerHTML" not in await script.text()


async def test_chats_and_files_outside_the_sandbox_are_refused(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as client:
        # Someone else's private chat, an unknown persona, a group that is not the sandbox's, the
        # 西城 group for someone who is not in it.
        for persona, chat in (
            (HQ.telegram_id, STRANGER.telegram_id),
            (1, 1),
            (HQ.telegram_id, -5),
            (STRANGER.telegram_id, GROUP.chat_id),
        ):
            body = {"persona": persona, "chat": chat, "text": "hi"}
            async with client.post(f"{sandbox.url}/api/send", json=body) as sent:
                assert sent.status == 400
        for path in (
            "/static/..%2f..%2fsettings.py",
            "/static/../runner.py",
            "/static/index.html/../../runner.py",
            "/api/file/..%2f..%2fsandbox.db",
            "/api/file/F999999",
        ):
            async with client.get(f"{sandbox.url}{path}") as response:
                assert response.status == 404, path


async def test_an_upload_reaches_the_bot_as_a_document_it_can_fetch(sandbox: Sandbox) -> None:
    chat = GROUP.chat_id
    async with aiohttp.ClientSession() as client:
        form = aiohttp.FormData()
        form.add_field("persona", str(ADMIN.telegram_id))
        form.add_field("chat", str(chat))
        form.add_field("file", b"not a spreadsheet", filename="名单.xlsx")
        async with client.post(f"{sandbox.url}/api/upload", data=form) as sent:
            assert sent.status == 200
        query = {"persona": ADMIN.telegram_id, "chat": chat}
        async with client.get(f"{sandbox.url}/api/chat", params=query) as response:
            document = (await response.json())["messages"][0]["document"]
        assert document["name"] == "名单.xlsx"
        async with client.get(f"{sandbox.url}/{document['url']}") as download:
            assert await download.read() == b"not a spreadsheet"
            assert download.headers["Content-Disposition"].startswith("attachment")


def test_only_loopback_hosts_count_as_private() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


async def test_the_sandbox_keeps_its_database_in_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "sandbox"
    running = Sandbox(Settings(_env_file=None), folder=folder, port=0)  # type: ignore[call-arg]
    await running.start()
    await asyncio.sleep(0)
    await running.stop()
    assert (folder / "sandbox.db").is_file()
    assert running.bot_settings is not None
    assert running.bot_settings.database_url.endswith(f"{folder.resolve()}/sandbox.db")


def test_xieshang_sandbox_prints_its_address_warns_off_loopback_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    """The command as a newcomer runs it, in a folder of its own; Ctrl-C ends it with 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    command = [sys.executable, "-m", "bot", "sandbox", "--host", "0.0.0.0", "--port", "0"]
    with subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            assert process.stdout is not None
            ready = process.stdout.readline()
            warning = process.stdout.readline()
            assert "沙盒已启动" in ready and "http://0.0.0.0:" in ready
            assert "0.0.0.0" in warning and "其他人" in warning
            url = ready.split("打开 ", 1)[1].split("（", 1)[0].replace("0.0.0.0", "127.0.0.1")
            with urllib.request.urlopen(f"{url}/api/setup", timeout=10) as response:
                assert json.load(response)["groups"]
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
    assert (tmp_path / "data" / "sandbox").is_dir()


async def test_a_restarted_sandbox_keeps_the_chats_and_the_bot_still_answers(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "sandbox"
    chat = HQ.telegram_id
    for round_ in ("first", "second"):
        running = Sandbox(Settings(_env_file=None), folder=folder, port=0)  # type: ignore[call-arg]
        await running.start()
        try:
            async with aiohttp.ClientSession() as client:
                body = {"persona": chat, "chat": chat, "text": f"/help {round_}"}
                async with client.post(f"{running.url}/api/send", json=body) as sent:
                    assert sent.status == 200
                count = 2 if round_ == "second" else 1
                messages = await _chat_until(client, running.url, chat, chat, "/notice", count)
                if round_ == "second":
                    # The first round's messages, then the new command and its answer.
                    texts = [m["text"] for m in messages]
                    assert texts[0] == "/help first" and "/help second" in texts
                    assert sum("/notice" in text for text in texts) == 2
        finally:
            await running.stop()
    assert (folder / "chats.json").is_file()


async def test_a_group_post_gets_its_thumbs_up_in_the_web_chat(sandbox: Sandbox) -> None:
    wang = next(p for p in PERSONAS if p.name == "王建国")
    chat = GROUP.chat_id
    async with aiohttp.ClientSession() as client:
        body = {"persona": wang.telegram_id, "chat": chat, "text": "#走访 金融街控股 6人次 宣传"}
        async with client.post(f"{sandbox.url}/api/send", json=body) as sent:
            assert sent.status == 200
        for _ in range(20):
            query = {"persona": ADMIN.telegram_id, "chat": chat, "since": "-1"}
            async with client.get(f"{sandbox.url}/api/chat", params=query) as response:
                post = (await response.json())["messages"][0]
            if post.get("reactions"):
                break
            await asyncio.sleep(0.2)
    assert post["from"]["name"] == "王建国" and post["reactions"] == ["👍"]


async def test_the_demo_is_seeded_and_hq_sees_its_figures(sandbox: Sandbox) -> None:
    chat = HQ.telegram_id
    async with aiohttp.ClientSession() as client:
        body = {"persona": chat, "chat": chat, "text": "/stats 2026"}
        async with client.post(f"{sandbox.url}/api/send", json=body) as sent:
            assert sent.status == 200
        messages = await _chat_until(client, sandbox.url, chat, chat, "合计")
    figures = messages[-1]["text"]
    assert "合计：0 条" not in figures and "王建国（西城）" in figures


def test_a_taken_port_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ran = subprocess.run(
            [sys.executable, "-m", "bot", "sandbox", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert ran.returncode == 2
    assert f"沙盒无法在 127.0.0.1:{port} 上监听" in ran.stderr.strip().splitlines()[-1]
    assert "Traceback" not in ran.stderr
    assert not (tmp_path / "data" / "sandbox" / "sandbox.db").exists()  # nothing written


async def test_reset_on_a_taken_port_wipes_nothing(tmp_path: Path) -> None:
    """`--reset` forgets the data only once the address is the sandbox's: a second start on a
    port in use fails with nothing deleted; a reset that can listen starts over."""
    folder = tmp_path / "sandbox"
    first = Sandbox(Settings(_env_file=None), folder=folder, port=0)  # type: ignore[call-arg]
    await first.start()
    kept = folder / "files" / "kept.txt"
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text("an upload of the running sandbox")
    try:
        second = Sandbox(
            Settings(_env_file=None),  # type: ignore[call-arg]
            folder=folder,
            port=first.port,
            fresh=True,
        )
        with pytest.raises(CannotListen):
            await second.start()
        assert (folder / "sandbox.db").is_file() and kept.is_file()
    finally:
        await first.stop()
    again = Sandbox(Settings(_env_file=None), folder=folder, port=0, fresh=True)  # type: ignore[call-arg]
    await again.start()
    await again.stop()
    assert not kept.exists()
