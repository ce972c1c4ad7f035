"""The renewal sheet (续聘表, .xlsx) of a year's evaluation: one row per participant with every
part of the score, the grade computed and the grade that counts, HQ's override with reason, who
and when, and 续聘 / 解聘; a second sheet says how the score was made.

The titles are part of the contract, as the report export's are:

    序号, 姓名, 所属区, 层级, 类别, 测评人数, 优秀, 称职, 基本称职, 不称职, 民主测评得分, 区评,
    区评得分, 工作动态, 参加培训, 活跃度得分, 综合得分, 计算等次, 认定等次, 调整理由, 调整人,
    调整时间, 续聘建议, 缺项, 自评

The grade counts (优秀 … 不称职) are shown only where at least 3 raters voted. Rows come in the
result's order (district, then name), so the same inputs give the same cells.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from storage.common.spreadsheets import xlsx_bytes
from storage.common.text import EMPLOYMENT_LABELS, GRADE_LABELS, LEVEL_LABELS
from storage.common.times import aware
from storage.evaluation.ballots import MIN_RATERS
from storage.evaluation.result import (
    DISMISS,
    GRADE_POINTS,
    RENEW,
    Result,
    Row,
)

SHEET_TITLE = "考评结果"
NOTES_TITLE = "说明"
COLUMNS: tuple[str, ...] = (
    "序号",
    "姓名",
    "所属区",
    "层级",
    "类别",
    "测评人数",
    *GRADE_LABELS.values(),
    "民主测评得分",
    "区评",
    "区评得分",
    "工作动态",
    "参加培训",
    "活跃度得分",
    "综合得分",
    "计算等次",
    "认定等次",
    "调整理由",
    "调整人",
    "调整时间",
    "续聘建议",
    "缺项",
    "自评",
)
RENEWAL_LABELS = {RENEW: "续聘", DISMISS: "解聘", "undecided": "待定"}
MISSING_LABELS = {"democratic": f"民主测评不足 {MIN_RATERS} 人", "district": "区评未评"}


def _grade(grade: str | None) -> str | None:
    return GRADE_LABELS.get(grade, grade) if grade is not None else None


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


def _row(index: int, row: Row, tz: ZoneInfo) -> list[Any]:
    counts: list[int | None] = [None] * len(GRADE_LABELS)
    if row.distribution:
        counts = [row.distribution.get(grade, 0) for grade in GRADE_LABELS]
    override = row.override
    return [
        index,
        row.name,
        row.district,
        LEVEL_LABELS.get(row.level, row.level),
        EMPLOYMENT_LABELS.get(row.employment, row.employment),
        row.raters,
        *counts,
        _number(row.democratic),
        _grade(row.district_grade),
        _number(row.district_points),
        row.reports,
        row.trainings,
        _number(row.activity),
        _number(row.score),
        _grade(row.computed),
        _grade(row.grade),
        override.reason if override else None,
        (override.by_name or str(override.by)) if override else None,
        aware(override.at).astimezone(tz).strftime("%Y-%m-%d %H:%M") if override else None,
        RENEWAL_LABELS[row.renewal],
        "、".join(MISSING_LABELS[part] for part in row.missing) or None,
        row.self_assessment,
    ]


def _notes(result: Result, tz: ZoneInfo) -> list[list[Any]]:
    settings = result.settings
    democratic, district, activity = settings.weights
    excellent, competent, basic = settings.thresholds
    points = "、".join(f"{GRADE_LABELS[g]} {p}" for g, p in GRADE_POINTS.items())
    deadline = aware(result.evaluation.deadline).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return [
        ["项目", "内容"],
        ["年度", result.evaluation.year],
        ["自评截止", deadline],
        ["权重", f"民主测评 {democratic}%、区评 {district}%、活跃度 {activity}%"],
        ["分档", f"优秀 ≥ {excellent}、称职 ≥ {competent}、基本称职 ≥ {basic}、其余不称职"],
        ["等次分值", points],
        ["民主测评得分", f"测评人等次分值的平均；不足 {MIN_RATERS} 人不计"],
        ["活跃度得分", f"全年工作动态条数 ÷ {settings.activity_target} × 100，最高 100"],
        ["综合得分", "各项得分按权重加权平均；缺项不计，其余各项按权重分担"],
        ["续聘建议", "认定等次为不称职的解聘，其余续聘；市总工会调整过的以调整为准"],
    ]


def renewal_sheet(result: Result, tz: ZoneInfo) -> bytes:
    table: list[list[Any]] = [list(COLUMNS)]
    table += [_row(index, row, tz) for index, row in enumerate(result.rows, 1)]
    return xlsx_bytes({SHEET_TITLE: table, NOTES_TITLE: _notes(result, tz)})
