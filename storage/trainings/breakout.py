"""/breakout: a training's checked-in attendees split into groups for mock negotiation.

`split` is the rule, a plain function of the attendees and k, so it is tested alone; `run`
reads the attendees, stores the groups on their seats and enqueues each member's message.

Experience is a score of whole points (`experience`):

    level        市级 6, 区级 4, 街乡级 2, 企业级 0
    employment   专职 +3, 兼职 0
    years        +1 for each full year since the start date, at most 5 (no date: 0)

so a city-level full-time instructor of 5 years scores 14, a new part-time enterprise-level
one 0. Ties go to the earlier start date, then to the lower instructor id: the order of
seniority is total, and the same attendees always give the same groups.

The groups:

- sizes differ by at most one;
- each district's members are spread as evenly as possible: a district of c members puts
  ⌊c / k⌋ or ⌈c / k⌉ into each group, the fewest any split can (`_deal`), and nothing after
  changes that;
- experience is mixed: swaps between groups (`_improve`) spread the tiers of seniority (the k
  most senior, the next k, …) one per group where the districts allow, then bring the groups'
  total scores close to their fair shares (size × the mean score);
- in each group, in order of seniority, members take 职工方 and 企业方 in turn: the sides
  differ by at most one and both get experienced people. A group starts with the side that has
  fewer members in the room so far (on a tie: odd groups 职工方, even ones 企业方), so the
  room is balanced too. The most senior member leads the group (组长).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.recruiting import Voice
from storage.messaging import outbox
from storage.messaging.notices import TEXT_LIMIT, telegram_length
from storage.models import (
    Employment,
    Instructor,
    Level,
    Training,
    TrainingSeat,
    TrainingStatus,
)
from storage.people.access import Identity
from storage.trainings import records

WORKER = "worker"  # 职工方
EMPLOYER = "employer"  # 企业方
SIDE_LABELS: dict[str, str] = {WORKER: "职工方", EMPLOYER: "企业方"}
LEAD_LABEL = "组长"

LEVEL_POINTS: dict[str, int] = {
    Level.CITY.value: 6,
    Level.DISTRICT.value: 4,
    Level.STREET.value: 2,
    Level.ENTERPRISE.value: 0,
}
FULL_TIME_POINTS = 3
MOST_YEARS = 5
SMALLEST_GROUP = 2
# Rounds of swaps at most: each round makes the spread strictly smaller, so it ends anyway;
# the cap only bounds the time a huge room could take.
MOST_ROUNDS = 50


@dataclass(frozen=True)
class Attendee:
    """Who takes part in a breakout, with what their experience is read from."""

    instructor_id: int
    name: str
    district_id: int
    district: str
    level: str
    employment: str
    start_date: date | None = None
    telegram_id: int | None = None


@dataclass(frozen=True)
class Member:
    attendee: Attendee
    side: str  # WORKER or EMPLOYER
    lead: bool


@dataclass(frozen=True)
class BreakoutGroup:
    number: int  # 1..k
    members: tuple[Member, ...]  # the lead first, then in order of seniority

    @property
    def lead(self) -> Member:
        return self.members[0]


def full_years(start: date, today: date) -> int:
    """Whole years from `start` to `today` (0 before the first anniversary or the start)."""
    years = today.year - start.year - ((today.month, today.day) < (start.month, start.day))
    return max(years, 0)


def experience(attendee: Attendee, today: date) -> int:
    """The experience score of the module's docstring."""
    years = full_years(attendee.start_date, today) if attendee.start_date else 0
    full_time = attendee.employment == Employment.FULL_TIME.value
    return (
        LEVEL_POINTS.get(attendee.level, 0)
        + (FULL_TIME_POINTS if full_time else 0)
        + min(years, MOST_YEARS)
    )


def seniority(attendees: Sequence[Attendee], today: date) -> list[Attendee]:
    """The attendees, most experienced first (ties: earlier start, then lower id)."""
    return sorted(
        attendees,
        key=lambda a: (-experience(a, today), a.start_date or date.max, a.instructor_id),
    )


def split(attendees: Sequence[Attendee], k: int, *, today: date) -> list[BreakoutGroup]:
    """The attendees in k groups as the module's docstring says; needs 1 ≤ k ≤ n / 2."""
    n = len(attendees)
    if k < 1 or n < SMALLEST_GROUP * k:
        raise ValueError(f"cannot split {n} attendees into {k} groups of at least 2")
    ranked = seniority(attendees, today)
    score = {a.instructor_id: experience(a, today) for a in ranked}
    group_of = _deal(ranked, k, score)
    _improve(ranked, k, score, group_of)
    groups = []
    room: Counter[str] = Counter()
    for g in range(k):
        people = [a for a in ranked if group_of[a.instructor_id] == g]
        # The side behind in the room starts, so that the room stays balanced too.
        behind = room[WORKER] - room[EMPLOYER]
        first = WORKER if behind < 0 or (behind == 0 and g % 2 == 0) else EMPLOYER
        second = EMPLOYER if first == WORKER else WORKER
        members = tuple(
            Member(a, first if i % 2 == 0 else second, lead=i == 0) for i, a in enumerate(people)
        )
        room.update(m.side for m in members)
        groups.append(BreakoutGroup(g + 1, members))
    return groups


def _deal(ranked: Sequence[Attendee], k: int, score: dict[int, int]) -> dict[int, int]:
    """Each attendee's group (0..k-1): district by district, largest first, ⌊c/k⌋ members to
    every group and the c mod k others to the groups with the fewest members so far (so the
    sizes never differ by more than one); each member, most senior first, to the group that
    has a place for the district and is furthest below its fair share of experience."""
    n, total = len(ranked), sum(score.values())
    districts: dict[int, list[Attendee]] = {}
    for a in ranked:
        districts.setdefault(a.district_id, []).append(a)
    size, scored = [0] * k, [0] * k
    group_of: dict[int, int] = {}

    def below_share(g: int) -> tuple[int, int, int]:
        return n * scored[g] - size[g] * total, size[g], g

    for district in sorted(districts, key=lambda d: (-len(districts[d]), d)):
        members = districts[district]
        places = [len(members) // k] * k
        fewest = sorted(range(k), key=lambda g: (size[g], *below_share(g)))
        for g in fewest[: len(members) % k]:
            places[g] += 1
        for a in members:
            g = min((g for g in range(k) if places[g]), key=below_share)
            places[g] -= 1
            size[g] += 1
            scored[g] += score[a.instructor_id]
            group_of[a.instructor_id] = g
    return group_of


def _moved(cells: Counter[tuple[int, int]], gp: int, gq: int, xp: int, xq: int) -> int:
    """Half the change of Σ cells² when a member of kind xp leaves group gp for gq and one of
    kind xq comes back: 2(a₂ + b₁ − a₁ − b₂) + 4 halved (0 when the kinds are the same)."""
    if xp == xq:
        return 0
    return cells[gp, xq] + cells[gq, xp] - cells[gp, xp] - cells[gq, xq] + 2


def _improve(
    ranked: Sequence[Attendee], k: int, score: dict[int, int], group_of: dict[int, int]
) -> None:
    """Swaps two members of different groups while that improves, in this order of
    importance: no more of one district together; the tiers of seniority (the k most senior,
    the next k, …) one per group; the groups' total scores closer to their fair shares (size ×
    the mean score). Each swap makes the three, weighed in that order, strictly better, so
    the swapping ends."""
    n, total = len(ranked), sum(score.values())
    tier = {a.instructor_id: i // k for i, a in enumerate(ranked)}
    sizes = Counter(group_of.values())
    # n × (a group's total − its fair share): whole numbers, so no rounding decides a swap.
    off = [-sizes[g] * total for g in range(k)]
    crowd: Counter[tuple[int, int]] = Counter()  # (group, district) -> members
    tiers: Counter[tuple[int, int]] = Counter()  # (group, tier) -> members
    for a in ranked:
        g = group_of[a.instructor_id]
        off[g] += n * score[a.instructor_id]
        crowd[g, a.district_id] += 1
        tiers[g, tier[a.instructor_id]] += 1
    for _ in range(MOST_ROUNDS):
        swapped = False
        for i, p in enumerate(ranked):
            for q in ranked[i + 1 :]:
                gp, gq = group_of[p.instructor_id], group_of[q.instructor_id]
                if gp == gq:
                    continue
                districts = _moved(crowd, gp, gq, p.district_id, q.district_id)
                if districts > 0:
                    continue
                tp, tq = tier[p.instructor_id], tier[q.instructor_id]
                levels = _moved(tiers, gp, gq, tp, tq)
                gain = n * (score[q.instructor_id] - score[p.instructor_id])  # gp's
                # Σ off² changes by 2·gain·(gain + off_p − off_q).
                if (districts, levels, gain * (gain + off[gp] - off[gq])) >= (0, 0, 0):
                    continue
                for cells, xp, xq in ((crowd, p.district_id, q.district_id), (tiers, tp, tq)):
                    cells[gp, xp] -= 1
                    cells[gq, xq] -= 1
                    cells[gp, xq] += 1
                    cells[gq, xp] += 1
                group_of[p.instructor_id], group_of[q.instructor_id] = gq, gp
                off[gp] += gain
                off[gq] -= gain
                swapped = True
        if not swapped:
            return


# --- the command -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why /breakout did nothing: `code` names the text, `values` fill it."""

    code: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Breakout:
    """A stored split: its round (the how-many-th /breakout of the training), the groups, and
    the members who could not be told in private (no Telegram account bound)."""

    training: Training
    round: int
    groups: list[BreakoutGroup]
    told: int
    untold: list[str]

    @property
    def attendees(self) -> int:
        return sum(len(group.members) for group in self.groups)


def may_manage(who: Identity, training: Training) -> bool:
    """HQ, the district admin of the training's scope, and its organizer manage a training."""
    return who.telegram_id == training.created_by or who.may_manage(training.scope_district_id)


async def checked_in(
    session: AsyncSession, training_id: int
) -> list[tuple[TrainingSeat, Attendee]]:
    """The seats of everyone checked in (any answer, walk-ins too) with the attendee."""
    rows = await session.execute(
        select(TrainingSeat, Instructor)
        .join(Instructor, Instructor.id == TrainingSeat.instructor_id)
        .where(TrainingSeat.training_id == training_id, TrainingSeat.checked_in_at.is_not(None))
        .order_by(TrainingSeat.id)
    )
    return [(seat, attendee_of(instructor)) for seat, instructor in rows]


def attendee_of(instructor: Instructor) -> Attendee:
    return Attendee(
        instructor.id,
        instructor.name,
        instructor.district_id,
        instructor.district.name,
        instructor.level,
        instructor.employment,
        instructor.start_date,
        instructor.telegram_id,
    )


async def run(
    session: AsyncSession,
    training_id: int,
    k: int,
    who: Identity,
    voice: Voice,
    *,
    now: datetime,
) -> Breakout | Refusal:
    """Splits the training's checked-in attendees into k groups, stores them on the seats
    (replacing an earlier split) and enqueues each member's message; or says why not."""
    # A number no row can have (ids are 32-bit) is unknown, not an error of the database.
    training = await records.lock(session, training_id) if 0 < training_id < 2**31 else None
    if training is None:
        return Refusal("not_found", {"id": training_id})
    if not may_manage(who, training):
        return Refusal("not_yours", {"id": training_id, "title": training.title})
    if training.status == TrainingStatus.CANCELLED.value:
        return Refusal("cancelled", {"id": training_id, "title": training.title})
    if k < 1:
        return Refusal("too_few_groups", {"groups": k})
    seats = await checked_in(session, training_id)
    n = len(seats)
    if n == 0:
        return Refusal("nobody", {"id": training_id, "title": training.title})
    if n < SMALLEST_GROUP:
        return Refusal("too_few_people", {"count": n})
    if k * SMALLEST_GROUP > n:
        return Refusal("too_many_groups", {"count": n, "groups": k, "most": n // SMALLEST_GROUP})
    # A few hundred attendees take a fraction of a second: in a thread, the bot keeps answering.
    groups = await asyncio.to_thread(split, [a for _, a in seats], k, today=voice.today(now))
    await session.execute(
        update(TrainingSeat)
        .where(TrainingSeat.training_id == training_id)
        .values(group_no=None, side=None, lead=False)
    )
    seat_of = {a.instructor_id: seat for seat, a in seats}
    for group in groups:
        for member in group.members:
            seat = seat_of[member.attendee.instructor_id]
            seat.group_no, seat.side, seat.lead = group.number, member.side, member.lead
    training.breakouts += 1
    await session.flush()
    messages = await _messages(session, voice, training, groups)
    await outbox.enqueue(session, messages, now=now)
    untold = [m.attendee.name for g in groups for m in g.members if m.attendee.telegram_id is None]
    return Breakout(training, training.breakouts, groups, len(messages), untold)


# --- wording -------------------------------------------------------------------------------------


def role_text(voice: Voice, lang: str, member: Member) -> str:
    """职工方, or 企业方·组长 for a lead."""
    side = voice.translate(lang, f"breakout.side.{member.side}")
    return voice.translate(lang, "breakout.role.lead", side=side) if member.lead else side


def member_line(voice: Voice, lang: str, member: Member) -> str:
    """· 王建国（西城）职工方·组长"""
    return voice.translate(
        lang,
        "breakout.line",
        name=member.attendee.name,
        district=member.attendee.district,
        role=role_text(voice, lang, member),
    )


def member_text(
    voice: Voice, lang: str, training: Training, round_no: int, group: BreakoutGroup, member: Member
) -> str:
    """What one member is told: their group, side, lead and fellow members."""
    lines = "\n".join(member_line(voice, lang, m) for m in group.members)
    values: dict[str, object] = {
        "id": training.id,
        "title": training.title,
        "group": group.number,
        "side": voice.translate(lang, f"breakout.side.{member.side}"),
        "lead": group.lead.attendee.name,
        "size": len(group.members),
    }
    key = "breakout.member.lead" if member.lead else "breakout.member"
    text = voice.translate(lang, key, members=lines, **values)
    if telegram_length(text) > TEXT_LIMIT:  # a huge group: its size instead of its names
        text = voice.translate(
            lang, key, members=voice.translate(lang, "breakout.many", **values), **values
        )
    if round_no > 1:
        text = voice.translate(lang, "breakout.again", round=round_no) + "\n" + text
    return text


async def _messages(
    session: AsyncSession, voice: Voice, training: Training, groups: list[BreakoutGroup]
) -> list[outbox.Outgoing]:
    ids = [m.attendee.telegram_id for g in groups for m in g.members if m.attendee.telegram_id]
    langs = await voice.langs(session, ids)
    messages = []
    round_no = training.breakouts
    for group in groups:
        for member in group.members:
            telegram_id = member.attendee.telegram_id
            if telegram_id is None:
                continue
            lang = langs[telegram_id]
            messages.append(
                outbox.Outgoing(
                    f"training:{training.id}:breakout:{round_no}:{member.attendee.instructor_id}",
                    telegram_id,
                    member_text(voice, lang, training, round_no, group, member),
                    records.KIND,
                    training.id,
                    instructor_id=member.attendee.instructor_id,
                )
            )
    return messages
