"""The time-driven jobs of a running instance, wired in one place.

PTB's JobQueue runs APScheduler 3, whose default `misfire_grace_time=1` silently skips a job that
starts more than a second late (one stall of the event loop drops it). The jobs here are short
ticks that look in the database for what is due, so they are given no grace limit and coalesce:
a late tick runs once, late, and finds everything that fell due meanwhile. A tick that would
start while the previous one still runs is skipped (max_instances=1, with APScheduler's
warning); the next one finds what the skipped one would have.

What the jobs need from the running bot comes in one typed `Services`, which build_application
installs in bot_data and the jobs take with `Services.of(bot_data)`; schedules/ never imports
bot/, so the bot's texts come in as `translate` and its settings as the values the jobs read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from telegram.ext import CallbackContext, JobQueue

from schedules import callups, evaluation, progress, reminders, trainings
from schedules.delivery import Sender
from storage.cases import search as case_search
from storage.db import Sessions
from storage.evaluation import raters
from storage.messaging import conversations, inbox, notices
from storage.messaging.notices import Translate
from storage.reminders import records

logger = logging.getLogger(__name__)

TICK = 0.5  # seconds between looks for due notices and reminders
JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}

Job = Callable[[CallbackContext[Any, Any, Any, Any]], Any]


@dataclass(frozen=True)
class Services:
    """What the jobs use of the running bot; built once by build_application."""

    sessions: Sessions
    # The bot's texts: translate(lang, key, **values).
    translate: Translate
    # BOT_LANGUAGE: the language of whoever chose none.
    language: str
    # BOT_TIMEZONE: where the built-in schedules fire at local time.
    timezone: str
    # How late a reminder missed while the bot was down may still fire.
    reminder_grace: timedelta

    KEY: ClassVar[str] = "schedules.services"

    def install(self, bot_data: MutableMapping[Any, Any]) -> None:
        """Makes these the services of the application that owns `bot_data`."""
        bot_data[self.KEY] = self

    @classmethod
    def of(cls, bot_data: Mapping[Any, Any]) -> Services:
        """The services installed in `bot_data`."""
        services = bot_data.get(cls.KEY)
        if not isinstance(services, Services):
            raise RuntimeError("no Services in bot_data: build_application installs them")
        return services


def wake_sender(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Tells the running outbox sender (bot/runtime.py puts it in bot_data) that rows wait."""
    sender = context.bot_data.get("sender")
    if isinstance(sender, Sender):
        sender.wake()


async def send_due_notices(context: CallbackContext[Any, Any, Any, Any]) -> int:
    """Releases scheduled notices whose time has come into the outbox; returns how many."""
    services = Services.of(context.bot_data)
    async with services.sessions.begin() as session:
        released = await notices.release_due(
            session, services.translate, services.language, now=datetime.now(UTC)
        )
    if released:
        logger.info("released scheduled notices %s", [n.id for n in released])
        wake_sender(context)
    return len(released)


async def fire_reminders(
    context: CallbackContext[Any, Any, Any, Any], *, now: datetime | None = None
) -> list[reminders.Fired]:
    """Fires the reminders and built-in schedules due at `now` into the outbox, once each."""
    services = Services.of(context.bot_data)
    fired = await reminders.fire_due(
        services.sessions,
        services.translate,
        services.language,
        now=now or datetime.now(UTC),
        grace=services.reminder_grace,
    )
    if any(f.messages for f in fired):
        wake_sender(context)
    return fired


async def advance_callups(
    context: CallbackContext[Any, Any, Any, Any], *, now: datetime | None = None
) -> callups.recruiting.Advanced:
    """Passes on the places of invitations that expired or were refused, tells deadlines and
    asks for ratings (once each)."""
    services = Services.of(context.bot_data)
    speaker = callups.voice(services.translate, services.language, services.timezone)
    done = await callups.advance_callups(services.sessions, speaker, now=now or datetime.now(UTC))
    if done.messages:
        wake_sender(context)
    return done


async def advance_trainings(
    context: CallbackContext[Any, Any, Any, Any], *, now: datetime | None = None
) -> int:
    """Sends the trainings' reminders and check-in codes that fell due (once each)."""
    services = Services.of(context.bot_data)
    speaker = callups.voice(services.translate, services.language, services.timezone)
    sent = await trainings.advance_trainings(
        services.sessions, speaker, now=now or datetime.now(UTC), bot_username=context.bot.username
    )
    if sent:
        wake_sender(context)
    return sent


async def advance_evaluation(
    context: CallbackContext[Any, Any, Any, Any], *, now: datetime | None = None
) -> int:
    """Sends the evaluation's deadline reminders that fell due (once each)."""
    services = Services.of(context.bot_data)
    speaker = callups.voice(services.translate, services.language, services.timezone)
    sent = await evaluation.advance_evaluation(
        services.sessions, speaker, now=now or datetime.now(UTC)
    )
    if sent:
        wake_sender(context)
    return sent


async def show_progress(
    context: CallbackContext[Any, Any, Any, Any], *, now: datetime | None = None
) -> int:
    """Edits the admins' broadcast confirmations with sent / total, at most every 5 s each,
    then with the final counts (schedules/progress.py)."""
    services = Services.of(context.bot_data)
    return await progress.show_progress(
        context.bot, services.sessions, services.translate, now=now or datetime.now(UTC)
    )


async def restore_schedules(bot_data: Mapping[Any, Any], *, now: datetime | None = None) -> int:
    """At start: built-in schedules exist once each and every active reminder has its next
    firing (the database is the source of truth); returns how many reminders are active."""
    services = Services.of(bot_data)
    async with services.sessions.begin() as session:
        return await records.restore(session, services.timezone, now=now or datetime.now(UTC))


async def tick(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Everything that falls due by the clock, looked up in the database."""
    await send_due_notices(context)
    await fire_reminders(context)
    await advance_callups(context)
    await advance_trainings(context)
    await advance_evaluation(context)
    await show_progress(context)


async def purge(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Daily: forgets handled updates older than a week, abandoned guided flows, the
    unsubmitted grades of closed evaluation rounds and /cases searches older than a week."""
    async with Services.of(context.bot_data).sessions.begin() as session:
        updates = await inbox.purge_handled(session)
        flows = await conversations.purge_stale(session)
        ratings = await raters.forget_unsubmitted(session, now=datetime.now(UTC))
        searches = await case_search.forget_old(session, now=datetime.now(UTC))
    logger.info(
        "purged %s handled updates, %s abandoned flows, %s unsubmitted ratings, %s searches",
        updates,
        flows,
        ratings,
        searches,
    )


def schedule_all(job_queue: JobQueue[Any] | None) -> None:
    """Schedules the ticks; job names are stable, so scheduling again leaves one of each."""
    if job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    for name, callback, interval in (("tick", tick, TICK), ("purge", purge, 86_400)):
        for job in job_queue.get_jobs_by_name(name):
            job.schedule_removal()
        job_queue.run_repeating(
            callback, interval=interval, first=0, name=name, job_kwargs=dict(JOB_KWARGS)
        )
