"""Telegram groups bound to a scope (city, district, team), and their migration to supergroups."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CallUp, CallUpStatus, Group, GroupScope

# A call-up id as people type it: `3` or `#3`; more digits than any id would overflow a column.
TEAM_ID = re.compile(r"#?(\d{1,9})")


class TeamProblem(Exception):
    """A call-up whose team cannot be addressed: .code "unknown", "draft" (no invitation sent
    yet, so no team) or "cancelled"."""

    def __init__(self, code: str, call_up_id: int) -> None:
        super().__init__(code, call_up_id)
        self.code = code
        self.call_up_id = call_up_id


def team_id(text: str) -> int | None:
    """The call-up id in `3` or `#3`, or None when the text is no id."""
    match = TEAM_ID.fullmatch(text.strip())
    return int(match.group(1)) if match else None


async def find_team(session: AsyncSession, call_up_id: int) -> CallUp:
    """The call-up whose team a group or a notice may address; raises TeamProblem."""
    call_up = await session.get(CallUp, call_up_id)
    if call_up is None:
        raise TeamProblem("unknown", call_up_id)
    if call_up.status == CallUpStatus.DRAFT.value:
        raise TeamProblem("draft", call_up_id)
    if call_up.status == CallUpStatus.CANCELLED.value:
        raise TeamProblem("cancelled", call_up_id)
    return call_up


async def bind_group(
    session: AsyncSession,
    chat_id: int,
    *,
    title: str | None,
    scope: GroupScope,
    district_id: int | None,
    bound_by: int,
    team_id: int | None = None,
) -> Group:
    """Binds a group to a scope (a team: the call-up `team_id`); binding it again replaces the
    earlier scope."""
    group = (await session.scalars(select(Group).where(Group.chat_id == chat_id))).first()
    if group is None:
        group = Group(chat_id=chat_id)
        session.add(group)
    group.title = title
    group.scope = scope.value
    group.district_id = district_id if scope is GroupScope.DISTRICT else None
    group.team_id = team_id if scope is GroupScope.TEAM else None
    group.bound_by = bound_by
    await session.flush()
    await session.refresh(group, ["district"])
    return group


async def find_group(session: AsyncSession, chat_id: int) -> Group | None:
    return (await session.scalars(select(Group).where(Group.chat_id == chat_id))).first()


async def unbind_group(session: AsyncSession, chat_id: int) -> Group | None:
    """Removes a group's binding; returns what it was."""
    group = await find_group(session, chat_id)
    if group is not None:
        await session.delete(group)
    return group


async def migrate_group(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> bool:
    """Moves a binding to the supergroup's new id; tells whether one moved (twice is harmless)."""
    if await find_group(session, new_chat_id) is not None:
        return False
    result = await session.execute(
        update(Group).where(Group.chat_id == old_chat_id).values(chat_id=new_chat_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def list_groups(session: AsyncSession, district_id: int | None = None) -> list[Group]:
    """Bound groups, all or those of one district."""
    query = select(Group).order_by(Group.scope, Group.id)
    if district_id is not None:
        query = query.where(Group.district_id == district_id)
    return list(await session.scalars(query))


async def team_groups(session: AsyncSession, call_up_id: int) -> list[Group]:
    """The groups bound to a call-up's team, in the order they were bound."""
    return list(
        await session.scalars(
            select(Group)
            .where(Group.scope == GroupScope.TEAM.value, Group.team_id == call_up_id)
            .order_by(Group.id)
        )
    )
