"""A local stand-in for the Telegram Bot API: an aiohttp server that records calls and answers them.

Point PTB at it with ``base_url=f"{standin.url}/bot"`` and
``base_file_url=f"{standin.url}/file/bot"``, or use it as an HTTP proxy: absolute-form requests
(``POST http://any.host/bot<token>/<method>``) are answered as the API too.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

SEND_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "copyMessage", "forwardMessage"}
)
TEXT_METHODS = frozenset({"sendMessage", "editMessageText", "sendDocument", "sendPhoto"})
TRUE_METHODS = frozenset(
    {
        "answerCallbackQuery",
        "setMessageReaction",
        "pinChatMessage",
        "unpinChatMessage",
        "deleteMessage",
        "close",
        "logOut",
        "sendChatAction",
    }
)
# Form fields that are strings in the Bot API even when they look like JSON ("123", "true").
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "parse_mode",
        "language_code",
        "action",
        "file_id",
        "document",
        "photo",
        "business_connection_id",
        "message_effect_id",
    }
)
ADMIN_RIGHTS: dict[str, bool] = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": False,
    "can_restrict_members": False,
    "can_promote_members": False,
    "can_change_info": False,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}
RESTRICTIONS: dict[str, Any] = {
    "is_member": True,
    "until_date": 0,
    **dict.fromkeys(
        (
            "can_change_info can_invite_users can_pin_messages can_send_messages can_send_polls"
            " can_send_other_messages can_add_web_page_previews can_manage_topics can_send_audios"
            " can_send_documents can_send_photos can_send_videos can_send_video_notes"
            " can_send_voice_notes can_edit_tag"
        ).split(),
        False,
    ),
}
MEMBER_FIELDS: dict[str, dict[str, Any]] = {
    "administrator": ADMIN_RIGHTS,
    "creator": {"is_anonymous": False},
    "restricted": RESTRICTIONS,
    "kicked": {"until_date": 0},
}


@dataclass
class Call:
    """One request the bot made, as the stand-in received it."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    at: float
    via_proxy: bool
    token: str
    rejected: bool = False  # answered with an error (fail_next, 429, 4xx) instead of performed
    result: Any = None  # what the stand-in answered (e.g. the sent Message), for pressing buttons


@dataclass
class _Injection:
    """A planned failure (error answer), lost response (drop) or late answer for upcoming calls."""

    method: str
    chat_id: int | None
    times: int
    error: tuple[int, str, dict[str, Any] | None] | None  # None: drop the response
    delay: float | None = None  # instead of dropping it, answer after this many seconds

    def matches(self, call: Call) -> bool:
        """Whether this injection applies to `call`."""
        return self.method == call.method and self.chat_id in (None, call.params.get("chat_id"))


@dataclass
class _StoredFile:
    """A file the stand-in can hand out through getFile and the file endpoint."""

    file_id: str
    name: str
    content: bytes

    def as_document(self) -> dict[str, Any]:
        """The Bot API Document for this file."""
        return {
            "file_id": self.file_id,
            "file_unique_id": f"u{self.file_id}",
            "file_name": self.name,
            "file_size": len(self.content),
        }


@dataclass
class _ApiError(Exception):
    """An error answer: HTTP status and body {"ok": false, ...}."""

    code: int
    description: str
    parameters: dict[str, Any] | None = field(default=None)

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body = {"ok": False, "error_code": self.code, "description": self.description}
        return body | {"parameters": self.parameters} if self.parameters else body


class BotApiStandIn:
    """A Telegram Bot API server on 127.0.0.1 that records every call and answers like Telegram."""

    def __init__(
        self,
        *,
        username: str = "xieshang_test_bot",
        bot_id: int = 999000,
        can_read_all_group_messages: bool = False,
    ) -> None:
        """Configure the bot identity that getMe reports."""
        self.username = username
        self.bot_id = bot_id
        self.can_read_all_group_messages = can_read_all_group_messages
        self.calls: list[Call] = []
        self.member_status: dict[int, str] = {}
        self.latency = 0.0
        self.rate_limits = False
        self.too_many_requests = 0
        self.webhook: dict[str, Any] | None = None
        # Users who blocked the bot: sends to them answer 403.
        self.blocked: set[int] = set()
        # Random trouble on sends (benchmarks): shares answered 502 (not performed) and lost
        # (performed, connection closed without an answer).
        self.bad_gateway_rate = 0.0
        self.lost_rate = 0.0
        self.random = random.Random(1)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._stopping = False
        self._wakeup = asyncio.Event()
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._injections: list[_Injection] = []
        self._files: dict[str, _StoredFile] = {}
        self._last_message_id: dict[int, int] = defaultdict(int)
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._commands: dict[tuple[str | None, str], list[Any]] = {}
        self._sends: deque[float] = deque()
        self._chat_sends: dict[int, deque[float]] = defaultdict(deque)
        self._methods: dict[str, Callable[[Call], Any]] = {
            "getMe": lambda call: self._me(full=True),
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": lambda call: self._commands.get(_commands_key(call), []),
            "deleteMyCommands": self._delete_my_commands,
            "getChatMember": self._get_chat_member,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            **{method: lambda call: True for method in TRUE_METHODS},
        }

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server root, e.g. "http://127.0.0.1:PORT"."""
        if self._runner is None:
            raise RuntimeError("the stand-in is not running")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        self._stopping = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer pending long polls and shut the server down."""
        if self._runner is None:
            return
        self._stopping = True
        self._wake()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    # --- test helpers ----------------------------------------------------------------------

    def calls_to(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        """Recorded calls, optionally only of `method` and/or to `chat_id`."""
        return [
            call
            for call in self.calls
            if method in (None, call.method) and chat_id in (None, call.params.get("chat_id"))
        ]

    def texts(self, chat_id: int) -> list[str]:
        """Texts and captions sent or edited into `chat_id`, in order (rejected calls excluded)."""
        texts = []
        for call in self.calls_to(chat_id=chat_id):
            text = call.params.get("text", call.params.get("caption"))
            if call.method in TEXT_METHODS and not call.rejected and text is not None:
                texts.append(str(text))
        return texts

    def add_file(self, content: bytes, file_name: str = "file.bin") -> str:
        """Store a file the bot can fetch with getFile; returns its file_id."""
        return self._store(content, file_name).file_id

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates, numbering it if it has no update_id."""
        update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._updates.append(update)
        self._wake()

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        chat_id: int | None = None,
        parameters: dict[str, Any] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` (to `chat_id` if given) with an error."""
        error = (error_code, description, parameters)
        self._injections.append(_Injection(method, chat_id, times, error))

    def drop_next(self, method: str, *, chat_id: int | None = None, times: int = 1) -> None:
        """Perform the next `times` calls of `method` but close the connection without answering."""
        self._injections.append(_Injection(method, chat_id, times, None))

    def delay_next(
        self, method: str, seconds: float, *, chat_id: int | None = None, times: int = 1
    ) -> None:
        """Perform the next `times` calls of `method` but answer only after `seconds`: a client
        with a shorter read timeout gives up, and the call is done without it knowing."""
        self._injections.append(_Injection(method, chat_id, times, None, seconds))

    # --- HTTP ------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Record a Bot API call and answer it (or drop the connection)."""
        params, files = await _read_params(request)
        call = Call(
            method=request.match_info["method"],
            params=params,
            files=files,
            at=time.monotonic(),
            via_proxy=not request.raw_path.startswith("/"),
            token=request.match_info["token"],
        )
        self.calls.append(call)
        injection = self._take_injection(call) or self._chaos(call)
        try:
            if injection is not None and injection.error is not None:
                raise _ApiError(*injection.error)
            if call.method == "getUpdates":
                result = await self._get_updates(call)
            else:
                result = self._perform(call)
            call.result = result
            status, body = 200, {"ok": True, "result": result}
        except _ApiError as error:
            call.rejected = True
            if error.code == 429:
                self.too_many_requests += 1
            status, body = error.code, error.body()
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if injection is not None and injection.delay is not None:
            await asyncio.sleep(injection.delay)
        elif injection is not None and injection.error is None:
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=204)  # never reaches the client
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serve the bytes of a stored file at its file_path."""
        stored = self._files.get(request.match_info["file_path"].removeprefix("documents/"))
        if stored is None:
            return web.json_response(_ApiError(404, "Not Found").body(), status=404)
        return web.Response(body=stored.content, content_type="application/octet-stream")

    def _take_injection(self, call: Call) -> _Injection | None:
        """Consume the first planned failure that applies to `call`."""
        for injection in self._injections:
            if injection.matches(call):
                injection.times -= 1
                if injection.times <= 0:
                    self._injections.remove(injection)
                return injection
        return None

    def _chaos(self, call: Call) -> _Injection | None:
        """A random 502 or lost response for a send, at the configured rates."""
        if call.method not in SEND_METHODS or not (self.bad_gateway_rate or self.lost_rate):
            return None
        draw = self.random.random()
        if draw < self.bad_gateway_rate:
            return _Injection(call.method, None, 1, (502, "Bad Gateway", None))
        if draw < self.bad_gateway_rate + self.lost_rate:
            return _Injection(call.method, None, 1, None)
        return None

    def _perform(self, call: Call) -> Any:
        """Carry out `call` and return its result, or raise _ApiError."""
        handler = self._methods.get(call.method)
        if handler is None:
            raise _ApiError(404, "Not Found: method not found")
        if call.method in SEND_METHODS and call.params.get("chat_id") in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if call.method in SEND_METHODS and self.rate_limits:
            self._admit(call)
        return handler(call)

    def _admit(self, call: Call) -> None:
        """Count a send against Telegram's flood limits, or raise 429 if it exceeds one."""
        chat_id = _chat_id(call)
        chat_window, chat_limit = (1.0, 1) if chat_id > 0 else (60.0, 20)
        chat_sends = self._chat_sends[chat_id]
        retry_after = max(
            _retry_after(self._sends, call.at, 1.0, 30),
            _retry_after(chat_sends, call.at, chat_window, chat_limit),
        )
        if retry_after:
            raise _ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        self._sends.append(call.at)
        chat_sends.append(call.at)

    def _wake(self) -> None:
        """Wake every waiting long poll."""
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    # --- methods ---------------------------------------------------------------------------

    def _me(self, *, full: bool = False) -> dict[str, Any]:
        """The bot's User object; `full` adds the getMe-only fields."""
        me: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "协商通",
            "username": self.username,
        }
        if full:
            me |= {
                "can_join_groups": True,
                "can_read_all_group_messages": self.can_read_all_group_messages,
                "supports_inline_queries": False,
            }
        return me

    def _new_message(self, chat_id: int, content: dict[str, Any]) -> dict[str, Any]:
        """Allocate the chat's next message id and store a Message with `content`."""
        self._last_message_id[chat_id] += 1
        message_id = self._last_message_id[chat_id]
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": self._me(),
            **content,
        }
        self._messages[chat_id, message_id] = message
        return message

    def _send_message(self, call: Call) -> dict[str, Any]:
        """sendMessage."""
        if not call.params.get("text"):
            raise _ApiError(400, "Bad Request: message text is empty")
        return self._new_message(_chat_id(call), _content(call.params))

    def _send_document(self, call: Call) -> dict[str, Any]:
        """sendDocument: store the upload (or reuse a file_id) and answer with a Document."""
        document = self._file_from(call, "document").as_document()
        return self._new_message(_chat_id(call), {"document": document, **_content(call.params)})

    def _send_photo(self, call: Call) -> dict[str, Any]:
        """sendPhoto: store the upload (or reuse a file_id) and answer with one PhotoSize."""
        size = {**self._file_from(call, "photo").as_document(), "width": 320, "height": 320}
        del size["file_name"]
        return self._new_message(_chat_id(call), {"photo": [size], **_content(call.params)})

    def _copied(self, call: Call) -> dict[str, Any]:
        """The content of the message that copyMessage/forwardMessage refers to, if known."""
        from_chat_id, message_id = (
            call.params.get("from_chat_id", 0),
            call.params.get("message_id", 0),
        )
        source = self._messages.get((from_chat_id, message_id), {})
        return {k: source[k] for k in ("text", "caption", "document", "photo") if k in source}

    def _copy_message(self, call: Call) -> dict[str, Any]:
        """copyMessage: answers a MessageId."""
        content = self._copied(call) | _content(call.params)
        return {"message_id": self._new_message(_chat_id(call), content)["message_id"]}

    def _forward_message(self, call: Call) -> dict[str, Any]:
        """forwardMessage: answers the new Message."""
        return self._new_message(_chat_id(call), self._copied(call))

    def _edit(self, call: Call, content: dict[str, Any]) -> dict[str, Any] | bool:
        """Replace a message's text and markup; Telegram refuses edits that change nothing."""
        if "inline_message_id" in call.params:
            return True
        chat_id, message_id = _chat_id(call), call.params.get("message_id")
        if not isinstance(message_id, int):
            raise _ApiError(400, "Bad Request: message identifier is not specified")
        message = self._messages.setdefault(
            (chat_id, message_id),
            {"message_id": message_id, "date": int(time.time()), "chat": _chat(chat_id)},
        )
        changed = {**message, **content}
        if "reply_markup" not in content:
            changed.pop("reply_markup", None)
        if changed == message:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply"
                " markup are exactly the same as a current content and reply markup of the message",
            )
        message.clear()
        message.update(changed)
        return {**message, "edit_date": int(time.time())}

    def _edit_message_text(self, call: Call) -> dict[str, Any] | bool:
        """editMessageText."""
        if not call.params.get("text"):
            raise _ApiError(400, "Bad Request: message text is empty")
        return self._edit(call, _content(call.params))

    def _edit_message_reply_markup(self, call: Call) -> dict[str, Any] | bool:
        """editMessageReplyMarkup."""
        markup = call.params.get("reply_markup")
        return self._edit(call, {"reply_markup": markup} if markup else {})

    def _set_my_commands(self, call: Call) -> bool:
        """setMyCommands, stored per scope and language."""
        self._commands[_commands_key(call)] = call.params.get("commands", [])
        return True

    def _delete_my_commands(self, call: Call) -> bool:
        """deleteMyCommands for a scope and language."""
        self._commands.pop(_commands_key(call), None)
        return True

    def _get_chat_member(self, call: Call) -> dict[str, Any]:
        """getChatMember: the bot's status from member_status; everyone else is a member."""
        chat_id, user_id = _chat_id(call), call.params.get("user_id")
        if user_id == self.bot_id:
            status = self.member_status.get(chat_id, "member")
            return {"status": status, "user": self._me(), **MEMBER_FIELDS.get(status, {})}
        user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        return {"status": "member", "user": user}

    def _get_chat(self, call: Call) -> dict[str, Any]:
        """getChat: a minimal ChatFullInfo."""
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"), False
        )
        return {
            **_chat(_chat_id(call)),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts | {"gifts_from_channels": False},
        }

    def _get_file(self, call: Call) -> dict[str, Any]:
        """getFile: a File whose file_path the file endpoint serves."""
        stored = self._files.get(str(call.params.get("file_id")))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        document = stored.as_document()
        del document["file_name"]
        return {**document, "file_path": f"documents/{stored.file_id}"}

    def _set_webhook(self, call: Call) -> bool:
        """setWebhook: remember its parameters (getUpdates then answers 409 like Telegram)."""
        self.webhook = dict(call.params)
        self._drop_pending(call)
        return True

    def _delete_webhook(self, call: Call) -> bool:
        """deleteWebhook."""
        self.webhook = None
        self._drop_pending(call)
        return True

    def _drop_pending(self, call: Call) -> None:
        """Forget queued updates if the call asks for drop_pending_updates."""
        if call.params.get("drop_pending_updates"):
            self._updates.clear()

    def _get_webhook_info(self, call: Call) -> dict[str, Any]:
        """getWebhookInfo."""
        webhook = self.webhook or {}
        return {
            "url": webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _get_updates(self, call: Call) -> list[dict[str, Any]]:
        """getUpdates: confirm updates below offset, then long-poll up to timeout seconds."""
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )
        offset = int(call.params.get("offset", 0))
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = call.at + float(call.params.get("timeout", 0))
        while not self._updates and not self._stopping and time.monotonic() < deadline:
            try:
                await asyncio.wait_for(self._wakeup.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        limit = min(max(int(call.params.get("limit", 100)), 1), 100)
        return self._updates[:limit]

    def _file_from(self, call: Call, name: str) -> _StoredFile:
        """The file uploaded as `name`, or the stored file whose file_id was passed instead."""
        if name in call.files:
            file_name, content = call.files[name]
            return self._store(content, file_name)
        stored = self._files.get(str(call.params.get(name)))
        if stored is None:
            raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return stored

    def _store(self, content: bytes, file_name: str) -> _StoredFile:
        """Keep `content` under a new file_id."""
        stored = _StoredFile(f"F{len(self._files) + 1:06d}", file_name, content)
        self._files[stored.file_id] = stored
        return stored


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Parameters and uploads from the query string and a JSON, form or multipart body."""
    params: dict[str, Any] = {name: _decode(name, value) for name, value in request.query.items()}
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type == "application/json":
        body = await request.read()
        params |= json.loads(body) if body else {}
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = (value.filename, value.file.read())
            else:
                params[name] = _decode(name, str(value))
    return params, files


def _decode(name: str, value: str) -> Any:
    """A form value as the Bot API types it: JSON for numbers, booleans, objects and arrays."""
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _chat_id(call: Call) -> int:
    """The call's integer chat_id (usernames like "@channel" are not supported)."""
    chat_id = call.params.get("chat_id")
    if not isinstance(chat_id, int) or isinstance(chat_id, bool):
        raise _ApiError(400, "Bad Request: chat not found")
    return chat_id


def _chat(chat_id: int) -> dict[str, Any]:
    """A Chat: positive ids are private chats, "-100…" supergroups, other negative ids groups."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}


def _content(params: dict[str, Any]) -> dict[str, Any]:
    """The text, caption and reply markup of a send or edit call, echoed into its Message."""
    return {k: params[k] for k in ("text", "caption", "reply_markup") if k in params}


def _commands_key(call: Call) -> tuple[str | None, str]:
    """Where setMyCommands stores commands: the scope (None for default) and language."""
    scope = call.params.get("scope")
    scope_key = None if scope in (None, {"type": "default"}) else json.dumps(scope, sort_keys=True)
    return scope_key, str(call.params.get("language_code", ""))


def _retry_after(times: deque[float], now: float, window: float, limit: int) -> int:
    """Whole seconds until one more event fits `limit` per sliding `window` (0 if it fits now)."""
    while times and times[0] <= now - window:
        times.popleft()
    if len(times) < limit:
        return 0
    return max(1, math.ceil(times[len(times) - limit] + window - now))
