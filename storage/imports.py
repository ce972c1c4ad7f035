"""Which importer a spreadsheet sent to the bot is for, judged by its column headers."""

from __future__ import annotations

from typing import Literal

from storage import enterprises, roster
from storage.spreadsheets import map_headers, read_table

Kind = Literal["roster", "enterprises"]


def classify(data: bytes, filename: str | None) -> Kind | None:
    """`roster` or `enterprises` by which importer knows more of the headers; None if neither.

    Raises FileProblem for files that are not readable tables at all.
    """
    headers = read_table(data, filename).headers
    scores: dict[Kind, int] = {
        "roster": len(map_headers(headers, roster.ALIASES)),
        "enterprises": len(map_headers(headers, enterprises.ALIASES)),
    }
    if scores["roster"] != scores["enterprises"]:
        best: Kind = max(scores, key=lambda kind: scores[kind])
        return best
    complete = [
        kind
        for kind, module in (("roster", roster), ("enterprises", enterprises))
        if set(module.REQUIRED) <= set(map_headers(headers, module.ALIASES))
    ]
    return complete[0] if len(complete) == 1 else None  # type: ignore[return-value]
