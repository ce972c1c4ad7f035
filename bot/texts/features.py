"""Where the texts live: one module per feature, each with a ZH_CN and an EN dict.

A feature's texts stay in one file, both languages side by side; a new feature adds its
module to FEATURES. `gather` refuses a key that two features define.
ZH_CN is the source; EN holds the same keys in the same order, so a translator reads the
Chinese and writes the English below it (tests/test_texts.py checks both).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from bot.texts import (
    breakout,
    callups,
    cases,
    checkin,
    cli,
    common,
    dispatch,
    enterprises,
    evaluation,
    groups,
    honours,
    mentoring,
    notices,
    people,
    progress,
    rating,
    reminders,
    reports,
    results,
    stats,
    subsidies,
    trainings,
    uploads,
    welcome,
)

FEATURES: tuple[ModuleType, ...] = (
    common,
    welcome,
    uploads,
    people,
    groups,
    cli,
    reports,
    stats,
    notices,
    progress,
    reminders,
    callups,
    dispatch,
    trainings,
    checkin,
    breakout,
    evaluation,
    rating,
    results,
    mentoring,
    enterprises,
    honours,
    cases,
    subsidies,
)


def gather(language: str, features: Iterable[ModuleType] = FEATURES) -> dict[str, str]:
    """Every feature's texts of one language: `language` names the dict, "ZH_CN" or "EN"."""
    catalog: dict[str, str] = {}
    owners: dict[str, str] = {}
    for feature in features:
        texts: dict[str, str] = getattr(feature, language)
        for key, text in texts.items():
            if key in catalog:
                raise ValueError(f"text {key!r} is in both {owners[key]} and {feature.__name__}")
            catalog[key] = text
            owners[key] = feature.__name__
    return catalog
