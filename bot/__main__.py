"""The `xieshang` command line: run, webhook, db, roster, enterprises."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from pydantic import ValidationError
from telegram import Bot, Update
from telegram.request import HTTPXRequest

from bot.app import build_application
from bot.handlers.uploads import problem_line
from bot.settings import Settings
from bot.texts import t
from storage import db, districts, enterprises, invites, roster
from storage.spreadsheets import ImportResult

logger = logging.getLogger("xieshang")


class BadInput(Exception):
    """Bad input on the command line: one clear line on stderr, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xieshang", description="协商通 xieshang bot")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="migrate the database, then long-poll Telegram")
    commands.add_parser("webhook", help="migrate the database, then serve a webhook")
    database = commands.add_parser("db", help="database migrations").add_subparsers(
        dest="action", required=True
    )
    database.add_parser("upgrade").add_argument("revision", nargs="?", default="head")
    database.add_parser("downgrade").add_argument("revision", nargs="?", default="-1")
    database.add_parser("current")
    people = commands.add_parser("roster", help="the instructors' roster").add_subparsers(
        dest="action", required=True
    )
    people.add_parser("import").add_argument("file", type=Path)
    invites_parser = people.add_parser("invites")
    invites_parser.add_argument("--out", type=Path, required=True)
    invites_parser.add_argument("--district")
    registry = commands.add_parser("enterprises", help="the enterprise registry").add_subparsers(
        dest="action", required=True
    )
    registry.add_parser("import").add_argument("file", type=Path)
    return parser


def _read(path: Path, lang: str) -> bytes:
    if not path.is_file():
        raise BadInput(t(lang, "cli.no_file", path=path))
    return path.read_bytes()


def _check_import(result: ImportResult, lang: str) -> None:
    if result.file_problem:
        raise BadInput(t(lang, f"upload.{result.file_problem}"))
    if result.errors:
        lines = [t(lang, "import.failed", count=len(result.errors))]
        lines += [problem_line(lang, e) for e in result.errors]
        raise BadInput("\n".join(lines))


async def _bot_username(settings: Settings, lang: str) -> str:
    if settings.bot_username:
        return settings.bot_username.removeprefix("@")
    if not settings.telegram_bot_token:
        raise BadInput(t(lang, "cli.no_username"))
    root = settings.telegram_api_url.rstrip("/")
    bot = Bot(
        settings.telegram_bot_token,
        base_url=f"{root}/bot",
        request=HTTPXRequest(proxy=settings.telegram_proxy),
    )
    async with bot:
        return bot.username


async def _import(settings: Settings, kind: str, path: Path) -> str:
    lang = settings.bot_language
    data = _read(path, lang)
    engine = db.create_engine(settings.database_url)
    try:
        async with db.create_sessions(engine).begin() as session:
            if kind == "roster":
                result = await roster.import_roster(
                    session,
                    data,
                    path.name,
                    only_district_id=None,
                    ttl=timedelta(days=settings.invite_ttl_days),
                    now=datetime.now(settings.tz),
                )
            else:
                result = await enterprises.import_enterprises(
                    session, data, path.name, only_district_id=None
                )
            if not result.ok:
                await session.rollback()
            _check_import(result, lang)
    finally:
        await engine.dispose()
    counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    return t(lang, "import.roster_ok" if kind == "roster" else "import.enterprises_ok", **counts)


async def _write_invites(settings: Settings, out: Path, district: str | None) -> str:
    lang = settings.bot_language
    username = await _bot_username(settings, lang)
    engine = db.create_engine(settings.database_url)
    try:
        async with db.create_sessions(engine).begin() as session:
            district_id = None
            if district:
                names = await districts.district_ids(session)
                found = districts.find_district(names, district)
                if found is None:
                    raise BadInput(
                        t(lang, "district.unknown", name=district, names="、".join(names))
                    )
                district_id = names[found]
            rows = await invites.pending_invites(
                session,
                district_id=district_id,
                ttl=timedelta(days=settings.invite_ttl_days),
                now=datetime.now(UTC),
            )
    finally:
        await engine.dispose()
    sheet = invites.invite_sheet(rows, username, settings.tz)
    await asyncio.to_thread(_write_file, out, sheet)
    return t(lang, "cli.invites_written", count=len(rows), path=out)


def _write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _serve(settings: Settings, webhook: bool) -> None:
    lang = settings.bot_language
    if not settings.telegram_bot_token:
        raise BadInput(t(lang, "cli.no_token"))
    if webhook and not (settings.webhook_url and settings.webhook_secret):
        raise BadInput(t(lang, "cli.no_webhook"))
    db.upgrade(settings.database_url)
    engine = db.create_engine(settings.database_url)
    application = build_application(settings, db.create_sessions(engine))

    async def dispose(_: object) -> None:
        await engine.dispose()

    application.post_shutdown = dispose
    if not webhook:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    assert settings.webhook_url is not None
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlparse(settings.webhook_url).path.lstrip("/"),
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret,
        allowed_updates=Update.ALL_TYPES,
    )


def _database(settings: Settings, action: str, revision: str) -> str:
    lang = settings.bot_language
    if action == "upgrade":
        db.upgrade(settings.database_url, revision)
    elif action == "downgrade":
        db.downgrade(settings.database_url, revision)
    current = db.current(settings.database_url)
    if action != "current":
        return t(lang, "cli.db_done", revision=current or "base")
    return t(lang, "cli.db_current", revision=current) if current else t(lang, "cli.db_empty")


def main(argv: list[str] | None = None) -> int:
    """Runs one command; 0 on success, 2 on bad input with one clear line on stderr."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = Settings()
    except ValidationError as error:
        message = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in error.errors())
        print(t("zh_CN", "cli.bad_settings", error=message), file=sys.stderr)
        return 2
    try:
        if args.command in ("run", "webhook"):
            _serve(settings, webhook=args.command == "webhook")
            return 0
        if args.command == "db":
            print(_database(settings, args.action, getattr(args, "revision", "head")))
        elif args.command == "roster" and args.action == "invites":
            print(asyncio.run(_write_invites(settings, args.out, args.district)))
        else:
            print(asyncio.run(_import(settings, args.command, args.file)))
    except BadInput as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
