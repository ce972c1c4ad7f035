"""Which importer a spreadsheet is for, judged by its column headers, and running it.

The chat upload and the command line both import through `import_file`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from storage import enterprises
from storage.common.spreadsheets import FileProblem, ImportResult, map_headers, read_table
from storage.people import roster
from storage.reports import history

Kind = Literal["roster", "enterprises", "reports"]

IMPORTERS: dict[Kind, tuple[dict[str, tuple[str, ...]], tuple[str, ...]]] = {
    "roster": (roster.ALIASES, roster.REQUIRED),
    "enterprises": (enterprises.ALIASES, enterprises.REQUIRED),
    "reports": (history.ALIASES, history.REQUIRED),
}


@dataclass(frozen=True)
class Imported:
    """What became of an import: the importer's result (a `RosterImport` for a roster), and
    which importer ran; None when the file was refused before one was chosen."""

    kind: Kind | None
    result: ImportResult


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


async def import_file(
    session: AsyncSession,
    data: bytes,
    filename: str | None,
    *,
    kind: Kind | None = None,
    only_district_id: int | None,
    invite_ttl: timedelta,
    now: datetime,
) -> Imported:
    """Imports the file all-or-nothing with the importer `kind`, or the one its headers call
    for (file problem `unknown_layout` if none does).

    `now` is local time: it decides which dates lie in the future and when invites expire.
    """
    if kind is None:
        try:
            kind = classify(data, filename)
        except FileProblem as problem:
            return Imported(None, ImportResult(file_problem=problem.code))
        if kind is None:
            return Imported(None, ImportResult(file_problem="unknown_layout"))
    result: ImportResult
    if kind == "roster":
        result = await roster.import_roster(
            session, data, filename, only_district_id=only_district_id, ttl=invite_ttl, now=now
        )
    elif kind == "enterprises":
        result = await enterprises.import_enterprises(
            session, data, filename, only_district_id=only_district_id
        )
    else:
        result = await history.import_reports(
            session, data, filename, only_district_id=only_district_id, today=now.date()
        )
    return Imported(kind, result)
