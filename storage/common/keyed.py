"""One-line commands with keys, as /callup and /training take them:

    /training 集体协商实务培训 时间:12月10日 9:00-12:00 地点:303会议室 名额:60

The title is what comes before the first key; each key's value runs to the next key. Keys are
matched casefolded, with `:` or `：`, only at the start of a word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping


class LineProblem(Exception):
    """A line that cannot be used: `code`, the bad `value`, what was understood and what is
    missing (for the answer that says so)."""

    def __init__(
        self,
        code: str,
        value: str = "",
        *,
        understood: dict[str, str] | None = None,
        missing: tuple[str, ...] = (),
    ) -> None:
        super().__init__(code, value)
        self.code = code
        self.value = value
        self.understood = understood or {}
        self.missing = missing


class KeyedLine:
    """The reader of one command's keys: word (folded) → field."""

    def __init__(self, keys: Mapping[str, str]) -> None:
        self.keys = dict(keys)
        words = "|".join(sorted(map(re.escape, self.keys), key=len, reverse=True))
        self._key = re.compile(rf"(?:^|(?<=\s))({words})\s*[:：]", re.IGNORECASE)

    def split(self, text: str) -> tuple[str, dict[str, str]]:
        """The title (before the first key) and each key's raw value; a key given twice keeps
        the last."""
        matches = list(self._key.finditer(text))
        title = text[: matches[0].start()] if matches else text
        values: dict[str, str] = {}
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            values[self.keys[match.group(1).casefold()]] = text[match.end() : end].strip()
        return title.strip(), values

    def split_required(
        self, text: str, required: tuple[str, ...], problem: type[LineProblem]
    ) -> tuple[str, dict[str, str]]:
        """As `split`, raising `problem("missing")` with what was understood and which of
        `required` ("title" or fields) is missing."""
        title, values = self.split(text)
        understood = {"title": title} if title else {}
        understood |= {key: value for key, value in values.items() if value}
        missing = tuple(key for key in required if not understood.get(key))
        if missing:
            raise problem("missing", understood=understood, missing=missing)
        return title, values
