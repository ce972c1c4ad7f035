"""Delivery: one pacer for every request the bot makes, and the outbox sender.

The pacer keeps Telegram's limits by itself instead of waiting for 429s: at most 30 sends in
any sliding second, bulk sends evenly spaced (so no burst after a pause), 20 a minute to a
group, and to a private chat 1 a second for bulk sends — replies to someone who just spoke may
come in a short burst of 3 (Telegram tolerates it; a handler often answers with text and a
file). Replies go ahead of bulk sends. On a 429 everything pauses for `retry_after`: Telegram
does not say which limit was hit.

The sender reads the next due outbox row of each chat that may take a message now, sends each
through the pacer and records the outcome: sent, unreachable (403), failed (400), unknown (the
request may have reached Telegram but no answer came back: never retried blindly), or back to
pending after a failure that surely did not deliver (connection refused, a 5xx answer, a 429).
A chat that must wait for its own limit (a group's backlog at 20 a minute) is left out of the
reading, so it never holds back the other chats.

Both take their time from a `Clock`: the real one in the bot, one that moves only when
something sleeps in the tests.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import BaseRateLimiter

from storage.db import Sessions
from storage.messaging import outbox
from storage.models import OutboxMessage, OutboxStatus
from storage.people import groups

logger = logging.getLogger(__name__)

SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "sendAnimation",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendSticker",
        "sendLocation",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
    }
)
# What the outbox sender passes as rate_limit_args: bulk sends yield to replies.
BULK = {"bulk": True}
# The longest the idle sender waits before it looks at the outbox again (rows written without
# a wake), and the shortest, so that it never spins.
IDLE_WAIT = 1.0
MIN_WAIT = 0.01


class Clock(Protocol):
    """Where the pacer and the sender take their time from."""

    def monotonic(self) -> float:
        """Seconds for measuring intervals."""
        ...

    def now(self) -> datetime:
        """The current moment in UTC, as stored in the outbox."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Returns after `seconds`."""
        ...


class RealTime:
    """The clock of the running bot."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Limits:
    """Telegram's flood limits, with a margin for the time a request takes to arrive."""

    per_second: int = 30
    private_interval: float = 1.0
    group_per_minute: int = 20
    # Sends are counted when they leave; they arrive a few ms later and not all equally late.
    margin: float = 0.02
    # Telegram tolerates a short burst of replies in one private chat; bulk never bursts.
    reply_burst: int = 3


def retry_after_seconds(error: RetryAfter) -> float:
    value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_id(data: dict[str, Any] | None) -> int | None:
    value = (data or {}).get("chat_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None  # an @channel username: only the global limit applies


class Pacer(BaseRateLimiter[dict[str, Any]]):
    """The rate limiter of every Bot API request; see the module docstring."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.clock: Clock = clock or RealTime()
        self._window = 1.0 + self.limits.margin
        self._spacing = self._window / self.limits.per_second
        self._sends: deque[float] = deque()
        self._chats: dict[int, deque[float]] = defaultdict(deque)
        self._last_bulk = float("-inf")
        self._paused_until = 0.0
        self._replies_waiting = 0
        self.retries_after_429 = 0
        self.pauses = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    # --- bookkeeping -----------------------------------------------------------------------

    def _chat_window(self, chat_id: int) -> tuple[float, int]:
        if chat_id > 0:
            return self.limits.private_interval + self.limits.margin, 1
        return 60.0 + self.limits.margin, self.limits.group_per_minute

    def _earliest(self, chat_id: int | None, bulk: bool, now: float) -> float:
        """The earliest moment a send to `chat_id` is within every limit."""
        at = self._paused_until
        sends = self._sends
        while sends and sends[0] <= now - self._window:
            sends.popleft()
        if len(sends) >= self.limits.per_second:
            at = max(at, sends[-self.limits.per_second] + self._window)
        if bulk:
            at = max(at, self._last_bulk + self._spacing)
        if chat_id is not None:
            at = max(at, self._chat_earliest(chat_id, bulk, now))
        return at

    def _chat_earliest(self, chat_id: int, bulk: bool, now: float) -> float:
        """The earliest moment the chat's own limit allows a send (0 when it allows one now)."""
        window, limit = self._chat_window(chat_id)
        if chat_id > 0 and not bulk:
            limit = self.limits.reply_burst
        chat = self._chats[chat_id]
        while chat and chat[0] <= now - window:
            chat.popleft()
        return chat[-limit] + window if len(chat) >= limit else 0.0

    def chat_ready(self, chat_id: int) -> bool:
        """Whether a bulk send to `chat_id` would not have to wait for the chat's own limit."""
        now = self.clock.monotonic()
        return self._chat_earliest(chat_id, True, now) <= now

    def waiting_chats(self) -> dict[int, float]:
        """The chats whose own limit keeps a bulk send waiting now, each with the seconds until
        it may take one; chats with no send left in their window are forgotten."""
        now = self.clock.monotonic()
        waiting: dict[int, float] = {}
        for chat_id in list(self._chats):
            at = self._chat_earliest(chat_id, True, now)
            if at > now:
                waiting[chat_id] = at - now
            elif not self._chats[chat_id]:
                del self._chats[chat_id]
        return waiting

    async def wait_for_slot(self, chat_id: int | None, *, bulk: bool) -> None:
        """Waits until a send is allowed, then counts it; replies go ahead of bulk sends."""
        if not bulk:
            self._replies_waiting += 1
        try:
            while True:
                now = self.clock.monotonic()
                at = self._earliest(chat_id, bulk, now)
                if bulk and self._replies_waiting:
                    at = max(at, now + 0.005)
                if at <= now:
                    break
                await self.clock.sleep(at - now)
        finally:
            if not bulk:
                self._replies_waiting -= 1
        self._sends.append(now)
        if bulk:
            self._last_bulk = now
        if chat_id is not None:
            self._chats[chat_id].append(now)

    def pause(self, seconds: float) -> None:
        """Stops every send for `seconds` (after a 429)."""
        self.pauses += 1
        self._paused_until = max(self._paused_until, self.clock.monotonic() + seconds)

    def paused_for(self) -> float:
        """Seconds until requests may go again after a 429 (0 when not paused)."""
        return max(0.0, self._paused_until - self.clock.monotonic())

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        paced = endpoint in SEND_METHODS
        chat_id = _chat_id(data) if paced else None
        for attempt in range(3):
            if paced:
                await self.wait_for_slot(chat_id, bulk=bulk)
            elif self._paused_until > self.clock.monotonic():
                await self.clock.sleep(self._paused_until - self.clock.monotonic())
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.pause(retry_after_seconds(error))
                # The outbox sender keeps its row pending; a reply is tried again after the
                # pause, so the message that got the 429 is not lost.
                if bulk or attempt == 2:
                    raise
                self.retries_after_429 += 1
            except NetworkError as error:
                # A reply that surely did not reach Telegram (refused connection, a 5xx) is
                # tried again; the outbox sender has its own backoff for bulk sends.
                if bulk or attempt == 2 or not surely_undelivered(error):
                    raise
                await self.clock.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")


def surely_undelivered(error: TelegramError) -> bool:
    """Whether a failed request certainly did not reach Telegram (safe to send again)."""
    cause = error.__cause__
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    # An HTTP error answer (502, 500...) without a cause: Telegram answered and did not send.
    return type(error) is NetworkError and cause is None


def markup(payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
    rows = payload.get("buttons") or []
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


class Sender:
    """Sends due outbox rows through the bot's pacer and records each outcome.

    It keeps the time of the pacer it sends through, or real time when the bot has none.
    """

    def __init__(
        self,
        bot: Bot,
        sessions: Sessions,
        *,
        concurrency: int = 12,
        clock: Clock | None = None,
    ) -> None:
        self.bot = bot
        self.sessions = sessions
        pacer = self.pacer
        self.clock: Clock = clock or (pacer.clock if pacer is not None else RealTime())
        self._wake = asyncio.Event()
        self._in_flight: dict[int, int] = {}  # outbox id -> chat id
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False

    @property
    def pacer(self) -> Pacer | None:
        limiter = getattr(self.bot, "rate_limiter", None)
        return limiter if isinstance(limiter, Pacer) else None

    def wake(self) -> None:
        """Tells the sender new rows are waiting (handlers call this after enqueueing)."""
        self._wake.set()

    async def run(self, *, until_idle: bool = False) -> None:
        """Sends until stopped; `until_idle` returns once nothing is pending or in flight.

        Cancelled, it abandons the requests in flight unrecorded, as a killed process would:
        their rows stay pending and go again at the next start.
        """
        self._stopping = False
        try:
            while not self._stopping:
                # Cleared before reading, so a wake during the pass is not lost.
                self._wake.clear()
                if await self.send_due():
                    continue
                if self._tasks:
                    await self._wait(self._tasks)
                    continue
                delay = await self._idle_delay()
                if delay is None and until_idle:
                    return
                await self._wait(set(), IDLE_WAIT if delay is None else delay)
        except asyncio.CancelledError:
            tasks = set(self._tasks)
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks)
            raise

    async def drain(self) -> None:
        """Sends until nothing is pending and nothing is in flight (tests, benchmarks)."""
        await self.run(until_idle=True)

    async def stop(self) -> None:
        """Stops taking rows and waits for the requests in flight."""
        self._stopping = True
        self._wake.set()
        if self._tasks:
            await asyncio.wait(self._tasks)

    async def send_due(self) -> int:
        """Starts sending the next due row of each chat that may take a message now; returns
        how many it started."""
        pacer = self.pacer
        busy = set(self._in_flight.values())
        skip = busy | set(pacer.waiting_chats() if pacer is not None else ())
        async with self.sessions() as session:
            rows = await outbox.due(
                session, now=self.clock.now(), skip_chats=skip, exclude=list(self._in_flight)
            )
        started = 0
        for row in rows:
            if self._stopping:
                break
            # The pass may wait for free slots meanwhile, so a chat can have become busy.
            if row.chat_id in busy or (pacer is not None and not pacer.chat_ready(row.chat_id)):
                continue
            busy.add(row.chat_id)
            await self._slots.acquire()
            self._in_flight[row.id] = row.chat_id
            task = asyncio.create_task(self._send(row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        return started

    async def _idle_delay(self) -> float | None:
        """How long to wait when nothing could start: until the earliest pending row is due, or,
        when rows are due but their chats wait for their own limits, until the first of those
        chats may take one; None when nothing is pending."""
        async with self.sessions() as session:
            next_at = await outbox.next_due_at(session)
        if next_at is None:
            return None
        if next_at.tzinfo is None:  # SQLite hands back naive UTC
            next_at = next_at.replace(tzinfo=UTC)
        wait = (next_at - self.clock.now()).total_seconds()
        if wait <= 0:
            pacer = self.pacer
            waiting = pacer.waiting_chats() if pacer is not None else {}
            wait = min(waiting.values(), default=0.0)
        return min(IDLE_WAIT, max(MIN_WAIT, wait))

    async def _wait(self, tasks: set[asyncio.Task[None]], delay: float | None = None) -> None:
        """Waits until a wake, the end of one of `tasks` or `delay` seconds, whichever is first."""
        waiters: set[asyncio.Task[Any]] = {asyncio.create_task(self._wake.wait())}
        if delay is not None:
            waiters.add(asyncio.create_task(self.clock.sleep(delay)))
        try:
            await asyncio.wait({*tasks, *waiters}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _send(self, row: OutboxMessage) -> None:
        try:
            await self._deliver(row)
        except Exception:
            logger.exception("outbox %s: unexpected error; left pending", row.id)
        finally:
            self._in_flight.pop(row.id, None)
            self._slots.release()
            self._wake.set()

    async def _deliver(self, row: OutboxMessage) -> None:
        payload = row.payload
        chat_id = row.chat_id
        try:
            message = await self._post(chat_id, payload)
        except RetryAfter:
            return  # the pacer paused everything; the row stays pending and goes first
        except ChatMigrated as error:
            new_chat_id = int(error.new_chat_id)
            async with self.sessions.begin() as session:
                await groups.migrate_group(session, chat_id, new_chat_id)
                await outbox.move_chat(session, chat_id, new_chat_id)
            logger.info("group %s became %s; outbox follows", chat_id, new_chat_id)
            return
        except Forbidden as error:
            await self._mark(row, OutboxStatus.UNREACHABLE, error=error.message)
            return
        except BadRequest as error:
            await self._mark(row, OutboxStatus.FAILED, error=error.message)
            return
        except NetworkError as error:  # TimedOut included
            if surely_undelivered(error):
                await self._retry(row, error)
            else:
                reason = "timed out" if isinstance(error, TimedOut) else error.message
                await self._mark(row, OutboxStatus.UNKNOWN, error=f"no answer ({reason})")
            return
        await self._mark(row, OutboxStatus.SENT, telegram_message_id=message.message_id)
        if payload.get("pin"):
            await self._pin(chat_id, message.message_id)

    async def _post(self, chat_id: int, payload: dict[str, Any]) -> Message:
        """One row's message: text, or a picture or file with the text as caption."""
        attached = outbox.attachment(payload)
        if attached is None:
            return await self.bot.send_message(
                chat_id,
                payload["text"],
                reply_markup=markup(payload),
                rate_limit_args=BULK,  # type: ignore[call-arg]
            )
        what, name, data = attached
        send = self.bot.send_photo if what == "photo" else self.bot.send_document
        return await send(
            chat_id,
            InputFile(data, filename=name),
            caption=payload["text"],
            reply_markup=markup(payload),
            rate_limit_args=BULK,  # type: ignore[call-arg]
        )

    async def _pin(self, chat_id: int, message_id: int) -> None:
        try:
            await self.bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        except TelegramError as error:
            # Not an admin with the right to pin: the notice is posted, just not pinned.
            logger.info("could not pin in %s: %s", chat_id, error)

    async def _mark(self, row: OutboxMessage, status: OutboxStatus, **values: Any) -> None:
        async with self.sessions.begin() as session:
            await outbox.mark(session, row.id, status, now=self.clock.now(), **values)

    async def _retry(self, row: OutboxMessage, error: TelegramError) -> None:
        async with self.sessions.begin() as session:
            await outbox.retry_later(
                session, row.id, row.attempts + 1, error.message, now=self.clock.now()
            )
