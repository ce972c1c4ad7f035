"""/mentoring [区名]: each pair's current step and the mentee's checklist. HQ sees the city or
the named district, a district admin their district, an instructor their own pairs (as mentee
and as mentor). Long lists come in several messages."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update

from bot.chunks import split_messages
from bot.context import Context
from bot.guards import guard, named_district
from bot.texts import t
from storage.mentoring import progress
from storage.mentoring.progress import Pair
from storage.mentoring.steps import StepState, current
from storage.people.access import Identity

TICK, BOX = "✅", "⬜"


def step_line(lang: str, state: StepState) -> str:
    """第 2 个月：进入角色 — 已达到 / 尚未达到（理由）/ 待签 / 逾期 n 天 / 未到（日期）."""
    step = t(
        lang, "mentoring.step", months=state.step, stage=t(lang, f"mentoring.stage{state.step}")
    )
    return t(
        lang,
        f"mentoring.state.{state.state}",
        step=step,
        reason=state.reason or "—",
        days=state.days,
        due=state.due_on,
    )


def pair_text(lang: str, pair: Pair) -> str:
    """Three lines: who with whom since when, the current step, the checklist."""
    mentee = pair.mentee
    start = mentee.start_date or t(lang, "none")
    head = t(lang, "mentoring.pair", mentee=mentee.name, mentor=pair.mentor.name, start=start)
    if pair.steps is None:
        step = t(lang, "mentoring.no_start")
    else:
        step = step_line(lang, current(pair.steps))
    checklist = t(
        lang,
        "mentoring.checklist",
        city=TICK if pair.checklist.city_training else BOX,
        observed=TICK if pair.checklist.observed else BOX,
    )
    return f"{head}\n  {step}\n  {checklist}"


def board_lines(lang: str, title: str, pairs: list[Pair], *, by_district: bool) -> list[str]:
    lines = [title]
    shown = None
    for pair in pairs:
        if by_district and pair.mentee.district.name != shown:
            shown = pair.mentee.district.name
            lines.extend(["", t(lang, "mentoring.district", district=shown)])
        lines.append(pair_text(lang, pair))
    return lines


@guard(role="registered", chat="private")
async def show_mentoring(update: Update, context: Context, who: Identity) -> None:
    """Lists the pairs in the sender's scope with each one's step and checklist."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    args = context.args or []
    today = datetime.now(UTC).astimezone(context.settings.tz).date()
    if not who.is_admin:
        if who.instructor is None:
            await message.reply_text(t(lang, "mentoring.not_instructor"))
            return
        async with context.sessions() as session:
            mine = await progress.pairs(session, today, instructor_id=who.instructor.id)
        if not mine:
            await message.reply_text(t(lang, "mentoring.mine_none"))
            return
        lines = [t(lang, "mentoring.mine")]
        for pair in mine:
            lines.append(pair_text(lang, pair))
        for text in split_messages(lines):
            await message.reply_text(text)
        return
    if len(args) > 1:
        await message.reply_text(t(lang, "mentoring.usage"))
        return
    district_id = who.scope_district_id
    scope = who.district_name or t(lang, "mentoring.city")
    if args:
        named = await named_district(context, who, args[0])
        if isinstance(named, str):
            await message.reply_text(named)
            return
        district_id, scope = named
    async with context.sessions() as session:
        listed = await progress.pairs(session, today, district_id=district_id)
    if not listed:
        await message.reply_text(t(lang, "mentoring.none", scope=scope))
        return
    title = t(lang, "mentoring.title", scope=scope, count=len(listed))
    for text in split_messages(board_lines(lang, title, listed, by_district=district_id is None)):
        await message.reply_text(text)
