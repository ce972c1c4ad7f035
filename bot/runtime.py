"""The running bot: one active instance, the inbox, the outbox sender and the time-driven jobs.

PTB's own run_polling/run_webhook acknowledge an update as soon as it is queued in memory, so a
crash loses what was queued. Here an update is committed to the inbox first; only then does the
next getUpdates carry its offset, or the webhook answer 200. The dispatcher handles inbox rows
through the real Application and marks each done: one chat's updates in update_id order, several
chats at once (bench/trainings.py: 300 /checkin in a minute waited behind one another's replies).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TimedOut
from telegram.request import BaseRequest

from bot.app import PRIVATE_UPDATE, build_application, publish_menus
from bot.context import XieshangApp
from bot.settings import Settings
from bot.texts import t
from schedules import jobs
from schedules.delivery import Sender
from storage import db
from storage.messaging import inbox
from storage.messaging.instance import InstanceLock

logger = logging.getLogger(__name__)

POLL_TIMEOUT = 30  # seconds Telegram holds a getUpdates open when there is nothing new
LOCK_RETRY = 5.0  # how often a waiting instance tries to take over
LOCK_CHECK = 10.0  # how often the active instance checks it still holds the lock
LANES = 8  # chats whose updates are handled at the same time


def lane_of(payload: dict[str, Any]) -> int:
    """The chat an update belongs to (its sender's id when it names no chat; 0 for neither):
    updates of one chat are handled one after another, in order."""
    for kind, body in payload.items():
        if not isinstance(body, dict) or kind == "update_id":
            continue
        for holder in (body, body.get("message")):
            chat = holder.get("chat") if isinstance(holder, dict) else None
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
        sender = body.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return 0


class _TaskWatch:
    """The loop's task factory, which tells the dispatcher what tasks handling an update started.

    PTB runs a handler with block=False (/export, /chart) as a task of its own, and the update
    is done only when that task is. Diffing `asyncio.all_tasks()` around `process_update` also
    caught whatever else started meanwhile (a tick, the sender's requests) and held the mark back
    for it; here only the tasks created by the very task that runs `process_update` count.
    """

    def __init__(self, previous: Any) -> None:
        self.previous = previous
        self._collecting: dict[asyncio.Task[Any], set[asyncio.Task[Any]]] = {}

    def __call__(
        self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any
    ) -> asyncio.Future[Any]:
        if self.previous is not None:
            task = self.previous(loop, coro, **kwargs)
        else:
            task = asyncio.Task(coro, loop=loop, **kwargs)
        creator = asyncio.current_task(loop)
        started = self._collecting.get(creator) if creator is not None else None
        if started is not None:
            started.add(task)
        return task

    @classmethod
    def on_running_loop(cls) -> _TaskWatch:
        """The watch of the running loop, installed on first use."""
        loop = asyncio.get_running_loop()
        factory = loop.get_task_factory()
        if isinstance(factory, cls):
            return factory
        watch = cls(factory)
        loop.set_task_factory(watch)
        return watch

    @contextlib.contextmanager
    def collecting(self) -> Iterator[set[asyncio.Task[Any]]]:
        """Collects the tasks the current task creates inside the block."""
        me = asyncio.current_task()
        assert me is not None
        started: set[asyncio.Task[Any]] = set()
        self._collecting[me] = started
        try:
            yield started
        finally:
            del self._collecting[me]


class Dispatcher:
    """Handles stored updates and marks each one done: each chat's in update_id order, up to
    LANES chats at once (a reply's round trip to Telegram no longer holds up other chats).

    An update is in progress from its attempt until its mark, which for a handler running on as
    a task comes when that task ends; until then no pass over the inbox picks it up again. A
    crash in between leaves it unmarked: it is handled again on start, as one more attempt, and
    the handlers that create something find the row the first handling made (inbox.request_key).
    """

    def __init__(self, application: XieshangApp, sessions: db.Sessions) -> None:
        self.application = application
        self.sessions = sessions
        self.wakeup = asyncio.Event()
        self._in_progress: set[int] = set()
        self._finishing: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        self.wakeup.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.wakeup.clear()
            if not await self.handle_pending():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), 1.0)
        await self.finish()

    async def finish(self) -> None:
        """Waits for the marks still to be made of handlers that ran on as tasks."""
        if self._finishing:
            await asyncio.wait(self._finishing)

    async def handle_pending(self) -> int:
        """Handles every update waiting in the inbox and not in progress; returns how many."""
        async with self.sessions() as session:
            rows = await inbox.pending(session, exclude=self._in_progress)
        lanes: dict[int, list[tuple[int, dict[str, Any]]]] = {}
        for row in rows:
            lanes.setdefault(lane_of(row.payload), []).append((row.update_id, row.payload))
        slots = asyncio.Semaphore(LANES)

        async def run_lane(updates: list[tuple[int, dict[str, Any]]]) -> None:
            async with slots:
                for update_id, payload in updates:
                    await self.handle(update_id, payload)

        await asyncio.gather(*(run_lane(updates) for updates in lanes.values()))
        return len(rows)

    async def handle(self, update_id: int, payload: dict[str, Any]) -> None:
        if update_id in self._in_progress:
            return
        self._in_progress.add(update_id)
        finishing = False
        try:
            finishing = await self._handle(update_id, payload)
        finally:
            if not finishing:
                self._in_progress.discard(update_id)

    async def _handle(self, update_id: int, payload: dict[str, Any]) -> bool:
        """Handles one update; True if its mark is left to a task that waits for its handler.

        An update of the democratic rating (inbox.private_kind) is handled with its log records
        hushed and its payload redacted when it is marked: nothing keeps who voted."""
        private = inbox.private_kind(payload)
        hushing = PRIVATE_UPDATE.set(private)
        try:
            return await self._handle_update(update_id, payload, private)
        finally:
            PRIVATE_UPDATE.reset(hushing)

    async def _handle_update(
        self, update_id: int, payload: dict[str, Any], private: str | None
    ) -> bool:
        async with self.sessions.begin() as session:
            attempt = await inbox.begin_attempt(session, update_id)
        if attempt > inbox.MAX_ATTEMPTS:
            # It brought the process down each time it was handled: set it aside.
            logger.error("update %s set aside after %s attempts", update_id, attempt - 1)
            await self._mark(update_id, "set aside after repeated crashes", private)
            return False
        try:
            update = Update.de_json(payload, self.application.bot)
            with _TaskWatch.on_running_loop().collecting() as started:
                await self.application.process_update(update)
        except Exception as error:  # the error handler has already told the user
            logger.exception("update %s failed", update_id)
            # A rating update's error may quote what was pressed: only its kind is kept.
            said = type(error).__name__ if private else repr(error)[:500]
            await self._mark(update_id, said, private)
            return False
        # Handlers with block=False (/export, /chart) run on: done when they are.
        running = {task for task in started if not task.done()}
        if not running:
            await self._mark(update_id, None, private)
            return False
        task = asyncio.create_task(self._mark_after(update_id, running, private))
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)
        return True

    async def _mark_after(
        self, update_id: int, tasks: set[asyncio.Task[Any]], private: str | None
    ) -> None:
        try:
            await asyncio.wait(tasks)
            await self._mark(update_id, None, private)
        finally:
            self._in_progress.discard(update_id)

    async def _mark(self, update_id: int, error: str | None, private: str | None = None) -> None:
        async with self.sessions.begin() as session:
            await inbox.mark_handled(session, update_id, error=error, redact=private)


async def store_received(sessions: db.Sessions, updates: list[dict[str, Any]]) -> None:
    """Commits received updates to the inbox; a batch with a private update (a rater's) is
    stored with its log records hushed, like its handling (the database driver's DEBUG log
    quotes the payload)."""
    kinds = sorted({kind for update in updates if (kind := inbox.private_kind(update))})
    hushing = PRIVATE_UPDATE.set(kinds[0] if kinds else None)
    try:
        async with sessions.begin() as session:
            await inbox.store_updates(session, updates)
    finally:
        PRIVATE_UPDATE.reset(hushing)


async def poll(application: XieshangApp, sessions: db.Sessions, dispatcher: Dispatcher) -> None:
    """Long-polls getUpdates; an update is confirmed (next offset) only once it is in the inbox."""
    bot = application.bot
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    failures = 0
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES
            )
        except TimedOut:
            continue
        except Conflict as error:
            # Another process polls with this token (not through our lock: another database?).
            logger.error("getUpdates conflict: %s", error.message)
            await asyncio.sleep(5)
            continue
        except (NetworkError, InvalidToken) as error:
            if isinstance(error, InvalidToken):
                raise
            failures += 1
            delay = min(30.0, 0.5 * 2**failures)
            logger.warning("getUpdates failed (%s); again in %.0f s", error.message, delay)
            await asyncio.sleep(delay)
            continue
        failures = 0
        if not updates:
            continue
        await store_received(sessions, [u.to_dict() for u in updates])
        offset = max(u.update_id for u in updates) + 1
        dispatcher.wake()


class WebhookServer:
    """Receives updates over HTTPS (behind a proxy), stores them, then answers 200."""

    def __init__(self, settings: Settings, sessions: db.Sessions, dispatcher: Dispatcher) -> None:
        self.settings = settings
        self.sessions = sessions
        self.dispatcher = dispatcher
        self._server: Any = None

    async def receive(self, secret: str | None, body: bytes) -> int:
        """The HTTP status for one POST: 403 without the secret, 400 for junk, 200 once stored."""
        expected = self.settings.webhook_secret or ""
        if not hmac.compare_digest((secret or "").encode(), expected.encode()):
            return 403
        try:
            update = json.loads(body)
            int(update["update_id"])
        except (ValueError, KeyError, TypeError):
            return 400
        await store_received(self.sessions, [update])
        self.dispatcher.wake()
        return 200

    async def start(self, application: XieshangApp) -> None:
        from urllib.parse import urlparse

        from tornado.httpserver import HTTPServer
        from tornado.web import Application, RequestHandler

        receive = self.receive

        class UpdateHandler(RequestHandler):
            async def post(self) -> None:
                secret = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token")
                self.set_status(await receive(secret, self.request.body))

        assert self.settings.webhook_url is not None
        path = urlparse(self.settings.webhook_url).path or "/"
        self._server = HTTPServer(Application([(path, UpdateHandler)]))
        self._server.listen(self.settings.webhook_port, self.settings.webhook_listen)
        await application.bot.set_webhook(
            self.settings.webhook_url,
            secret_token=self.settings.webhook_secret,
            allowed_updates=list(Update.ALL_TYPES),
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()


class Runtime:
    """Everything a running instance does, started once it holds the instance lock."""

    def __init__(
        self,
        settings: Settings,
        *,
        request: BaseRequest | None = None,
        updates_request: BaseRequest | None = None,
    ) -> None:
        self.settings = settings
        self.lock = InstanceLock(settings.database_url)
        self.engine = db.create_engine(settings.database_url)
        self.sessions = db.create_sessions(self.engine)
        self.application = build_application(
            settings, self.sessions, request=request, updates_request=updates_request
        )
        self.dispatcher = Dispatcher(self.application, self.sessions)
        self.sender = Sender(self.application.bot, self.sessions)
        self.application.bot_data["sender"] = self.sender
        self.stop_event = asyncio.Event()

    async def wait_for_lock(self, announce: Callable[[str], None]) -> bool:
        """Takes the instance lock, waiting while another instance holds it; False if stopped."""
        announced = False
        while not await self.lock.acquire():
            if not announced:
                lang = self.settings.bot_language
                announce(t(lang, "instance.waiting", where=self.lock.where()))
                announced = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_event.wait(), LOCK_RETRY)
            if self.stop_event.is_set():
                return False
        if announced:
            announce(t(self.settings.bot_language, "instance.took_over"))
        return True

    async def run(self, *, webhook: bool, announce: Callable[[str], None]) -> None:
        try:
            if not await self.wait_for_lock(announce):
                return
            await self._run_holding_lock(webhook)
        finally:
            await self.lock.release()
            await self.engine.dispose()

    async def _run_holding_lock(self, webhook: bool) -> None:
        application = self.application
        async with application:
            await publish_menus(application)
            await application.start()
            active = await jobs.restore_schedules(application.bot_data)
            logger.info("%s reminders and schedules active", active)
            jobs.schedule_all(application.job_queue)
            workers: list[Awaitable[Any]] = [
                self.dispatcher.run(self.stop_event),
                self.sender.run(),
                self._watch_lock(),
            ]
            server = None
            if webhook:
                server = WebhookServer(self.settings, self.sessions, self.dispatcher)
                await server.start(application)
            else:
                workers.append(poll(application, self.sessions, self.dispatcher))
            tasks = [asyncio.ensure_future(w) for w in workers]
            stopper = asyncio.ensure_future(self.stop_event.wait())
            await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
            self.stop_event.set()
            if server is not None:
                await server.stop()
            await self.sender.stop()
            for task in tasks:
                if not task.done():
                    task.cancel()
            results = await asyncio.gather(*tasks, stopper, return_exceptions=True)
            # Waits for the handlers running on as tasks; then their updates are marked, so that
            # a stop does not leave them to be handled again at the next start.
            await application.stop()
            await self.dispatcher.finish()
            for result in results:
                if isinstance(result, BaseException) and not isinstance(
                    result, asyncio.CancelledError
                ):
                    raise result

    async def _watch_lock(self) -> None:
        while not self.stop_event.is_set():
            await asyncio.sleep(LOCK_CHECK)
            if not await self.lock.still_held():
                logger.error("lost the instance lock (database connection gone); stopping")
                raise RuntimeError("lost the instance lock")

    def stop(self) -> None:
        self.stop_event.set()


def serve(settings: Settings, *, webhook: bool) -> None:
    """`xieshang run|webhook`: runs until SIGINT or SIGTERM."""

    def announce(message: str) -> None:
        logger.warning("%s", message)
        print(message, file=sys.stderr, flush=True)

    async def main() -> None:
        runtime = Runtime(settings)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, runtime.stop)
        await runtime.run(webhook=webhook, announce=announce)

    asyncio.run(main())
