"""Inline buttons and their callback-data patterns (short, prefixed, pointing at rows)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import t

LANG_PATTERN = r"^lang:(zh|en)$"
PEOPLE_PATTERN = r"^people:(\d+):(\d+)$"
INVITE_PATTERN = r"^inv:(\d+)$"
BIND_PATTERN = r"^bind:(city|d:\d+)$"
FLOW_PATTERN = r"^rp:(t:[a-z]+|e:\d+|n:\d+|d:[012]|skip|ok|no)$"
LINK_PATTERN = r"^rl:\d+:\d+$"
EDIT_PATTERN = r"^re:\d+$"
DELETE_PATTERN = r"^r[dx]:\d+$"


def languages() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("中文", callback_data="lang:zh"),
                InlineKeyboardButton("English", callback_data="lang:en"),
            ]
        ]
    )


def pages(lang: str, district_id: int | None, page: int, pages: int) -> InlineKeyboardMarkup | None:
    """◀ ▶ buttons for a paged list; None when it fits one page."""
    row = []
    if page > 1:
        row.append(
            InlineKeyboardButton(
                t(lang, "button.prev"), callback_data=f"people:{district_id or 0}:{page - 1}"
            )
        )
    if page < pages:
        row.append(
            InlineKeyboardButton(
                t(lang, "button.next"), callback_data=f"people:{district_id or 0}:{page + 1}"
            )
        )
    return InlineKeyboardMarkup([row]) if row else None


def choose_instructor(options: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"inv:{instructor_id}")]
            for instructor_id, label in options
        ]
    )


def bind_scopes(
    lang: str, city: bool, districts: Sequence[tuple[int, str]]
) -> InlineKeyboardMarkup:
    """The scopes an admin may bind a group to: the city (HQ) and districts, three a row."""
    rows: list[list[InlineKeyboardButton]] = []
    if city:
        rows.append([InlineKeyboardButton(t(lang, "button.city"), callback_data="bind:city")])
    buttons = [InlineKeyboardButton(name, callback_data=f"bind:d:{did}") for did, name in districts]
    rows.extend(buttons[i : i + 3] for i in range(0, len(buttons), 3))
    return InlineKeyboardMarkup(rows)


NOTICE_FLOW_PATTERN = r"^nf:(a:(all|g|d:\d+|l:[a-z_]+|e:[a-z_]+)|c:[01]|w:(now|later)|ok|no)$"
NOTICE_CONFIRM_PATTERN = r"^nc:\d+$"
NOTICE_STATUS_PATTERN = r"^nd:\d+$"
NOTICE_REMIND_PATTERN = r"^nr:\d+$"
REMINDER_CANCEL_PATTERN = r"^rm:x:\d+$"
LEAVE_CANCEL_PATTERN = r"^lv:x:\d+$"
SCHEDULE_PATTERN = r"^sc:(nudge|digest|summary|mentoring):[01]$"
