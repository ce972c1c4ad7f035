"""What the report flows share: a report in one line, its problems, storing a parsed line."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message

from bot.context import Context
from bot.texts import t, tag_problem
from storage.common.tags import TAG_PROBLEMS, format_tags
from storage.models import Instructor, Report, ReportSource, ReportType
from storage.reports import records
from storage.reports.records import ParsedReport, ReportProblem


def describe(
    lang: str,
    *,
    type: str,
    target: str,
    person_times: int,
    day: date,
    note: str | None,
    tags: list[str] | None = None,
) -> str:
    """One report in one line:
    2026-11-20 走访 · 维达纸业 · 5人次 · 讲解工资协商流程 · 标签 #四必谈."""
    return t(
        lang,
        "report.summary",
        day=day.isoformat(),
        type=t(lang, f"type.{type}"),
        target=target,
        count=person_times,
        note=f" · {note}" if note else "",
        tags=t(lang, "report.tags", tags=format_tags(tags)) if tags else "",
    )


def describe_report(lang: str, report: Report) -> str:
    return describe(
        lang,
        type=report.type,
        target=report.target,
        person_times=report.person_times,
        day=report.date,
        note=report.note,
        tags=report.tags,
    )


def problem_text(lang: str, problem: ReportProblem) -> str:
    if problem.code in TAG_PROBLEMS:
        return tag_problem(lang, problem.code, problem.value)
    return t(
        lang,
        f"report.problem.{problem.code}",
        value=problem.value if problem.value is not None else "",
        limit=records.NOTE_LIMIT,
    )


def explain(lang: str, parsed: ParsedReport) -> str:
    """What was understood of a report that cannot be stored, and what is missing or wrong."""
    understood = []
    if parsed.type is not None:
        understood.append(f"{t(lang, 'report.field.type')} {t(lang, f'type.{parsed.type}')}")
    if parsed.target:
        understood.append(f"{t(lang, 'report.field.target')} {parsed.target}")
    if parsed.person_times is not None:
        understood.append(f"{t(lang, 'report.field.count')} {parsed.person_times}")
    if parsed.day is not None:
        understood.append(f"{t(lang, 'report.field.day')} {parsed.day.isoformat()}")
    if parsed.tags:
        understood.append(f"{t(lang, 'report.field.tags')} {format_tags(parsed.tags)}")
    lines = [
        t(lang, "report.understood", understood="，".join(understood))
        if understood
        else t(lang, "report.understood_nothing")
    ]
    lines += [f"• {problem_text(lang, problem)}" for problem in parsed.problems]
    lines.append(t(lang, "report.example"))
    return "\n".join(lines)


def today(context: Context) -> date:
    return datetime.now(context.settings.tz).date()


async def store_parsed(
    session: AsyncSession,
    instructor: Instructor,
    parsed: ParsedReport,
    source: ReportSource,
    message: Message,
    photo: str | None = None,
) -> tuple[Report, records.Match]:
    """Stores a parsed report of `message` (once per message) with its enterprise matched."""
    assert parsed.type is not None and parsed.target is not None and parsed.day is not None
    match = await records.match_enterprise(session, parsed.target)
    stored, _ = await records.create_report(
        session,
        instructor=instructor,
        type=ReportType(parsed.type),
        target=parsed.target,
        enterprise=match.enterprise,
        person_times=parsed.person_times or 0,
        day=parsed.day,
        note=parsed.note,
        source=source,
        chat_id=message.chat_id,
        message_id=message.message_id,
        photo_file_id=photo,
        tags=parsed.tags,
    )
    return stored, match
