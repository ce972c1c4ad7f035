"""Steps several test modules share: people joining from the sample roster.

Test modules import helpers from here (and from harness, files, reports_data), never from
each other, so that a test file can be moved, split or run alone without dragging others in.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.conftest import HQ_ID
from tests.files import SAMPLE_ROSTER, xlsx
from tests.harness import Person, World

# Telegram ids of the sample roster's instructors once they join (see joined()).
LI, WANG = 501, 502


async def import_sample(world: World) -> dict[str, str]:
    """HQ uploads the sample roster; returns each instructor's invite code by name."""
    hq = world.person(HQ_ID, "总部")
    replies = await hq.upload(xlsx(SAMPLE_ROSTER), "roster.xlsx")
    assert "✅" in replies.text, replies.text
    (_, content) = replies.documents[0]
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    return {str(row[0]): str(row[2]) for row in rows[1:]}


async def joined(world: World) -> tuple[Person, Person, Person]:
    """HQ, and 李红 and 王建国 of 西城 who joined by invite; 赵敏 of 平谷 has not joined."""
    codes = await import_sample(world)
    li, wang = world.person(LI, "Li"), world.person(WANG, "Wang")
    await li.send(f"/start {codes['李红']}")
    await wang.send(f"/start {codes['王建国']}")
    return world.person(HQ_ID, "总部"), li, wang
