"""build_application: the one place where handlers, jobs and error handling are wired."""

from __future__ import annotations

import logging
import traceback
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.context import Context, XieshangApp
from bot.flows import FlowRouter
from bot.guards import who_is
from bot.handlers import (
    admins,
    callups,
    cases,
    dispatch,
    districts,
    enterprises,
    evaluation,
    groups,
    honours,
    invites,
    mentoring,
    notices,
    people,
    profile,
    reminders,
    reports,
    stats,
    subsidies,
    trainings,
    uploads,
    welcome,
)
from bot.handlers.welcome import answer_stale_button, point_to_help
from bot.menus import publish_chat_menu, publish_default_menus
from bot.settings import Settings
from bot.texts import t
from schedules.delivery import Pacer, surely_undelivered
from schedules.jobs import Services
from storage.db import Sessions
from storage.messaging import inbox
from storage.people import access

logger = logging.getLogger(__name__)

# The kind of private update being handled (inbox.private_kind: "rating"), set by the
# dispatcher for the task that handles it; None for every other update.
PRIVATE_UPDATE: ContextVar[str | None] = ContextVar("private_update", default=None)


class _HushedRecords:
    """The log record factory while a private update is handled: any record made then (PTB's
    "Processing update …", the Bot API's parameters at DEBUG, an error's traceback) keeps its
    logger, level and the frames of a traceback, but not its message, arguments or the
    exception's text, which could name the rater and what they chose."""

    def __init__(self, previous: Any) -> None:
        self.previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.previous(*args, **kwargs)
        kind = PRIVATE_UPDATE.get()
        if kind is None:
            return record
        frames = ""
        if record.exc_info and record.exc_info[2] is not None:
            error_type = record.exc_info[0]
            name = error_type.__name__ if error_type is not None else "error"
            frames = "\n" + "".join(traceback.format_tb(record.exc_info[2])) + name
        record.msg = "(a %s update: what it says is left out of the log)%s"
        record.args = (kind, frames)
        record.exc_info = record.exc_text = record.stack_info = None
        return record


def hush_private_updates() -> None:
    """Installs the record factory that hushes private updates' log records (once)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _HushedRecords):
        logging.setLogRecordFactory(_HushedRecords(factory))
    # The SQLite driver logs each statement with its parameters at DEBUG (a rater's raw update
    # entering the inbox among them) from a thread of its own, which PRIVATE_UPDATE does not
    # reach: like SQLAlchemy's own loggers, it stays at INFO unless configured otherwise.
    driver = logging.getLogger("aiosqlite")
    if driver.level == logging.NOTSET:
        driver.setLevel(logging.INFO)


def answer_lost(error: BaseException | None) -> bool:
    """Whether a request reached Telegram but its answer never came back (timed out, connection
    lost): what it asked, such as a reply, may have been done."""
    return (
        isinstance(error, NetworkError)
        and not isinstance(error, BadRequest)
        and not surely_undelivered(error)
    )


async def report_error(update: object, context: Context) -> None:
    """Logs the update and the traceback, and tells the user the action was not done, unless
    Telegram's answer was lost: the reply may have arrived, and no second word is sent."""
    error = context.error
    trace = "".join(traceback.format_exception(error)) if error else ""
    shown: object = update
    private = inbox.private_kind(update.to_dict()) if isinstance(update, Update) else None
    if private is not None:
        # A rating update: neither the rater nor what they pressed goes into the log, nor the
        # error's text (a database error quotes the row it failed on).
        shown = f"a {private} update"
        if error is not None:
            trace = "".join(traceback.format_tb(error.__traceback__)) + type(error).__name__
    # What is logged here is already stripped of a private update's contents: it is logged
    # in full, not hushed like the rest of the update's records.
    said = PRIVATE_UPDATE.set(None)
    try:
        if answer_lost(error):
            logger.warning(
                "no answer from Telegram while handling %r; what was sent may have arrived, so"
                " the user is not told of an error:\n%s",
                shown,
                trace,
            )
            return
        logger.error("error while handling %r:\n%s", shown, trace)
    finally:
        PRIVATE_UPDATE.reset(said)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        who = await who_is(update, context)
        lang = context.lang(who)
    except Exception:  # the database itself may be what failed
        lang = context.settings.bot_language
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t(lang, "error.generic"), show_alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, t(lang, "error.generic"))
    except Exception:
        logger.exception("could not tell the user about the error")


async def publish_menus(application: XieshangApp) -> None:
    """Sets everybody's menu, then each admin's own."""
    settings: Settings = application.bot_data["settings"]
    sessions: Sessions = application.bot_data["sessions"]
    bot = application.bot
    await publish_default_menus(bot, settings.bot_language)
    hq_ids = sorted(settings.hq_admin_ids)
    async with sessions() as session:
        accounts = await access.admin_accounts(session)
        hq_languages = await access.languages(session, hq_ids)
    menus = [(telegram_id, access.HQ, hq_languages.get(telegram_id)) for telegram_id in hq_ids]
    menus += [account for account in accounts if account[0] not in settings.hq_admin_ids]
    for telegram_id, role, lang in menus:
        await publish_chat_menu(bot, telegram_id, role, lang or settings.bot_language)


def build_application(
    settings: Settings,
    sessions: Sessions,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> XieshangApp:
    """Builds the Application: Bot API root, proxy, handlers in order, error handler."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    root = settings.telegram_api_url.rstrip("/")
    builder: Any = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=Context))
        .defaults(Defaults(tzinfo=settings.tz))
        # Every request passes the pacer: Telegram's limits kept without waiting for 429s.
        .rate_limiter(Pacer())
        # Updates come from bot/runtime.py, which stores them before acknowledging them.
        .updater(None)
    )
    if request is None:
        request = HTTPXRequest(connection_pool_size=16, proxy=settings.telegram_proxy)
    if updates_request is None:
        updates_request = HTTPXRequest(proxy=settings.telegram_proxy, read_timeout=40)
    builder = builder.request(request).get_updates_request(updates_request)
    application: XieshangApp = builder.build()
    hush_private_updates()
    application.bot_data["settings"] = settings
    application.bot_data["sessions"] = sessions
    # What the jobs in schedules/ use of the bot, typed; they word their messages with the
    # bot's texts without importing bot/.
    Services(
        sessions=sessions,
        translate=t,
        language=settings.bot_language,
        timezone=settings.bot_timezone,
        reminder_grace=timedelta(minutes=settings.reminder_grace_minutes),
    ).install(application.bot_data)

    for module in (
        trainings,  # first: its /start ci_<token> (check-in by QR) goes before welcome's /start
        evaluation,  # likewise its /start rate_<token> (a rater link)
        welcome,
        profile,
        invites,
        people,
        admins,
        districts,
        groups,
        uploads,
        stats,
        notices,
        reminders,
        dispatch,
        reports,
        callups,
        mentoring,
        enterprises,
        honours,
        cases,
        subsidies,
    ):
        application.add_handlers(module.HANDLERS)
    # Plain text in a private chat goes to the guided flow the sender is in, else to /help.
    router = FlowRouter(fallback=point_to_help)
    router.add(reports.guided.FLOW, reports.guided.take_text)
    router.add(reports.mine.FLOW, reports.mine.take_line)
    router.add(notices.FLOW, notices.take_text)
    for flow, step in (
        *callups.FLOWS,
        *trainings.FLOWS,
        *evaluation.FLOWS,
        *mentoring.FLOWS,
        *honours.FLOWS,
        *cases.FLOWS,
    ):
        router.add(flow, step)
    application.add_handler(router.handler())
    # Last in group 0, so that every feature's handlers had their chance: unknown commands and
    # stray text in private chats get a pointer to /help instead of silence.
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & (filters.TEXT | filters.COMMAND), point_to_help)
    )
    # Likewise a press on a button that no feature routes (its message older than its form).
    application.add_handler(CallbackQueryHandler(answer_stale_button))
    application.add_error_handler(report_error)
    return application
