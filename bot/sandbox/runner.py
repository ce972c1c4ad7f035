"""`xieshang sandbox`: the local Bot API server, the unchanged bot connected to it, the web chat.

The bot is the deployed Runtime with a copy of the settings where only the outside differs: a
fake token, the API root of the local server, the sandbox's own SQLite file and the HQ persona
as HQ admin. Everything listens on 127.0.0.1 unless --host says otherwise.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import shutil
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import func, select

from bot.runtime import Runtime
from bot.sandbox import demo
from bot.sandbox.webchat import Group, Persona, SandboxApi, WebChat
from bot.settings import Settings
from bot.texts import t
from storage import db
from storage.models.messaging import InboxUpdate

logger = logging.getLogger(__name__)

TOKEN = "1000000:SANDBOX-not-a-real-token"
BOT_USERNAME = "xieshang_sandbox_bot"
FOLDER = demo.DEFAULT_PATH.parent
SAVE_EVERY = 5.0  # seconds between saves of changed chats

ROLE_LABELS = {
    "hq": ("市总工会", "HQ"),
    "district_admin": ("区管理员", "district admin"),
    "instructor": ("指导员", "instructor"),
    "stranger": ("未登记", "not registered"),
}


def _persona(someone: demo.Persona) -> Persona:
    """The web chat's view of a demo persona: its name and what it is, in both languages."""
    zh, en = ROLE_LABELS[someone.role]
    district = f"·{someone.district}" if someone.district and someone.role == "instructor" else ""
    return Persona(
        someone.telegram_id,
        someone.name_zh,
        someone.role,
        someone.name_zh if someone.role != "instructor" else f"{someone.name_zh}（{zh}{district}）",
        someone.name_en if someone.role != "instructor" else f"{someone.name_en} ({en})",
        chats=someone.chats,
        group_admin=someone.role in ("hq", "district_admin"),
        invite_code=someone.invite_code,
    )


PERSONAS = [_persona(someone) for someone in demo.PERSONAS]
GROUP = Group(demo.GROUP.chat_id, demo.GROUP.title)


class CannotListen(Exception):
    """The web chat's address is taken (another sandbox?) or not this machine's."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Sandbox:
    """The three parts of the sandbox, started and stopped together."""

    def __init__(
        self,
        base: Settings,
        *,
        folder: Path = FOLDER,
        host: str = "127.0.0.1",
        port: int = 8080,
        fresh: bool = False,
    ) -> None:
        self.folder = folder
        self.fresh = fresh  # --reset: forget the data and chats once the address is ours
        self.host = host
        self.port = port
        self.api = SandboxApi(username=BOT_USERNAME)
        self.database = (folder / demo.DEFAULT_PATH.name).resolve()
        self.database_url = demo.database_url(self.database)
        self.base = base
        self.bot_settings: Settings | None = None
        self.runtime: Runtime | None = None
        self._bot: asyncio.Task[None] | None = None
        self._web: web.AppRunner | None = None
        self._saver: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """The web chat's address."""
        return f"http://{self.host}:{self.port}"

    def _settings(self) -> Settings:
        """The bot's settings: the base ones with the sandbox's outside."""
        hq = frozenset({demo.HQ_ID})
        return self.base.model_copy(
            update={
                "telegram_bot_token": TOKEN,
                "telegram_api_url": self.api.url,
                "telegram_proxy": None,
                "bot_username": BOT_USERNAME,
                "database_url": self.database_url,
                "hq_admin_ids": hq,
                "webhook_url": None,
            }
        )

    async def start(self) -> None:
        """Starts the Bot API server and the web chat, prepares the database, starts the bot
        (the address first: a taken port is said before anything is written)."""
        await self.api.start()
        chat = WebChat(self.api, PERSONAS, [GROUP], BOT_USERNAME)
        self._web = web.AppRunner(chat.app(), access_log=None, shutdown_timeout=1.0)
        await self._web.setup()
        try:
            await web.TCPSite(self._web, self.host, self.port).start()
        except OSError as error:
            await self.stop()
            raise CannotListen(f"{self.host}:{self.port}") from error
        self.port = self._web.addresses[0][1]
        if self.fresh:  # only now: a second sandbox on a taken port must not wipe the first
            reset(self.folder)
        self.api.member_status[GROUP.chat_id] = "administrator"  # reads the group's posts
        self.folder.mkdir(parents=True, exist_ok=True)
        fresh = not self.database.exists()
        await asyncio.to_thread(db.upgrade, self.database_url)
        settings = self.bot_settings = self._settings()
        if fresh:
            await _seed(settings)
        self.api.load(self.folder)
        self.api.number_updates_after(await _last_update_id(self.database_url))
        self.runtime = Runtime(settings)
        self._bot = asyncio.create_task(self.runtime.run(webhook=False, announce=_announce))
        self._saver = asyncio.create_task(self._save_now_and_then())

    async def stop(self) -> None:
        """Stops the web chat, the bot, then the Bot API server."""
        if self._web is not None:
            await self._web.cleanup()
            self._web = None
        if self._saver is not None:
            self._saver.cancel()
            self._saver = None
        if self.runtime is not None and self._bot is not None:
            self.runtime.stop()
            await self._bot
            self._bot = None
        await self.api.stop()
        if self.bot_settings is not None:
            await asyncio.to_thread(self.api.save, self.folder)

    async def _save_now_and_then(self) -> None:
        """Saves the chats a few seconds after they changed, so a crash loses little."""
        saved = self.api.version
        while True:
            await asyncio.sleep(SAVE_EVERY)
            if self.api.version != saved:
                saved = self.api.version
                await asyncio.to_thread(self.api.save, self.folder)

    async def polling(self, seconds: float = 30.0) -> None:
        """Waits until the bot asks for updates (or stopped, or `seconds` passed)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while not self.api.calls_to("getUpdates") and asyncio.get_running_loop().time() < deadline:
            if self._bot is None or self._bot.done():
                return
            await asyncio.sleep(0.05)

    @property
    def bot_task(self) -> asyncio.Task[None] | None:
        """The running bot (done when it stopped or failed)."""
        return self._bot


async def _seed(settings: Settings) -> None:
    """The demo's data, once, in a new sandbox database."""
    engine = db.create_engine(settings.database_url)
    try:
        await demo.seed(db.create_sessions(engine), now=datetime.now(settings.tz), tz=settings.tz)
    finally:
        await engine.dispose()


async def _last_update_id(url: str) -> int:
    """The newest update the bot has stored (0 for none)."""
    engine = db.create_engine(url)
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(select(func.max(InboxUpdate.update_id)))
    finally:
        await engine.dispose()
    return int(found or 0)


def _announce(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def reset(folder: Path = FOLDER) -> None:
    """Forgets the sandbox's data and chats: the next start seeds the demo again."""
    demo.reset(folder / demo.DEFAULT_PATH.name)
    (folder / "chats.json").unlink(missing_ok=True)
    if (folder / "files").is_dir():
        shutil.rmtree(folder / "files")


def serve(base: Settings, *, host: str, port: int, fresh: bool, say: Any = print) -> None:
    """`xieshang sandbox`: runs until Ctrl-C (SIGINT) or SIGTERM."""
    # The page is the interface here: the half-second ticks and migrations need not scroll by.
    for name in ("apscheduler", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)

    async def main() -> None:
        sandbox = Sandbox(base, host=host, port=port, fresh=fresh)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await sandbox.start()
            await sandbox.polling()  # the address comes last, below the bot's start-up lines
            lang = base.bot_language
            say(t(lang, "cli.sandbox_ready", url=sandbox.url))
            if not is_loopback(host):
                say(t(lang, "cli.sandbox_exposed", host=host))
            assert sandbox.bot_task is not None
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait([sandbox.bot_task, stopper], return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
        finally:
            await sandbox.stop()

    asyncio.run(main())
