"""Recruiting a team: invitations through the outbox, answers, backfill, the deadline.

Every change to a call-up's invitations starts by locking the call-up (records.lock), and
every change of an invitation is an UPDATE … WHERE status = <the status it expects>: a second
press, a press racing the tick, or a second instance finds the row already moved and changes
nothing. Places are counted from the rows (members + open invitations), so filling again finds
no place to fill: a backfill happens once, however often the tick runs.

Texts are composed by the `translate(lang, key, **values)` the caller passes in a `Voice`, as
notices do, so the tick (schedules/) and the handlers (bot/) word them the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.ranking import Wanted, pick, rank
from storage.callups.records import lock
from storage.common.buttons import CallUpButton, InvitationButton
from storage.common.times import aware
from storage.messaging import outbox
from storage.models import (
    CallUp,
    CallUpInvitation,
    CallUpStatus,
    District,
    Group,
    GroupScope,
    Instructor,
    InvitationStatus,
    OutboxMessage,
    OutboxStatus,
)
from storage.people.access import languages

Translate = Callable[..., str]

INVITE_KIND = "callup_invite"  # outbox rows of invitations: their 403s pass the place on
KIND = "callup"  # everything else a call-up sends


@dataclass(frozen=True)
class Voice:
    """How messages are worded: the bot's texts, its default language and time zone."""

    translate: Translate
    language: str
    timezone: ZoneInfo

    def when(self, moment: datetime) -> str:
        return aware(moment).astimezone(self.timezone).strftime("%m-%d %H:%M")

    def today(self, now: datetime) -> date:
        return now.astimezone(self.timezone).date()

    async def langs(self, session: AsyncSession, telegram_ids: Iterable[int]) -> dict[int, str]:
        """Each account's chosen language, the bot's default where none was chosen."""
        ids = list(telegram_ids)
        found = await languages(session, ids)
        return {i: found.get(i) or self.language for i in ids}


async def _tell_hq(
    session: AsyncSession, voice: Voice, call_up: CallUp, key: str, text_key: str, **values: object
) -> outbox.Outgoing:
    lang = (await voice.langs(session, [call_up.created_by]))[call_up.created_by]
    text = voice.translate(lang, text_key, id=call_up.id, title=call_up.title, **values)
    buttons: outbox.Buttons = [
        [(voice.translate(lang, "callup.button.status"), CallUpButton(call_up.id, "status"))]
    ]
    return outbox.Outgoing(
        f"callup:{call_up.id}:{key}", call_up.created_by, text, KIND, call_up.id, buttons=buttons
    )


async def _counts(session: AsyncSession, call_up_id: int) -> Counter[str]:
    rows = await session.execute(
        select(CallUpInvitation.status, func.count())
        .where(CallUpInvitation.call_up_id == call_up_id)
        .group_by(CallUpInvitation.status)
    )
    return Counter({status: int(n) for status, n in rows})


async def fill(
    session: AsyncSession, call_up: CallUp, voice: Voice, *, now: datetime
) -> list[outbox.Outgoing]:
    """Invites the next candidates into the open places (the caller holds the lock); returns
    the messages, already enqueued."""
    if call_up.status != CallUpStatus.RECRUITING.value or now >= aware(call_up.deadline):
        return []
    counts = await _counts(session, call_up.id)
    members = counts[InvitationStatus.ACCEPTED.value]
    places = call_up.size - members - counts[InvitationStatus.INVITED.value]
    if places <= 0:
        return []
    held = await session.execute(
        select(CallUpInvitation.instructor_id, CallUpInvitation.status, Instructor.district_id)
        .join(Instructor, Instructor.id == CallUpInvitation.instructor_id)
        .where(CallUpInvitation.call_up_id == call_up.id)
    )
    asked: set[int] = set()
    taken: Counter[int] = Counter()
    for instructor_id, status, district_id in held:
        asked.add(instructor_id)
        if status in (InvitationStatus.ACCEPTED.value, InvitationStatus.INVITED.value):
            taken[district_id] += 1
    candidates = await rank(session, Wanted.of(call_up), today=voice.today(now))
    chosen = pick(candidates, places, call_up.per_district, taken=taken, skip=asked)
    expires = min(now + timedelta(minutes=call_up.answer_minutes), aware(call_up.deadline))
    order = {c.instructor_id: i + 1 for i, c in enumerate(candidates)}
    messages = []
    langs = await voice.langs(session, [c.telegram_id for c in chosen])
    for candidate in chosen:
        invitation = CallUpInvitation(
            call_up_id=call_up.id,
            instructor_id=candidate.instructor_id,
            rank=order[candidate.instructor_id],
            status=InvitationStatus.INVITED.value,
            invited_at=now,
            expires_at=expires,
        )
        session.add(invitation)
        await session.flush()
        lang = langs[candidate.telegram_id]
        iid = invitation.id
        text = voice.translate(
            lang,
            "callup.invite",
            id=call_up.id,
            title=call_up.title,
            target=call_up.target,
            starts=call_up.starts.isoformat(),
            ends=call_up.ends.isoformat(),
            expires=voice.when(expires),
        )
        buttons: outbox.Buttons = [
            [
                (voice.translate(lang, "callup.button.accept"), InvitationButton(iid, "accept")),
                (voice.translate(lang, "callup.button.decline"), InvitationButton(iid, "decline")),
            ]
        ]
        messages.append(
            outbox.Outgoing(
                f"callup:{call_up.id}:inv:{candidate.instructor_id}",
                candidate.telegram_id,
                text,
                INVITE_KIND,
                call_up.id,
                instructor_id=candidate.instructor_id,
                buttons=buttons,
            )
        )
    if len(chosen) < places:
        missing = places - len(chosen)
        messages.append(
            await _tell_hq(
                session, voice, call_up, f"short:{call_up.size}:{members}", "callup.short",
                missing=missing, members=members, size=call_up.size,
            )
        )  # fmt: skip
    await outbox.enqueue(session, messages, now=now)
    return messages


async def release(
    session: AsyncSession, call_up_id: int, voice: Voice, *, now: datetime
) -> tuple[str, int]:
    """发出邀请 on a draft: ("sent", invitations), ("already", 0) for one sent before,
    ("cancelled", 0), ("past_deadline", 0)."""
    call_up = await lock(session, call_up_id)
    if call_up is None or call_up.status == CallUpStatus.CANCELLED.value:
        return "cancelled", 0
    if call_up.status != CallUpStatus.DRAFT.value:
        return "already", 0
    if now >= aware(call_up.deadline):
        return "past_deadline", 0
    call_up.status = CallUpStatus.RECRUITING.value
    call_up.released_at = now
    messages = await fill(session, call_up, voice, now=now)
    return "sent", sum(1 for m in messages if m.kind == INVITE_KIND)


async def drop_draft(session: AsyncSession, call_up_id: int, *, now: datetime) -> bool:
    """取消 on a draft: nothing was sent, so it is only marked cancelled."""
    result = await session.execute(
        update(CallUp)
        .where(CallUp.id == call_up_id, CallUp.status == CallUpStatus.DRAFT.value)
        .values(status=CallUpStatus.CANCELLED.value, cancelled_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def _move(
    session: AsyncSession,
    invitation_id: int,
    to: InvitationStatus,
    *,
    now: datetime,
    frm: InvitationStatus = InvitationStatus.INVITED,
    reason: str | None = None,
) -> bool:
    values: dict[str, object] = {"status": to.value, "answered_at": now}
    if reason is not None:
        values["reason"] = reason
    result = await session.execute(
        update(CallUpInvitation)
        .where(CallUpInvitation.id == invitation_id, CallUpInvitation.status == frm.value)
        .values(**values)
    )
    return bool(getattr(result, "rowcount", 0))


@dataclass
class Answer:
    """What became of a press on an invitation: `outcome` names the text the person sees;
    `messages` went to the outbox (wake the sender)."""

    outcome: str
    call_up: CallUp | None = None
    messages: int = 0


async def _own(
    session: AsyncSession, invitation_id: int, telegram_id: int
) -> tuple[CallUpInvitation, CallUp] | Answer:
    """The sender's invitation and its call-up, locked; or the answer to a press on someone
    else's invitation ("not_yours") or a cancelled call-up ("cancelled")."""
    row = (
        await session.execute(
            select(CallUpInvitation, Instructor.telegram_id)
            .join(Instructor, Instructor.id == CallUpInvitation.instructor_id)
            .where(CallUpInvitation.id == invitation_id)
        )
    ).first()
    if row is None or row[1] != telegram_id:
        return Answer("not_yours")
    invitation = row[0]
    call_up = await lock(session, invitation.call_up_id)
    assert call_up is not None
    if call_up.status == CallUpStatus.CANCELLED.value:
        return Answer("cancelled", call_up)
    await session.refresh(invitation)
    return invitation, call_up


ANSWERED = {
    InvitationStatus.ACCEPTED.value: "already_member",
    InvitationStatus.RESERVE.value: "already_reserve",
    InvitationStatus.DECLINED.value: "already_declined",
    InvitationStatus.EXPIRED.value: "expired",
    InvitationStatus.UNREACHABLE.value: "expired",
    InvitationStatus.CLOSED.value: "closed",
    InvitationStatus.WITHDRAWN.value: "withdrawn_before",
}


async def _overlapping_team(
    session: AsyncSession, instructor_id: int, call_up: CallUp
) -> CallUp | None:
    return (
        await session.scalars(
            select(CallUp)
            .join(CallUpInvitation, CallUpInvitation.call_up_id == CallUp.id)
            .where(
                CallUpInvitation.instructor_id == instructor_id,
                CallUpInvitation.status == InvitationStatus.ACCEPTED.value,
                CallUp.status == CallUpStatus.RECRUITING.value,
                CallUp.id != call_up.id,
                CallUp.starts <= call_up.ends,
                CallUp.ends >= call_up.starts,
            )
        )
    ).first()


async def accept(
    session: AsyncSession, invitation_id: int, telegram_id: int, voice: Voice, *, now: datetime
) -> Answer:
    """接受: a place while one is free ("accepted"), else the reserve ("reserve"); never more
    members than places — `members` is raised only by UPDATE … WHERE members < size."""
    found = await _own(session, invitation_id, telegram_id)
    if isinstance(found, Answer):
        return found
    invitation, call_up = found
    if invitation.status != InvitationStatus.INVITED.value:
        return Answer(ANSWERED[invitation.status], call_up)
    if now >= aware(invitation.expires_at):
        return Answer("closed" if now >= aware(call_up.deadline) else "expired", call_up)
    other = await _overlapping_team(session, invitation.instructor_id, call_up)
    if other is not None:
        await _move(
            session, invitation.id, InvitationStatus.DECLINED, now=now, reason="同期已在其他攻关队"
        )
        sent = await fill(session, call_up, voice, now=now)
        return Answer("conflict", call_up, len(sent))
    if not await _move(session, invitation.id, InvitationStatus.ACCEPTED, now=now):
        return Answer("already_member", call_up)
    seat = await session.execute(
        update(CallUp)
        .where(CallUp.id == call_up.id, CallUp.members < CallUp.size)
        .values(members=CallUp.members + 1)
    )
    if not getattr(seat, "rowcount", 0):
        await _move(
            session, invitation.id, InvitationStatus.RESERVE, now=now, frm=InvitationStatus.ACCEPTED
        )
        return Answer("reserve", call_up)
    await session.refresh(call_up)
    messages = await _announce(session, call_up, invitation.instructor_id, voice, now=now)
    return Answer("accepted", call_up, len(messages))


async def _team(session: AsyncSession, call_up_id: int) -> list[tuple[int, str, str, int | None]]:
    """The members in the team's order: id, name, district name, Telegram id."""
    rows = await session.execute(
        select(Instructor.id, Instructor.name, District.name, Instructor.telegram_id)
        .join(CallUpInvitation, CallUpInvitation.instructor_id == Instructor.id)
        .join(District, District.id == Instructor.district_id)
        .where(
            CallUpInvitation.call_up_id == call_up_id,
            CallUpInvitation.status == InvitationStatus.ACCEPTED.value,
        )
        .order_by(CallUpInvitation.rank)
    )
    return [(iid, name, district, tid) for iid, name, district, tid in rows]


def _team_list(team: list[tuple[int, str, str, int | None]]) -> str:
    return "\n".join(
        f"{i}. {name}（{district}）" for i, (_, name, district, _) in enumerate(team, 1)
    )


async def _announce(
    session: AsyncSession, call_up: CallUp, newcomer: int, voice: Voice, *, now: datetime
) -> list[outbox.Outgoing]:
    """When the team is full: the list to every member, HQ and the team's groups the first
    time; after a withdrawal was filled, to the newcomer and word to HQ."""
    if call_up.members < call_up.size:
        return []
    team = await _team(session, call_up.id)
    names = _team_list(team)
    first = call_up.full_told_at is None
    bound = [(iid, int(tid)) for iid, _, _, tid in team if tid is not None]
    if not first:
        bound = [(iid, tid) for iid, tid in bound if iid == newcomer]
    langs = await voice.langs(session, [tid for _, tid in bound])
    values = {"id": call_up.id, "title": call_up.title, "size": call_up.size, "names": names}
    messages = [
        outbox.Outgoing(
            f"callup:{call_up.id}:team:{iid}",
            tid,
            voice.translate(langs[tid], "callup.team_full", **values),
            KIND,
            call_up.id,
            instructor_id=iid,
        )
        for iid, tid in bound
    ]
    if first:
        call_up.full_told_at = now
        messages.append(
            await _tell_hq(
                session,
                voice,
                call_up,
                "full",
                "callup.team_full_hq",
                size=call_up.size,
                names=names,
            )
        )
        groups = await session.scalars(
            select(Group).where(Group.scope == GroupScope.TEAM.value, Group.team_id == call_up.id)
        )
        for group in groups:
            text = voice.translate(voice.language, "callup.team_full", **values)
            messages.append(
                outbox.Outgoing(
                    f"callup:{call_up.id}:team:g:{group.id}", group.chat_id, text, KIND, call_up.id
                )
            )
    else:
        name = next((n for iid, n, _, _ in team if iid == newcomer), "")
        messages.append(
            await _tell_hq(
                session,
                voice,
                call_up,
                f"refill:{newcomer}",
                "callup.refilled_hq",
                name=name,
                size=call_up.size,
            )
        )
    await outbox.enqueue(session, messages, now=now)
    return messages


async def decline(
    session: AsyncSession, invitation_id: int, telegram_id: int, voice: Voice, *, now: datetime
) -> Answer:
    """婉拒: the place passes to the next candidate at once."""
    found = await _own(session, invitation_id, telegram_id)
    if isinstance(found, Answer):
        return found
    invitation, call_up = found
    if invitation.status != InvitationStatus.INVITED.value:
        return Answer(ANSWERED[invitation.status], call_up)
    await _move(session, invitation.id, InvitationStatus.DECLINED, now=now)
    sent = await fill(session, call_up, voice, now=now)
    return Answer("declined", call_up, len(sent))


async def give_reason(
    session: AsyncSession, invitation_id: int, telegram_id: int, reason: str
) -> bool:
    """Keeps the reason of one's own decline (given after 婉拒, by a button or in words)."""
    owner = select(Instructor.id).where(Instructor.telegram_id == telegram_id).scalar_subquery()
    result = await session.execute(
        update(CallUpInvitation)
        .where(
            CallUpInvitation.id == invitation_id,
            CallUpInvitation.instructor_id == owner,
            CallUpInvitation.status == InvitationStatus.DECLINED.value,
        )
        .values(reason=reason[:200])
    )
    return bool(getattr(result, "rowcount", 0))


async def withdraw(
    session: AsyncSession, invitation_id: int, telegram_id: int, voice: Voice, *, now: datetime
) -> Answer:
    """退出 before the start day: the place passes on (while the deadline allows)."""
    found = await _own(session, invitation_id, telegram_id)
    if isinstance(found, Answer):
        return found
    invitation, call_up = found
    if invitation.status != InvitationStatus.ACCEPTED.value:
        return Answer("not_member", call_up)
    if voice.today(now) >= call_up.starts:
        return Answer("started", call_up)
    await _move(
        session, invitation.id, InvitationStatus.WITHDRAWN, now=now, frm=InvitationStatus.ACCEPTED
    )
    await session.execute(
        update(CallUp).where(CallUp.id == call_up.id).values(members=CallUp.members - 1)
    )
    await session.refresh(call_up)
    instructor = await session.get(Instructor, invitation.instructor_id)
    name = instructor.name if instructor else ""
    told = await _tell_hq(
        session, voice, call_up, f"withdrawn:{invitation.instructor_id}", "callup.withdrawn_hq",
        name=name, members=call_up.members, size=call_up.size,
    )  # fmt: skip
    await outbox.enqueue(session, [told], now=now)
    sent = await fill(session, call_up, voice, now=now)
    return Answer("withdrawn", call_up, len(sent) + 1)


async def add_place(
    session: AsyncSession, call_up_id: int, voice: Voice, *, now: datetime
) -> Answer:
    """增加人数: one more place, filled at once (before the deadline)."""
    call_up = await lock(session, call_up_id)
    if call_up is None or call_up.status != CallUpStatus.RECRUITING.value:
        return Answer("not_recruiting", call_up)
    if now >= aware(call_up.deadline):
        return Answer("past_deadline", call_up)
    call_up.size += 1
    await session.flush()
    sent = await fill(session, call_up, voice, now=now)
    return Answer("added", call_up, len(sent))


async def cancel(session: AsyncSession, call_up_id: int, voice: Voice, *, now: datetime) -> Answer:
    """取消: members are told, open invitations closed (their buttons answer 已取消)."""
    call_up = await lock(session, call_up_id)
    if call_up is None:
        return Answer("unknown")
    if call_up.status == CallUpStatus.CANCELLED.value:
        return Answer("cancelled", call_up)
    if call_up.status == CallUpStatus.DRAFT.value:
        await drop_draft(session, call_up_id, now=now)
        return Answer("dropped", call_up)
    team = await _team(session, call_up.id)
    await session.execute(
        update(CallUpInvitation)
        .where(
            CallUpInvitation.call_up_id == call_up.id,
            CallUpInvitation.status == InvitationStatus.INVITED.value,
        )
        .values(status=InvitationStatus.CLOSED.value, answered_at=now)
    )
    call_up.status = CallUpStatus.CANCELLED.value
    call_up.cancelled_at = now
    bound = [(iid, int(tid)) for iid, _, _, tid in team if tid is not None]
    langs = await voice.langs(session, [tid for _, tid in bound])
    messages = [
        outbox.Outgoing(
            f"callup:{call_up.id}:cancelled:{iid}",
            tid,
            voice.translate(
                langs[tid], "callup.cancelled_member", id=call_up.id, title=call_up.title
            ),
            KIND,
            call_up.id,
            instructor_id=iid,
        )
        for iid, tid in bound
    ]
    await outbox.enqueue(session, messages, now=now)
    return Answer("cancelled_now", call_up, len(messages))


# --- the tick --------------------------------------------------------------------------------


@dataclass
class Advanced:
    """What one tick did: invitations expired or found unreachable, deadlines told, ratings
    asked, and messages enqueued."""

    expired: int = 0
    unreachable: int = 0
    deadlines: int = 0
    ratings: int = 0
    messages: int = 0


async def advance(session: AsyncSession, voice: Voice, *, now: datetime) -> Advanced:
    """Everything call-ups owe to the clock, in the caller's transaction: an invitation
    unanswered in time or refused by Telegram passes its place on; at the deadline open
    invitations close and HQ hears who is in; after the end HQ is asked to rate."""
    done = Advanced()
    # Deadlines first: what was still open at the deadline is closed, not passed on.
    await _deadlines(session, voice, now, done)
    late = await session.execute(
        select(CallUpInvitation.id, CallUpInvitation.call_up_id)
        .where(
            CallUpInvitation.status == InvitationStatus.INVITED.value,
            CallUpInvitation.expires_at <= now,
        )
        .order_by(CallUpInvitation.id)
        .limit(500)
    )
    refused = await session.execute(
        select(CallUpInvitation.id, CallUpInvitation.call_up_id)
        .join(
            OutboxMessage,
            (OutboxMessage.kind == INVITE_KIND)
            & (OutboxMessage.ref_id == CallUpInvitation.call_up_id)
            & (OutboxMessage.instructor_id == CallUpInvitation.instructor_id),
        )
        .where(
            CallUpInvitation.status == InvitationStatus.INVITED.value,
            OutboxMessage.status.in_([OutboxStatus.UNREACHABLE.value, OutboxStatus.FAILED.value]),
        )
        .limit(500)
    )
    moves = [(iid, cid, InvitationStatus.EXPIRED) for iid, cid in late]
    moves += [(iid, cid, InvitationStatus.UNREACHABLE) for iid, cid in refused]
    touched: list[int] = []
    for invitation_id, call_up_id, to in moves:
        if call_up_id not in touched:
            await lock(session, call_up_id)
            touched.append(call_up_id)
        if await _move(session, invitation_id, to, now=now):
            if to is InvitationStatus.EXPIRED:
                done.expired += 1
            else:
                done.unreachable += 1
    for call_up_id in touched:
        call_up = await session.get(CallUp, call_up_id)
        if call_up is not None:
            done.messages += len(await fill(session, call_up, voice, now=now))
    await _ratings(session, voice, now, done)
    return done


async def _deadlines(session: AsyncSession, voice: Voice, now: datetime, done: Advanced) -> None:
    due = list(
        await session.scalars(
            select(CallUp.id).where(
                CallUp.status == CallUpStatus.RECRUITING.value,
                CallUp.deadline <= now,
                CallUp.deadline_told_at.is_(None),
            )
        )
    )
    for call_up_id in due:
        call_up = await lock(session, call_up_id)
        if call_up is None or call_up.deadline_told_at is not None:
            continue  # another instance told it meanwhile
        await session.execute(
            update(CallUpInvitation)
            .where(
                CallUpInvitation.call_up_id == call_up_id,
                CallUpInvitation.status == InvitationStatus.INVITED.value,
            )
            .values(status=InvitationStatus.CLOSED.value, answered_at=now)
        )
        call_up.deadline_told_at = now
        done.deadlines += 1
        if call_up.members >= call_up.size and call_up.full_told_at is not None:
            continue  # HQ heard when the team filled
        names = _team_list(await _team(session, call_up_id)) or "—"
        told = await _tell_hq(
            session, voice, call_up, "deadline", "callup.deadline_hq",
            members=call_up.members, size=call_up.size, open=call_up.size - call_up.members,
            names=names,
        )  # fmt: skip
        done.messages += await outbox.enqueue(session, [told], now=now)


async def _ratings(session: AsyncSession, voice: Voice, now: datetime, done: Advanced) -> None:
    today = voice.today(now)
    due = list(
        await session.scalars(
            select(CallUp.id).where(
                CallUp.status == CallUpStatus.RECRUITING.value,
                CallUp.ends < today,
                CallUp.rating_asked_at.is_(None),
            )
        )
    )
    for call_up_id in due:
        call_up = await lock(session, call_up_id)
        if call_up is None or call_up.rating_asked_at is not None:
            continue
        call_up.rating_asked_at = now
        done.ratings += 1
        if call_up.members <= 0:
            continue
        lang = (await voice.langs(session, [call_up.created_by]))[call_up.created_by]
        text = voice.translate(
            lang, "callup.rate_ask", id=call_up.id, title=call_up.title,
            ends=call_up.ends.isoformat(), members=call_up.members,
        )  # fmt: skip
        buttons: outbox.Buttons = [
            [(voice.translate(lang, "callup.button.rate"), CallUpButton(call_up.id, "rate"))]
        ]
        message = outbox.Outgoing(
            f"callup:{call_up.id}:rate", call_up.created_by, text, KIND, call_up.id, buttons=buttons
        )
        done.messages += await outbox.enqueue(session, [message], now=now)
