"""Call-ups as rows: the draft HQ looks at, its numbers, and what /callups shows of each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.parsing import CallUpSpec, default_cap
from storage.callups.ranking import Candidate, Wanted, pick, rank, reachable
from storage.common.once import add_once
from storage.common.text import fold
from storage.common.times import aware
from storage.models import (
    CallUp,
    CallUpInvitation,
    CallUpStatus,
    Enterprise,
    Instructor,
    InvitationStatus,
)
from storage.people.districts import find_district
from storage.reports.records import match_enterprise


async def lock(session: AsyncSession, call_up_id: int) -> CallUp | None:
    """The call-up, after bumping its version: whoever changes a call-up's invitations does
    this first, so two transactions (two presses, two ticks, two instances) take turns — an
    UPDATE waits for the other's commit on PostgreSQL and SQLite alike, where SELECT … FOR UPDATE
    would not on SQLite."""
    await session.execute(
        update(CallUp).where(CallUp.id == call_up_id).values(version=CallUp.version + 1)
    )
    call_up = await session.get(CallUp, call_up_id, populate_existing=True)
    return call_up


async def create_draft(
    session: AsyncSession,
    spec: CallUpSpec,
    *,
    created_by: int,
    enterprise: Enterprise | None,
    target_district_id: int | None,
    request_key: str | None = None,
) -> CallUp:
    """Stores the call-up as a draft: nothing is sent until HQ presses 发出邀请."""
    industry = spec.industry or (enterprise.industry if enterprise else None)
    district_id = enterprise.district_id if enterprise else target_district_id
    return await add_once(
        session,
        CallUp(
            title=spec.title,
            target=enterprise.name if enterprise else spec.target,
            enterprise_id=enterprise.id if enterprise else None,
            target_district_id=district_id,
            target_industry=industry,
            size=spec.size,
            per_district=spec.cap,
            skills=spec.skills,
            districts=spec.districts,
            starts=spec.starts,
            ends=spec.ends,
            answer_minutes=spec.answer_minutes,
            deadline=spec.deadline,
            status=CallUpStatus.DRAFT.value,
            members=0,
            version=0,
            created_by=created_by,
            request_key=request_key,
        ),
    )


@dataclass
class Preview:
    """The ranking HQ sees before anything is sent."""

    call_up: CallUp
    candidates: list[Candidate]  # every eligible instructor, best first
    chosen: list[Candidate]  # those the first round would invite
    reachable: int  # the most places the candidates can fill, with 每区最多

    @property
    def enough(self) -> bool:
        return self.call_up.size <= self.reachable


async def preview(session: AsyncSession, call_up: CallUp, *, today: date) -> Preview:
    candidates = await rank(session, Wanted.of(call_up), today=today)
    chosen = pick(candidates, call_up.size, call_up.per_district)
    return Preview(call_up, candidates, chosen, reachable(candidates, call_up.per_district))


ADJUSTMENTS = {"more": (1, 0), "less": (-1, 0), "cap_more": (0, 1), "cap_less": (0, -1)}


async def adjust(session: AsyncSession, call_up_id: int, action: str) -> CallUp | None:
    """± one place or one per district on a draft; None if it is no longer a draft."""
    call_up = await lock(session, call_up_id)
    if call_up is None or call_up.status != CallUpStatus.DRAFT.value:
        return None
    size, cap = ADJUSTMENTS[action]
    old_default = call_up.per_district == default_cap(call_up.size)
    call_up.size = max(1, call_up.size + size)
    if size and old_default:
        call_up.per_district = default_cap(call_up.size)  # the default follows the size
    call_up.per_district = max(1, call_up.per_district + cap)
    return call_up


def state(call_up: CallUp, *, now: datetime, today: date) -> str:
    """draft, recruiting, full, closed (deadline passed, places open), running, ended,
    cancelled."""
    if call_up.status in (CallUpStatus.DRAFT.value, CallUpStatus.CANCELLED.value):
        return call_up.status
    if today > call_up.ends:
        return "ended"
    if today >= call_up.starts:
        return "running"
    if call_up.members >= call_up.size:
        return "full"
    if now >= aware(call_up.deadline):
        return "closed"
    return "recruiting"


async def list_callups(session: AsyncSession, *, limit: int = 10) -> list[tuple[CallUp, int]]:
    """The newest call-ups and how many invitations of each are open."""
    call_ups = list(await session.scalars(select(CallUp).order_by(CallUp.id.desc()).limit(limit)))
    open_counts: dict[int, int] = {}
    if call_ups:
        rows = await session.execute(
            select(CallUpInvitation.call_up_id, func.count())
            .where(
                CallUpInvitation.call_up_id.in_([c.id for c in call_ups]),
                CallUpInvitation.status == InvitationStatus.INVITED.value,
            )
            .group_by(CallUpInvitation.call_up_id)
        )
        open_counts = {cid: int(n) for cid, n in rows}
    return [(c, open_counts.get(c.id, 0)) for c in call_ups]


@dataclass
class Person:
    """One candidate as a call-up's status lists them."""

    invitation_id: int
    name: str
    district: str
    expires_at: datetime | None = None
    reason: str | None = None
    rating: int | None = None
    comment: str | None = None


@dataclass
class Detail:
    """One call-up: its people by where they stand."""

    call_up: CallUp
    people: dict[str, list[Person]] = field(default_factory=dict)

    def of(self, status: InvitationStatus) -> list[Person]:
        return self.people.get(status.value, [])


async def detail(session: AsyncSession, call_up_id: int) -> Detail | None:
    call_up = await session.get(CallUp, call_up_id)
    if call_up is None:
        return None
    rows = await session.execute(
        select(CallUpInvitation, Instructor)
        .join(Instructor, Instructor.id == CallUpInvitation.instructor_id)
        .where(CallUpInvitation.call_up_id == call_up_id)
        .order_by(CallUpInvitation.rank, CallUpInvitation.id)
    )
    people: dict[str, list[Person]] = defaultdict(list)
    for invitation, instructor in rows:
        people[invitation.status].append(
            Person(
                invitation.id,
                instructor.name,
                instructor.district.name,
                aware(invitation.expires_at),
                invitation.reason,
                invitation.rating,
                invitation.rating_comment,
            )
        )
    return Detail(call_up, dict(people))


async def memberships(session: AsyncSession, instructor_id: int) -> list[tuple[CallUp, int | None]]:
    """The call-ups an instructor served in (newest first) with HQ's rating, for /me and the
    annual evaluation."""
    rows = await session.execute(
        select(CallUp, CallUpInvitation.rating)
        .join(CallUpInvitation, CallUpInvitation.call_up_id == CallUp.id)
        .where(
            CallUpInvitation.instructor_id == instructor_id,
            CallUpInvitation.status == InvitationStatus.ACCEPTED.value,
            CallUp.status == CallUpStatus.RECRUITING.value,
        )
        .order_by(CallUp.starts.desc(), CallUp.id.desc())
    )
    return [(call_up, rating) for call_up, rating in rows]


@dataclass
class Target:
    """What 对象 named: an enterprise of the registry, else a district or an industry, else
    only words (with close enterprise names to mention)."""

    enterprise: Enterprise | None = None
    district_id: int | None = None
    industry: str | None = None
    suggestions: list[str] = field(default_factory=list)


async def resolve_target(session: AsyncSession, text: str, districts: dict[str, int]) -> Target:
    """Matches 对象 like a report's target; a district name or a known industry also serves."""
    match = await match_enterprise(session, text)
    if match.enterprise is not None:
        return Target(enterprise=match.enterprise)
    name = find_district(districts, text)
    if name is not None:
        return Target(district_id=districts[name])
    industries = await session.scalars(select(Enterprise.industry).distinct())
    known = {fold(i): i for i in industries if i}
    if fold(text) in known:
        return Target(industry=known[fold(text)])
    return Target(suggestions=[e.name for e in match.suggestions])
