"""Campaign tags (专项行动标签) such as #四必谈, as reports and trainings carry them.

In a message a tag is written `#四必谈` (the full-width `＃` too). As Telegram marks hashtags,
the `#` must start a word (nothing but a space or punctuation before it: `讲解，#四必谈` is a
tag, `第#3` is not) and the tag runs over the letters, digits and `_` that follow, of any
script, so `#四必谈，讲解` tags 四必谈 and `#四必谈#工资` tags both. A `#` followed by digits
only (`#3`) is no tag and stays in the text.

In a field or a spreadsheet cell (`标签:四必谈`, the history's 标签 column) tags are listed with
or without `#`, separated by spaces, commas, 、 or ；.

Tags are kept without the `#`, NFKC-normalised and lower-cased, so `＃ＡＢＣ`, `#ABC` and
`#abc` are one tag. An item carries at most MAX_TAGS, each at most TAG_LENGTH characters (the
width of report_tags.tag); `check_tags` refuses more with a TagProblem whose code is one of
TAG_PROBLEMS. The features word the problems; nothing here knows about Telegram.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_TAGS = 5
TAG_LENGTH = 32
# A lone `#无` where tags may be changed (a report's edit) removes them all.
CLEAR_WORDS = frozenset({"无", "无标签", "none"})

# Every code a TagProblem can carry; the value it holds is noted beside it.
TAG_PROBLEMS: tuple[str, ...] = (
    "too_many_tags",  # value: how many tags were given
    "tag_too_long",  # value: the tag, without #
    "bad_tag",  # value: the word as written
)


class TagProblem(ValueError):
    """Why tags cannot be kept: `code` (one of TAG_PROBLEMS) and what it is about."""

    def __init__(self, code: str, value: str | int) -> None:
        super().__init__(code, value)
        self.code = code
        self.value = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TagProblem):
            return NotImplemented
        return (self.code, self.value) == (other.code, other.value)

    def __hash__(self) -> int:
        return hash((self.code, self.value))

    def __repr__(self) -> str:
        return f"TagProblem({self.code!r}, {self.value!r})"


_HASHES = "#＃"
_WORD = re.compile(r"\w+")
_GAP = r"[\s,，、;；]*"  # what may stand between a tag and the words around it
# A quoted name (「…」, “…”, "…") is left alone, as the report's parser keeps it whole; else a
# run of tags (`#a #b`, `#a#b`) whose first # starts a word, with the separators around it.
_QUOTED_OR_TAGS = re.compile(
    r"「[^」]*」|“[^”]*”|\"[^\"]*\""
    rf"|(?P<left>{_GAP})(?<!\w)(?P<tags>[#＃]\w+(?:{_GAP}[#＃]\w+)*)(?P<right>{_GAP})"
)
_RUN_PART = re.compile(r"[#＃](\w+)")
_CLOSING = "。.!！?？)）」”』】"
_LIST_SEPARATORS = re.compile(r"[\s,，、;；#＃]+")


def normalize_tag(word: str) -> str | None:
    """The stored form of a tag written `word` (with or without #), or None if it is no tag:
    `＃四必谈` → "四必谈", `#ABC` → "abc"; `#3`, `#` and `#四必谈!` are none."""
    tag = unicodedata.normalize("NFKC", word).strip().lstrip(_HASHES).lower()
    if not _WORD.fullmatch(tag) or tag.isdigit():
        return None
    return tag


def unique(tags: Iterable[str]) -> list[str]:
    """The tags without repeats, in their first order."""
    return list(dict.fromkeys(tags))


def extract_tags(text: str) -> tuple[list[str], str]:
    """The tags written in `text` (normalised, without repeats, in order) and the text
    without them: `讲解工资协商 #四必谈 第二次` → (["四必谈"], "讲解工资协商 第二次").

    The words around a tag are joined by a space, a line break or the punctuation that stood
    beside it (`讲解，#四必谈，第二次` → `讲解，第二次`).
    Limits are not checked here (`check_tags`), so that a caller can say what is wrong.
    """
    found: list[str] = []

    def take(match: re.Match[str]) -> str:
        if match.group("tags") is None:  # a quoted name
            return match.group()
        kept = []
        for part in _RUN_PART.finditer(match.group("tags")):
            tag = normalize_tag(part.group(1))
            if tag is None:
                kept.append(part.group())  # `#3`: no tag, part of the text
            else:
                found.append(tag)
        if kept:
            return match.group("left") + " ".join(kept) + match.group("right")
        # What joins the words on either side: nothing at an end or before 。 (`讲解，#四必谈。`
        # → `讲解。`), a line break or a space if there was one, else the punctuation (`，`).
        before, after = match.string[: match.start()], match.string[match.end() :]
        if not before or not after or after[0] in _CLOSING:
            return ""
        gap = match.group("left") + match.group("right")
        if "\n" in gap:
            return "\n"
        if any(char.isspace() for char in gap):
            return " "
        return gap[:1]

    rest = _QUOTED_OR_TAGS.sub(take, text)
    return unique(found), rest


def check_tags(tags: list[str]) -> None:
    """Raises TagProblem for more than MAX_TAGS tags or one longer than TAG_LENGTH."""
    for tag in tags:
        if len(tag) > TAG_LENGTH:
            raise TagProblem("tag_too_long", tag)
    if len(tags) > MAX_TAGS:
        raise TagProblem("too_many_tags", len(tags))


def read_tags(text: str | None) -> list[str]:
    """The tags a field or a cell lists (`四必谈`, `#四必谈 #工资`, `四必谈、工资`), checked.

    Raises TagProblem: `bad_tag` for a word that is no tag (`四必谈!`), or as `check_tags`.
    """
    tags = []
    for word in _LIST_SEPARATORS.split(text or ""):
        if not word:
            continue
        tag = normalize_tag(word)
        if tag is None:
            raise TagProblem("bad_tag", word)
        tags.append(tag)
    tags = unique(tags)
    check_tags(tags)
    return tags


def hashtag(word: str) -> str | None:
    """The tag a command's word such as `#四必谈` filters by; None for a word without # (a
    period, a district). Raises TagProblem for `#`, `#3` or a tag longer than TAG_LENGTH."""
    word = word.strip()
    if not word or word[0] not in _HASHES:
        return None
    tag = normalize_tag(word)
    if tag is None:
        raise TagProblem("bad_tag", word)
    check_tags([tag])
    return tag


def clears(tags: list[str]) -> bool:
    """Tells whether the tags are the single word that removes all tags (`#无`)."""
    return len(tags) == 1 and tags[0] in CLEAR_WORDS


def format_tags(tags: Iterable[str], separator: str = " ") -> str:
    """The tags as people write them: `#四必谈 #工资`."""
    return separator.join(f"#{tag}" for tag in tags)
