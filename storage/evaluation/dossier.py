"""Each instructor's dossier of a year (年度档案): what the database knows of their work, shown
with the self-assessment prompt, in /evaluation, and counted in the result's activity score.

- Reports per type with person-times and the enterprises covered: the very figures of /stats
  for that person and year (storage.reports.stats.instructor_figures, the one code path).
- Trainings attended: those checked in at that started in the year (storage.trainings.attendance).
- Call-ups served: teams they were a member of (accepted, not cancelled) starting in the year,
  with HQ's ratings.
- Mentoring: as mentor, the mentees (now theirs, or signed off by them in the year) and the
  step each has reached; as mentee, the step they have reached (MentoringSignoff 已达到).

`dossiers` computes many at once in a fixed number of queries per 500 people (no query per
person), so a city's 1,050 dossiers take a few queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.callups.recruiting import Voice
from storage.common import periods
from storage.models import (
    CallUp,
    CallUpInvitation,
    CallUpStatus,
    Instructor,
    InvitationStatus,
    MentoringSignoff,
    SignoffResult,
)
from storage.reports import stats
from storage.reports.stats import PersonFigures, TypeFigures
from storage.trainings import attendance

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")  # BOT_TIMEZONE's default; callers pass theirs
CHUNK = stats.ID_CHUNK
STEPS = 3  # mentoring steps: 入门, 进入角色, 独当一面
MENTEES_SHOWN = 10

T = TypeVar("T")


@dataclass(frozen=True)
class Mentee:
    """One mentee of a mentor and the highest step signed off 已达到 (0: none yet)."""

    id: int
    name: str
    reached: int


@dataclass(frozen=True)
class Dossier:
    """One instructor's year."""

    instructor_id: int
    year: int
    figures: PersonFigures
    trainings: int = 0
    callups: int = 0
    ratings: tuple[int, ...] = ()  # HQ's ratings (1–5) of the call-ups served, those given
    mentees: tuple[Mentee, ...] = ()
    # As mentee: the highest step signed off 已达到 (0 none yet); None without a mentor.
    reached: int | None = None

    @property
    def by_type(self) -> dict[str, TypeFigures]:
        return self.figures.by_type

    @property
    def reports(self) -> int:
        """All reports of the year: the result's measure of activity."""
        return self.figures.reports

    @property
    def person_times(self) -> int:
        return self.figures.person_times

    @property
    def enterprises(self) -> int:
        return self.figures.enterprises_covered

    @property
    def rating(self) -> float | None:
        """HQ's average rating of the year's call-ups (None when none was rated)."""
        return sum(self.ratings) / len(self.ratings) if self.ratings else None


def _chunks(items: Sequence[T]) -> Iterable[list[T]]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start : start + CHUNK])


def year_bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The year's first moment and the next year's, local time in `tz`."""
    return (
        datetime.combine(date(year, 1, 1), time(0), tzinfo=tz),
        datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=tz),
    )


async def _trainings(
    session: AsyncSession, ids: list[int], since: datetime, until: datetime
) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in _chunks(ids):
        found |= await attendance.counts(session, chunk, since=since, until=until)
    return found


async def _callups(
    session: AsyncSession, ids: list[int], year: periods.Period
) -> dict[int, list[int | None]]:
    """Per instructor, the HQ rating (or None) of each call-up served that started in the year."""
    found: dict[int, list[int | None]] = {}
    for chunk in _chunks(ids):
        rows = await session.execute(
            select(CallUpInvitation.instructor_id, CallUpInvitation.rating)
            .join(CallUp, CallUp.id == CallUpInvitation.call_up_id)
            .where(
                CallUpInvitation.instructor_id.in_(chunk),
                CallUpInvitation.status == InvitationStatus.ACCEPTED.value,
                CallUp.status == CallUpStatus.RECRUITING.value,
                CallUp.starts >= year.start,
                CallUp.starts <= year.end,
            )
            .order_by(CallUp.starts, CallUp.id)
        )
        for instructor_id, rating in rows:
            found.setdefault(int(instructor_id), []).append(rating)
    return found


async def _mentoring(
    session: AsyncSession, ids: list[int], year: periods.Period, until: datetime
) -> tuple[dict[int, list[Mentee]], dict[int, int | None]]:
    """(mentees per mentor, the step each of `ids` reached as a mentee or None)."""
    pairs: dict[int, set[int]] = {}
    has_mentor: set[int] = set()
    for chunk in _chunks(ids):
        assigned = await session.execute(
            select(Instructor.mentor_id, Instructor.id).where(Instructor.mentor_id.in_(chunk))
        )
        for mentor_id, mentee_id in assigned:
            pairs.setdefault(int(mentor_id or 0), set()).add(int(mentee_id))
        signed = await session.execute(
            select(MentoringSignoff.mentor_id, MentoringSignoff.mentee_id).where(
                MentoringSignoff.mentor_id.in_(chunk),
                MentoringSignoff.due_on >= year.start,
                MentoringSignoff.due_on <= year.end,
            )
        )
        for mentor_id, mentee_id in signed:
            pairs.setdefault(int(mentor_id), set()).add(int(mentee_id))
        mentored = await session.execute(
            select(Instructor.id).where(
                Instructor.id.in_(chunk),
                or_(
                    Instructor.mentor_id.is_not(None),
                    Instructor.id.in_(select(MentoringSignoff.mentee_id)),
                ),
            )
        )
        has_mentor.update(int(i) for i in mentored.scalars())
    mentee_ids = sorted({m for mentees in pairs.values() for m in mentees} | has_mentor)
    names: dict[int, str] = {}
    reached: dict[int, int] = {}
    for chunk in _chunks(mentee_ids):
        names |= {
            int(i): n
            for i, n in await session.execute(
                select(Instructor.id, Instructor.name).where(Instructor.id.in_(chunk))
            )
        }
        steps = await session.execute(
            select(MentoringSignoff.mentee_id, MentoringSignoff.step).where(
                MentoringSignoff.mentee_id.in_(chunk),
                MentoringSignoff.result == SignoffResult.REACHED.value,
                MentoringSignoff.signed_at < until,
            )
        )
        for mentee_id, step in steps:
            reached[int(mentee_id)] = max(reached.get(int(mentee_id), 0), int(step))
    mentees = {
        mentor_id: sorted(
            (Mentee(m, names.get(m, ""), reached.get(m, 0)) for m in found),
            key=lambda mentee: (mentee.name, mentee.id),
        )
        for mentor_id, found in pairs.items()
    }
    as_mentee = {i: (reached.get(i, 0) if i in has_mentor else None) for i in ids}
    return mentees, as_mentee


async def dossiers(
    session: AsyncSession,
    year: int,
    instructor_ids: Sequence[int],
    *,
    tz: ZoneInfo = DEFAULT_TZ,
) -> dict[int, Dossier]:
    """The dossiers of `year` for many instructors at once (a fixed number of queries per 500)."""
    ids = list(dict.fromkeys(instructor_ids))
    period = periods.year(year)
    since, until = year_bounds(year, tz)
    figures = await stats.instructor_figures(session, period, ids)
    trained = await _trainings(session, ids, since, until)
    served = await _callups(session, ids, period)
    mentees, reached = await _mentoring(session, ids, period, until)
    return {
        i: Dossier(
            instructor_id=i,
            year=year,
            figures=figures[i],
            trainings=trained.get(i, 0),
            callups=len(served.get(i, [])),
            ratings=tuple(r for r in served.get(i, []) if r is not None),
            mentees=tuple(mentees.get(i, [])),
            reached=reached.get(i),
        )
        for i in ids
    }


async def dossier(
    session: AsyncSession, year: int, instructor_id: int, *, tz: ZoneInfo = DEFAULT_TZ
) -> Dossier:
    """One instructor's dossier of `year`."""
    return (await dossiers(session, year, [instructor_id], tz=tz))[instructor_id]


def describe(voice: Voice, lang: str, dossier: Dossier) -> str:
    """The dossier as a few short lines for a phone."""
    tr = voice.translate
    lines = [tr(lang, "evaluation.dossier.title", year=dossier.year)]
    kinds = [
        tr(
            lang,
            "evaluation.dossier.type_item",
            type=tr(lang, f"type.{kind}"),
            reports=figures.reports,
            person_times=figures.person_times,
        )
        for kind, figures in dossier.by_type.items()
        if figures.reports
    ]
    lines.append(
        tr(
            lang,
            "evaluation.dossier.reports",
            reports=dossier.reports,
            person_times=dossier.person_times,
            enterprises=dossier.enterprises,
        )
    )
    if kinds:
        lines.append(tr(lang, "evaluation.dossier.types", types="、".join(kinds)))
    lines.append(tr(lang, "evaluation.dossier.trainings", count=dossier.trainings))
    rated = ""
    if dossier.rating is not None:
        stars = " ".join(f"★{r}" for r in dossier.ratings)
        rated = tr(lang, "evaluation.dossier.ratings", stars=stars)
        if len(dossier.ratings) > 1:
            rated += tr(lang, "evaluation.dossier.average", average=f"{dossier.rating:.1f}")
    lines.append(tr(lang, "evaluation.dossier.callups", count=dossier.callups, ratings=rated))
    if dossier.mentees:
        shown = "、".join(
            tr(
                lang,
                "evaluation.dossier.mentee_item",
                name=m.name,
                step=tr(lang, f"evaluation.step.{min(m.reached, STEPS)}"),
            )
            for m in dossier.mentees[:MENTEES_SHOWN]
        )
        if len(dossier.mentees) > MENTEES_SHOWN:
            shown += "…"
        lines.append(
            tr(lang, "evaluation.dossier.mentor", count=len(dossier.mentees), mentees=shown)
        )
    if dossier.reached is not None:
        step = tr(lang, f"evaluation.step.{min(dossier.reached, STEPS)}")
        lines.append(tr(lang, "evaluation.dossier.mentee", step=step))
    return "\n".join(lines)


def dossier_json(dossier: Dossier) -> dict[str, Any]:
    """The dossier as plain values (the benchmark and exports)."""
    return {
        "instructor_id": dossier.instructor_id,
        "year": dossier.year,
        "by_type": {
            kind: {"reports": f.reports, "person_times": f.person_times}
            for kind, f in dossier.by_type.items()
        },
        "reports": dossier.reports,
        "person_times": dossier.person_times,
        "enterprises": dossier.enterprises,
        "trainings": dossier.trainings,
        "callups": dossier.callups,
        "ratings": list(dossier.ratings),
        "mentees": [{"id": m.id, "name": m.name, "reached": m.reached} for m in dossier.mentees],
        "reached": dossier.reached,
    }
