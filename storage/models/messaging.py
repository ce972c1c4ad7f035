"""The inbox, the outbox, guided conversations and notices."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.models.people import Instructor


class Conversation(Base):
    """A guided flow in progress (e.g. /report), kept in the database to survive a restart."""

    __tablename__ = "conversations"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class InboxUpdate(Base):
    """An update from Telegram, stored before it is acknowledged and marked once handled."""

    __tablename__ = "inbox_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # NULL while waiting; the dispatcher reads pending updates through this index.
    handled_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class OutboxStatus(enum.StrEnum):
    """What became of an outbox message."""

    PENDING = "pending"  # waiting for the sender (or for not_before)
    SENDING = "sending"  # handed to Telegram; a crash now leaves it to be sent again
    SENT = "sent"
    UNREACHABLE = "unreachable"  # 403: blocked the bot or never started it
    FAILED = "failed"  # 400 and other refusals, with Telegram's reason
    UNKNOWN = "unknown"  # the request may have reached Telegram but no answer came back


class OutboxMessage(Base):
    """A message to one chat, written before it is sent and marked with the outcome."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_not_before", "status", "not_before"),
        Index("ix_outbox_kind_ref_id", "kind", "ref_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Enqueueing the same thing twice (same key) sends it once.
    key: Mapped[str] = mapped_column(String(128), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # notice, reminder, nudge, digest, ...
    ref_id: Mapped[int | None] = mapped_column(Integer)  # the notice, reminder... it belongs to
    instructor_id: Mapped[int | None] = mapped_column(ForeignKey("instructors.id"))
    # text, buttons [[label, callback_data]], pin
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]


class NoticeAudience(enum.StrEnum):
    """Who a notice goes to: everyone in scope, a district, a level, an employment, groups,
    a call-up's team (its accepted members and its bound groups)."""

    ALL = "all"
    DISTRICT = "district"
    LEVEL = "level"
    EMPLOYMENT = "employment"
    GROUPS = "groups"
    TEAM = "team"


class NoticeStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # waits for send_at
    SENT = "sent"  # its messages are in the outbox
    CANCELLED = "cancelled"


class Notice(Base):
    """A notice (通知) from an admin to an audience, with or without confirmation."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_status_send_at", "status", "send_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    # The sender's scope: None for HQ (the city), else the district admin's district.
    scope_district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    audience: Mapped[str] = mapped_column(String(16))
    audience_value: Mapped[str | None] = mapped_column(String(32))  # district id, level, ...
    text: Mapped[str] = mapped_column(Text)
    confirm: Mapped[bool] = mapped_column(Boolean, default=True)
    send_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=NoticeStatus.SCHEDULED.value)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    # The one-line /notice that created it (see Reminder.request_key).
    request_key: Mapped[str | None] = mapped_column(String(48), unique=True, index=True)


class NoticeRecipient(Base):
    """An instructor a notice was meant for, and when they pressed 收到."""

    __tablename__ = "notice_recipients"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    instructor_id: Mapped[int] = mapped_column(
        ForeignKey("instructors.id"), primary_key=True, index=True
    )
    confirmed_at: Mapped[datetime | None]

    instructor: Mapped[Instructor] = relationship(lazy="raise")


class BroadcastProgress(Base):
    """An admin's confirmation message of a broadcast, edited with sent / total while the
    broadcast's outbox rows go out, at most every few seconds, then with the final counts
    (storage/messaging/progress.py).

    The broadcast is the outbox rows of (kind, ref_id) written at or after `since`, up to
    `last_id`: later rows of the same call-up (a declined place passed on) are not part of it.
    """

    __tablename__ = "broadcast_progress"
    __table_args__ = (Index("ix_broadcast_progress_done_at", "done_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # the outbox kind of the broadcast's rows
    ref_id: Mapped[int] = mapped_column(Integer)  # the notice, training, call-up ...
    # When the rows were written: now, or the time a scheduled notice is released.
    since: Mapped[datetime]
    # The newest of the rows, fixed when they are first seen; NULL while they are still to come.
    last_id: Mapped[int | None] = mapped_column(Integer)
    chat_id: Mapped[int] = mapped_column(BigInteger)  # where the confirmation message is
    message_id: Mapped[int] = mapped_column(BigInteger)
    lang: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)  # the confirmation as sent; progress goes below it
    buttons: Mapped[list[Any] | None] = mapped_column(JSON)  # its buttons [[label, data]]
    started_at: Mapped[datetime | None]  # when the rows were seen first
    # No edit before this: an edit's interval, or a 429's retry_after.
    hold_until: Mapped[datetime | None]
    shown: Mapped[int | None] = mapped_column(Integer)  # the count of done rows on the message
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    done_at: Mapped[datetime | None]
