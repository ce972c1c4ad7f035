"""Telegram groups bound to a scope (city, district, team), and their migration to supergroups."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Group, GroupScope


async def bind_group(
    session: AsyncSession,
    chat_id: int,
    *,
    title: str | None,
    scope: GroupScope,
    district_id: int | None,
    bound_by: int,
) -> Group:
    """Binds a group to a scope; binding it again replaces the earlier scope."""
    group = (await session.scalars(select(Group).where(Group.chat_id == chat_id))).first()
    if group is None:
        group = Group(chat_id=chat_id)
        session.add(group)
    group.title = title
    group.scope = scope.value
    group.district_id = district_id if scope is GroupScope.DISTRICT else None
    group.team_id = None
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
