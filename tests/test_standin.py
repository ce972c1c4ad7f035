"""The Bot API stand-in answers a real PTB Bot the way Telegram would."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
)
from telegram.request import HTTPXRequest

from bot.sandbox.botapi import BotApiStandIn

TOKEN = "123:ABC"
USER = 4242
GROUP = -1001234
CALLBACK: dict[str, Any] = {
    "id": "1",
    "from": {"id": USER, "is_bot": False, "first_name": "U"},
    "chat_instance": "c",
    "data": "yes",
}


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns when RetryAfter.retry_after is an int; opt in to timedeltas."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    """A running stand-in."""
    async with BotApiStandIn() as server:
        yield server


def _request(proxy: str | None = None) -> HTTPXRequest:
    """A PTB request that skips loading CA certificates (50 ms per client; all traffic is HTTP)."""
    return HTTPXRequest(proxy=proxy, httpx_kwargs={"verify": False})


@pytest.fixture
async def bot(standin: BotApiStandIn) -> AsyncIterator[Bot]:
    """An initialized PTB Bot talking to the stand-in."""
    bot = Bot(
        TOKEN,
        base_url=f"{standin.url}/bot",
        base_file_url=f"{standin.url}/file/bot",
        request=_request(),
        get_updates_request=_request(),
    )
    async with bot:
        yield bot


async def test_get_me(standin: BotApiStandIn, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name) == (999000, "xieshang_test_bot", "协商通")
    assert me.is_bot and me.can_join_groups and not me.can_read_all_group_messages
    call = standin.calls_to("getMe")[-1]
    assert (call.token, call.via_proxy, call.rejected) == (TOKEN, False, False)


async def test_messages_are_recorded_and_numbered_per_chat(
    standin: BotApiStandIn, bot: Bot
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("是", callback_data="yes")]])
    first = await bot.send_message(USER, "一", reply_markup=markup)
    second = await bot.send_message(USER, "二")
    in_group = await bot.send_message(GROUP, "三")
    assert [first.message_id, second.message_id, in_group.message_id] == [1, 2, 1]
    assert first.reply_markup == markup and first.from_user and first.from_user.id == 999000
    assert (first.chat.type, in_group.chat.type) == ("private", "supergroup")
    assert standin.texts(USER) == ["一", "二"] and standin.texts(GROUP) == ["三"]
    call = standin.calls_to("sendMessage", chat_id=USER)[0]
    assert call.params["reply_markup"] == markup.to_dict()


async def test_edit_message_text_replaces_text_and_refuses_no_op(
    standin: BotApiStandIn, bot: Bot
) -> None:
    sent = await bot.send_message(USER, "old")
    edited = await bot.edit_message_text("new", chat_id=USER, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.text == "new" and edited.message_id == 1
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("new", chat_id=USER, message_id=sent.message_id)
    assert standin.texts(USER) == ["old", "new"]


async def test_sent_document_is_recorded_and_downloadable(standin: BotApiStandIn, bot: Bot) -> None:
    message = await bot.send_document(USER, b"roster", filename="roster.xlsx", caption="名单")
    assert standin.calls_to("sendDocument")[0].files == {"document": ("roster.xlsx", b"roster")}
    assert message.document and message.document.file_name == "roster.xlsx"
    file = await message.document.get_file()
    assert await file.download_as_bytearray() == b"roster"
    assert standin.texts(USER) == ["名单"]


async def test_added_file_is_downloadable(standin: BotApiStandIn, bot: Bot) -> None:
    file_id = standin.add_file(b"\x00data", "upload.xlsx")
    file = await bot.get_file(file_id)
    assert file.file_size == 5
    assert await file.download_as_bytearray() == b"\x00data"


async def test_unknown_file_id_is_a_bad_request(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


@pytest.mark.parametrize(
    ("error_code", "description", "parameters", "error"),
    [
        (429, "Too Many Requests: retry after 3", {"retry_after": 3}, RetryAfter),
        (403, "Forbidden: bot was blocked by the user", None, Forbidden),
        (400, "Bad Request: chat not found", None, BadRequest),
        (400, "Bad Request: group chat was upgraded", {"migrate_to_chat_id": -1009}, ChatMigrated),
    ],
)
async def test_fail_next_raises_the_matching_error(
    standin: BotApiStandIn,
    bot: Bot,
    error_code: int,
    description: str,
    parameters: dict[str, int] | None,
    error: type[Exception],
) -> None:
    standin.fail_next(
        "sendMessage",
        error_code=error_code,
        description=description,
        chat_id=USER,
        parameters=parameters,
    )
    await bot.send_message(GROUP, "other chat is unaffected")
    with pytest.raises(error) as raised:
        await bot.send_message(USER, "hi")
    if isinstance(raised.value, RetryAfter):
        assert raised.value.retry_after == dtm.timedelta(seconds=3)
    if isinstance(raised.value, ChatMigrated):
        assert raised.value.new_chat_id == -1009
    assert (await bot.send_message(USER, "again")).message_id == 1
    assert [call.rejected for call in standin.calls_to(chat_id=USER)] == [True, False]
    assert standin.texts(USER) == ["again"]
    assert standin.too_many_requests == (error_code == 429)


async def test_dropped_response_is_a_network_error_but_performed(
    standin: BotApiStandIn, bot: Bot
) -> None:
    standin.drop_next("sendMessage", times=1)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "lost")
    assert (await bot.send_message(USER, "kept")).message_id == 2
    assert standin.texts(USER) == ["lost", "kept"]


async def test_get_updates_returns_pushed_updates_and_honours_offset(
    standin: BotApiStandIn, bot: Bot
) -> None:
    message = {"message_id": 1, "date": 0, "chat": {"id": USER, "type": "private"}, "text": "/s"}
    standin.push_update({"message": message})
    standin.push_update({"message": {**message, "message_id": 2}})
    assert [u.update_id for u in await bot.get_updates()] == [1, 2]
    assert [u.update_id for u in await bot.get_updates(offset=2)] == [2]
    assert await bot.get_updates(offset=3, timeout=0) == ()


async def test_long_poll_wakes_when_an_update_is_pushed(standin: BotApiStandIn, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    standin.push_update({"update_id": 7, "callback_query": CALLBACK})
    updates = await asyncio.wait_for(poll, 1)
    assert [u.update_id for u in updates] == [7]
    assert updates[0].callback_query and updates[0].callback_query.data == "yes"


async def test_stopping_ends_a_long_poll(standin: BotApiStandIn, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.sleep(0.05)
    await asyncio.wait_for(standin.stop(), 1)
    assert await asyncio.wait_for(poll, 1) == ()


async def test_rate_limit_refuses_a_second_message_to_a_private_chat(
    standin: BotApiStandIn, bot: Bot
) -> None:
    standin.rate_limits = True
    await bot.send_message(USER, "one")
    await bot.send_message(USER + 1, "another chat")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(USER, "two")
    assert raised.value.retry_after == dtm.timedelta(seconds=1)
    assert standin.too_many_requests == 1
    assert standin.calls_to(chat_id=USER)[-1].rejected
    assert standin.texts(USER) == ["one"]


async def test_rate_limit_allows_twenty_messages_a_minute_to_a_group(
    standin: BotApiStandIn, bot: Bot
) -> None:
    standin.rate_limits = True
    for n in range(20):
        await bot.send_message(GROUP, f"{n}")
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "21st")


async def test_rate_limit_allows_thirty_sends_a_second_overall(
    standin: BotApiStandIn, bot: Bot
) -> None:
    standin.rate_limits = True
    for chat_id in range(1, 31):
        await bot.send_message(chat_id, "hi")
    with pytest.raises(RetryAfter):
        await bot.send_message(31, "hi")
    assert standin.too_many_requests == 1


async def test_latency_delays_answers(standin: BotApiStandIn, bot: Bot) -> None:
    standin.latency = 0.2
    loop = asyncio.get_running_loop()
    started = loop.time()
    await bot.send_chat_action(USER, "typing")
    assert loop.time() - started >= 0.2


async def test_proxy_requests_are_answered(standin: BotApiStandIn) -> None:
    bot = Bot(TOKEN, base_url="http://api.telegram.invalid/bot", request=_request(standin.url))
    async with bot:
        assert bot.username == "xieshang_test_bot"
    assert [call.via_proxy for call in standin.calls_to("getMe")] == [True]


async def test_unknown_method_is_not_found(standin: BotApiStandIn, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": USER})
    assert standin.calls_to("sendTelepathy")[0].rejected


async def test_chat_queries_and_settings_deserialize(standin: BotApiStandIn, bot: Bot) -> None:
    standin.member_status[GROUP] = "administrator"
    me_there = await bot.get_chat_member(GROUP, bot.id)
    assert isinstance(me_there, ChatMemberAdministrator) and me_there.can_delete_messages
    assert (await bot.get_chat_member(GROUP, USER)).status == "member"
    chat = await bot.get_chat(GROUP)
    assert (chat.type, chat.max_reaction_count) == ("supergroup", 11)
    commands = [BotCommand("start", "开始")]
    assert await bot.set_my_commands(commands, scope=BotCommandScopeAllGroupChats())
    assert await bot.get_my_commands() == ()
    assert await bot.get_my_commands(scope=BotCommandScopeAllGroupChats()) == tuple(commands)


async def test_webhook_is_remembered_and_blocks_get_updates(
    standin: BotApiStandIn, bot: Bot
) -> None:
    await bot.set_webhook("https://bot.example/hook", secret_token="s3cret")
    assert standin.webhook == {"url": "https://bot.example/hook", "secret_token": "s3cret"}
    assert (await bot.get_webhook_info()).url == "https://bot.example/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    standin.push_update({"callback_query": CALLBACK})
    await bot.delete_webhook(drop_pending_updates=True)
    assert standin.webhook is None
    assert await bot.get_updates() == ()


async def test_json_bodies_and_query_strings_are_read(standin: BotApiStandIn) -> None:
    async with aiohttp.ClientSession() as session:
        url = f"{standin.url}/bot{TOKEN}/sendMessage"
        async with session.post(url, json={"chat_id": USER, "text": "123"}) as response:
            answer = await response.json()
        async with session.get(url, params={"chat_id": str(USER), "text": "true"}) as response:
            assert response.status == 200
    assert answer["result"]["text"] == "123" and answer["result"]["chat"]["id"] == USER
    assert [call.params for call in standin.calls] == [
        {"chat_id": USER, "text": "123"},
        {"chat_id": USER, "text": "true"},
    ]
