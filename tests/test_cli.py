"""The `xieshang` command line, run for real as `python -m bot …` in a directory without a .env.

What the user sees (exit code, stdout, stderr) and what the database then holds are the
assertions; the end-to-end tests start the bot itself against the Bot API stand-in.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from alembic.script import ScriptDirectory
from openpyxl import load_workbook
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import selectinload

from bot.sandbox.botapi import BotApiStandIn
from bot.settings import Settings
from storage import db
from storage.models import Enterprise, Instructor, Invite
from storage.people import roster
from tests.conftest import HQ_ID, POSTGRES_URL, throwaway_postgres
from tests.files import SAMPLE_ROSTER, replace_cell, roster_rows, xlsx

T = TypeVar("T")

TOKEN = "123456:TEST"
COMMAND_TIMEOUT = 60.0  # a generous ceiling for one command on a loaded machine
REPLY_TIMEOUT = 20.0
# Variables the bot reads, and proxies httpx would honour: never inherited from the caller.
OWN_VARIABLES = {name.upper() for name in Settings.model_fields}
PROXY_VARIABLES = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"}


# --- running the command line ------------------------------------------------------------------


@dataclass
class Ran:
    """One finished command: its exit code and what it printed."""

    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def environment(**values: str) -> dict[str, str]:
    """os.environ without the bot's own variables and proxies, plus exactly `values`."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name.upper() not in OWN_VARIABLES | PROXY_VARIABLES
    }
    return {**inherited, **values}


async def xieshang(*args: str | Path, cwd: Path, **variables: str) -> Ran:
    """Runs `python -m bot ARGS` in `cwd` with only `variables` configured; waits for it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *map(str, args),
        cwd=cwd,
        env=environment(**variables),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), COMMAND_TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())


@dataclass
class Server:
    """A long-running `python -m bot run|webhook` whose output goes to a log file."""

    process: asyncio.subprocess.Process
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    async def stop(self) -> int:
        """Sends SIGINT (what Ctrl+C does) and waits for the exit code."""
        self.process.send_signal(signal.SIGINT)
        return await asyncio.wait_for(self.process.wait(), COMMAND_TIMEOUT)


@asynccontextmanager
async def serving(command: str, cwd: Path, **variables: str) -> AsyncIterator[Server]:
    """Starts the bot; whatever happens in the test, the process is gone afterwards."""
    log = cwd / f"{command}.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            command,
            cwd=cwd,
            env=environment(**variables),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Server(process, log)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def eventually(check: Callable[[], T], what: str, server: Server) -> T:
    """Polls `check` every 0.1 s until it returns something truthy; fails after REPLY_TIMEOUT."""
    deadline = time.monotonic() + REPLY_TIMEOUT
    while True:
        value = check()
        if value:
            return value
        if server.process.returncode is not None:
            pytest.fail(
                f"the bot exited ({server.process.returncode}) before {what}:\n{server.output()}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {REPLY_TIMEOUT:.0f} s:\n{server.output()}")
        await asyncio.sleep(0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_update(user_id: int, update_id: int) -> dict[str, Any]:
    """The update Telegram sends when the user types /start in their private chat."""
    user = {"id": user_id, "is_bot": False, "first_name": "总部", "language_code": "zh-hans"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "总部"},
        "from": user,
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": len("/start")}],
    }
    return {"update_id": update_id, "message": message}


# --- databases -----------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all: a new SQLite file, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    with throwaway_postgres("xs_cli") as url:
        yield url


async def table_names(url: str) -> set[str]:
    engine = db.create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def query(url: str, statement: Any) -> list[Any]:
    """The rows `statement` gives on `url`."""
    engine = db.create_engine(url)
    try:
        async with db.create_sessions(engine)() as session:
            return list((await session.execute(statement)).all())
    finally:
        await engine.dispose()


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    """The data rows of the first sheet of the .xlsx at `path` (headers checked, then dropped)."""
    workbook = load_workbook(io.BytesIO(path.read_bytes()))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "所属区", "邀请码", "邀请链接", "有效期至")
    return rows[1:]


# --- refusals ----------------------------------------------------------------------------

# What the user gets wrong, the command line, and what stderr must then say (every fragment).
REFUSALS: dict[str, tuple[tuple[str, ...], dict[str, str], tuple[str, ...]]] = {
    "run without a token": (
        ("run",),
        {},
        ("TELEGRAM_BOT_TOKEN", "@BotFather", "/newbot", "xieshang sandbox"),
    ),
    "malformed variables": (
        ("run",),
        {"TELEGRAM_BOT_TOKEN": TOKEN, "HQ_ADMIN_IDS": "abc", "BOT_LANGUAGE": "fr"},
        ("配置有误", "HQ_ADMIN_IDS", "BOT_LANGUAGE"),
    ),
    "missing roster file": (("roster", "import", "nosuch.xlsx"), {}, ("找不到文件", "nosuch.xlsx")),
    "invites without a username": (
        ("roster", "invites", "--out", "invites.xlsx"),
        {},
        ("BOT_USERNAME", "TELEGRAM_BOT_TOKEN"),
    ),
    "webhook without a secret": (
        ("webhook",),
        {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.org/tg"},
        ("WEBHOOK_URL", "WEBHOOK_SECRET"),
    ),
}


async def test_refused_input_exits_2_with_one_line_and_touches_nothing(tmp_path: Path) -> None:
    """No token, malformed variables, a missing file, no bot username or no webhook secret: exit 2,
    one line on stderr saying what to fix, and no database created."""
    folders = {label: tmp_path / f"case{index}" for index, label in enumerate(REFUSALS)}
    for folder in folders.values():
        folder.mkdir()
    runs = await asyncio.gather(
        *(
            xieshang(*args, cwd=folders[label], **variables)
            for label, (args, variables, _) in REFUSALS.items()
        )
    )
    for (label, (_, _, fragments)), ran in zip(REFUSALS.items(), runs, strict=True):
        assert ran.code == 2, f"{label}: {ran}"
        assert len(ran.err.strip().splitlines()) == 1, f"{label}: {ran}"
        assert all(fragment in ran.err for fragment in fragments), f"{label}: {ran}"
        assert ran.out == "", f"{label}: {ran}"
        # DATABASE_URL is left at its default, ./data/xieshang.db: opening it would create it.
        assert sorted(p.name for p in folders[label].iterdir()) == [], f"{label}: {ran}"


async def test_an_unknown_time_zone_is_bad_configuration(tmp_path: Path) -> None:
    """BOT_TIMEZONE=Mars/Olympus is reported in one line on stderr with exit 2, not a traceback."""
    ran = await xieshang("run", cwd=tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, BOT_TIMEZONE="Mars/Olympus")
    assert ran.code == 2, ran
    lines = ran.err.strip().splitlines()
    assert len(lines) == 1 and "bot_timezone" in lines[0].lower(), ran


# --- db ------------------------------------------------------------------------------------


async def test_db_upgrade_current_and_downgrade(empty_url: str, tmp_path: Path) -> None:
    """`db upgrade` builds the schema at the newest revision and `db current` names it;
    after `db downgrade base`, `db current` says the database is not initialised."""
    head = ScriptDirectory.from_config(db.alembic_config(empty_url)).get_current_head()
    assert head is not None
    url = {"DATABASE_URL": empty_url}
    upgraded = await xieshang("db", "upgrade", cwd=tmp_path, **url)
    assert upgraded.code == 0, upgraded
    assert upgraded.out.strip() == f"数据库已迁移到 {head}", upgraded
    assert {"districts", "instructors", "invites", "enterprises"} <= await table_names(empty_url)
    assert await query(empty_url, select(func.count()).select_from(text("districts"))) == [(16,)]

    current = await xieshang("db", "current", cwd=tmp_path, **url)
    assert current.code == 0, current
    assert current.out.strip() == f"数据库版本：{head}", current

    downgraded = await xieshang("db", "downgrade", "base", cwd=tmp_path, **url)
    assert downgraded.code == 0, downgraded
    assert downgraded.out.strip() == "数据库已迁移到 base", downgraded
    assert await table_names(empty_url) <= {"alembic_version"}

    empty = await xieshang("db", "current", cwd=tmp_path, **url)
    assert empty.code == 0, empty
    assert empty.out.strip() == "数据库尚未初始化", empty


# --- roster --------------------------------------------------------------------------------


async def roster_in(url: str) -> list[tuple[Any, ...]]:
    """Every instructor as (name, district, mentor's name, telegram id, their invite codes)."""
    engine = db.create_engine(url)
    try:
        async with db.create_sessions(engine)() as session:
            people = (
                await session.scalars(
                    select(Instructor)
                    .options(selectinload(Instructor.mentor))
                    .order_by(Instructor.id)
                )
            ).all()
            invites = (await session.execute(select(Invite.instructor_id, Invite.code))).all()
            return [
                (
                    p.name,
                    p.district.name,
                    p.mentor.name if p.mentor else None,
                    p.telegram_id,
                    sorted(code for owner, code in invites if owner == p.id),
                )
                for p in people
            ]
    finally:
        await engine.dispose()


async def test_roster_import_all_or_nothing_and_again(database_url: str, tmp_path: Path) -> None:
    """A good roster is imported with its counts shown, a bad one names each bad row and writes
    nothing, and importing the good one again changes nothing."""
    good = tmp_path / "花名册.xlsx"
    good.write_bytes(xlsx(SAMPLE_ROSTER))
    others = roster_rows(3)  # 指导员0001…0003 of 西城, on rows 2…4
    others = replace_cell(others, 3, "所属区", "火星")
    others = replace_cell(others, 4, "层级", "省级")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(others))
    url = {"DATABASE_URL": database_url}

    first, refused = await asyncio.gather(
        xieshang("roster", "import", good, cwd=tmp_path, **url),
        xieshang("roster", "import", bad, cwd=tmp_path, **url),
    )
    assert first.code == 0, first
    assert "新增 3 人，更新 0 人，未变 0 人" in first.out, first
    assert refused.code == 2, refused
    assert refused.out == ""
    lines = refused.err.splitlines()
    assert "没有写入任何数据" in lines[0] and "2 处问题" in lines[0], refused
    assert any("第 3 行" in line and "火星" in line for line in lines), refused
    assert any("第 4 行" in line and "省级" in line for line in lines), refused
    assert "第 2 行" not in refused.err
    imported = await roster_in(database_url)
    assert [(name, district, mentor) for name, district, mentor, *_ in imported] == [
        ("王建国", "西城", None),
        ("李红", "西城", "王建国"),
        ("赵敏", "平谷", None),
    ]
    assert all(len(codes) == 1 for *_, codes in imported)  # one invite each, nobody bound yet

    again = await xieshang("roster", "import", good, cwd=tmp_path, **url)
    assert again.code == 0, again
    assert "新增 0 人，更新 0 人，未变 3 人" in again.out, again
    assert await roster_in(database_url) == imported  # same people, same invite codes


# --- invites -------------------------------------------------------------------------------


async def seed_invites(database_url: str) -> dict[str, tuple[str, str]]:
    """Imports a roster whose 王建国 is bound already; returns (district, code) per unbound name."""
    rows = replace_cell(SAMPLE_ROSTER, 2, "telegram_id", 777)
    rows.append(
        ["周平", "街乡级", "兼职", "平谷", "滨河街道", None, None, None, None, None, None, None]
    )
    engine = db.create_engine(database_url)
    try:
        async with db.create_sessions(engine).begin() as session:
            result = await roster.import_roster(
                session,
                xlsx(rows),
                "roster.xlsx",
                only_district_id=None,
                ttl=timedelta(days=30),
                now=datetime.now(UTC),
            )
        assert result.ok and result.created == 4, result
    finally:
        await engine.dispose()
    return {row.name: (row.district, row.code) for row in result.invites}


def links(pending: dict[str, tuple[str, str]], username: str, *names: str) -> set[tuple[Any, ...]]:
    """The invite-sheet rows (name, district, code, link) expected for `names`."""
    return {
        (name, district, code, f"https://t.me/{username}?start={code}")
        for name, (district, code) in pending.items()
        if name in names
    }


async def test_roster_invites_writes_the_links_of_the_unbound(
    database_url: str, tmp_path: Path
) -> None:
    """`roster invites` writes one row per unbound instructor with their t.me link and valid code,
    for everyone or for one `--district`."""
    pending = await seed_invites(database_url)
    assert set(pending) == {"李红", "赵敏", "周平"}
    url = {"DATABASE_URL": database_url}
    everyone, pinggu = await asyncio.gather(
        xieshang(
            "roster", "invites", "--out", "out/all.xlsx", cwd=tmp_path, BOT_USERNAME="xs_bot", **url
        ),
        xieshang(
            "roster", "invites", "--out", "pg.xlsx", "--district", "平谷", cwd=tmp_path,
            BOT_USERNAME="@xs_bot", **url,
        ),
    )  # fmt: skip
    assert everyone.code == 0, everyone
    assert "已写出 3 份邀请" in everyone.out, everyone
    rows = sheet_rows(tmp_path / "out" / "all.xlsx")
    assert len(rows) == 3
    assert {row[:4] for row in rows} == links(pending, "xs_bot", "李红", "赵敏", "周平")
    assert pinggu.code == 0, pinggu
    assert "已写出 2 份邀请" in pinggu.out, pinggu
    rows = sheet_rows(tmp_path / "pg.xlsx")
    assert len(rows) == 2
    assert {row[:4] for row in rows} == links(pending, "xs_bot", "赵敏", "周平")
    # The codes handed out are the ones the import created: no new invites were needed.
    codes = await query(database_url, select(Invite.code).order_by(Invite.code))
    assert [code for (code,) in codes] == sorted(code for _, code in pending.values())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_roster_invites_asks_telegram_for_the_username(
    database_url: str, tmp_path: Path, standin: BotApiStandIn
) -> None:
    """Without BOT_USERNAME but with a token, the links name the bot that getMe reports."""
    pending = await seed_invites(database_url)
    ran = await xieshang(
        "roster", "invites", "--out", "invites.xlsx", cwd=tmp_path, DATABASE_URL=database_url,
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=standin.url,
    )  # fmt: skip
    assert ran.code == 0, ran
    rows = sheet_rows(tmp_path / "invites.xlsx")
    assert {row[:4] for row in rows} == links(pending, "xieshang_test_bot", *pending)
    assert [call.token for call in standin.calls_to("getMe")] == [TOKEN]


# --- enterprises ---------------------------------------------------------------------------

ENTERPRISE_HEADERS = ["企业名称", "所属区", "街道乡镇", "行业", "职工人数", "是否建会"]


async def test_enterprises_import_good_and_bad(database_url: str, tmp_path: Path) -> None:
    """A good registry is imported with its counts shown; a bad one names each bad row and
    writes nothing."""
    good = tmp_path / "企业名录.xlsx"
    good.write_bytes(
        xlsx(
            [
                ENTERPRISE_HEADERS,
                ["维达纸业(中国)有限公司", "西城区", "金融街街道", "制造业", 320, "是"],
                ["京平物流有限公司", "平谷", "兴谷街道", "物流", "85", "否"],
            ]
        )
    )
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        xlsx(
            [
                ENTERPRISE_HEADERS,
                ["首钢服务有限公司", "石景山", None, None, 40, "是"],
                ["很多人有限公司", "朝阳", None, None, "很多", "是"],
                ["也许有限公司", "海淀", None, None, 12, "也许"],
            ]
        )
    )
    url = {"DATABASE_URL": database_url}
    imported, refused = await asyncio.gather(
        xieshang("enterprises", "import", good, cwd=tmp_path, **url),
        xieshang("enterprises", "import", bad, cwd=tmp_path, **url),
    )
    assert imported.code == 0, imported
    assert "新增 2 家，更新 0 家，未变 0 家" in imported.out, imported
    assert refused.code == 2, refused
    assert any("第 3 行" in line and "很多" in line for line in refused.err.splitlines()), refused
    assert any("第 4 行" in line and "也许" in line for line in refused.err.splitlines()), refused
    assert "第 2 行" not in refused.err
    rows = await query(
        database_url,
        select(Enterprise.name, Enterprise.employees, Enterprise.unionized).order_by(
            Enterprise.name
        ),
    )
    assert sorted(tuple(row) for row in rows) == sorted(
        [("维达纸业（中国）有限公司", 320, True), ("京平物流有限公司", 85, False)]
    )


# --- end to end: the bot itself ------------------------------------------------------------


@pytest.fixture
def bot_env(tmp_path: Path) -> dict[str, str]:
    """The variables of a bot on a fresh SQLite file that the command migrates itself."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "HQ_ADMIN_IDS": str(HQ_ID),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    }


async def greet(server: Server, standin: BotApiStandIn) -> str:
    """Once the bot polls, sends it /start from the HQ admin and returns the reply's text."""
    await eventually(lambda: standin.calls_to("getUpdates"), "getUpdates call", server)
    standin.push_update(start_update(HQ_ID, 1))
    replies = await eventually(
        lambda: [c for c in standin.calls_to("sendMessage", HQ_ID) if not c.rejected],
        "reply to /start",
        server,
    )
    return str(replies[0].params["text"])


async def test_run_polls_answers_start_and_stops_on_sigint(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    """`run` migrates its database, publishes the menus before polling, greets the HQ admin's
    /start by role, and exits 0 on SIGINT."""
    async with serving("run", tmp_path, TELEGRAM_API_URL=standin.url, **bot_env) as server:
        await eventually(lambda: standin.calls_to("getUpdates"), "getUpdates call", server)
        # Published at start, before any update: everybody's menus, and the HQ admin's own.
        scopes = [call.params.get("scope") for call in standin.calls_to("setMyCommands")]
        assert {"type": "all_private_chats"} in scopes
        assert {"type": "all_chat_administrators"} in scopes
        assert {"type": "chat", "chat_id": HQ_ID} in scopes
        assert "市总工会管理员" in await greet(server, standin)
        code = await server.stop()
    assert code == 0, server.output()
    assert "Traceback" not in server.output()
    assert {call.token for call in standin.calls} == {TOKEN}
    assert not any(call.via_proxy for call in standin.calls)
    assert "instructors" in await table_names(bot_env["DATABASE_URL"])


async def test_a_second_run_stands_by_and_takes_over_when_the_first_dies(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    """A second `run` on the same database says it stands by and neither polls nor answers;
    when the first is killed it takes over and answers."""
    first_dir, second_dir = tmp_path / "a", tmp_path / "b"
    first_dir.mkdir()
    second_dir.mkdir()
    variables = {"TELEGRAM_API_URL": standin.url, **bot_env}
    async with serving("run", first_dir, **variables) as first:
        assert "市总工会管理员" in await greet(first, standin)
        async with serving("run", second_dir, **variables) as second:
            await eventually(lambda: "待命" in second.output(), "the standby message", second)
            polls = len(standin.calls_to("getUpdates"))
            first.process.kill()  # dies without a goodbye: the lock goes with the process
            await first.process.wait()
            await eventually(lambda: "接管" in second.output(), "the takeover", second)
            await eventually(
                lambda: len(standin.calls_to("getUpdates")) > polls, "polling again", second
            )
            standin.push_update(start_update(HQ_ID, 2))
            await eventually(
                lambda: (
                    len([c for c in standin.calls_to("sendMessage", HQ_ID) if not c.rejected]) >= 2
                ),
                "the second instance's reply",
                second,
            )
            assert await second.stop() == 0, second.output()
    replies = [c for c in standin.calls_to("sendMessage", HQ_ID) if not c.rejected]
    assert len(replies) == 2  # one from each instance, never both for one update


async def test_run_reaches_telegram_through_the_proxy(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    """With TELEGRAM_PROXY set every Bot API call, the reply included, goes through the proxy."""
    async with serving(
        "run",
        tmp_path,
        TELEGRAM_API_URL="http://api.telegram.invalid",
        TELEGRAM_PROXY=standin.url,
        **bot_env,
    ) as server:
        assert "市总工会管理员" in await greet(server, standin)
        code = await server.stop()
    assert code == 0, server.output()
    [answer] = standin.calls_to("sendMessage", HQ_ID)
    assert answer.via_proxy
    assert all(call.via_proxy for call in standin.calls)


async def test_webhook_accepts_only_the_secret_token(
    tmp_path: Path, standin: BotApiStandIn, bot_env: dict[str, str]
) -> None:
    """`webhook` registers its URL and secret, answers an update that carries the secret, refuses
    (403, no reply) one without it or with a wrong one, and exits 0 on SIGINT."""
    port = free_port()
    webhook_url = f"http://127.0.0.1:{port}/tg"
    async with serving(
        "webhook",
        tmp_path,
        TELEGRAM_API_URL=standin.url,
        WEBHOOK_URL=webhook_url,
        WEBHOOK_SECRET="s3cret",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        **bot_env,
    ) as server:
        registered = await eventually(lambda: standin.webhook, "setWebhook call", server)
        assert registered["url"] == webhook_url
        assert registered["secret_token"] == "s3cret"
        async with aiohttp.ClientSession() as http:
            statuses = []
            for update_id, headers in enumerate(
                ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}), start=1
            ):
                async with http.post(
                    webhook_url, json=start_update(HQ_ID, update_id), headers=headers
                ) as response:
                    statuses.append(response.status)
            assert statuses == [403, 403]
            async with http.post(
                webhook_url,
                json=start_update(HQ_ID, 3),
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"},
            ) as response:
                assert response.status == 200
        await eventually(lambda: standin.calls_to("sendMessage", HQ_ID), "reply to /start", server)
        # Updates are handled one at a time in arrival order: had a refused update been let in,
        # its reply would have come first.
        [reply] = standin.calls_to("sendMessage", HQ_ID)
        assert "市总工会管理员" in reply.params["text"]
        code = await server.stop()
    assert code == 0, server.output()
    assert "Traceback" not in server.output()
