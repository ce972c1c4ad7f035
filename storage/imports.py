"""Which importer a spreadsheet sent to the bot is for, judged by its column headers."""

from __future__ import annotations

from typing import Literal

from storage import enterprises
from storage.common.spreadsheets import map_headers, read_table
from storage.people import roster
from storage.reports import history

Kind = Literal["roster", "enterprises", "reports"]

IMPORTERS: dict[Kind, tuple[dict[str, tuple[str, ...]], tuple[str, ...]]] = {
    "roster": (roster.ALIASES, roster.REQUIRED),
    "enterprises": (enterprises.ALIASES, enterprises.REQUIRED),
    "reports": (history.ALIASES, history.REQUIRED),
}


def classify(data: bytes, filename: str | None) -> Kind | None:
    """The importer that knows most of the headers; on a tie, the only one whose required
    columns are all there; None if that does not decide.

    Raises FileProblem for files that are not readable tables at all.
    """
    headers = read_table(data, filename).headers
    known = {kind: map_headers(headers, aliases) for kind, (aliases, _) in IMPORTERS.items()}
    best = max(len(columns) for columns in known.values())
    if best == 0:
        return None
    leaders = [kind for kind, columns in known.items() if len(columns) == best]
    if len(leaders) == 1:
        return leaders[0]
    complete = [kind for kind in leaders if set(IMPORTERS[kind][1]) <= set(known[kind])]
    return complete[0] if len(complete) == 1 else None
