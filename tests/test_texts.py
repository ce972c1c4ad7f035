"""Every user-facing text exists in Chinese and English with the same placeholders."""

from __future__ import annotations

import string

from bot.menus import GROUP_ADMIN, HQ_ONLY, commands_for
from bot.texts import en, zh_CN
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
