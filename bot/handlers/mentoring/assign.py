"""/mentor <mentee> <mentor>: sets the pair (an admin; a district admin for mentees of their
district), tells the mentor and the mentee; `/mentor <mentee> 无` removes the mentor."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.context import Context
from bot.guards import guard, refuse_district
from bot.labels import speaker
from bot.texts import t
from schedules.jobs import wake_sender
from storage.mentoring import pairs
from storage.mentoring.pairs import Lookup
from storage.mentoring.steps import due_on
from storage.messaging import outbox
from storage.models import Instructor
from storage.people.access import Identity

KIND = "mentoring"


def _lookup_problem(lang: str, lookup: Lookup) -> str:
    """Why a name found nobody, or several, with what to write instead."""
    names = pairs.labels(lookup.options)
    if lookup.problem == "ambiguous":
        return t(
            lang,
            "mentor.ambiguous",
            count=len(names),
            name=lookup.name,
            options="、".join(names),
            example=names[0],
        )
    if lookup.problem == "no_district":
        return t(lang, "mentor.no_district", name=lookup.name)
    said = t(lang, "mentor.unknown", name=lookup.name)
    if names:
        said += "\n" + t(lang, "mentor.near", options="、".join(names))
    return said


async def _notes(
    context: Context, session: AsyncSession, change: pairs.Change, now: datetime
) -> list[outbox.Outgoing]:
    """The messages to the new mentor and the mentee, or to the mentor who was dropped."""
    assert change.mentee is not None
    mentee, mentor, previous = change.mentee, change.mentor, change.previous
    people = [p for p in (mentee, mentor, previous) if p is not None and p.telegram_id]
    found = await speaker(context).langs(session, [int(p.telegram_id or 0) for p in people])

    def lang_of(person: Instructor) -> str:
        return found[int(person.telegram_id or 0)]

    stamp = now.strftime("%Y%m%dT%H%M%S")
    notes = []
    if mentor is not None and mentor.telegram_id:
        text = t(
            lang_of(mentor),
            "mentor.note_mentor",
            mentor=mentor.name,
            mentee=mentee.name,
            district=mentee.district.name,
        )
        key = f"{KIND}:pair:{mentee.id}:{mentor.id}:{stamp}"
        notes.append(outbox.Outgoing(key, mentor.telegram_id, text, KIND, instructor_id=mentor.id))
    if mentor is not None and mentee.telegram_id:
        text = t(lang_of(mentee), "mentor.note_mentee", mentee=mentee.name, mentor=mentor.name)
        key = f"{KIND}:pair:{mentee.id}:{mentor.id}:{stamp}:mentee"
        notes.append(outbox.Outgoing(key, mentee.telegram_id, text, KIND, instructor_id=mentee.id))
    if (
        previous is not None
        and previous.telegram_id
        and (mentor is None or mentor.id != previous.id)
    ):
        text = t(lang_of(previous), "mentor.note_dropped", mentee=mentee.name)
        key = f"{KIND}:unpair:{mentee.id}:{previous.id}:{stamp}"
        notes.append(
            outbox.Outgoing(key, previous.telegram_id, text, KIND, instructor_id=previous.id)
        )
    return notes


def _said(lang: str, change: pairs.Change) -> str:
    mentee, mentor, previous = change.mentee, change.mentor, change.previous
    if mentor is None:
        if previous is None:
            return t(lang, "mentor.had_none", mentee=mentee.name)
        return t(lang, "mentor.removed", mentee=mentee.name, previous=previous.name)
    lines = [
        t(lang, "mentor.set", mentor=mentor.name, mentee=mentee.name, district=mentee.district.name)
    ]
    if previous is not None:
        lines.append(t(lang, "mentor.replaced", previous=previous.name))
    key = "mentor.told" if mentor.telegram_id else "mentor.unreachable"
    lines.append(t(lang, key, mentor=mentor.name))
    start = mentee.start_date
    if start is None:
        lines.append(t(lang, "mentor.no_start", mentee=mentee.name))
    else:
        lines.append(
            t(
                lang,
                "mentor.plan",
                start=start,
                d1=due_on(start, 1),
                d2=due_on(start, 2),
                d3=due_on(start, 3),
            )
        )
    return "\n".join(lines)


@guard(role="admin", chat="private")
async def assign_mentor(update: Update, context: Context, who: Identity) -> None:
    """`/mentor 李红 王建国` pairs them; `/mentor 李红 无` removes 李红's mentor. Each refusal
    (unknown or ambiguous name, another district, oneself, someone who left) says why and
    stores nothing."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    args = context.args or []
    if len(args) != 2:
        await message.reply_text(t(lang, "mentor.usage"))
        return
    now = datetime.now(UTC)
    async with context.sessions.begin() as session:
        found = await pairs.find_person(session, args[0], prefer_district=who.scope_district_id)
        if found.found is None:
            reply = _lookup_problem(lang, found)
            await message.reply_text(reply)
            return
        mentee = found.found
        if not who.may_manage(mentee.district_id):
            await message.reply_text(refuse_district(context, who))
            return
        mentor = None
        if args[1].strip().lower() not in pairs.NONE_WORDS:
            looked = await pairs.find_person(session, args[1], prefer_district=mentee.district_id)
            if looked.found is None:
                await message.reply_text(_lookup_problem(lang, looked))
                return
            mentor = looked.found
        refused = pairs.refusal(mentee, mentor)
        if refused is not None:
            name = (
                mentee.name
                if refused in ("self", "mentee_ended")
                else (mentor.name if mentor else "")
            )
            await message.reply_text(t(lang, f"mentor.{refused}", name=name))
            return
        if mentor is not None and mentee.mentor_id == mentor.id:
            await message.reply_text(t(lang, "mentor.same", mentor=mentor.name, mentee=mentee.name))
            return
        change = await pairs.set_mentor(session, mentee, mentor)
        sent = await outbox.enqueue(session, await _notes(context, session, change, now), now=now)
        reply = _said(lang, change)
    if sent:
        wake_sender(context)
    await message.reply_text(reply)
