"""Every user-facing text exists in Chinese and English with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path
from types import ModuleType

import pytest

from bot.menus import GROUP_ADMIN, HQ_ONLY, commands_for
from bot.texts import en, features, zh_CN
from bot.texts.features import FEATURES
from storage import enterprises
from storage.common.spreadsheets import ERROR_CODES, FILE_PROBLEMS
from storage.people import roster


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    """No text is missing in either language, and both fill in the same values."""
    assert set(zh_CN.MESSAGES) == set(en.MESSAGES)
    for key, template in zh_CN.MESSAGES.items():
        assert placeholders(template) == placeholders(en.MESSAGES[key]), key


def test_every_import_problem_and_column_has_a_text() -> None:
    """Each error code, file problem and field an importer can report is worded in the catalog."""
    for code in ERROR_CODES:
        assert f"import.error.{code}" in zh_CN.MESSAGES, code
    for code in FILE_PROBLEMS:
        assert f"upload.{code}" in zh_CN.MESSAGES, code
    for field in (*roster.ALIASES, *enterprises.ALIASES):
        assert f"field.{field}" in zh_CN.MESSAGES, field


def test_every_menu_command_has_a_description() -> None:
    """Every command in any menu has a localized description."""
    for name in {*commands_for("hq"), *HQ_ONLY, *GROUP_ADMIN}:
        assert f"cmd.{name}" in zh_CN.MESSAGES, name


def test_every_time_problem_and_schedule_has_a_text() -> None:
    """Each reason a <when> is refused, and each built-in schedule, is worded in the catalog."""
    from storage.common.when import WHEN_PROBLEMS
    from storage.reminders.records import BUILTINS

    for code in WHEN_PROBLEMS:
        assert f"when.{code}" in zh_CN.MESSAGES, code
    for key in BUILTINS:
        assert f"schedules.{key}" in zh_CN.MESSAGES, key


def test_each_feature_has_both_languages_in_the_same_order() -> None:
    """A feature's module lists the same keys in ZH_CN and EN, in order: the English of a text
    sits at the same place below the Chinese, for a translator reading side by side."""
    for feature in FEATURES:
        assert list(feature.ZH_CN) == list(feature.EN), feature.__name__


def test_no_text_is_defined_twice() -> None:
    """A key written twice in one dict would silently keep the last; two features with one key
    would hide one of them. Neither may happen."""
    for path in Path(features.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = [key.value for key in node.keys if isinstance(key, ast.Constant)]
                twice = sorted({key for key in keys if keys.count(key) > 1})
                assert not twice, f"{path.name}: {twice}"
    for language in ("ZH_CN", "EN"):
        total = sum(len(getattr(feature, language)) for feature in FEATURES)
        assert len(features.gather(language)) == total, language
    one, other = ModuleType("one"), ModuleType("other")
    one.EN, other.EN = {"same": "a"}, {"same": "b"}  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="'same' is in both one and other"):
        features.gather("EN", (one, other))
