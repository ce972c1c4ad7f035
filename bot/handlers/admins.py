"""/admin add|remove|list: HQ names the district admins and other HQ admins."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler

from bot.context import Context, Handlers
from bot.guards import guard
from bot.menus import publish_chat_menu
from bot.texts import t
from storage.people import access, districts
from storage.people.access import DISTRICT_ADMIN, HQ, Identity


def _who(ref: str, telegram_id: int) -> str:
    return ref if ref.startswith("@") else str(telegram_id)


@guard(role="hq", chat="private")
async def manage_admins(update: Update, context: Context, who: Identity) -> None:
    """Adds, removes or lists admins; every malformed form gets the usage."""
    message = update.effective_message
    assert message is not None
    lang = context.lang(who)
    args = context.args or []
    action = args[0].lower() if args else "list"
    if action == "list" and len(args) <= 1:
        await message.reply_text(await _list(context, lang))
        return
    if action not in ("add", "remove") or len(args) < 2:
        await message.reply_text(t(lang, "admin.usage"))
        return
    async with context.sessions.begin() as session:
        change = await _change(session, context, who, action, args)
    if isinstance(change, str):
        await message.reply_text(change)
        return
    role_text = t(lang, f"role.{change.role}", district=change.district) if change.role else ""
    await message.reply_text(t(lang, change.key, who=change.label, role=role_text))
    if change.key != "admin.not_admin":
        target_lang = change.language or context.settings.bot_language
        await publish_chat_menu(context.bot, change.telegram_id, change.role, target_lang)


@dataclass(frozen=True)
class _Change:
    """An admin added or removed: what to answer, and whose menu to publish."""

    telegram_id: int
    label: str
    key: str
    role: str | None
    district: str
    language: str | None


async def _change(
    session: AsyncSession, context: Context, who: Identity, action: str, args: list[str]
) -> _Change | str:
    """Adds or removes the admin `args` name, in the handler's transaction; or the refusal."""
    lang = context.lang(who)
    ref = args[1]
    telegram_id = await access.resolve_account(session, ref)
    if telegram_id is None:
        return t(lang, "admin.unknown_account", ref=ref)
    label = _who(ref, telegram_id)
    if telegram_id in context.settings.hq_admin_ids:
        return t(lang, "admin.configured", who=label)
    district_name = ""
    role: str | None = None
    if action == "remove":
        removed = await access.remove_admin(session, telegram_id)
        key = "admin.removed" if removed else "admin.not_admin"
    else:
        scope = [a.lower() for a in args[2:]]
        if scope == ["hq"]:
            role, district_id = HQ, None
        elif len(scope) == 2 and scope[0] == "district":
            names = await districts.district_ids(session)
            district_name = districts.find_district(names, args[3]) or ""
            if not district_name:
                return t(lang, "district.unknown", name=args[3], names="、".join(names))
            role, district_id = DISTRICT_ADMIN, names[district_name]
        else:
            return t(lang, "admin.usage")
        await access.add_admin(session, telegram_id, role, district_id, added_by=who.telegram_id)
        key = "admin.added"
    languages = await access.languages(session, [telegram_id])
    return _Change(telegram_id, label, key, role, district_name, languages.get(telegram_id))


async def _list(context: Context, lang: str) -> str:
    async with context.sessions() as session:
        admins = await access.list_admins(session)
    lines = [t(lang, "admin.list")]
    lines += [
        t(lang, "admin.list_configured", who=tid) for tid in sorted(context.settings.hq_admin_ids)
    ]
    for admin, user in admins:
        label = f"@{user.username}" if user and user.username else str(admin.telegram_id)
        if user and user.full_name:
            label = f"{user.full_name} ({label})"
        district = admin.district.name if admin.district else ""
        lines.append(
            t(
                lang,
                "admin.list_line",
                who=label,
                role=t(lang, f"role.{admin.role}", district=district),
            )
        )
    return "\n".join(lines)


HANDLERS: Handlers = [CommandHandler("admin", manage_admins)]
