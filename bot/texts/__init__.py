"""Every user-facing string, in zh_CN (default) and en: `t(lang, key, **values)`."""

from __future__ import annotations

from bot.texts import en, zh_CN
from storage.common.spreadsheets import RowError
from storage.common.tags import MAX_TAGS, TAG_LENGTH

CATALOGS: dict[str, dict[str, str]] = {"zh_CN": zh_CN.MESSAGES, "en": en.MESSAGES}
LANGUAGES = tuple(CATALOGS)


def normalize(language: str | None, default: str = "zh_CN") -> str:
    """Maps `zh`, `zh-hans`, `en-US`… to a shipped language, else `default`."""
    if not language:
        return default
    lowered = language.lower().replace("-", "_")
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en"):
        return "en"
    return default


def t(language: str, key: str, **values: object) -> str:
    """The text `key` in `language`, with `values` filled in."""
    catalog = CATALOGS.get(language, zh_CN.MESSAGES)
    template = catalog.get(key)
    if template is None:
        template = zh_CN.MESSAGES[key]
    return template.format(**values) if values else template


def import_problem(language: str, error: RowError) -> str:
    """One bad cell of an import: 第 3 行 所属区：没有“火星”这个区."""
    field = t(language, f"field.{error.field}")
    reason = t(language, f"import.error.{error.code}", value=error.value or "")
    return t(language, "import.problem", row=error.row, field=field, reason=reason)


def tag_problem(language: str, code: str, value: object) -> str:
    """Why campaign tags were refused (a storage.common.tags.TAG_PROBLEMS code), with the limits:
    标签“#…”太长，每个标签最多 32 个字."""
    return t(language, f"tag.{code}", value=value, length=TAG_LENGTH, count=MAX_TAGS)
