"""The one router for typed text in a private chat: it reaches the flow the sender is in, each
flow registered in bot/app.py; without a flow the text gets a pointer to /help."""

from __future__ import annotations

import pytest

from bot.flows import FlowRouter
from bot.handlers.welcome import point_to_help
from bot.texts import t
from storage.db import Sessions
from storage.messaging import conversations
from tests.conftest import HQ_ID
from tests.harness import Person, World
from tests.support import LI, import_sample


async def instructor(world: World) -> Person:
    """李红 of 西城, joined by her invite."""
    codes = await import_sample(world)
    li = world.person(LI, "Li")
    await li.send(f"/start {codes['李红']}")
    return li


async def in_flow(
    sessions: Sessions, telegram_id: int, flow: str, step: str, **data: object
) -> None:
    async with sessions.begin() as session:
        await conversations.save(session, telegram_id, flow=flow, step=step, data=dict(data))


async def test_text_without_a_flow_points_to_help(world: World, sessions: Sessions) -> None:
    """Typed text while no flow waits for it gets the pointer to /help, nothing else."""
    li = await instructor(world)
    replies = await li.send("维达纸业")
    assert list(replies) == [t("zh_CN", "hint.help")]
    stranger = await world.person(999).send("你好")
    assert list(stranger) == [t("zh_CN", "refused.stranger")]


async def test_the_guided_report_receives_typed_text(world: World, sessions: Sessions) -> None:
    """The report flow, registered in bot/app.py, takes the count typed at its count step."""
    li = await instructor(world)
    await in_flow(sessions, LI, "report", "count", type="visit", target="维达纸业")
    replies = await li.send("5人次")
    assert list(replies) == [t("zh_CN", "flow.ask_day")]
    async with sessions() as session:
        conversation = await conversations.load(session, LI)
    assert conversation is not None and conversation.step == "day"
    assert conversation.data["person_times"] == 5


async def test_the_guided_notice_receives_typed_text(world: World, sessions: Sessions) -> None:
    """The notice flow, registered in bot/app.py, takes the text typed at its text step."""
    await import_sample(world)
    hq = world.person(HQ_ID, "总部")
    await in_flow(sessions, HQ_ID, "notice", "text", audience="all", value=None)
    replies = await hq.send("周五前提交季度小结")
    assert list(replies) == [t("zh_CN", "notice.ask_confirm")]
    async with sessions() as session:
        conversation = await conversations.load(session, HQ_ID)
    assert conversation is not None and conversation.step == "confirm"
    assert conversation.data["text"] == "周五前提交季度小结"


async def test_a_flow_nobody_registered_points_to_help(world: World, sessions: Sessions) -> None:
    """A conversation of a flow that is not registered (renamed, removed) is left alone."""
    li = await instructor(world)
    await in_flow(sessions, LI, "retired_flow", "text")
    assert list(await li.send("维达纸业")) == [t("zh_CN", "hint.help")]


def test_a_flow_registers_once() -> None:
    """Two steps for one flow name would hide one of them: refused."""

    async def step(*_: object) -> None:
        return None

    router = FlowRouter(fallback=point_to_help)
    router.add("report", step)
    with pytest.raises(ValueError):
        router.add("report", step)
