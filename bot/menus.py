"""Telegram command menus: one for everybody, one per admin chat, one for group admins."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from bot.texts import LANGUAGES, t
from storage.people.access import DISTRICT_ADMIN, HQ

logger = logging.getLogger(__name__)

EVERYONE = (
    "start",
    "help",
    "report",
    "myreports",
    "stats",
    "chart",
    "remind",
    "reminders",
    "leave",
    "trainings",
    "checkin",
    "evaluation",
    "mentoring",
    "case",
    "cases",
    "me",
    "lang",
)
ADMIN = (
    *EVERYONE,
    "notice",
    "notices",
    "export",
    "coverage",
    "people",
    "invite",
    "districts",
    "dispatch",
    "training",
    "breakout",
    "mentor",
    "enterprises",
    "quota",
    "model",
    "accept",
    "quotas",
    "rewards",
    "contract",
    "subsidies",
)
HQ_ONLY = ("admin", "schedules", "assign", "callup", "callups")
GROUP_ADMIN = ("bindgroup", "unbindgroup", "help")


def commands_for(role: str | None) -> tuple[str, ...]:
    """The private-chat commands a role may use, in menu order."""
    if role == HQ:
        return (*ADMIN, *HQ_ONLY)
    if role == DISTRICT_ADMIN:
        return ADMIN
    return EVERYONE


def help_lines(lang: str, role: str | None) -> list[str]:
    return [f"/{name} — {t(lang, 'cmd.' + name)}" for name in commands_for(role)]


def _menu(lang: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(name, t(lang, f"cmd.{name}")) for name in names]


async def publish_default_menus(bot: Bot, default_language: str) -> None:
    """Sets the menus everybody sees: private chats per language, and group admins'."""
    for lang in LANGUAGES:
        code = None if lang == default_language else lang.split("_")[0]
        await bot.set_my_commands(
            _menu(lang, EVERYONE), scope=BotCommandScopeAllPrivateChats(), language_code=code
        )
        await bot.set_my_commands(
            _menu(lang, GROUP_ADMIN),
            scope=BotCommandScopeAllChatAdministrators(),
            language_code=code,
        )


async def publish_chat_menu(bot: Bot, telegram_id: int, role: str | None, lang: str) -> None:
    """Gives one private chat the menu of its role in its language; failures are only logged."""
    try:
        await bot.set_my_commands(
            _menu(lang, commands_for(role)), scope=BotCommandScopeChat(telegram_id)
        )
    except TelegramError as error:
        # A user who never started the bot has no chat yet; the menu follows on their /start.
        logger.info("menu for %s not set: %s", telegram_id, error)
