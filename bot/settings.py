"""Configuration from the environment (and `.env` if present); read once in main()."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/xieshang.db"


class Settings(BaseSettings):
    """Everything the bot can be told from outside; `.env.example` lists the same names."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_proxy: str | None = None
    bot_username: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    hq_admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    bot_timezone: str = "Asia/Shanghai"
    bot_language: str = "zh_CN"
    invite_ttl_days: int = 30
    # A reminder missed while the bot was down fires at start if it is less late than this.
    reminder_grace_minutes: int = 60
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443

    @field_validator("hq_admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace("，", ",").split(",")]
            try:
                return frozenset(int(p) for p in parts if p)
            except ValueError:
                raise ValueError(
                    "HQ_ADMIN_IDS must be Telegram user ids separated by commas"
                ) from None
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            # ZoneInfoNotFoundError is a KeyError, which pydantic would not report as invalid.
            raise ValueError("must be an IANA time zone such as Asia/Shanghai") from None
        return value

    @field_validator("bot_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        normalized = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "en": "en"}.get(
            value.lower()
        )
        if normalized is None:
            raise ValueError("BOT_LANGUAGE must be zh_CN or en")
        return normalized

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)
