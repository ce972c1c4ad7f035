"""Mentoring by the clock: at the MENTORING built-in's daily firing (9:00 unless HQ re-timed or
switched it off in /schedules), the mentor is asked to sign off each step that fell due, and a
sign-off overdue by 7 days is passed to the district admins, each once.

schedules/reminders.py calls `mentoring_round` from the built-in's firing, in its transaction:
the rows claimed here and the messages enqueued there commit together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.common.buttons import SignoffButton
from storage.mentoring import signoffs
from storage.messaging import outbox
from storage.messaging.notices import Translate

KIND = "mentoring"
Languages = Callable[[list[int]], Awaitable[dict[int, str]]]


def stage(translate: Translate, lang: str, step: int) -> str:
    """第 2 个月：进入角色."""
    return translate(
        lang, "mentoring.step", months=step, stage=translate(lang, f"mentoring.stage{step}")
    )


def ask_buttons(translate: Translate, lang: str, signoff_id: int) -> outbox.Buttons:
    """已达到 / 尚未达到 under the ask."""
    return [
        [
            (translate(lang, "mentoring.button.reached"), SignoffButton(signoff_id, "reached")),
            (
                translate(lang, "mentoring.button.not_reached"),
                SignoffButton(signoff_id, "not_reached"),
            ),
        ]
    ]


async def mentoring_round(
    session: AsyncSession, today: date, translate: Translate, languages: Languages, *, now: datetime
) -> list[outbox.Outgoing]:
    """Opens the steps due by `today`, asks their mentors and passes on the overdue ones; returns
    the messages to enqueue (the caller enqueues them in the same transaction)."""
    await signoffs.follow_mentor_changes(session)
    await signoffs.open_due(session, today)
    asks = await signoffs.claim_asks(session, now=now)
    escalations = await signoffs.claim_escalations(session, today, now=now)
    ids = [int(a.mentor.telegram_id or 0) for a in asks]
    ids += [admin for e in escalations for admin in e.admins]
    langs = await languages(ids)
    messages = []
    for ask in asks:
        telegram_id = int(ask.mentor.telegram_id or 0)
        lang = langs[telegram_id]
        text = translate(
            lang,
            "mentoring.ask",
            mentor=ask.mentor.name,
            mentee=ask.mentee.name,
            step=stage(translate, lang, ask.signoff.step),
            start=ask.mentee.start_date,
        )
        messages.append(
            outbox.Outgoing(
                f"{KIND}:{ask.signoff.id}:ask:{ask.mentor.id}",
                telegram_id,
                text,
                KIND,
                ask.signoff.id,
                instructor_id=ask.mentor.id,
                buttons=ask_buttons(translate, lang, ask.signoff.id),
            )
        )
    for escalation in escalations:
        signoff = escalation.signoff
        for admin in escalation.admins:
            lang = langs[admin]
            text = translate(
                lang,
                "mentoring.overdue",
                district=escalation.mentee.district.name,
                mentee=escalation.mentee.name,
                mentor=escalation.mentor.name if escalation.mentor else "—",
                step=stage(translate, lang, signoff.step),
                due=signoff.due_on,
                days=(today - signoff.due_on).days,
            )
            if escalation.hq:
                text += "\n" + translate(
                    lang, "mentoring.overdue_hq", district=escalation.mentee.district.name
                )
            messages.append(
                outbox.Outgoing(
                    f"{KIND}:{signoff.id}:overdue:{admin}", admin, text, KIND, signoff.id
                )
            )
    return messages
