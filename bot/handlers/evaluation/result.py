"""/evaluation result [year] [权重:40,40,20] [分档:90,75,60] [活跃:24]: the year's result with
the renewal sheet — HQ for the city (and the only one who may change the weights), a district
admin for their district, an instructor their own; /evaluation override [year] <name> [区]
<grade> 理由:<why>: HQ's grade in place of the computed one, kept with who and when."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile, Message, Update

from bot.context import Context, Handlers
from bot.handlers.evaluation.words import Subcommand
from bot.texts import t
from storage.common.keyed import KeyedLine
from storage.common.text import GRADE_LABELS, GRADES, fold
from storage.common.times import aware
from storage.evaluation import renewal, rounds
from storage.evaluation.ballots import MIN_RATERS
from storage.evaluation.result import (
    REASON_LENGTH,
    Result,
    Row,
    Settings,
    SettingsProblem,
    compute,
    override,
    participant_matches,
    read_settings,
)
from storage.models import EvaluationRound
from storage.people import districts
from storage.people.access import Identity, remember_user

SETTINGS = KeyedLine(
    {
        "权重": "weights",
        "weights": "weights",
        "分档": "thresholds",
        "thresholds": "thresholds",
        "活跃": "target",
        "活跃目标": "target",
        "target": "target",
    }
)
REASON = KeyedLine({"理由": "reason", "原因": "reason", "reason": "reason"})
YEAR = re.compile(r"^(\d{4})(?:年|年度)?$")
NAMES_SHOWN = 20  # names listed per line of the summary; the sheet has everyone


def _grade(lang: str, grade: str | None) -> str:
    if grade is None:
        return t(lang, "result.undecided")
    return t(lang, f"rating.grade.{grade}")


def _when(context: Context, moment: datetime) -> str:
    return aware(moment).astimezone(context.settings.tz).strftime("%Y-%m-%d %H:%M")


async def _round_for(
    session: AsyncSession, context: Context, lang: str, year: int | None
) -> EvaluationRound | str:
    """The year's round (the latest without a year), or why there is none to show."""
    found = (
        await rounds.get_round(session, year)
        if year is not None
        else await rounds.latest_round(session)
    )
    if found is None:
        return t(lang, "result.no_round", year=year) if year else t(lang, "result.no_rounds")
    if not rounds.is_closed(found, now=datetime.now(UTC)):
        return t(lang, "result.too_early", year=found.year, deadline=_when(context, found.deadline))
    return found


def _split_year(words: list[str]) -> tuple[int | None, list[str]]:
    if words and (match := YEAR.match(words[0])):
        return int(match.group(1)), words[1:]
    return None, words


def _settings_problem(lang: str, problem: SettingsProblem) -> str:
    return t(lang, f"result.settings.{problem.code}", value=problem.value)


def _names(rows: list[Row]) -> str:
    names = [f"{row.name}（{row.district}）" for row in rows[:NAMES_SHOWN]]
    if len(rows) > NAMES_SHOWN:
        names.append(f"…{len(rows)}")
    return "、".join(names)


def summary(lang: str, result: Result, scope: str) -> str:
    settings = result.settings
    grades = result.grades()
    lines = [
        t(lang, "result.header", year=result.evaluation.year, scope=scope, count=len(result.rows)),
        t(
            lang,
            "result.settings",
            democratic=settings.weights[0],
            district=settings.weights[1],
            activity=settings.weights[2],
            excellent=settings.thresholds[0],
            competent=settings.thresholds[1],
            basic=settings.thresholds[2],
            target=settings.activity_target,
        ),
        " · ".join(f"{_grade(lang, grade)} {grades[grade]}" for grade in GRADE_LABELS),
    ]
    if grades["undecided"]:
        lines.append(t(lang, "result.undecided_count", count=grades["undecided"]))
    dismissed = [row for row in result.rows if row.renewal == "dismiss"]
    if dismissed:
        lines.append(t(lang, "result.dismiss", count=len(dismissed), names=_names(dismissed)))
    few = sum(1 for row in result.rows if "democratic" in row.missing)
    unrated = sum(1 for row in result.rows if "district" in row.missing)
    if few or unrated:
        lines.append(t(lang, "result.missing", few=few, minimum=MIN_RATERS, unrated=unrated))
    overridden = sum(1 for row in result.rows if row.override is not None)
    if overridden:
        lines.append(t(lang, "result.overridden", count=overridden))
    return "\n".join(lines)


def own_result(lang: str, row: Row, year: int) -> str:
    return t(
        lang,
        "result.own",
        year=year,
        democratic=row.democratic if row.democratic is not None else "—",
        raters=row.raters,
        district=_grade(lang, row.district_grade) if row.district_grade else "—",
        reports=row.reports,
        activity=row.activity,
        score=row.score if row.score is not None else "—",
        grade=_grade(lang, row.grade),
        renewal=t(lang, f"result.renewal.{row.renewal}"),
    )


async def _send_sheet(message: Message, context: Context, result: Result, name: str) -> None:
    data = await asyncio.to_thread(renewal.renewal_sheet, result, context.settings.tz)
    await message.reply_document(InputFile(data, filename=name))


async def show_result(update: Update, context: Context, who: Identity, rest: str) -> None:
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    if who.role is None:
        await message.reply_text(t(lang, "refused.stranger"))
        return
    head, keyed = SETTINGS.split(rest)
    year, extra = _split_year(head.split())
    if extra:
        await message.reply_text(t(lang, "result.usage"))
        return
    if keyed and not who.is_hq:
        await message.reply_text(t(lang, "result.settings.hq_only"))
        return
    async with context.sessions.begin() as session:
        found = await _round_for(session, context, lang, year)
        if isinstance(found, str):
            await message.reply_text(found)
            return
        if keyed:
            settings = read_settings(Settings.of(found.settings), **keyed)
            if isinstance(settings, SettingsProblem):
                await message.reply_text(_settings_problem(lang, settings))
                return
            found.settings = settings.stored()
        if not who.is_admin:
            assert who.instructor is not None
            mine = await compute(
                session, found, instructor_id=who.instructor.id, tz=context.settings.tz
            )
            text = (
                own_result(lang, mine.rows[0], found.year)
                if mine.rows
                else t(lang, "result.not_participant", year=found.year)
            )
            await message.reply_text(text)
            return
        result = await compute(
            session, found, district_id=who.scope_district_id, tz=context.settings.tz
        )
    scope = who.district_name if who.scope_district_id is not None else t(lang, "result.city")
    await message.reply_text(summary(lang, result, scope or ""))
    suffix = f"-{who.district_name}" if who.scope_district_id is not None else ""
    await _send_sheet(message, context, result, f"evaluation-{found.year}{suffix}.xlsx")


def _read_override(text: str) -> tuple[int | None, list[str], str | None, str]:
    """(year, the words of name and district, the grade, the reason) of an override line."""
    head, keyed = REASON.split(text)
    year, words = _split_year(head.split())
    grade = None
    kept = []
    for word in words:
        found = GRADES.get(fold(word))
        if found is not None and grade is None:
            grade = found
        else:
            kept.append(word)
    return year, kept, grade, keyed.get("reason", "").strip()


async def override_grade(update: Update, context: Context, who: Identity, rest: str) -> None:
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    if not who.is_hq:
        key = "refused.not_hq" if who.is_admin else "refused.not_admin"
        await message.reply_text(t(lang, key if who.role else "refused.stranger"))
        return
    year, words, grade, reason = _read_override(rest)
    if not words or grade is None or len(words) > 2:
        await message.reply_text(t(lang, "override.usage"))
        return
    if not reason:
        await message.reply_text(t(lang, "override.no_reason"))
        return
    if len(reason) > REASON_LENGTH:
        await message.reply_text(
            t(lang, "override.long_reason", length=len(reason), limit=REASON_LENGTH)
        )
        return
    name = words[0]
    async with context.sessions.begin() as session:
        found = await _round_for(session, context, lang, year)
        if isinstance(found, str):
            await message.reply_text(found)
            return
        district_id = None
        if len(words) == 2:
            names = await districts.district_ids(session)
            district = districts.find_district(names, words[1])
            if district is None:
                await message.reply_text(
                    t(lang, "district.unknown", name=words[1], names="、".join(names))
                )
                return
            district_id = names[district]
        matches = await participant_matches(session, found.id, name, district_id)
        if not matches:
            await message.reply_text(t(lang, "override.not_found", name=name, year=found.year))
            return
        if len(matches) > 1:
            places = "、".join(district for _, district in matches)
            await message.reply_text(t(lang, "override.ambiguous", name=name, districts=places))
            return
        instructor, district = matches[0]
        [row] = (
            await compute(session, found, instructor_id=instructor.id, tz=context.settings.tz)
        ).rows
        user = update.effective_user
        assert user is not None
        # The sheet names who changed the grade: their Telegram name as of now.
        await remember_user(session, user.id, username=user.username, full_name=user.full_name)
        await override(
            session, found, instructor.id, grade, reason, by=who.telegram_id, now=datetime.now(UTC)
        )
    await message.reply_text(
        t(
            lang,
            "override.done",
            name=instructor.name,
            district=district,
            grade=_grade(lang, grade),
            computed=_grade(lang, row.computed),
            reason=reason,
            renewal=t(lang, f"result.renewal.{'dismiss' if grade == 'incompetent' else 'renew'}"),
        )
    )


SUBCOMMANDS: dict[str, Subcommand] = {
    "result": show_result,
    "结果": show_result,
    "override": override_grade,
    "调整": override_grade,
}
HANDLERS: Handlers = []
FLOWS: tuple = ()
