"""The sandbox's web chat: pick a persona and a chat, talk to the bot through the local Bot API.

A user's message becomes a stored Message and an update for getUpdates, exactly what Telegram
would send the bot; the page reads the chat back from the server's store (bot messages, edits,
buttons, files). Every text goes to the page as JSON and is shown with textContent. The page's
files are a fixed list and the file route serves only files the server holds in memory, so no
route reads outside the sandbox's own folder.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from aiohttp import web

from bot.sandbox.botapi import BotApiStandIn, Call, _StoredFile

FILE_ID = re.compile(r"F[0-9]{6}")  # the server's file ids, also the names of saved files
KEEP_CALLS = 2000  # recorded Bot API calls kept (the tests read them; the page does not)
LONG_POLL = 25.0  # seconds the page's wait for news is held open
ANSWER_WAIT = 10.0  # seconds a button press waits for the bot's answerCallbackQuery
UPLOAD_LIMIT = 20 * 2**20  # Telegram lets a bot download files up to 20 MB
STATIC = {
    "app.js": "application/javascript",
    "app.css": "text/css",
}
PAGE_SECURITY = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self';"
        " object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Persona:
    """Someone the page lets you be: a Telegram user of the sandbox."""

    telegram_id: int
    name: str
    role: str  # hq, district_admin, instructor, stranger
    label_zh: str
    label_en: str
    chats: tuple[int, ...] = ()  # the chats they talk in: their own id (private), groups
    group_admin: bool = False
    invite_code: str | None = None  # an open invite they may join with: /start <code>

    def user(self, lang: str) -> dict[str, Any]:
        """The Bot API User of this persona, speaking `lang` (zh or en)."""
        return {
            "id": self.telegram_id,
            "is_bot": False,
            "first_name": self.name,
            "language_code": "en" if lang == "en" else "zh-hans",
        }


@dataclass(frozen=True)
class Group:
    """A group chat the personas share with the bot."""

    chat_id: int
    title: str


class SandboxApi(BotApiStandIn):
    """The Bot API server with what the web chat needs: users' messages kept in the chats beside
    the bot's, and a version that changes whenever the bot does something, for the page's wait."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.version = 0
        self._changed = asyncio.Event()
        self.answers: dict[str, tuple[str, bool]] = {}  # callback query id: text, show_alert

    def _perform(self, call: Call) -> Any:
        result = super()._perform(call)
        if call.method == "answerCallbackQuery":
            answer = (str(call.params.get("text") or ""), bool(call.params.get("show_alert")))
            self.answers[str(call.params.get("callback_query_id"))] = answer
        elif call.method == "setMessageReaction":
            key = (_chat_id_of(call), int(call.params.get("message_id") or 0))
            if key in self._messages:
                reaction = call.params.get("reaction") or []
                self._messages[key]["reactions"] = [r.get("emoji", "") for r in reaction]
        if call.method not in ("getMe", "getChatMember", "getChat", "getFile"):
            self.touch()
        # A sandbox runs for days: keep the recent calls only (uploads are in them).
        if len(self.calls) > KEEP_CALLS:
            del self.calls[: len(self.calls) - KEEP_CALLS // 2]
        return result

    def _edit(self, call: Call, content: dict[str, Any]) -> dict[str, Any] | bool:
        """An edit, marked on the stored message so the page says 已编辑 as Telegram does."""
        result = super()._edit(call, content)
        if isinstance(result, dict):
            self._messages[result["chat"]["id"], result["message_id"]]["edit_date"] = result[
                "edit_date"
            ]
        return result

    def touch(self) -> None:
        """Something changed: wake the pages waiting for news."""
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed_since(self, version: int, seconds: float) -> int:
        """Waits until the version differs from `version` (at most `seconds`); returns it."""
        if self.version == version:
            try:
                await asyncio.wait_for(self._changed.wait(), seconds)
            except TimeoutError:
                pass
        return self.version

    def user_message(
        self, chat: dict[str, Any], user: dict[str, Any], content: dict[str, Any]
    ) -> None:
        """Stores a user's message in `chat` and queues it as an update for the bot."""
        chat_id = chat["id"]
        self._last_message_id[chat_id] += 1
        message = {
            "message_id": self._last_message_id[chat_id],
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            **content,
        }
        self._messages[chat_id, message["message_id"]] = message
        self.push_update({"message": message})
        self.touch()

    def press(self, user: dict[str, Any], message: dict[str, Any], data: str) -> str:
        """Queues a callback query for a button of `message`; returns the query's id."""
        query_id = f"q{self._next_update_id}"
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(message["chat"]["id"]),
            "data": data,
        }
        self.push_update({"callback_query": query})
        return query_id

    # --- keeping the chats across restarts --------------------------------------------------

    def save(self, folder: Path) -> None:
        """Writes the chats, their files and the update counter into `folder` (chats.json and
        files/), so a restarted sandbox shows the same conversations and numbers on."""
        files = folder / "files"
        files.mkdir(parents=True, exist_ok=True)
        for stored in self._files.values():
            path = files / stored.file_id
            if not path.exists():
                path.write_bytes(stored.content)
        state = {
            "next_update_id": self._next_update_id,
            "last_message_id": {str(k): v for k, v in self._last_message_id.items()},
            "messages": list(self._messages.values()),
            "files": {f.file_id: f.name for f in self._files.values()},
        }
        temporary = folder / "chats.json.tmp"
        temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        temporary.replace(folder / "chats.json")

    def load(self, folder: Path) -> None:
        """Reads what `save` wrote, if anything; files are read only by names it wrote."""
        path = folder / "chats.json"
        if not path.is_file():
            return
        state = json.loads(path.read_text(encoding="utf-8"))
        self._next_update_id = max(self._next_update_id, int(state["next_update_id"]))
        for chat_id, last in state["last_message_id"].items():
            self._last_message_id[int(chat_id)] = int(last)
        for message in state["messages"]:
            self._messages[int(message["chat"]["id"]), int(message["message_id"])] = message
        for file_id, name in state["files"].items():
            content = folder / "files" / file_id
            if FILE_ID.fullmatch(file_id) and content.is_file():
                self._files[file_id] = _StoredFile(file_id, str(name), content.read_bytes())

    def number_updates_after(self, update_id: int) -> None:
        """Numbers new updates after `update_id` (the bot ignores an update_id it has seen)."""
        self._next_update_id = max(self._next_update_id, update_id + 1)

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A stored message of a chat."""
        return self._messages.get((chat_id, message_id))

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The stored messages of a chat, oldest first."""
        found = [m for (chat, _), m in self._messages.items() if chat == chat_id]
        return sorted(found, key=lambda m: m["message_id"])

    def stored_file(self, file_id: str) -> tuple[str, bytes] | None:
        """The name and bytes of a file the server holds."""
        stored = self._files.get(file_id)
        return None if stored is None else (stored.name, stored.content)

    def commands(self, scopes: list[tuple[dict[str, Any] | None, str]]) -> list[Any]:
        """The first non-empty command menu among (scope, language) pairs, as Telegram picks."""
        for scope, lang in scopes:
            key = None if scope is None else json.dumps(scope, sort_keys=True)
            found = self._commands.get((key, lang))
            if found:
                return found
        return []


def _chat_id_of(call: Call) -> int:
    chat_id = call.params.get("chat_id")
    return chat_id if isinstance(chat_id, int) else 0


def _view(message: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of a message: plain data, every text left for textContent."""
    sender = message.get("from") or {}
    view: dict[str, Any] = {
        "id": message["message_id"],
        "date": message.get("date", 0),
        "from": {
            "id": sender.get("id"),
            "name": sender.get("first_name", ""),
            "bot": bool(sender.get("is_bot")),
        },
        "text": message.get("text") or message.get("caption") or "",
        "edited": "edit_date" in message,
    }
    document = message.get("document")
    if document:
        view["document"] = {
            "url": f"api/file/{document['file_id']}",
            "name": document.get("file_name") or "file",
            "size": document.get("file_size", 0),
            "image": (mimetypes.guess_type(document.get("file_name") or "")[0] or "").startswith(
                "image/"
            ),
        }
    photo = message.get("photo")
    if photo:
        view["photo"] = {"url": f"api/file/{photo[-1]['file_id']}"}
    markup = message.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if rows:
        view["buttons"] = [
            [
                {"text": b.get("text", ""), "data": b.get("callback_data"), "url": b.get("url")}
                for b in row
            ]
            for row in rows
        ]
    if message.get("reactions"):
        view["reactions"] = message["reactions"]
    return view


class WebChat:
    """The aiohttp routes of the web chat over a SandboxApi."""

    def __init__(
        self, api: SandboxApi, personas: list[Persona], groups: list[Group], bot_name: str
    ) -> None:
        self.api = api
        self.personas = {p.telegram_id: p for p in personas}
        self.groups = {g.chat_id: g for g in groups}
        self.bot_name = bot_name

    def app(self) -> web.Application:
        app = web.Application(client_max_size=UPLOAD_LIMIT + 2**16)
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/api/setup", self._setup)
        app.router.add_get("/api/chat", self._chat)
        app.router.add_post("/api/send", self._send)
        app.router.add_post("/api/press", self._press)
        app.router.add_post("/api/upload", self._upload)
        app.router.add_get("/api/file/{file_id}", self._file)
        return app

    # --- page ------------------------------------------------------------------------------

    async def _index(self, request: web.Request) -> web.Response:
        return web.Response(
            text=_asset("index.html"), content_type="text/html", headers=PAGE_SECURITY
        )

    async def _static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:  # a fixed list: no path from the request reaches the disk
            raise web.HTTPNotFound()
        return web.Response(text=_asset(name), content_type=STATIC[name], headers=PAGE_SECURITY)

    async def _setup(self, request: web.Request) -> web.Response:
        personas = [
            {
                "id": p.telegram_id,
                "name": p.name,
                "role": p.role,
                "chats": [c for c in p.chats if c in self.groups],
                "invite": p.invite_code,
                "label": {"zh": p.label_zh, "en": p.label_en},
            }
            for p in self.personas.values()
        ]
        groups = [{"id": g.chat_id, "title": g.title} for g in self.groups.values()]
        return web.json_response({"bot": self.bot_name, "personas": personas, "groups": groups})

    # --- chats -----------------------------------------------------------------------------

    def _persona(self, value: Any) -> Persona:
        try:
            persona = self.personas.get(int(value))
        except (TypeError, ValueError):
            persona = None
        if persona is None:
            raise web.HTTPBadRequest(text="unknown persona")
        return persona

    def _chat_of(self, persona: Persona, value: Any) -> dict[str, Any]:
        """The Chat object of a chat `persona` may use: its private chat or a group."""
        try:
            chat_id = int(value)
        except (TypeError, ValueError):
            raise web.HTTPBadRequest(text="unknown chat") from None
        if chat_id == persona.telegram_id:
            return {"id": chat_id, "type": "private", "first_name": persona.name}
        group = self.groups.get(chat_id)
        if group is None or chat_id not in persona.chats:
            raise web.HTTPBadRequest(text="unknown chat")
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": group.title}

    def _menu(self, persona: Persona, chat: dict[str, Any], lang: str) -> list[Any]:
        langs = ["en", ""] if lang == "en" else [""]
        scopes: list[tuple[dict[str, Any] | None, str]] = []
        if chat["type"] == "private":
            for code in langs:
                scopes.append(({"type": "chat", "chat_id": chat["id"]}, code))
            for code in langs:
                scopes.append(({"type": "all_private_chats"}, code))
        else:
            for code in langs:
                if persona.group_admin:
                    scopes.append(({"type": "all_chat_administrators"}, code))
                scopes.append(({"type": "all_group_chats"}, code))
        scopes += [(None, code) for code in langs]
        return self.api.commands(scopes)

    async def _chat(self, request: web.Request) -> web.Response:
        """The chat's messages and menu; with `since`, only once something changed after it."""
        persona = self._persona(request.query.get("persona"))
        chat = self._chat_of(persona, request.query.get("chat"))
        since = request.query.get("since")
        if since is not None and since.lstrip("-").isdigit():
            await self.api.changed_since(int(since), LONG_POLL)
        messages = [_view(m) for m in self.api.chat_messages(chat["id"])]
        lang = request.query.get("lang", "zh")
        return web.json_response(
            {
                "version": self.api.version,
                "messages": messages,
                "commands": self._menu(persona, chat, lang),
            }
        )

    async def _body(self, request: web.Request) -> tuple[Persona, dict[str, Any], dict[str, Any]]:
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="expected JSON") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        persona = self._persona(body.get("persona"))
        return persona, self._chat_of(persona, body.get("chat")), body

    async def _send(self, request: web.Request) -> web.Response:
        persona, chat, body = await self._body(request)
        text = str(body.get("text") or "").strip()
        if not text or len(text) > 4096:
            raise web.HTTPBadRequest(text="a message has 1 to 4096 characters")
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.api.user_message(chat, persona.user(str(body.get("lang"))), content)
        return web.json_response({"ok": True, "version": self.api.version})

    async def _press(self, request: web.Request) -> web.Response:
        """Presses a button; answers the bot's answerCallbackQuery (its text and alert)."""
        persona, chat, body = await self._body(request)
        message = self.api.message(chat["id"], int(body.get("message") or 0))
        data = body.get("data")
        buttons = (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
        if message is None or not any(b.get("callback_data") == data for r in buttons for b in r):
            raise web.HTTPBadRequest(text="no such button")
        query_id = self.api.press(persona.user(str(body.get("lang"))), message, str(data))
        deadline = time.monotonic() + ANSWER_WAIT
        while query_id not in self.api.answers and time.monotonic() < deadline:
            await self.api.changed_since(self.api.version, max(0.0, deadline - time.monotonic()))
        text, alert = self.api.answers.pop(query_id, ("", False))
        return web.json_response({"ok": True, "text": text, "alert": alert})

    async def _upload(self, request: web.Request) -> web.Response:
        """A file sent as a document (the bot fetches it with getFile)."""
        form = await request.post()
        persona = self._persona(form.get("persona"))
        chat = self._chat_of(persona, form.get("chat"))
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise web.HTTPBadRequest(text="no file")
        content = upload.file.read()
        # Browsers send the name in UTF-8 with " as %22, aiohttp's client percent-encodes it.
        name = unquote(upload.filename or "file").replace("/", "_").replace("\\", "_")[:128]
        file_id = self.api.add_file(content, name)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": name,
            "file_size": len(content),
        }
        mime = mimetypes.guess_type(name)[0]
        if mime:
            document["mime_type"] = mime
        message: dict[str, Any] = {"document": document}
        caption = str(form.get("caption") or "").strip()
        if caption:
            message["caption"] = caption[:1024]
        self.api.user_message(chat, persona.user(str(form.get("lang"))), message)
        return web.json_response({"ok": True, "version": self.api.version})

    async def _file(self, request: web.Request) -> web.Response:
        """A file the server holds (uploads, the bot's documents and photos), from memory."""
        stored = self.api.stored_file(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        name, content = stored
        mime = mimetypes.guess_type(name)[0]
        if mime is None and content.startswith(b"\x89PNG"):
            mime = "image/png"
        inline = bool(mime and mime.startswith("image/") and mime != "image/svg+xml")
        disposition = "inline" if inline else "attachment"
        headers = {
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
            **PAGE_SECURITY,
        }
        return web.Response(
            body=content,
            content_type=mime if inline and mime else "application/octet-stream",
            headers=headers,
        )


def _asset(name: str) -> str:
    return (resources.files("bot.sandbox") / "static" / name).read_text(encoding="utf-8")
