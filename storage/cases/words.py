"""Chinese words of a case and of a query: jieba's search segmentation, one form for both.

A word is a run of letters and digits, lower-cased; everything else (spaces, punctuation, FTS
syntax such as `"`, `*`, `:`, `^`, `-`) only separates words. The same rule writes `terms` and
reads a query, so SQLite's unicode61 tokenizer and PostgreSQL's 'simple' parser both see
exactly the words jieba gave, split at the spaces between them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import jieba

jieba.setLogLevel(logging.WARNING)  # not the dictionary's "Building prefix dict" on every start

MAX_QUERY_WORDS = 20
# Letters and digits of any script; "_" is a separator for SQLite's tokenizer, so here too.
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> Iterable[str]:
    for piece in jieba.cut_for_search(text):
        yield from _WORD.findall(piece.lower())


def terms_of(title: str, summary: str, tags: Iterable[str]) -> str:
    """The words the full-text index reads for a case: its title, summary and tags."""
    return " ".join(_words("\n".join([title, summary, *tags])))


def query_words(text: str) -> list[str]:
    """The distinct words of a query, in order, at most MAX_QUERY_WORDS; [] for none."""
    seen: dict[str, None] = {}
    for word in _words(text[:2000]):
        seen.setdefault(word, None)
        if len(seen) >= MAX_QUERY_WORDS:
            break
    return list(seen)
