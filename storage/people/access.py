"""Who is speaking: roles, admins and the Telegram accounts the bot has met."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Admin, AdminRole, District, Instructor, Status, TelegramUser

HQ = AdminRole.HQ.value
DISTRICT_ADMIN = AdminRole.DISTRICT_ADMIN.value
INSTRUCTOR = "instructor"


@dataclass(frozen=True)
class Identity:
    """A Telegram account's role, scope and preferences, as the database knows them."""

    telegram_id: int
    role: str | None  # "hq", "district_admin", "instructor" or None for a stranger
    district_id: int | None = None  # a district admin's district
    district_name: str | None = None
    instructor: Instructor | None = None
    language: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role in (HQ, DISTRICT_ADMIN)

    @property
    def is_hq(self) -> bool:
        return self.role == HQ

    def may_manage(self, district_id: int | None) -> bool:
        """Tells whether this account may act for `district_id` (None: the whole city)."""
        if self.role == HQ:
            return True
        return (
            self.role == DISTRICT_ADMIN
            and district_id is not None
            and (district_id == self.district_id)
        )

    @property
    def scope_district_id(self) -> int | None:
        """The district an admin is limited to; None for HQ (the whole city)."""
        return None if self.role == HQ else self.district_id


async def identify(session: AsyncSession, telegram_id: int, hq_ids: frozenset[int]) -> Identity:
    """Looks up the role of `telegram_id`: HQ_ADMIN_IDS first, then admins, then instructors."""
    # Every update asks this: two round trips, the instructor and (language, admin id) together.
    instructor = (
        await session.scalars(select(Instructor).where(Instructor.telegram_id == telegram_id))
    ).first()
    if instructor is not None and instructor.status == Status.ENDED.value:
        instructor = None
    language, admin_id = (
        await session.execute(
            select(
                select(TelegramUser.language)
                .where(TelegramUser.telegram_id == telegram_id)
                .scalar_subquery(),
                select(Admin.id).where(Admin.telegram_id == telegram_id).scalar_subquery(),
            )
        )
    ).one()
    if telegram_id in hq_ids:
        return Identity(telegram_id, HQ, instructor=instructor, language=language)
    admin = await session.get(Admin, admin_id) if admin_id is not None else None
    if admin is not None:
        return Identity(
            telegram_id,
            admin.role,
            district_id=admin.district_id,
            district_name=admin.district.name if admin.district else None,
            instructor=instructor,
            language=language,
        )
    if instructor is not None:
        return Identity(
            telegram_id,
            INSTRUCTOR,
            district_id=instructor.district_id,
            district_name=instructor.district.name,
            instructor=instructor,
            language=language,
        )
    return Identity(telegram_id, None, language=language)


async def remember_user(
    session: AsyncSession,
    telegram_id: int,
    *,
    username: str | None,
    full_name: str | None,
    now: datetime | None = None,
) -> TelegramUser:
    """Records or refreshes an account the bot has met, so admins can name it by @username."""
    now = now or datetime.now(UTC)
    user = await session.get(TelegramUser, telegram_id)
    if user is None:
        user = TelegramUser(telegram_id=telegram_id, first_seen=now)
        session.add(user)
    user.username = username.lower() if username else None
    user.full_name = full_name
    user.last_seen = now
    return user


async def set_language(session: AsyncSession, telegram_id: int, language: str) -> None:
    """Stores an account's chosen language."""
    user = await session.get(TelegramUser, telegram_id)
    if user is None:
        user = TelegramUser(telegram_id=telegram_id)
        session.add(user)
    user.language = language


async def resolve_account(session: AsyncSession, ref: str) -> int | None:
    """Turns `123456` or `@username` into a Telegram id the bot has met, or None."""
    ref = ref.strip()
    if ref.lstrip("-").isdigit():
        return int(ref)
    name = ref.removeprefix("@").lower()
    if not name:
        return None
    found = await session.scalars(
        select(TelegramUser.telegram_id).where(func.lower(TelegramUser.username) == name)
    )
    return found.first()


async def add_admin(
    session: AsyncSession, telegram_id: int, role: str, district_id: int | None, added_by: int
) -> Admin:
    """Makes `telegram_id` an admin (replacing an earlier role of the same account)."""
    admin = (await session.scalars(select(Admin).where(Admin.telegram_id == telegram_id))).first()
    if admin is None:
        admin = Admin(telegram_id=telegram_id)
        session.add(admin)
    admin.role = role
    admin.district_id = district_id if role == DISTRICT_ADMIN else None
    admin.added_by = added_by
    await session.flush()
    await session.refresh(admin, ["district"])
    return admin


async def remove_admin(session: AsyncSession, telegram_id: int) -> bool:
    """Takes the admin role away; tells whether there was one."""
    admin = (await session.scalars(select(Admin).where(Admin.telegram_id == telegram_id))).first()
    if admin is None:
        return False
    await session.delete(admin)
    return True


async def list_admins(session: AsyncSession) -> list[tuple[Admin, TelegramUser | None]]:
    """Every admin added in the chat, with the account details the bot has seen."""
    rows = await session.execute(
        select(Admin, TelegramUser)
        .outerjoin(TelegramUser, TelegramUser.telegram_id == Admin.telegram_id)
        .outerjoin(District, District.id == Admin.district_id)
        .order_by(Admin.role.desc(), District.name, Admin.telegram_id)
    )
    return [(admin, user) for admin, user in rows]


async def admin_accounts(session: AsyncSession) -> list[tuple[int, str, str | None]]:
    """(telegram id, role, language) of every admin row, for their command menus."""
    rows = await session.execute(
        select(Admin.telegram_id, Admin.role, TelegramUser.language).outerjoin(
            TelegramUser, TelegramUser.telegram_id == Admin.telegram_id
        )
    )
    return [(tid, role, lang) for tid, role, lang in rows]


async def languages(session: AsyncSession, telegram_ids: list[int]) -> dict[int, str | None]:
    """Chosen languages of the given accounts."""
    if not telegram_ids:
        return {}
    rows = await session.execute(
        select(TelegramUser.telegram_id, TelegramUser.language).where(
            TelegramUser.telegram_id.in_(telegram_ids)
        )
    )
    return {tid: lang for tid, lang in rows}
