"""Amounts of yuan as people type them: 10000, 10,000, 1万, 1.5万, ¥10000, 10000元.

An amount is a whole, non-negative number of yuan, at most MAX_AMOUNT; anything else is refused
with a reason (AmountProblem.code): empty, negative, fraction (1.5, or 1.00005万), too_large,
not_number (words, 一万, 10,00).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

MAX_AMOUNT = 100_000_000  # 1 亿 yuan: more is a typing slip

_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)(万)?")
_CURRENCY = ("¥", "￥", "rmb", "cny")


class AmountProblem(ValueError):
    """Why an amount was refused: `code` names the reason, `value` is what was typed."""

    def __init__(self, code: str, value: str) -> None:
        super().__init__(code, value)
        self.code = code
        self.value = value


def parse_amount(text: str) -> int:
    """The whole yuan `text` writes; AmountProblem otherwise."""
    typed = text.strip()
    raw = unicodedata.normalize("NFKC", typed).strip().casefold().replace(" ", "")
    for mark in _CURRENCY:
        raw = raw.removeprefix(mark)
    raw = raw.removesuffix("元")
    if not raw:
        raise AmountProblem("empty", typed)
    if raw.startswith(("-", "负")):
        raise AmountProblem("negative", typed)
    raw = raw.removeprefix("+")
    number = raw.removesuffix("万")
    if "," in number:
        if not _GROUPED.fullmatch(number):
            raise AmountProblem("not_number", typed)
        raw = raw.replace(",", "")
    match = _AMOUNT.fullmatch(raw)
    if match is None:
        raise AmountProblem("not_number", typed)
    value = Decimal(match.group(1)) * (10_000 if match.group(2) else 1)
    if value != value.to_integral_value():
        raise AmountProblem("fraction", typed)
    if "." in match.group(1) and not match.group(2):
        raise AmountProblem("fraction", typed)  # 10000.00: yuan are written whole
    if value > MAX_AMOUNT:
        raise AmountProblem("too_large", typed)
    return int(value)


def yuan(amount: int) -> str:
    """680000 → "680,000"."""
    return f"{amount:,}"
