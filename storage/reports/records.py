"""Progress reports (工作动态): parsing a one-line report, matching its target, and its rows.

A one-line report reads `走访 维达纸业 5人次 昨天 讲解工资协商流程`: the type, the target (one
word, or a name with spaces in 「」 or “” quotes), then in any order an optional person-time
count (`5人次`, `5人`, `5 人次`) and an optional date (`2026-11-20`, `11月20日`, `昨天`); the
first word that is neither starts the note, which runs to the end of the text as typed. A
count or a date inside the note is therefore part of the note. Campaign tags (`#四必谈`, see
storage.common.tags) may stand anywhere after the type; they are taken out of the text first,
so they are never part of the target or the note.

Problems are structured codes (`ReportProblem`, one of PROBLEM_CODES); the bot words them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from storage.common.tags import TagProblem, check_tags, extract_tags
from storage.common.text import (
    CHINESE_NUMERAL,
    RELATIVE_DAYS,
    TYPE_LABELS,
    TYPE_WORDS,
    fold,
    narrow,
    number,
)
from storage.common.times import aware
from storage.db import dialect_insert
from storage.enterprises import normalize_enterprise_name
from storage.models import (
    Enterprise,
    Instructor,
    Report,
    ReportRevision,
    ReportSource,
    ReportType,
)
from storage.reports.rollups import count_report, counted_of, recount_report
from storage.reports.tags import add_tags, set_tags

# `#工作动态` is followed by the type word; the others carry the type themselves. The
# full-width ＃ is read as #.
GENERAL_HASHTAG = "#工作动态"
HASHTAGS: tuple[str, ...] = (*(f"#{label}" for label in TYPE_LABELS.values()), GENERAL_HASHTAG)

NOTE_LIMIT = 1000  # characters
TARGET_LIMIT = 128  # the length of reports.target
MAX_PERSON_TIMES = 100_000  # well inside a 32-bit integer; more is a typo
MAX_AGE_DAYS = 60
EDIT_DAYS = 7
SUGGESTIONS = 3
SIMILARITY = 0.6  # difflib ratio from which a name is offered as a close match
_CANDIDATES = 500  # names scored by difflib at most

# Every code a ReportProblem can carry; the bot has a wording for each.
PROBLEM_CODES: tuple[str, ...] = (
    "missing_type",  # value: None
    "unknown_type",  # value: the word
    "missing_target",  # value: None
    "target_too_long",  # value: its length
    "bad_count",  # value: the count as typed (or the number given)
    "bad_date",  # value: the word
    "future_date",  # value: the date, ISO
    "too_old",  # value: the date, ISO
    "note_too_long",  # value: its length (the limit is NOTE_LIMIT)
    "too_many_tags",  # value: how many (the limit is storage.common.tags.MAX_TAGS)
    "tag_too_long",  # value: the tag (the limit is storage.common.tags.TAG_LENGTH)
)
# The report's columns a ReportRevision keeps and an edit may change; an edit may change its
# "tags" too, and the revision keeps them beside these.
FIELDS: tuple[str, ...] = ("type", "target", "enterprise_id", "person_times", "date", "note")


class ReportProblem(Exception):
    """A reason a report cannot be stored: `code` (one of PROBLEM_CODES) and what it is about."""

    def __init__(self, code: str, value: str | int | None = None) -> None:
        super().__init__(code, value)
        self.code = code
        self.value = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReportProblem):
            return NotImplemented
        return (self.code, self.value) == (other.code, other.value)

    def __hash__(self) -> int:
        return hash((self.code, self.value))

    def __repr__(self) -> str:
        return f"ReportProblem({self.code!r}, {self.value!r})"


@dataclass
class ParsedReport:
    """What a report's text says, as far as it could be understood, and what is wrong with it."""

    type: ReportType | None = None
    target: str | None = None
    person_times: int | None = 0  # 0 when not given; None when given but unreadable
    day: date | None = None  # today when not given; None when given but unreadable
    note: str | None = None
    tags: list[str] = field(default_factory=list)  # campaign tags, without #
    problems: list[ReportProblem] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """The required fields not understood: "type", "target"."""
        return [name for name in ("type", "target") if getattr(self, name) is None]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.missing

    @property
    def codes(self) -> list[str]:
        return [problem.code for problem in self.problems]


# ---------------------------------------------------------------------------------------------
# Words


_NUMERIC_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_CHINESE_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?")


def parse_day(word: str, today: date) -> date | None:
    """The day `word` names (`2026-11-20`, `2026/11/20`, `2026年11月20日`, `11月20日`,
    `11月20号`, `今天`, `昨天`, `前天`), or None if it is not a date.

    A month and day without a year is the latest such day not after today, unless that is
    too old to report while this year's is not: then it is this year's (and in the future).
    Raises ReportProblem("bad_date") for a date-shaped word that names no day (2月30日).
    """
    folded = narrow(word)
    offset = RELATIVE_DAYS.get(folded)
    if offset is not None and offset <= 0:  # a report tells what was done, never 明天
        return today + timedelta(days=offset)
    try:
        if match := _NUMERIC_DATE.fullmatch(folded):
            return date(*(int(part) for part in match.groups()))
        if match := _CHINESE_DATE.fullmatch(folded):
            year, month, day = match.groups()
            if year is not None:
                return date(int(year), int(month), int(day))
            return _day_without_year(int(month), int(day), today)
    except ValueError:
        raise ReportProblem("bad_date", word) from None
    return None


def _day_without_year(month: int, day: int, today: date) -> date:
    candidates: list[date] = []
    for year in (today.year, today.year - 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:  # 2月29日 of a common year
            continue
    if not candidates:
        raise ValueError(f"no {month}/{day}")
    recent = [c for c in candidates if c <= today and (today - c).days <= MAX_AGE_DAYS]
    return recent[0] if recent else candidates[0]


def tag_problem(tags: list[str]) -> ReportProblem | None:
    """The reason the tags cannot be kept (too many, one too long), or None."""
    try:
        check_tags(tags)
    except TagProblem as problem:
        return ReportProblem(problem.code, problem.value)
    return None


def check_day(day: date, today: date) -> None:
    """Refuses a day after today ("future_date") or more than MAX_AGE_DAYS back ("too_old")."""
    if day > today:
        raise ReportProblem("future_date", day.isoformat())
    if (today - day).days > MAX_AGE_DAYS:
        raise ReportProblem("too_old", day.isoformat())


_NUMBERISH = re.compile(rf"[-+−]?[\d.,]+|{CHINESE_NUMERAL}")
_UNITS = ("人次", "人")


def _type_word(word: str) -> ReportType | None:
    kind = TYPE_WORDS.get(fold(word))
    return ReportType(kind) if kind is not None else None


# ---------------------------------------------------------------------------------------------
# Lines


@dataclass(frozen=True)
class _Token:
    value: str  # without its quotes
    start: int  # where it starts in the text, quotes included


# A quoted name keeps its spaces; otherwise any whitespace (U+3000 too) separates words.
_TOKEN = re.compile(r"「([^」]*)」|“([^”]*)”|\"([^\"]*)\"|(\S+)")


def _tokens(text: str) -> list[_Token]:
    return [
        _Token(next(group for group in match.groups() if group is not None), match.start())
        for match in _TOKEN.finditer(text)
    ]


def _count_at(tokens: list[_Token], i: int) -> tuple[int, str] | None:
    """How many words from `i` state a count (`5人次`, or `5` `人次`), and the count as typed."""
    word = narrow(tokens[i].value)
    if i + 1 < len(tokens) and narrow(tokens[i + 1].value) in _UNITS and _NUMBERISH.fullmatch(word):
        return 2, f"{tokens[i].value} {tokens[i + 1].value}"
    if word.endswith("人次") and len(word) > 2:
        return 1, tokens[i].value
    # A word merely ending in 人 (负责人) is a count only when the rest looks like a number.
    if word.endswith("人") and _NUMBERISH.fullmatch(word[:-1]):
        return 1, tokens[i].value
    return None


def _read_count(typed: str) -> int | None:
    word = narrow(typed).replace(" ", "")
    for unit in _UNITS:
        if word.endswith(unit):
            word = word[: -len(unit)]
            break
    count = number(word)
    return count if count is not None and count <= MAX_PERSON_TIMES else None


def _is_detail(tokens: list[_Token], i: int, today: date) -> bool:
    """Tells whether the word at `i` is a count or a date (and so not a type or a target)."""
    if _count_at(tokens, i) is not None:
        return True
    try:
        return parse_day(tokens[i].value, today) is not None
    except ReportProblem:
        return True


def parse_line(text: str, *, today: date) -> ParsedReport:
    """Parses the text of a one-line report (after `/report`) into what it says and its problems.

    `today` is the local day (BOT_TIMEZONE); it is the report's day when none is given. When the
    first word is no type, it is taken for the target if what follows is a count, a date or
    nothing (`维达纸业 5人次`: the type is missing), else for a mistyped type (`拜访 维达纸业`).
    """
    parsed = ParsedReport()
    text = _take_tags(text, parsed)
    tokens = _tokens(text)
    n = len(tokens)
    i = 0
    if n and (type_ := _type_word(tokens[0].value)) is not None:
        parsed.type = type_
        i = 1
    elif n < 2 or _is_detail(tokens, 0, today) or _is_detail(tokens, 1, today):
        parsed.problems.append(ReportProblem("missing_type"))
    else:
        parsed.problems.append(ReportProblem("unknown_type", tokens[0].value))
        i = 1

    if i < n and not _is_detail(tokens, i, today):
        target = tokens[i].value.strip()
        i += 1
        if target:
            parsed.target = target
            if len(target) > TARGET_LIMIT:
                parsed.problems.append(ReportProblem("target_too_long", len(target)))
    if parsed.target is None:
        parsed.problems.append(ReportProblem("missing_target"))

    seen_count = seen_day = False
    while i < n:
        if not seen_count and (count := _count_at(tokens, i)) is not None:
            words, typed = count
            seen_count = True
            i += words
            parsed.person_times = _read_count(typed)
            if parsed.person_times is None:
                parsed.problems.append(ReportProblem("bad_count", typed))
            continue
        if not seen_day:
            try:
                day = parse_day(tokens[i].value, today)
            except ReportProblem as problem:
                seen_day = True
                i += 1
                parsed.problems.append(problem)
                continue
            if day is not None:
                seen_day = True
                i += 1
                parsed.day = day
                try:
                    check_day(day, today)
                except ReportProblem as problem:
                    parsed.problems.append(problem)
                continue
        break
    if not seen_day:
        parsed.day = today

    if i < n:
        parsed.note = text[tokens[i].start :].strip()
        if len(parsed.note) > NOTE_LIMIT:
            parsed.problems.append(ReportProblem("note_too_long", len(parsed.note)))
    if (tags_problem := tag_problem(parsed.tags)) is not None:
        parsed.problems.append(tags_problem)
    return parsed


def _take_tags(text: str, parsed: ParsedReport) -> str:
    """Notes the text's tags in `parsed` and returns the text without them; a leading type
    word stays, even written as a hashtag (`/report #走访 维达纸业`)."""
    tokens = _tokens(text)
    head = ""
    if tokens and _type_word(tokens[0].value) is not None:
        cut = tokens[1].start if len(tokens) > 1 else len(text)
        head, text = text[:cut], text[cut:]
    parsed.tags, rest = extract_tags(text)
    return head + rest


_HASHTAG = re.compile(r"[#＃][^\s#＃:：]+")


def parse_group_message(text: str, today: date) -> ParsedReport | None:
    """Parses a group message that starts with one of HASHTAGS; None for any other message.

    The tag is a word of its own (`#走访 维达纸业`, or `#走访：维达纸业`, `＃走访` too); after
    `#工作动态` the type comes as the next word. Further hashtags are campaign tags
    (`#走访 维达纸业 3人次 #四必谈`).
    """
    stripped = text.lstrip()
    match = _HASHTAG.match(stripped)
    if match is None:
        return None
    hashtag = "#" + match.group()[1:]
    if hashtag not in HASHTAGS:
        return None
    rest = stripped[match.end() :].lstrip(":：")
    if hashtag == GENERAL_HASHTAG:
        return parse_line(rest, today=today)
    return parse_line(f"{hashtag[1:]} {rest}", today=today)


# ---------------------------------------------------------------------------------------------
# Enterprises


@dataclass
class Match:
    """The registry's enterprise named exactly, or else up to three close names, best first."""

    enterprise: Enterprise | None
    suggestions: list[Enterprise] = field(default_factory=list)


def _like_escaped(column: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[str]:
    # A stored name used as a LIKE pattern: its own %, _ and the escape character are literal.
    return func.replace(func.replace(func.replace(column, "/", "//"), "%", "/%"), "_", "/_")


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


async def match_enterprise(session: AsyncSession, target: str) -> Match:
    """Finds `target` in the registry: by its normalized name, else close names to offer.

    Close names are those containing the target or contained in it (shortest first, then by
    similarity), then names with a difflib ratio of at least SIMILARITY among those sharing
    the target's first character or its second and third.
    """
    name = normalize_enterprise_name(target)
    if not name:
        return Match(None)
    exact = (await session.scalars(select(Enterprise).where(Enterprise.name == name))).first()
    if exact is not None:
        return Match(exact)

    pattern = literal("%") + _like_escaped(Enterprise.name) + literal("%")
    containing = (
        select(Enterprise)
        .where(
            or_(
                Enterprise.name.icontains(name, autoescape=True),
                literal(name).ilike(pattern, escape="/"),
            )
        )
        .order_by(func.length(Enterprise.name), Enterprise.id)
        .limit(_CANDIDATES)
    )
    found = list(await session.scalars(containing))
    found.sort(key=lambda e: -_similarity(name, e.name))  # stable: shorter first on ties
    suggestions = found[:SUGGESTIONS]
    if len(suggestions) < SUGGESTIONS:
        nearby = [Enterprise.name.startswith(name[0], autoescape=True)]
        if len(name) >= 3:
            nearby.append(Enterprise.name.contains(name[1:3], autoescape=True))
        query = (
            select(Enterprise)
            .where(or_(*nearby))
            .where(Enterprise.id.not_in([e.id for e in found]) if found else literal(True))
            .order_by(Enterprise.id)
            .limit(_CANDIDATES)
        )
        scored = [(_similarity(name, e.name), e) for e in await session.scalars(query)]
        close = sorted((s for s in scored if s[0] >= SIMILARITY), key=lambda s: (-s[0], s[1].id))
        suggestions += [e for _, e in close[: SUGGESTIONS - len(suggestions)]]
    return Match(None, suggestions)


# ---------------------------------------------------------------------------------------------
# Rows


def snapshot(report: Report) -> dict[str, Any]:
    """The report's editable fields as JSON-safe values, as a ReportRevision keeps them, and
    its "tags" when it has any."""
    values: dict[str, Any] = {
        "type": report.type,
        "target": report.target,
        "enterprise_id": report.enterprise_id,
        "person_times": report.person_times,
        "date": report.date.isoformat(),
        "note": report.note,
    }
    if report.tags:
        values["tags"] = report.tags
    return values


def _shape_problems(
    *, target: str, person_times: int, note: str | None, tags: list[str]
) -> list[ReportProblem]:
    problems = []
    if not target.strip():
        problems.append(ReportProblem("missing_target"))
    elif len(target) > TARGET_LIMIT:
        problems.append(ReportProblem("target_too_long", len(target)))
    if isinstance(person_times, bool) or not 0 <= person_times <= MAX_PERSON_TIMES:
        problems.append(ReportProblem("bad_count", person_times))
    if note is not None and len(note) > NOTE_LIMIT:
        problems.append(ReportProblem("note_too_long", len(note)))
    if (problem := tag_problem(tags)) is not None:
        problems.append(problem)
    return problems


async def _report_at(session: AsyncSession, chat_id: int, message_id: int) -> Report | None:
    query = select(Report).where(Report.chat_id == chat_id, Report.message_id == message_id)
    return (await session.scalars(query)).first()


async def create_report(
    session: AsyncSession,
    *,
    instructor: Instructor,
    type: ReportType,
    target: str,
    enterprise: Enterprise | None,
    person_times: int,
    day: date,
    note: str | None,
    source: ReportSource,
    chat_id: int | None = None,
    message_id: int | None = None,
    photo_file_id: str | None = None,
    tags: list[str] | None = None,
) -> tuple[Report, bool]:
    """Stores a report for `instructor` in their district; returns it and whether it is new.

    The same Telegram message (chat_id, message_id) is recorded once: fed again, even
    concurrently, it returns the stored report and writes nothing. The target becomes the
    matched enterprise's name. `tags` are campaign tags in their stored form (normalised,
    without #). Raises ReportProblem for a blank or too long target, a count out of range, a
    too long note, or too many or too long tags; the day is not checked (history imports are
    older).
    """
    target = enterprise.name if enterprise is not None else target.strip()
    note = note.strip() or None if note is not None else None
    tags = list(dict.fromkeys(tags or []))
    problems = _shape_problems(target=target, person_times=person_times, note=note, tags=tags)
    if problems:
        raise problems[0]
    values: dict[str, Any] = {
        "instructor_id": instructor.id,
        "district_id": instructor.district_id,
        "date": day,
        "type": ReportType(type).value,
        "enterprise_id": enterprise.id if enterprise is not None else None,
        "target": target,
        "person_times": person_times,
        "note": note,
        "photo_file_id": photo_file_id,
        "source": ReportSource(source).value,
        "chat_id": chat_id,
        "message_id": message_id,
    }
    # INSERT … ON CONFLICT DO NOTHING (both dialects have it) settles a race between two
    # deliveries of one update without a savepoint, which pysqlite cannot nest safely.
    statement = (
        dialect_insert(session)(Report)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Report.chat_id, Report.message_id])
        .returning(Report.id)
    )
    report_id = (await session.execute(statement)).scalar()
    if report_id is None:
        assert chat_id is not None and message_id is not None
        existing = await _report_at(session, chat_id, message_id)
        assert existing is not None
        return existing, False
    await count_report(session, values, 1)
    await add_tags(session, ((report_id, tag) for tag in tags))
    return await session.get_one(Report, report_id), True


@dataclass
class EditOutcome:
    """The result of an edit or a deletion: "ok", "not_found", "not_yours", "too_late" or
    "invalid" (with the problems of the new values)."""

    status: str
    report: Report | None = None
    problems: list[ReportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def editable(report: Report, now: datetime) -> bool:
    """Tells whether a report may still be edited or deleted: created within EDIT_DAYS."""
    return report.deleted_at is None and aware(now) - aware(report.created_at) <= timedelta(
        days=EDIT_DAYS
    )


async def _editable(
    session: AsyncSession, report_id: int, telegram_id: int, now: datetime
) -> EditOutcome:
    report = await session.get(Report, report_id)
    if report is None or report.deleted_at is not None:
        return EditOutcome("not_found")
    if report.instructor.telegram_id != telegram_id:
        return EditOutcome("not_yours", report)
    if not editable(report, now):
        return EditOutcome("too_late", report)
    return EditOutcome("ok", report)


async def edit_report(
    session: AsyncSession,
    report_id: int,
    *,
    telegram_id: int,
    changes: Mapping[str, Any],
    now: datetime,
    today: date,
) -> EditOutcome:
    """Changes a report's fields (keys of FIELDS, and "tags") for its own instructor within
    EDIT_DAYS.

    What the edit replaces is kept as a ReportRevision; changes equal to the current values
    write nothing. A new target without an enterprise_id is matched exactly against the
    registry; an enterprise_id sets the target to that enterprise's name. A new date must
    pass check_day. "tags" replaces all of the report's tags (stored form); without it they
    stay as they are.
    """
    unknown = set(changes) - {*FIELDS, "tags"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    now = aware(now)
    outcome = await _editable(session, report_id, telegram_id, now)
    if not outcome.ok:
        return outcome
    report = outcome.report
    assert report is not None

    new = snapshot(report) | {"date": report.date, "tags": report.tags}
    new.update(changes)
    if isinstance(new["date"], str):
        new["date"] = date.fromisoformat(new["date"])
    if "type" in changes:
        type_ = _type_word(str(changes["type"]))
        if type_ is None:
            return EditOutcome("invalid", report, [ReportProblem("unknown_type", changes["type"])])
        new["type"] = type_.value
    if "note" in changes and new["note"] is not None:
        new["note"] = new["note"].strip() or None
    if "enterprise_id" in changes and new["enterprise_id"] is not None:
        enterprise = await session.get(Enterprise, new["enterprise_id"])
        if enterprise is None:
            raise ValueError(f"no enterprise {new['enterprise_id']}")
        new["target"] = enterprise.name
    elif "target" in changes:
        new["target"] = str(new["target"]).strip()
        match = await match_enterprise(session, new["target"])
        new["enterprise_id"] = match.enterprise.id if match.enterprise else None
        if match.enterprise is not None:
            new["target"] = match.enterprise.name
    new["tags"] = sorted(dict.fromkeys(new["tags"]))
    problems = _shape_problems(
        target=new["target"], person_times=new["person_times"], note=new["note"], tags=new["tags"]
    )
    if new["date"] != report.date:
        try:
            check_day(new["date"], today)
        except ReportProblem as problem:
            problems.append(problem)
    if problems:
        return EditOutcome("invalid", report, problems)

    before = snapshot(report)
    current = before | {"date": report.date, "tags": report.tags}
    if all(new[name] == current[name] for name in (*FIELDS, "tags")):
        return outcome
    session.add(
        ReportRevision(
            report_id=report.id,
            action="edit",
            before=before,
            changed_by=telegram_id,
            changed_at=now,
        )
    )
    old_counted = counted_of(report)
    for name in FIELDS:
        setattr(report, name, new[name])
    await session.flush()
    await recount_report(session, old_counted, counted_of(report))
    if new["tags"] != current["tags"]:
        await set_tags(session, report, new["tags"])
    # The relationship still names the old enterprise until reloaded.
    await session.refresh(report, ["enterprise"])
    return outcome


async def delete_report(
    session: AsyncSession, report_id: int, *, telegram_id: int, now: datetime, today: date
) -> EditOutcome:
    """Soft-deletes a report for its own instructor within EDIT_DAYS, keeping a revision."""
    now = aware(now)
    outcome = await _editable(session, report_id, telegram_id, now)
    if not outcome.ok:
        return outcome
    report = outcome.report
    assert report is not None
    session.add(
        ReportRevision(
            report_id=report.id,
            action="delete",
            before=snapshot(report),
            changed_by=telegram_id,
            changed_at=now,
        )
    )
    report.deleted_at = now
    await session.flush()
    await count_report(session, counted_of(report), -1)
    return outcome


async def recent_reports(
    session: AsyncSession, instructor_id: int, *, limit: int = 10
) -> list[Report]:
    """An instructor's reports that are not deleted, newest day first, then newest first."""
    query = (
        select(Report)
        .where(Report.instructor_id == instructor_id, Report.deleted_at.is_(None))
        .order_by(Report.date.desc(), Report.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
