"""A training's attendance sheet (.xlsx): the training on top, then one row per seat.

The titles are part of the contract (as the report export's are):

    培训 / 时间 / 地点     the training, its time in the bot's zone, its place
    姓名, 所属区, 层级, 回复, 请假原因, 签到时间, 分组, 角色

回复 is 参加, 候补 n (the place on the waiting list), 请假, 未回复 or 现场签到 (a walk-in);
分组 and 角色 (职工方 / 企业方, ·组长 for a lead) are the last /breakout's. Rows run 参加,
现场签到, 候补 in queue order, 请假, 未回复, each by district (in the official order) and
name. Text cells never start a formula (storage.common.spreadsheets.xlsx_bytes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.spreadsheets import xlsx_bytes
from storage.common.text import LEVEL_LABELS
from storage.common.times import aware
from storage.models import District, Instructor, SeatStatus, Training, TrainingSeat
from storage.trainings.breakout import LEAD_LABEL, SIDE_LABELS
from storage.trainings.records import when_text

SHEET_TITLE = "签到表"
COLUMNS: tuple[str, ...] = (
    "姓名",
    "所属区",
    "层级",
    "回复",
    "请假原因",
    "签到时间",
    "分组",
    "角色",
)

ANSWERS: dict[str, str] = {
    SeatStatus.ATTENDING.value: "参加",
    SeatStatus.WALK_IN.value: "现场签到",
    SeatStatus.WAITING.value: "候补",
    SeatStatus.LEAVE.value: "请假",
    SeatStatus.INVITED.value: "未回复",
}
ORDER = {status: i for i, status in enumerate(ANSWERS)}


def _local(moment: datetime, tz: ZoneInfo, pattern: str) -> str:
    return aware(moment).astimezone(tz).strftime(pattern)


def _role(seat: TrainingSeat) -> str | None:
    if seat.side is None:
        return None
    side = SIDE_LABELS.get(seat.side, seat.side)
    return f"{side}·{LEAD_LABEL}" if seat.lead else side


async def attendance_sheet(session: AsyncSession, training_id: int, tz: ZoneInfo) -> bytes:
    """The .xlsx attendance sheet of a training (LookupError if there is none)."""
    training = await session.get(Training, training_id)
    if training is None:
        raise LookupError(f"no training {training_id}")
    rows = await session.execute(
        select(TrainingSeat, Instructor.name, District.name, Instructor.level, District.id)
        .join(Instructor, Instructor.id == TrainingSeat.instructor_id)
        .join(District, District.id == Instructor.district_id)
        .where(TrainingSeat.training_id == training_id)
    )
    seats = sorted(
        rows,
        key=lambda row: (
            ORDER.get(row[0].status, len(ORDER)),
            row[0].queue_no or 0,
            row[4],
            row[1],
            row[0].id,
        ),
    )
    waiting = 0
    table: list[list[Any]] = [
        ["培训", training.title],
        ["时间", when_text(training, tz)],
        ["地点", training.place],
        [],
        list(COLUMNS),
    ]
    for seat, name, district, level, _ in seats:
        answer = ANSWERS.get(seat.status, seat.status)
        if seat.status == SeatStatus.WAITING.value:
            waiting += 1
            answer = f"{answer} {waiting}"
        table.append(
            [
                name,
                district,
                LEVEL_LABELS.get(level, level),
                answer,
                seat.reason if seat.status == SeatStatus.LEAVE.value else None,
                _local(seat.checked_in_at, tz, "%Y-%m-%d %H:%M") if seat.checked_in_at else None,
                seat.group_no,
                _role(seat),
            ]
        )
    return xlsx_bytes({SHEET_TITLE: table})
