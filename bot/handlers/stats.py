"""/stats, /export, /chart and /coverage: what the reports add up to, in the sender's scope.

`/stats`, `/export` and `/chart` take `[period] [district] [#tag]` in any order; a campaign tag
narrows every figure to the reports carrying it, and the answer says so (标签 #四必谈).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from telegram import Message, Update
from telegram.ext import CommandHandler

from bot import charts, offload
from bot.context import Context, Handlers
from bot.guards import guard, refuse_district
from bot.texts import t, tag_problem
from storage.common.periods import Period, PeriodProblem, looks_like_period, parse_period
from storage.common.tags import TagProblem, format_tags, hashtag
from storage.models import ReportType
from storage.people import districts
from storage.people.access import Identity
from storage.reports import coverage, stats
from storage.reports.tags import tag_in_use, tags_in_use

NAMES_SHOWN = 30


@dataclass(frozen=True)
class Scope:
    """What a statistics command covers: a period and the city, a district or one instructor."""

    period: Period
    district_id: int | None
    instructor_id: int | None
    label: str
    tag: str | None = None  # a campaign tag, stored form (without #)

    def title(self, lang: str) -> str:
        """The scope as the answer names it: 西城, or 西城 · 标签 #四必谈 with a tag."""
        return self.label + (t(lang, "stats.tag", tag=self.tag) if self.tag else "")


async def read_tag(context: Context, lang: str, words: list[str]) -> str | None:
    """The one campaign tag among the `#` words (None without one); raises TagProblem's
    wording, as a ValueError, for a bad tag, two tags or a tag no report carries."""
    try:
        tags = list(dict.fromkeys(tag for word in words if (tag := hashtag(word)) is not None))
    except TagProblem as problem:
        reason = tag_problem(lang, problem.code, problem.value)
        raise ValueError(t(lang, "stats.bad_tag", reason=reason)) from None
    if not tags:
        return None
    if len(tags) > 1:
        raise ValueError(t(lang, "stats.one_tag", tags=format_tags(tags)))
    async with context.sessions() as session:
        if await tag_in_use(session, tags[0]):
            return tags[0]
        known = await tags_in_use(session)
    hint = (
        t(lang, "stats.known_tags", tags="、".join(format_tags([tag]) for tag in known))
        if known
        else t(lang, "stats.no_tags")
    )
    raise ValueError(t(lang, "stats.unknown_tag", tag=tags[0], known=hint))


async def read_scope(
    context: Context, who: Identity, args: list[str], *, tags: bool = True
) -> Scope | str:
    """Reads `[period] [district] [#tag]` in any order (no tag unless `tags`); returns the
    scope or the refusal to send."""
    lang = context.lang(who)
    tag_words = [word for word in args if word.strip()[:1] in ("#", "＃")]
    args = [word for word in args if word not in tag_words]
    if tag_words and not tags:
        return t(lang, "stats.tag_not_here")
    try:
        tag = await read_tag(context, lang, tag_words)
    except ValueError as refusal:
        return str(refusal)
    period_words = [word for word in args if looks_like_period(word)]
    district_words = [word for word in args if not looks_like_period(word)]
    today = datetime.now(context.settings.tz).date()
    try:
        period = parse_period(" ".join(period_words) or None, today)
    except PeriodProblem as problem:
        return t(lang, "stats.bad_period", value=problem.value or " ".join(period_words))
    if not who.is_admin:
        if district_words:
            return t(lang, "stats.instructor_only")
        assert who.instructor is not None
        return Scope(period, None, who.instructor.id, t(lang, "stats.mine"), tag)
    district_id = who.scope_district_id
    label = who.district_name if district_id is not None else t(lang, "city")
    if district_words:
        async with context.sessions() as session:
            names = await districts.district_ids(session)
        found = districts.find_district(names, " ".join(district_words))
        if found is None:
            word = " ".join(district_words)
            return (
                t(lang, "stats.bad_period", value=word)
                if any(ch.isdigit() for ch in word)
                else t(lang, "district.unknown", name=word, names="、".join(names))
            )
        if not who.may_manage(names[found]):
            return refuse_district(context, who)
        district_id, label = names[found], found
    return Scope(period, district_id, None, label or "", tag)


async def scope_of_command(
    update: Update, context: Context, who: Identity, *, tags: bool = True
) -> tuple[Message, Scope] | None:
    """The message and the scope its arguments ask for; None after answering with a refusal."""
    message = update.effective_message
    assert message is not None
    scope = await read_scope(context, who, context.args or [], tags=tags)
    if isinstance(scope, str):
        await message.reply_text(scope)
        return None
    return message, scope


def name_list(lang: str, names: list[str]) -> str:
    """The first NAMES_SHOWN names, and how many there are in all when that is more."""
    shown = "、".join(names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += t(lang, "list.more", count=len(names))
    return shown


def stats_text(lang: str, scope: Scope, figures: stats.Stats) -> str:
    lines = [t(lang, "stats.header", scope=scope.title(lang), period=scope.period.key)]
    for kind in ReportType:
        item = figures.by_type[kind.value]
        lines.append(
            t(
                lang,
                "stats.type_line",
                type=t(lang, f"type.{kind.value}"),
                reports=item.reports,
                person_times=item.person_times,
            )
        )
    lines.append(
        t(
            lang,
            "stats.totals",
            reports=figures.total_reports,
            person_times=figures.total_person_times,
            enterprises=figures.enterprises_covered,
        )
    )
    if scope.instructor_id is None:
        lines.append(
            t(
                lang,
                "stats.active",
                active=figures.active_instructors,
                silent=figures.silent_count,
            )
        )
        silent = [name for _, name, _ in figures.silent_instructors]
        if silent:
            lines.append(t(lang, "stats.silent_list", names=name_list(lang, silent)))

        def ranked(items: list[stats.InstructorFigures]) -> str:
            return "；".join(
                t(lang, "stats.rank_line", name=i.name, district=i.district, reports=i.reports)
                for i in items
            )

        if figures.top:
            lines.append(t(lang, "stats.top", lines=ranked(figures.top)))
        if figures.bottom:
            lines.append(t(lang, "stats.bottom", lines=ranked(figures.bottom)))
    return "\n".join(lines)


@guard(role="registered", chat="private")
async def show_stats(update: Update, context: Context, who: Identity) -> None:
    """Counts per type, person-times, coverage and who is silent; admins get the ranking too."""
    asked = await scope_of_command(update, context, who)
    if asked is None:
        return
    message, scope = asked
    async with context.sessions() as session:
        figures = await stats.compute_stats(
            session,
            scope.period,
            district_id=scope.district_id,
            instructor_id=scope.instructor_id,
            tag=scope.tag,
            ranking=who.is_admin,
        )
    await message.reply_text(stats_text(context.lang(who), scope, figures))


@guard(role="admin", chat="private")
async def send_export(update: Update, context: Context, who: Identity) -> None:
    """The .xlsx of the scope's reports, built off the event loop and streamed row by row."""
    asked = await scope_of_command(update, context, who)
    if asked is None:
        return
    message, scope = asked
    lang = context.lang(who)
    await message.reply_text(t(lang, "export.working"))
    result = await offload.export_workbook(
        context.settings.database_url, scope.period, district_id=scope.district_id, tag=scope.tag
    )
    assert result.data is not None
    names = {"scope": scope.label, "period": scope.period.key}
    filename = (
        t(lang, "export.file_tagged", **names, tag=scope.tag)
        if scope.tag
        else t(lang, "export.file", **names)
    )
    await message.reply_document(
        result.data,
        filename=filename,
        caption=t(lang, "export.caption", scope=scope.title(lang), period=scope.period.key),
    )


@guard(role="registered", chat="private")
async def send_chart(update: Update, context: Context, who: Identity) -> None:
    """A PNG of reports per month and type, drawn in a worker thread with a Chinese font."""
    asked = await scope_of_command(update, context, who)
    if asked is None:
        return
    message, scope = asked
    lang = context.lang(who)
    async with context.sessions() as session:
        monthly = await stats.monthly_counts(
            session,
            scope.period,
            district_id=scope.district_id,
            instructor_id=scope.instructor_id,
            tag=scope.tag,
        )
    labels = {kind.value: t(lang, f"type.{kind.value}") for kind in ReportType}
    title = t(lang, "chart.title", scope=scope.title(lang), period=scope.period.key)
    try:
        png = await asyncio.to_thread(charts.render_chart, monthly, title=title, labels=labels)
    except charts.NoChineseFont:
        await message.reply_text(t(lang, "chart.no_font"))
        return
    await message.reply_photo(png, caption=title, filename=t(lang, "chart.file"))


@guard(role="admin", chat="private")
async def show_coverage(update: Update, context: Context, who: Identity) -> None:
    """This visit round: enterprises visited of those registered, and the ones not yet visited."""
    asked = await scope_of_command(update, context, who, tags=False)
    if asked is None:
        return
    message, scope = asked
    lang = context.lang(who)
    today = datetime.now(context.settings.tz).date()
    async with context.sessions() as session:
        result = await coverage.coverage(session, district_id=scope.district_id, today=today)
    if result.registered == 0:
        await message.reply_text(t(lang, "coverage.none", scope=scope.label))
        return
    lines = [
        t(
            lang,
            "coverage.header",
            scope=scope.label,
            start=result.round_start.isoformat(),
            end=result.round_end.isoformat(),
            visited=result.visited,
            registered=result.registered,
        )
    ]
    names = [name for _, name, _ in result.not_visited]
    if names:
        lines.append(t(lang, "coverage.not_visited", names=name_list(lang, names)))
    await message.reply_text("\n".join(lines))


HANDLERS: Handlers = [
    CommandHandler("stats", show_stats),
    # block=False: PTB handles updates one at a time; these run as tasks so that other users'
    # commands are answered while a workbook or a chart is being built.
    CommandHandler("export", send_export, block=False),
    CommandHandler("chart", send_chart, block=False),
    CommandHandler("coverage", show_coverage),
]
