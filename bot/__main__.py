"""The `xieshang` command line: run, webhook, db, roster, enterprises, reports, stats, rewards,
export.

Telegram and the Application are imported only by the commands that talk to Telegram, so
`db`, `roster`, `stats` and `export` start quickly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from bot.settings import Settings
from bot.texts import import_problem, t, tag_problem
from storage import db, imports
from storage.common.periods import PeriodProblem, parse_period
from storage.common.spreadsheets import ImportResult
from storage.common.tags import TagProblem, hashtag
from storage.honours import figures as rewards
from storage.people import districts, invites
from storage.reports import exports, stats
from storage.subsidies import ledger as ledgers

logger = logging.getLogger("xieshang")
T = TypeVar("T")


class BadInput(Exception):
    """Bad input on the command line: one clear line on stderr, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xieshang", description="协商通 xieshang bot")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="migrate the database, then long-poll Telegram")
    commands.add_parser("webhook", help="migrate the database, then serve a webhook")
    sandbox = commands.add_parser(
        "sandbox", help="try the bot without Telegram: a local Bot API, the bot and a web chat"
    )
    sandbox.add_argument("--port", type=int, default=8080)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--reset", action="store_true", help="forget the sandbox's data first")
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
    for name in ("enterprises", "reports"):
        importer = commands.add_parser(name, help=f"import {name} from a spreadsheet")
        importer.add_subparsers(dest="action", required=True).add_parser("import").add_argument(
            "file", type=Path
        )
    figures = commands.add_parser("stats", help="the same figures as /stats")
    figures.add_argument("--period", default=None)
    figures.add_argument("--district")
    figures.add_argument("--tag", help="a campaign tag, e.g. 四必谈 or '#四必谈'")
    figures.add_argument("--json", action="store_true")
    honours = commands.add_parser("rewards", help="the same sums as /rewards")
    honours.add_argument("--year", help="the year (default: this year)")
    honours.add_argument("--district")
    honours.add_argument("--json", action="store_true")
    workbook = commands.add_parser("export", help="the same workbook as /export")
    workbook.add_argument("--period", default=None)
    workbook.add_argument("--district")
    workbook.add_argument("--tag", help="a campaign tag, e.g. 四必谈 or '#四必谈'")
    workbook.add_argument("--out", type=Path, required=True)
    ledger = commands.add_parser("subsidies", help="the same ledger as /subsidies")
    ledger.add_argument("--year", help="default: the current year in BOT_TIMEZONE")
    ledger.add_argument("--district", help="default: the whole city")
    ledger.add_argument("--json", action="store_true")
    ledger.add_argument("--out", type=Path, help="also write the .xlsx there")
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
        lines += [import_problem(lang, e) for e in result.errors]
        raise BadInput("\n".join(lines))


async def _in_session(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Runs `work(session)` in one transaction on the configured database."""
    engine = db.create_engine(settings.database_url)
    try:
        async with db.create_sessions(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


async def _district_id(session: Any, name: str | None, lang: str) -> int | None:
    if not name:
        return None
    names = await districts.district_ids(session)
    found = districts.find_district(names, name)
    if found is None:
        raise BadInput(t(lang, "district.unknown", name=name, names="、".join(names)))
    return names[found]


async def _bot_username(settings: Settings, lang: str) -> str:
    if settings.bot_username:
        return settings.bot_username.removeprefix("@")
    if not settings.telegram_bot_token:
        raise BadInput(t(lang, "cli.no_username"))
    from telegram import Bot
    from telegram.request import HTTPXRequest

    root = settings.telegram_api_url.rstrip("/")
    bot = Bot(
        settings.telegram_bot_token,
        base_url=f"{root}/bot",
        request=HTTPXRequest(proxy=settings.telegram_proxy),
    )
    async with bot:
        return bot.username


async def _import(settings: Settings, kind: imports.Kind, path: Path) -> str:
    lang = settings.bot_language
    data = _read(path, lang)

    async def work(session: Any) -> ImportResult:
        imported = await imports.import_file(
            session,
            data,
            path.name,
            kind=kind,
            only_district_id=None,
            invite_ttl=timedelta(days=settings.invite_ttl_days),
            now=datetime.now(settings.tz),
        )
        if not imported.result.ok:
            await session.rollback()
        return imported.result

    result = await _in_session(settings, work)
    _check_import(result, lang)
    counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    return t(lang, f"import.{kind}_ok", **counts)


async def _write_invites(settings: Settings, out: Path, district: str | None) -> str:
    lang = settings.bot_language
    username = await _bot_username(settings, lang)

    async def work(session: Any) -> list[invites.InviteRow]:
        return await invites.pending_invites(
            session,
            district_id=await _district_id(session, district, lang),
            ttl=timedelta(days=settings.invite_ttl_days),
            now=datetime.now(settings.tz),
        )

    rows = await _in_session(settings, work)
    sheet = invites.invite_sheet(rows, username, settings.tz)
    await asyncio.to_thread(_write_file, out, sheet)
    return t(lang, "cli.invites_written", count=len(rows), path=out)


def _period(settings: Settings, text: str | None) -> Any:
    try:
        return parse_period(text, datetime.now(settings.tz).date())
    except PeriodProblem as problem:
        raise BadInput(t(settings.bot_language, "stats.bad_period", value=problem.value)) from None


def _tag(settings: Settings, text: str | None) -> str | None:
    """The campaign tag of `--tag` (四必谈 or #四必谈), or None without one."""
    if text is None:
        return None
    try:
        tag = hashtag(text if text.strip()[:1] in ("#", "＃") else f"#{text.strip()}")
    except TagProblem as problem:
        raise BadInput(tag_problem(settings.bot_language, problem.code, problem.value)) from None
    assert tag is not None
    return tag


async def _stats(
    settings: Settings,
    period_text: str | None,
    district: str | None,
    tag_text: str | None,
    as_json: bool,
) -> str:
    lang = settings.bot_language
    period = _period(settings, period_text)
    tag = _tag(settings, tag_text)

    async def work(session: Any) -> stats.Stats:
        district_id = await _district_id(session, district, lang)
        return await stats.compute_stats(
            session, period, district_id=district_id, tag=tag, ranking=True
        )

    figures = await _in_session(settings, work)
    if as_json:
        return json.dumps(stats.stats_json(figures), ensure_ascii=False, indent=2)
    from bot.handlers.stats import Scope, stats_text

    label = figures.district or t(lang, "city")
    return stats_text(lang, Scope(period, figures.district_id, None, label, tag), figures)


async def _export(
    settings: Settings,
    period_text: str | None,
    district: str | None,
    tag_text: str | None,
    out: Path,
) -> str:
    lang = settings.bot_language
    period = _period(settings, period_text)
    tag = _tag(settings, tag_text)
    await asyncio.to_thread(out.parent.mkdir, parents=True, exist_ok=True)

    async def work(session: Any) -> exports.ExportResult:
        district_id = await _district_id(session, district, lang)
        return await exports.write_export(
            session, period, district_id=district_id, tag=tag, path=out
        )

    result = await _in_session(settings, work)
    if tag is not None:
        return t(lang, "cli.exported_tagged", count=result.reports, tag=tag, path=out)
    return t(lang, "cli.exported", count=result.reports, path=out)


async def _subsidies(
    settings: Settings, year_text: str | None, district: str | None, as_json: bool, out: Path | None
) -> str:
    lang = settings.bot_language
    year = datetime.now(settings.tz).year if year_text is None else ledgers.parse_year(year_text)
    if year is None:
        first, last = ledgers.FIRST_YEAR, ledgers.LAST_YEAR
        raise BadInput(t(lang, "subsidies.bad_year", value=year_text, first=first, last=last))

    async def work(session: Any) -> ledgers.Ledger:
        district_id = await _district_id(session, district, lang)
        return await ledgers.compute_ledger(session, year, district_id)

    ledger = await _in_session(settings, work)
    if out is not None:
        await asyncio.to_thread(_write_file, out, ledgers.ledger_sheet(ledger))
    if as_json:
        return json.dumps(ledgers.ledger_json(ledger), ensure_ascii=False, indent=2)
    from bot.handlers.subsidies.ledger import ledger_text

    text = ledger_text(lang, ledger, ledger.district or t(lang, "city"))
    if out is not None:
        text += "\n" + t(lang, "subsidies.written", path=out, count=len(ledger.rows))
    return text


async def _rewards(
    settings: Settings, year_text: str | None, district: str | None, as_json: bool
) -> str:
    lang = settings.bot_language
    year = datetime.now(settings.tz).year
    if year_text is not None:
        if not (year_text.strip().isdigit() and 1900 <= int(year_text) <= 2199):
            raise BadInput(t(lang, "honours.bad_year", value=year_text))
        year = int(year_text)

    async def work(session: Any) -> rewards.Rewards:
        district_id = await _district_id(session, district, lang)
        return await rewards.reward_totals(session, year, district_id)

    figures = await _in_session(settings, work)
    if as_json:
        return json.dumps(rewards.rewards_json(figures), ensure_ascii=False, indent=2)
    from bot.handlers.honours.figures import rewards_text

    return rewards_text(lang, figures, figures.district or t(lang, "city"))


def _write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _serve(settings: Settings, webhook: bool) -> None:
    lang = settings.bot_language
    if not settings.telegram_bot_token:
        raise BadInput(t(lang, "cli.no_token"))
    if webhook and not (settings.webhook_url and settings.webhook_secret):
        raise BadInput(t(lang, "cli.no_webhook"))
    from bot.runtime import serve

    db.upgrade(settings.database_url)
    serve(settings, webhook=webhook)


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


def _run(settings: Settings, args: argparse.Namespace) -> str | None:
    """Runs the parsed command; returns what to print."""
    if args.command in ("run", "webhook"):
        _serve(settings, webhook=args.command == "webhook")
        return None
    if args.command == "sandbox":
        from bot.sandbox import runner

        try:
            runner.serve(settings, host=args.host, port=args.port, fresh=args.reset)
        except runner.CannotListen as error:
            lang = settings.bot_language
            raise BadInput(t(lang, "cli.sandbox_port", address=error.address)) from None
        return None
    if args.command == "db":
        return _database(settings, args.action, getattr(args, "revision", "head"))
    if args.command == "roster" and args.action == "invites":
        return asyncio.run(_write_invites(settings, args.out, args.district))
    if args.command == "stats":
        return asyncio.run(_stats(settings, args.period, args.district, args.tag, args.json))
    if args.command == "rewards":
        return asyncio.run(_rewards(settings, args.year, args.district, args.json))
    if args.command == "export":
        return asyncio.run(_export(settings, args.period, args.district, args.tag, args.out))
    if args.command == "subsidies":
        return asyncio.run(_subsidies(settings, args.year, args.district, args.json, args.out))
    return asyncio.run(_import(settings, args.command, args.file))


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
        message = "; ".join(
            f"{str(e['loc'][0]).upper()}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        print(t("zh_CN", "cli.bad_settings", error=message), file=sys.stderr)
        return 2
    try:
        output = _run(settings, args)
    except BadInput as error:
        print(error, file=sys.stderr)
        return 2
    if output is not None:
        print(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
