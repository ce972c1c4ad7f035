"""Inline keyboards; their callback data comes from the one codec in storage/common/buttons.py."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import t
from storage.common.buttons import (
    BindButton,
    ButtonData,
    InviteButton,
    LanguageButton,
    PeoplePageButton,
)


def button(label: str, data: ButtonData) -> InlineKeyboardButton:
    """One inline button whose callback data is `data` packed."""
    return InlineKeyboardButton(label, callback_data=data.pack())


def rows_of(
    buttons: Sequence[InlineKeyboardButton], width: int
) -> list[list[InlineKeyboardButton]]:
    """`buttons` laid out `width` to a row."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def languages() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button("中文", LanguageButton("zh")), button("English", LanguageButton("en"))]]
    )


def pages(lang: str, district_id: int | None, page: int, pages: int) -> InlineKeyboardMarkup | None:
    """◀ ▶ buttons for a paged list; None when it fits one page."""
    row = []
    if page > 1:
        row.append(button(t(lang, "button.prev"), PeoplePageButton(district_id or 0, page - 1)))
    if page < pages:
        row.append(button(t(lang, "button.next"), PeoplePageButton(district_id or 0, page + 1)))
    return InlineKeyboardMarkup([row]) if row else None


def choose_instructor(options: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(label, InviteButton(instructor_id))] for instructor_id, label in options]
    )


def bind_scopes(
    lang: str, city: bool, districts: Sequence[tuple[int, str]]
) -> InlineKeyboardMarkup:
    """The scopes an admin may bind a group to: the city (HQ) and districts, three a row."""
    rows: list[list[InlineKeyboardButton]] = []
    if city:
        rows.append([button(t(lang, "button.city"), BindButton("city"))])
    rows.extend(rows_of([button(name, BindButton("district", did)) for did, name in districts], 3))
    return InlineKeyboardMarkup(rows)
