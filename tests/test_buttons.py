"""The button-data codec: every kind fits Telegram's 64 bytes, round-trips, routes unambiguously,
and buttons sent before the prefixes were renamed still work."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.texts import t
from schedules.delivery import Sender
from storage.common import buttons
from storage.common.buttons import (
    BindButton,
    ButtonData,
    MyReportButton,
    NoticeButton,
    ReportStepButton,
    ScheduleButton,
)
from storage.db import Sessions
from storage.messaging import notices, outbox
from storage.models import Notice, NoticeRecipient
from tests.conftest import HQ_ID
from tests.harness import Chat, World
from tests.support import LI, joined

KINDS = ButtonData.__subclasses__()


def test_every_kind_of_button_is_known() -> None:
    """The kinds are the subclasses of ButtonData, each with its own prefix."""
    assert len(KINDS) >= 13
    prefixes = [kind.prefix for kind in KINDS]
    assert len(set(prefixes)) == len(prefixes)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_the_longest_data_fits_and_round_trips(kind: type[ButtonData]) -> None:
    """The longest data a kind can have is at most 64 UTF-8 bytes, and parses back."""
    longest = kind.longest()
    data = longest.pack()
    assert len(data.encode()) <= buttons.LIMIT, data
    assert data.startswith(kind.prefix + buttons.SEPARATOR)
    assert kind.unpack(data) == longest


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_only_its_own_pattern_routes_a_kind(kind: type[ButtonData]) -> None:
    """A CallbackQueryHandler's pattern takes its kind and no other kind."""
    data = kind.longest().pack()
    routed = [other for other in KINDS if re.match(other.pattern(), data)]
    assert routed == [kind]


def test_build_parse_and_pattern() -> None:
    """Typed fields in, typed fields out; a pattern may fix a field; optional fields trail."""
    assert NoticeButton(12, "confirm").pack() == "notice:12:confirm"
    assert NoticeButton.unpack("notice:12:remind") == NoticeButton(12, "remind")
    assert ScheduleButton.unpack(ScheduleButton("nudge", True).pack()).on is True
    assert BindButton("city").pack() == "bind:city"
    assert BindButton.unpack("bind:district:7") == BindButton("district", 7)
    assert ReportStepButton("ok").pack() == "report:ok"
    assert ReportStepButton.unpack("report:count:5") == ReportStepButton("count", "5")
    status = NoticeButton.pattern(action="status")
    assert re.match(status, "notice:12:status")
    assert not re.match(status, "notice:12:confirm")


def test_what_does_not_fit_is_refused() -> None:
    """Data that would not route is refused when built, and foreign data when parsed."""
    with pytest.raises(ValueError):
        ReportStepButton("type", "a:b").pack()
    with pytest.raises(ValueError):
        ReportStepButton("type", "x" * 25).pack()
    with pytest.raises(ValueError):
        NoticeButton.unpack("notice:12:delete")
    with pytest.raises(ValueError):
        NoticeButton.unpack("callup:12:confirm")
    with pytest.raises(TypeError):
        NoticeButton.pattern(color="red")


def test_a_kind_cannot_hold_more_than_telegram_takes() -> None:
    """A kind whose longest data exceeds 64 bytes refuses to pack it."""

    @dataclass(frozen=True)
    class TooLong(ButtonData, prefix="too_long"):
        a: int
        b: int
        c: int

    data = TooLong.longest()
    with pytest.raises(ValueError):
        data.pack()


def test_legacy_data_still_parses_and_routes() -> None:
    """Buttons sent before the rename (nc:12, rx:5, bind:d:3, sc:nudge:1) mean the same."""
    assert NoticeButton.unpack("nc:12") == NoticeButton(12, "confirm")
    assert re.match(NoticeButton.pattern(action="confirm"), "nc:12")
    assert not re.match(NoticeButton.pattern(action="status"), "nc:12")
    assert MyReportButton.unpack("rx:5") == MyReportButton(5, "erase")
    assert re.match(MyReportButton.pattern(action="erase"), "rx:5")
    assert BindButton.unpack("bind:d:3") == BindButton("district", 3)
    assert ScheduleButton.unpack("sc:nudge:1") == ScheduleButton("nudge", True)


def test_the_outbox_confirm_button_uses_the_codec() -> None:
    """storage/ enqueues 收到 with data from the same codec the handler routes on."""
    buttons = notices.confirm_buttons(t, "zh_CN", 12)
    message = outbox.Outgoing("notice:12:i:1", 501, "通知", "notice", buttons=buttons)
    [[[label, data]]] = message.row(datetime.now(UTC))["payload"]["buttons"]
    assert label == t("zh_CN", "notice.button.confirm")
    assert data == "notice:12:confirm"
    assert re.match(NoticeButton.pattern(action="confirm"), data)


async def test_a_confirm_button_sent_before_the_rename_still_confirms(
    world: World, sessions: Sessions
) -> None:
    """收到 under a notice delivered before the upgrade carries `nc:<id>`: it still confirms."""
    hq, li, _ = await joined(world)
    sender = Sender(world.app.bot, sessions)
    world.app.bot_data["sender"] = sender
    await hq.send("/notice 全体 请于周五前提交季度小结")
    await sender.drain()
    async with sessions() as session:
        notice_id = await session.scalar(select(Notice.id))
    pressed = {
        "callback_query": {
            "id": "old-1",
            "from": li.user,
            "chat_instance": str(LI),
            "data": f"nc:{notice_id}",
            "message": {"message_id": 1, "date": 0, "chat": {"id": LI, "type": "private"}},
        }
    }
    replies = await world.process(pressed, Chat(LI))
    assert t("zh_CN", "notice.confirm.thanks") in replies.text
    async with sessions() as session:
        confirmed = await session.scalar(
            select(NoticeRecipient.instructor_id).where(NoticeRecipient.confirmed_at.is_not(None))
        )
    assert confirmed is not None


@pytest.mark.parametrize("data", ["rp:type:visit", "nf:aud:all", "nobody:knows:this"])
async def test_a_button_nobody_handles_is_answered_not_left_spinning(
    world: World, data: str
) -> None:
    """A press on a button no handler knows (a flow's old form, a message long gone) gets an
    alert saying the button no longer works, instead of a spinning button."""
    hq = world.person(HQ_ID)
    pressed = {
        "callback_query": {
            "id": f"stale-{data}",
            "from": hq.user,
            "chat_instance": str(HQ_ID),
            "data": data,
            "message": {"message_id": 1, "date": 0, "chat": {"id": HQ_ID, "type": "private"}},
        }
    }
    replies = await world.process(pressed, Chat(HQ_ID))
    assert replies.alerts == [t("zh_CN", "button.stale")]
    assert list(replies) == []
