"""The result of a year's evaluation: each participant's score and grade, HQ's overrides, and
the renewal decision (续聘 / 解聘).

    score = (democratic × w1 + district × w2 + activity × w3) / (w1 + w2 + w3)

over the parts that exist for the person, each 0–100:

- democratic (民主测评): the mean of the raters' grades in points (GRADE_POINTS), counted only
  where at least MIN_RATERS raters graded the person (fewer would show how one rater voted);
- district (区评): the district's grade in points;
- activity (活跃度): the year's progress reports against a target, 100 × reports / target, at
  most 100 (the dossier's figure, the one /stats shows).

A missing part is left out and the weights of the others carry the score; the sheet names it.
The score gives the grade by the thresholds (优秀 ≥ 90, 称职 ≥ 75, 基本称职 ≥ 60, else 不称职,
by default); HQ's latest override replaces it; 不称职 means 解聘, every other grade 续聘.

Weights, thresholds and the activity target are the round's (EvaluationRound.settings, set by
HQ with /evaluation result), PRODUCT.md's defaults until then. Every figure is a Decimal rounded
half up to one place and rows come in a fixed order, so the same inputs give the same sheet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.times import aware
from storage.evaluation.ballots import distribution, rater_counts
from storage.evaluation.district import district_grades
from storage.evaluation.dossier import DEFAULT_TZ, dossiers
from storage.models import (
    District,
    EvaluationEntry,
    EvaluationRound,
    Grade,
    GradeOverride,
    Instructor,
    TelegramUser,
)

GRADE_POINTS: dict[str, int] = {
    Grade.EXCELLENT.value: 100,
    Grade.COMPETENT.value: 80,
    Grade.BASIC.value: 60,
    Grade.INCOMPETENT.value: 40,
}
REASON_LENGTH = 200
RENEW, DISMISS, UNDECIDED = "renew", "dismiss", "undecided"
ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class Settings:
    """Weights in percent (democratic, district, activity; they add up to 100), the lowest
    scores of 优秀, 称职 and 基本称职, and the reports a year that make full activity."""

    weights: tuple[int, int, int] = (40, 40, 20)
    thresholds: tuple[int, int, int] = (90, 75, 60)
    activity_target: int = 24

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> Settings:
        if not stored:
            return cls()
        default = cls()
        weights = stored.get("weights", default.weights)
        thresholds = stored.get("thresholds", default.thresholds)
        return cls(
            (int(weights[0]), int(weights[1]), int(weights[2])),
            (int(thresholds[0]), int(thresholds[1]), int(thresholds[2])),
            int(stored.get("activity_target", default.activity_target)),
        )

    def stored(self) -> dict[str, Any]:
        return {
            "weights": list(self.weights),
            "thresholds": list(self.thresholds),
            "activity_target": self.activity_target,
        }


@dataclass(frozen=True)
class SettingsProblem:
    """Why weights, thresholds or a target were refused: code and the text as typed."""

    code: str  # weights_shape, weights_sum, thresholds_shape, thresholds_order, target
    value: str


def read_settings(
    base: Settings,
    *,
    weights: str | None = None,
    thresholds: str | None = None,
    target: str | None = None,
) -> Settings | SettingsProblem:
    """`base` with the typed `40,40,20`, `90,75,60` and `24` in place (、，/ separate too)."""
    new_weights, new_thresholds, new_target = base.weights, base.thresholds, base.activity_target
    if weights is not None:
        numbers = _numbers(weights)
        if numbers is None or len(numbers) != 3:
            return SettingsProblem("weights_shape", weights)
        if sum(numbers) != 100:
            return SettingsProblem("weights_sum", weights)
        new_weights = (numbers[0], numbers[1], numbers[2])
    if thresholds is not None:
        numbers = _numbers(thresholds)
        if numbers is None or len(numbers) != 3 or not all(0 <= n <= 100 for n in numbers):
            return SettingsProblem("thresholds_shape", thresholds)
        if not numbers[0] > numbers[1] > numbers[2]:
            return SettingsProblem("thresholds_order", thresholds)
        new_thresholds = (numbers[0], numbers[1], numbers[2])
    if target is not None:
        numbers = _numbers(target)
        if numbers is None or len(numbers) != 1 or not 1 <= numbers[0] <= 10_000:
            return SettingsProblem("target", target)
        new_target = numbers[0]
    return Settings(new_weights, new_thresholds, new_target)


def _numbers(text: str) -> list[int] | None:
    for separator in "、，,/／%％":
        text = text.replace(separator, " ")
    words = text.split()
    if not words or not all(word.isdigit() for word in words):
        return None
    return [int(word) for word in words]


@dataclass(frozen=True)
class Override:
    grade: str
    reason: str
    by: int  # the HQ admin's Telegram id
    by_name: str | None  # their Telegram name, where known
    at: datetime


@dataclass(frozen=True)
class Row:
    """One participant's result."""

    instructor_id: int
    name: str
    district: str
    level: str
    employment: str
    raters: int
    distribution: dict[str, int]  # grade → raters, empty below MIN_RATERS
    democratic: Decimal | None
    district_grade: str | None
    district_points: Decimal | None
    reports: int
    trainings: int
    activity: Decimal
    score: Decimal | None  # None: no part with a weight to score by
    computed: str | None
    override: Override | None
    self_assessment: str | None

    @property
    def grade(self) -> str | None:
        """The grade that counts: HQ's override, else the computed one."""
        return self.override.grade if self.override is not None else self.computed

    @property
    def renewal(self) -> str:
        if self.grade is None:
            return UNDECIDED
        return DISMISS if self.grade == Grade.INCOMPETENT.value else RENEW

    @property
    def missing(self) -> tuple[str, ...]:
        """The parts that could not count: "democratic", "district"."""
        parts = []
        if self.democratic is None:
            parts.append("democratic")
        if self.district_points is None:
            parts.append("district")
        return tuple(parts)


@dataclass
class Result:
    evaluation: EvaluationRound
    settings: Settings
    rows: list[Row] = field(default_factory=list)

    def grades(self) -> Counter[str]:
        """How many got each grade that counts (None: not decided)."""
        return Counter(row.grade or UNDECIDED for row in self.rows)


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def grade_of(score: Decimal, thresholds: Sequence[int]) -> str:
    excellent, competent, basic = thresholds
    if score >= excellent:
        return Grade.EXCELLENT.value
    if score >= competent:
        return Grade.COMPETENT.value
    if score >= basic:
        return Grade.BASIC.value
    return Grade.INCOMPETENT.value


def score_of(parts: Sequence[Decimal | None], weights: Sequence[int]) -> Decimal | None:
    """The weighted mean of the parts present; None when none with a weight is."""
    present = [
        (part, weight) for part, weight in zip(parts, weights, strict=True) if part is not None
    ]
    total = sum(weight for _, weight in present)
    if not total:
        return None
    return _round(sum((part * weight for part, weight in present), Decimal(0)) / total)


async def latest_overrides(session: AsyncSession, round_id: int) -> dict[int, Override]:
    """Each instructor's latest override in the round (ties by id: the later row)."""
    overrides = await session.execute(
        select(GradeOverride, TelegramUser.full_name)
        .outerjoin(TelegramUser, TelegramUser.telegram_id == GradeOverride.by)
        .where(GradeOverride.round_id == round_id)
        .order_by(GradeOverride.at, GradeOverride.id)
    )
    return {
        o.instructor_id: Override(o.grade, o.reason, o.by, name, aware(o.at))
        for o, name in overrides
    }


async def compute(
    session: AsyncSession,
    evaluation: EvaluationRound,
    *,
    district_id: int | None = None,
    instructor_id: int | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
) -> Result:
    """The result of the round: of one district's participants, or of one participant, where
    given (their figures are the same as in the whole round's)."""
    settings = Settings.of(evaluation.settings)
    query = (
        select(EvaluationEntry, Instructor, District.name)
        .join(Instructor, Instructor.id == EvaluationEntry.instructor_id)
        .join(District, District.id == EvaluationEntry.district_id)
        .where(EvaluationEntry.round_id == evaluation.id)
        .order_by(District.id, Instructor.name, Instructor.id)
    )
    if district_id is not None:
        query = query.where(EvaluationEntry.district_id == district_id)
    if instructor_id is not None:
        query = query.where(EvaluationEntry.instructor_id == instructor_id)
    entries = list(await session.execute(query))
    ids = [instructor.id for _, instructor, _ in entries]
    raters_of = await rater_counts(session, evaluation.id, ids)
    votes = await distribution(session, evaluation.id, ids)
    graded = await district_grades(session, evaluation.id)
    overrides = await latest_overrides(session, evaluation.id)
    figures = await dossiers(session, evaluation.year, ids, tz=tz)
    result = Result(evaluation, settings)
    for entry, instructor, district in entries:
        counted = votes.get(instructor.id)  # None below MIN_RATERS
        democratic = None
        if counted is not None:
            points = sum(GRADE_POINTS[grade] * n for grade, n in counted.items())
            democratic = _round(Decimal(points) / counted.total())
        district_grade = graded.get(instructor.id)
        district_points = (
            Decimal(GRADE_POINTS[district_grade]) if district_grade is not None else None
        )
        dossier = figures[instructor.id]
        activity = _round(
            min(Decimal(100), Decimal(100 * dossier.reports) / settings.activity_target)
        )
        score = score_of((democratic, district_points, activity), settings.weights)
        result.rows.append(
            Row(
                instructor_id=instructor.id,
                name=instructor.name,
                district=district,
                level=instructor.level,
                employment=instructor.employment,
                raters=raters_of.get(instructor.id, 0),
                distribution=dict(counted) if counted is not None else {},
                democratic=democratic,
                district_grade=district_grade,
                district_points=district_points,
                reports=dossier.reports,
                trainings=dossier.trainings,
                activity=activity,
                score=score,
                computed=grade_of(score, settings.thresholds) if score is not None else None,
                override=overrides.get(instructor.id),
                self_assessment=entry.self_text,
            )
        )
    return result


async def override(
    session: AsyncSession,
    evaluation: EvaluationRound,
    instructor_id: int,
    grade: str,
    reason: str,
    *,
    by: int,
    now: datetime,
) -> GradeOverride:
    """Records HQ's grade for one participant; earlier overrides are kept beside it."""
    row = GradeOverride(
        round_id=evaluation.id,
        instructor_id=instructor_id,
        grade=grade,
        reason=reason,
        by=by,
        at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def participant_matches(
    session: AsyncSession, round_id: int, name: str, district_id: int | None
) -> list[tuple[Instructor, str]]:
    """The round's participants called `name` (of a district, where given), with their
    district's name."""
    query = (
        select(Instructor, District.name)
        .join(EvaluationEntry, EvaluationEntry.instructor_id == Instructor.id)
        .join(District, District.id == EvaluationEntry.district_id)
        .where(EvaluationEntry.round_id == round_id, Instructor.name == name)
        .order_by(District.id, Instructor.id)
    )
    if district_id is not None:
        query = query.where(EvaluationEntry.district_id == district_id)
    return [(instructor, district) for instructor, district in await session.execute(query)]
