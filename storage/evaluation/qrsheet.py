"""The printable sheet of rater links (民主测评): A4 pages of QR codes, each with its number and
scope below it, to cut apart and hand out at the rating meeting, as one multi-page PDF.

Chinese is drawn in the font the caller passes (the bot finds one that draws Chinese, as its
charts do; storage knows no fonts of its own).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import qrcode
from PIL import Image, ImageDraw, ImageFont

# A4 at 150 dots per inch, 3 × 4 codes a page.
PAGE_SIZE = (1240, 1754)
DPI = 150
COLUMNS, ROWS = 3, 4
PER_PAGE = COLUMNS * ROWS
MARGIN = 70
HEADER = 110  # the title's band at the top of each page
QR_SIZE = 260


@dataclass(frozen=True)
class SheetEntry:
    """One code of the sheet: its number in the batch, the scope, the link it holds."""

    number: int
    scope: str
    link: str


def pages_needed(count: int) -> int:
    return max(1, math.ceil(count / PER_PAGE))


def _qr(link: str) -> Image.Image:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    qr.add_data(link)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    image = Image.new("1", (len(matrix), len(matrix)), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    # Whole modules at the nearest size: sharp edges print and scan best.
    scale = max(1, QR_SIZE // len(matrix))
    return image.resize((len(matrix) * scale, len(matrix) * scale), Image.Resampling.NEAREST)


def _centered(draw: ImageDraw.ImageDraw, x: float, y: float, text: str, font: object) -> None:
    left, _, right, _ = draw.textbbox((0, 0), text, font=font)  # type: ignore[arg-type]
    draw.text((x - (right - left) / 2, y), text, fill=0, font=font)  # type: ignore[arg-type]


def render_pages(
    entries: Sequence[SheetEntry],
    *,
    title: str,
    caption: str,
    font_path: str,
    font_index: int = 0,
) -> list[Image.Image]:
    """The sheet's pages as images: `title` and 第 k/N 页 on top of each, and under each code
    "No. <number> · <scope>" and `caption` (e.g. 一人一码，只能提交一次)."""
    big = ImageFont.truetype(font_path, 40, index=font_index)
    medium = ImageFont.truetype(font_path, 30, index=font_index)
    small = ImageFont.truetype(font_path, 22, index=font_index)
    total = pages_needed(len(entries))
    cell_w = (PAGE_SIZE[0] - 2 * MARGIN) / COLUMNS
    cell_h = (PAGE_SIZE[1] - 2 * MARGIN - HEADER) / ROWS
    pages = []
    for page in range(total):
        image = Image.new("L", PAGE_SIZE, 255)
        draw = ImageDraw.Draw(image)
        _centered(draw, PAGE_SIZE[0] / 2, MARGIN - 20, title, big)
        _centered(draw, PAGE_SIZE[0] / 2, MARGIN + 35, f"{page + 1}/{total}", small)
        for index, entry in enumerate(entries[page * PER_PAGE : (page + 1) * PER_PAGE]):
            row, column = divmod(index, COLUMNS)
            left = MARGIN + column * cell_w
            top = MARGIN + HEADER + row * cell_h
            # Dashed lines to cut along, around each code.
            for dash in range(int(left), int(left + cell_w), 16):
                for edge in (top, top + cell_h):
                    draw.line([(dash, edge), (dash + 8, edge)], fill=170)
            for dash in range(int(top), int(top + cell_h), 16):
                for edge in (left, left + cell_w):
                    draw.line([(edge, dash), (edge, dash + 8)], fill=170)
            code = _qr(entry.link)
            image.paste(code, (int(left + (cell_w - code.width) / 2), int(top + 24)))
            below = top + 24 + code.height + 10
            _centered(draw, left + cell_w / 2, below, f"No. {entry.number} · {entry.scope}", medium)
            _centered(draw, left + cell_w / 2, below + 40, caption, small)
        pages.append(image)
    return pages


def qr_sheet_pdf(
    entries: Sequence[SheetEntry],
    *,
    title: str,
    caption: str,
    font_path: str,
    font_index: int = 0,
) -> bytes:
    """The sheet as one PDF, PER_PAGE codes a page (see render_pages)."""
    pages = render_pages(
        entries, title=title, caption=caption, font_path=font_path, font_index=font_index
    )
    buffer = io.BytesIO()
    first, *rest = (page.convert("RGB") for page in pages)
    first.save(buffer, "PDF", save_all=True, append_images=rest, resolution=DPI)
    return buffer.getvalue()
