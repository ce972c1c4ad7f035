"""The enterprise registry: its all-or-nothing import (registry) and its search (search)."""

from storage.enterprises.registry import (
    ALIASES,
    REQUIRED,
    import_enterprises,
    list_enterprises,
    normalize_enterprise_name,
)

__all__ = [
    "ALIASES",
    "REQUIRED",
    "import_enterprises",
    "list_enterprises",
    "normalize_enterprise_name",
]
