"""When Telegram answers 400, 403 or 429, the user is told and nothing is lost or half-written."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import CommandHandler
from telegram.request import HTTPXRequest

from bot.app import build_application
from bot.context import Context
from bot.sandbox.botapi import BotApiStandIn
from storage.db import Sessions
from storage.models import Instructor
from tests.conftest import HQ_ID, make_settings
from tests.files import SAMPLE_ROSTER, xlsx
from tests.harness import World


def codes(sheet: bytes) -> dict[str, str]:
    rows = list(load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    return {str(r[0]): str(r[2]) for r in rows[1:]}


async def test_a_file_telegram_will_not_hand_over_is_reported(
    world: World, sessions: Sessions
) -> None:
    """A 400 from getFile ends in a 'something went wrong' message and an untouched database."""
    world.standin.fail_next("getFile", error_code=400, description="Bad Request: file is too big")
    replies = await world.person(HQ_ID).upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    assert "出了点问题" in replies.text
    async with sessions() as session:
        assert (await session.execute(select(func.count(Instructor.id)))).scalar_one() == 0


async def test_a_429_on_the_invite_sheet_loses_nothing(world: World, sessions: Sessions) -> None:
    """The pacer waits out the 429 and sends the sheet again, so it arrives; a re-upload brings
    the same invite codes back."""
    hq = world.person(HQ_ID)
    world.standin.fail_next(
        "sendDocument",
        error_code=429,
        description="Too Many Requests: retry after 1",
        parameters={"retry_after": 1},
    )
    first = await hq.upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    refused, accepted = world.standin.calls_to("sendDocument", HQ_ID)
    assert refused.rejected and not accepted.rejected
    assert accepted.at >= refused.at + 1.0
    assert "出了点问题" not in first.text and len(first.documents) == 1
    again = await hq.upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    assert "未变 3 人" in again.text
    sheet = codes(again.documents[0][1])
    assert set(sheet) == {"王建国", "李红", "赵敏"}
    third = await hq.upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    assert codes(third.documents[0][1]) == sheet


async def test_a_user_who_blocked_the_bot_does_not_break_it(
    world: World, sessions: Sessions
) -> None:
    """A 403 on a reply is logged; the binding that preceded it stays, and the bot keeps working."""
    hq = world.person(HQ_ID)
    await hq.upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    async with sessions() as session:
        from storage.models import Invite

        code = (
            await session.scalars(select(Invite.code).where(Invite.instructor.has(name="李红")))
        ).one()
    world.standin.fail_next(
        "sendMessage",
        chat_id=501,
        error_code=403,
        description="Forbidden: bot was blocked by the user",
        times=2,
    )
    await world.person(501).send(f"/start {code}")
    async with sessions() as session:
        li = (await session.scalars(select(Instructor).where(Instructor.name == "李红"))).one()
    assert li.telegram_id == 501
    assert "指导员" in (await hq.send("/people")).text


async def test_a_reply_refused_with_a_bad_gateway_is_sent_again(world: World) -> None:
    """A 502 means Telegram did not send the reply: it is tried again and arrives once."""
    world.standin.fail_next("sendMessage", chat_id=HQ_ID, error_code=502, description="Bad Gateway")
    replies = await world.person(HQ_ID).send("/help")
    assert [c.rejected for c in replies.calls if c.method == "sendMessage"] == [True, False]
    assert "/notice" in replies.text and "出了点问题" not in replies.text


@pytest.fixture
async def impatient(
    database_url: str, sessions: Sessions, standin: BotApiStandIn
) -> AsyncIterator[World]:
    """The application waiting at most 0.3 s for Telegram's answer, so a late answer times out.

    It holds two connections to the stand-in, as a running bot does: whatever it sends after a
    lost answer goes over the other one, not a new one (World.process would wait for the task
    the stand-in starts for a new connection)."""
    request = HTTPXRequest(connection_pool_size=16, read_timeout=0.3)
    app = build_application(make_settings(database_url, standin), sessions, request=request)
    async with app:
        await asyncio.gather(app.bot.get_me(), app.bot.get_me())
        yield World(app, standin)


@pytest.mark.parametrize("lost", ["timed out", "connection closed"])
async def test_a_reply_whose_answer_was_lost_is_not_followed_by_an_error(
    impatient: World, lost: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A reply whose answer never came back may have arrived: the user is not told that
    something went wrong (it is logged)."""
    if lost == "timed out":
        impatient.standin.delay_next("sendMessage", 1.0, chat_id=HQ_ID)
    else:
        impatient.standin.drop_next("sendMessage", chat_id=HQ_ID)
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        replies = await impatient.person(HQ_ID).send("/help")
    assert [c.method for c in replies.calls] == ["sendMessage"]
    assert "/notice" in replies.text and "出了点问题" not in replies.text
    assert "may have arrived" in caplog.text


async def test_a_crash_in_a_handler_is_still_reported(impatient: World) -> None:
    """A handler that fails by itself, not on a lost answer, still tells the user."""

    async def crash(update: Update, context: Context) -> None:
        raise RuntimeError("a bug")

    impatient.app.add_handler(CommandHandler("crash", crash), group=-1)
    replies = await impatient.person(HQ_ID).send("/crash")
    assert "出了点问题" in replies.text
