"""The self-assessment (自评): the prompt every reachable participant gets when a year opens (with
their dossier and a ✍️ 写自评 button), and the answer, up to TEXT_LIMIT characters, revisable
until the deadline.

Texts are composed by a Voice (storage.callups.recruiting), as trainings' are, so the handlers
and the tick word them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.recruiting import Voice
from storage.common.buttons import SelfAssessmentButton
from storage.common.times import aware
from storage.evaluation import rounds
from storage.evaluation.dossier import Dossier, describe, dossiers
from storage.evaluation.rounds import RoundRefusal
from storage.messaging import outbox
from storage.models import EvaluationEntry, EvaluationRound, Instructor, Status

TEXT_LIMIT = 2000
PROMPT_KIND = "eval_prompt"  # outbox kinds are at most 16 characters
REMIND_KIND = "eval_remind"


def deadline_text(voice: Voice, deadline: datetime) -> str:
    """`2027-01-15 23:59`, local time."""
    return aware(deadline).astimezone(voice.timezone).strftime("%Y-%m-%d %H:%M")


def write_buttons(voice: Voice, lang: str, round_id: int, *, revise: bool) -> outbox.Buttons:
    label = "evaluation.button.revise" if revise else "evaluation.button.write"
    return [[(voice.translate(lang, label), SelfAssessmentButton(round_id, "write"))]]


def prompt_text(voice: Voice, lang: str, evaluation: EvaluationRound, dossier: Dossier) -> str:
    return voice.translate(
        lang,
        "evaluation.prompt",
        year=evaluation.year,
        deadline=deadline_text(voice, evaluation.deadline),
        limit=TEXT_LIMIT,
        dossier=describe(voice, lang, dossier),
    )


async def reachable(
    session: AsyncSession, round_id: int, *, unanswered: bool = False
) -> list[tuple[int, int]]:
    """(instructor id, Telegram id) of the round's participants bound to Telegram and not
    ended (only those without an answer, with `unanswered`)."""
    query = (
        select(Instructor.id, Instructor.telegram_id)
        .join(EvaluationEntry, EvaluationEntry.instructor_id == Instructor.id)
        .where(
            EvaluationEntry.round_id == round_id,
            Instructor.telegram_id.is_not(None),
            Instructor.status != Status.ENDED.value,
        )
        .order_by(Instructor.id)
    )
    if unanswered:
        query = query.where(EvaluationEntry.answered_at.is_(None))
    return [(int(i), int(tid or 0)) for i, tid in await session.execute(query)]


@dataclass(frozen=True)
class Opened:
    """A year opened: its round and whom the prompts reach."""

    evaluation: EvaluationRound
    participants: int
    reachable: int

    @property
    def not_joined(self) -> int:
        return self.participants - self.reachable


async def open_year(
    session: AsyncSession,
    voice: Voice,
    year: int,
    deadline: datetime,
    *,
    opened_by: int,
    now: datetime,
) -> Opened | RoundRefusal:
    """Opens the round and enqueues every reachable participant's prompt with their dossier,
    in the caller's one transaction."""
    created = await rounds.create_round(session, year, deadline, opened_by=opened_by, now=now)
    if isinstance(created, RoundRefusal):
        return created
    participants = await rounds.participant_count(session, created.id)
    people = await reachable(session, created.id)
    found = await dossiers(session, year, [i for i, _ in people], tz=voice.timezone)
    langs = await voice.langs(session, [tid for _, tid in people])
    messages = [
        outbox.Outgoing(
            f"evaluation:{created.id}:prompt:{iid}",
            tid,
            prompt_text(voice, langs[tid], created, found[iid]),
            PROMPT_KIND,
            created.id,
            instructor_id=iid,
            buttons=write_buttons(voice, langs[tid], created.id, revise=False),
        )
        for iid, tid in people
    ]
    await outbox.enqueue(session, messages, now=now)
    return Opened(created, participants, len(people))


@dataclass(frozen=True)
class Answered:
    """What became of a typed self-assessment: outcome "saved", "revised", "too_long" (length),
    "empty", "closed" (the deadline passed), "not_participant", "no_round"."""

    outcome: str
    evaluation: EvaluationRound | None = None
    length: int = 0


async def may_answer(
    session: AsyncSession, round_id: int, instructor_id: int, *, now: datetime
) -> Answered:
    """Whether the instructor may (still) write: outcome "open", "closed", "not_participant"
    or "no_round"."""
    evaluation = await session.get(EvaluationRound, round_id)
    if evaluation is None:
        return Answered("no_round")
    if await rounds.entry_of(session, round_id, instructor_id) is None:
        return Answered("not_participant", evaluation)
    if rounds.is_closed(evaluation, now=now):
        return Answered("closed", evaluation)
    return Answered("open", evaluation)


async def answer(
    session: AsyncSession, round_id: int, instructor_id: int, text: str, *, now: datetime
) -> Answered:
    """Stores the self-assessment (the last one counts) unless too long or too late."""
    checked = await may_answer(session, round_id, instructor_id, now=now)
    if checked.outcome != "open":
        return checked
    text = text.strip()
    if not text:
        return Answered("empty", checked.evaluation)
    if len(text) > TEXT_LIMIT:
        return Answered("too_long", checked.evaluation, len(text))
    entry = await rounds.entry_of(session, round_id, instructor_id)
    assert entry is not None
    revised = entry.answered_at is not None
    await session.execute(
        update(EvaluationEntry)
        .where(EvaluationEntry.id == entry.id)
        .values(self_text=text, answered_at=now)
    )
    return Answered("revised" if revised else "saved", checked.evaluation, len(text))
