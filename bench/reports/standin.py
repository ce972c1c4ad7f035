"""The Bot API stand-in (bot/sandbox/botapi.py) in a process of its own, and updates fed to the bot.

The stand-in runs apart so that its work is not counted as the bot's (Telegram's servers are
not on the bot's CPU either).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application

App = Application[Any, Any, Any, Any, Any, Any]


def _standin_child(conn: Any) -> None:
    asyncio.run(_standin_serve(conn))


async def _standin_serve(conn: Any) -> None:
    from bot.sandbox.botapi import BotApiStandIn

    loop = asyncio.get_running_loop()
    async with BotApiStandIn(username="xieshang_bench_bot") as standin:
        conn.send(standin.url)
        while True:
            command, argument = await loop.run_in_executor(None, conn.recv)
            if command == "stop":
                break
            if command == "summary":
                methods = Counter(call.method for call in standin.calls)
                texts = [
                    str(call.params.get("text") or call.params.get("caption") or "")
                    for call in standin.calls
                    if call.method in ("sendMessage", "sendDocument") and not call.rejected
                ]
                documents = [
                    (name, len(content), call.at)  # `at`: time.monotonic(), one clock per host
                    for call in standin.calls
                    if call.method == "sendDocument" and not call.rejected
                    for name, content in call.files.values()
                ]
                conn.send(
                    {
                        "methods": dict(methods),
                        "rejected": sum(call.rejected for call in standin.calls),
                        "markers": {m: sum(m in t for t in texts) for m in argument or ()},
                        "last_text": texts[-1] if texts else "",
                        "documents": documents,
                    }
                )
            elif command == "clear":
                standin.calls.clear()
                standin._messages.clear()
                conn.send(True)


class StandInProcess:
    """BotApiStandIn served by a child process; `url` is its root on 127.0.0.1."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_standin_child, args=(child,), daemon=True)
        self._process.start()
        self.url: str = self._conn.recv()

    @property
    def pid(self) -> int:
        return self._process.pid or 0

    def _ask(self, command: str, argument: Any = None) -> Any:
        self._conn.send((command, argument))
        return self._conn.recv()

    async def summary(self, markers: Sequence[str] = ()) -> dict[str, Any]:
        return await asyncio.to_thread(self._ask, "summary", list(markers))

    async def clear(self) -> None:
        await asyncio.to_thread(self._ask, "clear")

    def stop(self) -> None:
        self._conn.send(("stop", None))
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()


# --- updates ---------------------------------------------------------------------------------

_ids = iter(range(1, 10**9))


def message_update(user_id: int, text: str, first_name: str = "指导员") -> dict[str, Any]:
    """A private-chat message update as Telegram sends it (commands carry their entity)."""
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": first_name},
        "from": {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "zh"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": next(_ids), "message": message}


async def process(app: App, data: dict[str, Any]) -> set[asyncio.Task[Any]]:
    """Processes one update (parsed here, as the bot parses what getUpdates returns); returns
    the tasks its handlers started: a handler registered with block=False runs as a task."""
    before = asyncio.all_tasks()
    await app.process_update(Update.de_json(data, app.bot))
    return asyncio.all_tasks() - before - {asyncio.current_task()}


async def feed(app: App, data: dict[str, Any]) -> float:
    """Seconds to process one update and to finish what its handlers started."""
    start = time.perf_counter()
    started = await process(app, data)
    if started:
        await asyncio.gather(*started)
    return time.perf_counter() - start


async def run_sequentially(
    app: Any, updates: Sequence[dict[str, Any]]
) -> tuple[float, list[float]]:
    """Feeds the updates one after another; (seconds in all, seconds of each)."""
    gc.collect()
    durations = []
    start = time.perf_counter()
    for data in updates:
        durations.append(await feed(app, data))
    return time.perf_counter() - start, durations
