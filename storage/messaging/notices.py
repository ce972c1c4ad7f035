"""Notices (通知): audiences, release into the outbox, confirmations and re-reminders.

Texts are composed by a `translate(lang, key, **values)` the caller passes in, so that the
scheduled release (schedules/) and the handlers (bot/) word messages the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.buttons import NoticeButton
from storage.common.once import add_once
from storage.common.text import EMPLOYMENTS, LEVELS, fold, narrow
from storage.common.times import aware
from storage.db import dialect_insert
from storage.messaging import outbox
from storage.models import (
    CallUp,
    CallUpInvitation,
    CallUpStatus,
    Group,
    GroupScope,
    Instructor,
    InvitationStatus,
    Notice,
    NoticeAudience,
    NoticeRecipient,
    NoticeStatus,
    OutboxMessage,
    Status,
    TelegramUser,
)
from storage.people import groups
from storage.people.districts import find_district

Translate = Callable[..., str]

TEXT_LIMIT = 4096  # Telegram's limit for a message, in UTF-16 code units
REMIND_INTERVAL = timedelta(minutes=5)
KIND = "notice"
# Re-reminders are counted apart, so a notice's figures count each recipient once.
REMINDER_KIND = "notice_reminder"


def telegram_length(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Audience:
    """Who a notice goes to; `value` is a district id, a level, an employment or a call-up id
    (a team)."""

    kind: NoticeAudience
    value: str | None = None


class AudienceProblem(Exception):
    """An audience that names nothing or may not be addressed: .code "unknown",
    "other_district", "team_hq_only", or "team_unknown" / "team_draft" / "team_cancelled"."""

    def __init__(self, code: str, value: str) -> None:
        super().__init__(code, value)
        self.code = code
        self.value = value


ALL_WORDS = frozenset({"全体", "全部", "所有人", "all", "everyone"})
GROUP_WORDS = frozenset({"群", "群组", "各群", "groups", "group"})
TEAM_PREFIXES = ("攻关队:", "队:", "team:")  # after narrow(): ： is :, TEAM is team


def parse_audience(word: str, districts: dict[str, int]) -> Audience:
    """Reads `全体`, `区:西城`, `西城区`, `市级`, `专职`, `群`, `队:3`; raises AudienceProblem."""
    raw = word.strip()
    folded = fold(raw)
    narrowed = narrow(raw)
    for prefix in TEAM_PREFIXES:
        if narrowed.startswith(prefix):
            call_up_id = groups.team_id(narrowed[len(prefix) :])
            if call_up_id is None:
                raise AudienceProblem("unknown", raw)
            return Audience(NoticeAudience.TEAM, str(call_up_id))
    if folded in ALL_WORDS:
        return Audience(NoticeAudience.ALL)
    if folded in GROUP_WORDS:
        return Audience(NoticeAudience.GROUPS)
    if folded in LEVELS and folded not in ("区", "企业", "街道", "乡镇"):
        return Audience(NoticeAudience.LEVEL, LEVELS[folded])
    if folded in EMPLOYMENTS:
        return Audience(NoticeAudience.EMPLOYMENT, EMPLOYMENTS[folded])
    name = raw
    for prefix in ("区:", "区：", "district:"):
        if raw.lower().startswith(prefix):
            name = raw[len(prefix) :]
    found = find_district(districts, name)
    if found is None:
        raise AudienceProblem("unknown", raw)
    return Audience(NoticeAudience.DISTRICT, str(districts[found]))


def check_scope(audience: Audience, scope_district_id: int | None) -> None:
    """A district admin reaches only their district, and no team (HQ calls teams up);
    raises AudienceProblem otherwise."""
    if scope_district_id is None:
        return
    if audience.kind is NoticeAudience.TEAM:
        raise AudienceProblem("team_hq_only", audience.value or "")
    if audience.kind is NoticeAudience.DISTRICT and audience.value != str(scope_district_id):
        raise AudienceProblem("other_district", audience.value or "")


async def check_team(session: AsyncSession, audience: Audience) -> CallUp | None:
    """The call-up a team audience names (None for other audiences); raises AudienceProblem
    for an unknown, draft or cancelled one."""
    if audience.kind is not NoticeAudience.TEAM:
        return None
    try:
        return await groups.find_team(session, int(audience.value or 0))
    except groups.TeamProblem as problem:
        raise AudienceProblem(f"team_{problem.code}", audience.value or "") from problem


async def open_teams(session: AsyncSession, today: date) -> list[CallUp]:
    """The call-ups still recruiting or under way (not cancelled, not ended before `today`),
    which the guided /notice offers as teams."""
    return list(
        await session.scalars(
            select(CallUp)
            .where(CallUp.status == CallUpStatus.RECRUITING.value, CallUp.ends >= today)
            .order_by(CallUp.id)
        )
    )


async def team_titles(session: AsyncSession, values: Sequence[str | None]) -> dict[int, str]:
    """The titles of the call-ups whose ids are `values` (a notice's audience values)."""
    ids = {int(value) for value in values if value and value.isdigit()}
    if not ids:
        return {}
    rows = await session.execute(select(CallUp.id, CallUp.title).where(CallUp.id.in_(ids)))
    return {call_up_id: title for call_up_id, title in rows}


async def create_notice(
    session: AsyncSession,
    *,
    created_by: int,
    scope_district_id: int | None,
    audience: Audience,
    text: str,
    confirm: bool,
    send_at: datetime,
    request_key: str | None = None,
) -> Notice:
    """Stores a notice to be released at `send_at` (now or later); one with `request_key`
    already there is returned instead."""
    check_scope(audience, scope_district_id)
    await check_team(session, audience)
    return await add_once(
        session,
        Notice(
            created_by=created_by,
            scope_district_id=scope_district_id,
            audience=audience.kind.value,
            audience_value=audience.value,
            text=text,
            confirm=confirm,
            send_at=send_at,
            status=NoticeStatus.SCHEDULED.value,
            reminders=0,
            request_key=request_key,
        ),
    )


def audience_conditions(
    audience: str, value: str | None, scope_district_id: int | None
) -> list[Any]:
    """The WHERE clauses on instructors of an audience within a sender's scope."""
    conditions: list[Any] = [Instructor.status != Status.ENDED.value]
    district = scope_district_id
    if audience == NoticeAudience.DISTRICT.value:
        district = int(value or 0)
    if district is not None:
        conditions.append(Instructor.district_id == district)
    if audience == NoticeAudience.LEVEL.value:
        conditions.append(Instructor.level == value)
    if audience == NoticeAudience.EMPLOYMENT.value:
        conditions.append(Instructor.employment == value)
    if audience == NoticeAudience.TEAM.value:
        conditions.append(
            Instructor.id.in_(
                select(CallUpInvitation.instructor_id).where(
                    CallUpInvitation.call_up_id == int(value or 0),
                    CallUpInvitation.status == InvitationStatus.ACCEPTED.value,
                )
            )
        )
    return conditions


async def _groups_of(session: AsyncSession, notice: Notice) -> list[Group]:
    if notice.audience == NoticeAudience.TEAM.value:
        return await groups.team_groups(session, int(notice.audience_value or 0))
    if notice.audience not in (
        NoticeAudience.ALL.value,
        NoticeAudience.DISTRICT.value,
        NoticeAudience.GROUPS.value,
    ):
        return []  # a group holds more people than a level or an employment
    # A team's group gets that team's notices only, not everyone's.
    query = select(Group).where(Group.scope != GroupScope.TEAM.value)
    district = notice.scope_district_id
    if notice.audience == NoticeAudience.DISTRICT.value:
        district = int(notice.audience_value or 0)
    if district is not None:
        query = query.where(Group.district_id == district)
    return list(await session.scalars(query.order_by(Group.id)))


def compose(translate: Translate, lang: str, header_key: str, text: str, **values: object) -> str:
    """The header line and the text; a text that leaves no room for the header goes alone."""
    composed = f"{translate(lang, header_key, **values)}\n\n{text}"
    return composed if telegram_length(composed) <= TEXT_LIMIT else text


def confirm_buttons(translate: Translate, lang: str, notice_id: int) -> outbox.Buttons:
    return [[(translate(lang, "notice.button.confirm"), NoticeButton(notice_id, "confirm"))]]


async def release(
    session: AsyncSession,
    notice: Notice,
    translate: Translate,
    default_lang: str,
    *,
    now: datetime | None = None,
) -> int:
    """Writes the notice's recipients and its outbox messages; returns how many messages.

    A notice already released (its update handled again after a crash) is left as it is.
    """
    if notice.status == NoticeStatus.SENT.value:
        outcomes = await outbox.counts(session, KIND, [notice.id])
        return sum(outcomes.get(notice.id, {}).values())
    now = now or datetime.now(UTC)
    messages: list[outbox.Outgoing] = []
    if notice.audience != NoticeAudience.GROUPS.value:
        rows = (
            await session.execute(
                select(Instructor.id, Instructor.telegram_id, TelegramUser.language)
                .outerjoin(TelegramUser, TelegramUser.telegram_id == Instructor.telegram_id)
                .where(
                    *audience_conditions(
                        notice.audience, notice.audience_value, notice.scope_district_id
                    )
                )
                .order_by(Instructor.id)
            )
        ).all()
        if rows:
            await session.execute(
                dialect_insert(session)(NoticeRecipient)
                .values([{"notice_id": notice.id, "instructor_id": r[0]} for r in rows])
                .on_conflict_do_nothing()
            )
        for instructor_id, telegram_id, language in rows:
            if telegram_id is None:
                continue  # not joined yet: counted as such in the status
            lang = language or default_lang
            messages.append(
                outbox.Outgoing(
                    key=f"notice:{notice.id}:i:{instructor_id}",
                    chat_id=telegram_id,
                    text=compose(translate, lang, "notice.header", notice.text),
                    kind=KIND,
                    ref_id=notice.id,
                    instructor_id=instructor_id,
                    buttons=confirm_buttons(translate, lang, notice.id) if notice.confirm else [],
                )
            )
    for group in await _groups_of(session, notice):
        messages.append(
            outbox.Outgoing(
                key=f"notice:{notice.id}:g:{group.id}",
                chat_id=group.chat_id,
                text=compose(translate, default_lang, "notice.header", notice.text),
                kind=KIND,
                ref_id=notice.id,
                pin=True,
            )
        )
    await outbox.enqueue(session, messages, now=now)
    notice.status = NoticeStatus.SENT.value
    notice.sent_at = now
    return len(messages)


async def release_due(
    session: AsyncSession, translate: Translate, default_lang: str, *, now: datetime
) -> list[Notice]:
    """Releases scheduled notices whose time has come (in the transaction of the caller)."""
    due = list(
        await session.scalars(
            select(Notice)
            .where(Notice.status == NoticeStatus.SCHEDULED.value, Notice.send_at <= now)
            .order_by(Notice.send_at, Notice.id)
        )
    )
    for notice in due:
        await release(session, notice, translate, default_lang, now=now)
    return due


async def confirm(
    session: AsyncSession, notice_id: int, telegram_id: int, *, now: datetime | None = None
) -> str:
    """Records a 收到 press: "ok", "already" (pressed before) or "not_yours"."""
    instructor_id = (
        await session.execute(select(Instructor.id).where(Instructor.telegram_id == telegram_id))
    ).scalar()
    if instructor_id is None:
        return "not_yours"
    recipient = await session.get(NoticeRecipient, (notice_id, instructor_id))
    if recipient is None:
        return "not_yours"
    # One UPDATE … WHERE confirmed_at IS NULL: two presses at once still count once.
    result = await session.execute(
        update(NoticeRecipient)
        .where(
            NoticeRecipient.notice_id == notice_id,
            NoticeRecipient.instructor_id == instructor_id,
            NoticeRecipient.confirmed_at.is_(None),
        )
        .values(confirmed_at=now or datetime.now(UTC))
    )
    return "ok" if getattr(result, "rowcount", 0) else "already"


@dataclass
class NoticeStatusView:
    """What /notices shows of one notice."""

    notice: Notice
    recipients: int = 0
    unbound: int = 0
    confirmed: int = 0
    outcomes: dict[str, int] | None = None
    unconfirmed_names: list[str] | None = None
    unreachable_names: list[str] | None = None
    unknown_names: list[str] | None = None

    def count(self, status: str) -> int:
        return (self.outcomes or {}).get(status, 0)


async def list_notices(
    session: AsyncSession, scope_district_id: int | None, *, limit: int = 10
) -> list[NoticeStatusView]:
    """The newest notices of a scope (all of them for HQ) with their counts."""
    query = select(Notice).order_by(Notice.id.desc()).limit(limit)
    if scope_district_id is not None:
        query = query.where(Notice.scope_district_id == scope_district_id)
    return await views(session, list(await session.scalars(query)))


async def views(session: AsyncSession, notices: Sequence[Notice]) -> list[NoticeStatusView]:
    """Recipients, joined, confirmed and delivery outcomes of each notice."""
    ids = [n.id for n in notices]
    outcomes = await outbox.counts(session, KIND, ids)
    figures: dict[int, tuple[int, int, int]] = {}
    if ids:
        rows = await session.execute(
            select(
                NoticeRecipient.notice_id,
                func.count(),
                func.count(Instructor.telegram_id),
                func.count(NoticeRecipient.confirmed_at),
            )
            .join(Instructor, Instructor.id == NoticeRecipient.instructor_id)
            .where(NoticeRecipient.notice_id.in_(ids))
            .group_by(NoticeRecipient.notice_id)
        )
        figures = {nid: (int(a), int(b), int(c)) for nid, a, b, c in rows}
    views = []
    for notice in notices:
        everyone, bound, confirmed = figures.get(notice.id, (0, 0, 0))
        views.append(
            NoticeStatusView(
                notice,
                recipients=everyone,
                unbound=everyone - bound,
                confirmed=confirmed,
                outcomes=outcomes.get(notice.id, {}),
            )
        )
    return views


async def notice_status(session: AsyncSession, notice_id: int) -> NoticeStatusView | None:
    """One notice's counts and the names of who has not confirmed, and of failed deliveries."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        return None
    [view] = await views(session, [notice])
    unconfirmed = await session.execute(
        select(Instructor.name)
        .join(NoticeRecipient, NoticeRecipient.instructor_id == Instructor.id)
        .where(NoticeRecipient.notice_id == notice_id, NoticeRecipient.confirmed_at.is_(None))
        .order_by(Instructor.district_id, Instructor.name)
    )
    view.unconfirmed_names = [name for (name,) in unconfirmed]
    view.unreachable_names = await _names_with(session, notice_id, "unreachable")
    view.unknown_names = await _names_with(session, notice_id, "unknown")
    return view


async def _names_with(session: AsyncSession, notice_id: int, status: str) -> list[str]:
    rows = await session.execute(
        select(Instructor.name)
        .join(OutboxMessage, OutboxMessage.instructor_id == Instructor.id)
        .where(
            OutboxMessage.kind == KIND,
            OutboxMessage.ref_id == notice_id,
            OutboxMessage.status == status,
        )
        .distinct()
        .order_by(Instructor.name)
    )
    return [name for (name,) in rows]


async def remind_unconfirmed(
    session: AsyncSession,
    notice_id: int,
    translate: Translate,
    default_lang: str,
    *,
    now: datetime | None = None,
) -> tuple[str, int]:
    """Re-sends the notice to those who have not confirmed: ("ok", how many), ("too_soon",
    seconds to wait), ("none", 0) when everyone confirmed, ("no_confirm", 0), ("unknown", 0)."""
    now = now or datetime.now(UTC)
    notice = await session.get(Notice, notice_id, with_for_update=True)
    if notice is None:
        return "unknown", 0
    if not notice.confirm or notice.status != NoticeStatus.SENT.value:
        return "no_confirm", 0
    if notice.reminded_at is not None:
        wait = aware(notice.reminded_at) + REMIND_INTERVAL - now
        if wait > timedelta(0):
            return "too_soon", int(wait.total_seconds()) + 1
    rows = (
        await session.execute(
            select(Instructor.id, Instructor.telegram_id, TelegramUser.language)
            .join(NoticeRecipient, NoticeRecipient.instructor_id == Instructor.id)
            .outerjoin(TelegramUser, TelegramUser.telegram_id == Instructor.telegram_id)
            .where(
                NoticeRecipient.notice_id == notice_id,
                NoticeRecipient.confirmed_at.is_(None),
                Instructor.telegram_id.is_not(None),
            )
            .order_by(Instructor.id)
        )
    ).all()
    if not rows:
        return "none", 0
    round_ = notice.reminders + 1
    messages = [
        outbox.Outgoing(
            key=f"notice:{notice_id}:r{round_}:i:{instructor_id}",
            chat_id=int(telegram_id),
            text=compose(translate, language or default_lang, "notice.reminder", notice.text),
            kind=REMINDER_KIND,
            ref_id=notice_id,
            instructor_id=instructor_id,
            buttons=confirm_buttons(translate, language or default_lang, notice_id),
        )
        for instructor_id, telegram_id, language in rows
        if telegram_id is not None
    ]
    await outbox.enqueue(session, messages, now=now)
    notice.reminders = round_
    notice.reminded_at = now
    return "ok", len(messages)
