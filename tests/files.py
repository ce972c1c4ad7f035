"""Builders for the files admins upload: .xlsx and .csv tables, rosters, and some non-tables."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook

ROSTER_HEADERS = [
    "姓名",
    "层级",
    "类别",
    "所属区",
    "街道乡镇",
    "产业",
    "专长",
    "入职日期",
    "带教导师",
    "手机",
    "telegram_id",
    "备注",
]

# A small roster as an admin would fill it in: a mentor and a mentee in one file, two
# districts, blanks where people leave them blank.
SAMPLE_ROSTER: list[list[Any]] = [
    ROSTER_HEADERS,
    ["王建国", "市级", "专职", "西城", "金融街街道", "金融", "劳资人事、法律", date(2019, 3, 1),
     None, "13800138000", None, "带教组长"],
    ["李红", "区级", "兼职", "西城区", "德胜街道", "制造业", "工会工作", "2024-03-01",
     "王建国", 13900139000, None, None],
    ["赵敏", "街乡级", "兼职", "平谷", "兴谷街道", None, "社区工作；财务", None,
     None, None, None, None],
]  # fmt: skip

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
# No NUL byte, and the binary comment line decodes as GB18030: only the signature gives it away.
PDF_BYTES = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


class Text(str):
    """A cell typed as text even when it starts with "=", as Excel keeps '=1+1: never a formula.

    Any other str that starts with "=" is written by openpyxl as a formula, with no value kept
    for it, as every program but Excel writes one.
    """


def xlsx(rows: Sequence[Sequence[Any]], title: str = "Sheet1") -> bytes:
    """An .xlsx whose first sheet holds `rows` (the first row the headers), types kept."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, Text):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_values(data: bytes, values: Mapping[str, str | int]) -> bytes:
    """The .xlsx `data` keeping a value for each formula cell named ("B3"), as Excel saves it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = content.decode()
                for ref, value in values.items():
                    kind = ' t="str"' if isinstance(value, str) else ""
                    shown = str(value).replace("&", "&amp;").replace("<", "&lt;")
                    text, found = re.subn(
                        rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>',
                        rf'<c r="{ref}"\1{kind}><f>\2</f><v>{shown}</v>',
                        text,
                    )
                    assert found == 1, ref
                content = text.encode()
            target.writestr(item, content)
    return buffer.getvalue()


def csv_bytes(
    rows: Sequence[Sequence[Any]], encoding: str = "utf-8", bom: bool = False, delimiter: str = ","
) -> bytes:
    """A CSV file of `rows` in `encoding`, with a UTF-8 byte-order mark if `bom`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    data = buffer.getvalue().encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def zip_bytes() -> bytes:
    """A zip archive that is not a workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


def roster_rows(n: int, district: str = "西城") -> list[list[Any]]:
    """A valid roster of `n` part-time instructors of `district`, headers first."""
    rows: list[list[Any]] = [ROSTER_HEADERS]
    for index in range(1, n + 1):
        rows.append(
            [
                f"指导员{index:04d}",
                "街乡级",
                "兼职",
                district,
                "什刹海街道",
                "制造业、服务业",
                "劳资人事",
                date(2023, 1 + index % 12, 1 + index % 28),
                None,
                f"1380000{index:04d}",
                None,
                None,
            ]
        )
    return rows


def replace_cell(rows: list[list[Any]], row: int, header: str, value: Any) -> list[list[Any]]:
    """A copy of `rows` with one cell changed; `row` counts like the spreadsheet (data from 2)."""
    copy = [list(r) for r in rows]
    copy[row - 1][copy[0].index(header)] = value
    return copy
