"""Charts: a PNG of reports per month and type whose Chinese labels are drawn in a CJK font."""

from __future__ import annotations

import asyncio
import io
import struct
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont
from matplotlib import ft2font
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontPath

from bot.charts import (
    CHART_CHARACTERS,
    NoChineseFont,
    chinese_font,
    draws_chinese,
    font_faces,
    packaged_fonts,
    pick_font,
    render_chart,
)
from storage.common.periods import months_in
from storage.common.text import TYPE_LABELS
from storage.db import Sessions
from storage.reports.stats import monthly_counts
from tests.reports_data import Y2017, seed_2017

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MONTHLY = [
    ("2017-01", "training", 1),
    ("2017-03", "guidance", 4),
    ("2017-03", "visit", 2),
    ("2017-04", "other", 1),
]
TITLE = "西城区 2017年 工作动态（按月、按类型）"
FONTS = Path(matplotlib.get_data_path(), "fonts", "ttf")
LATIN = FontPath(str(FONTS / "DejaVuSans.ttf"), 0)
# Matplotlib's own fallback: every character it knows maps to one placeholder box per block.
LAST_RESORT = FontPath(str(FONTS / "LastResortHE-Regular.ttf"), 0)
# The axis's digits, and the "lp" that matplotlib's text layout measures.
ASCII = "".join(map(chr, range(0x20, 0x7F)))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def render_quietly(**kwargs: object) -> bytes:
    """Renders and fails on any warning, such as a glyph missing from the font."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = render_chart(**kwargs)  # type: ignore[arg-type]
    assert [str(warning.message) for warning in caught] == []
    return data


def test_chart_is_a_png_with_chinese_labels() -> None:
    """The chart is a PNG; its Chinese title and legend render without a missing glyph."""
    data = render_quietly(monthly=MONTHLY, title=TITLE, labels=TYPE_LABELS)
    width, height = png_size(data)
    assert width >= 600 and height >= 400
    assert data.endswith(b"IEND\xaeB`\x82")


def test_a_font_without_chinese_would_warn() -> None:
    """The check above can fail: Chinese in a Latin-only font warns of missing glyphs."""
    figure = Figure()
    FigureCanvasAgg(figure)
    figure.text(0.5, 0.5, "工作动态", family="DejaVu Sans")
    with pytest.warns(UserWarning, match="missing from font"):
        figure.savefig(io.BytesIO(), format="png")


def renamed(font: TTFont, family: str) -> TTFont:
    """The font under another family name, as matplotlib and fontconfig read it."""
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = family
        elif record.nameID == 6:
            record.string = family.replace(" ", "-")
    return font


@pytest.fixture(scope="module")
def make_font(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., FontPath]:
    """Builds font files under any family name: faces of the packaged Noto Sans CJK SC cut down
    to a chart's characters (small and quick to write), and Latin-only faces of DejaVu Sans;
    several faces make a collection (.ttc)."""
    noto = pick_font(packaged_fonts())
    cut = io.BytesIO()
    with TTFont(noto.path, fontNumber=noto.face_index, lazy=True) as chinese:
        subsetter = subset.Subsetter(subset.Options())
        subsetter.populate(text=CHART_CHARACTERS + "工作动态" + ASCII)
        subsetter.subset(chinese)
        chinese.save(cut)
    folder = tmp_path_factory.mktemp("fonts")

    def make(*faces: tuple[str, bool]) -> FontPath:
        """A file of (family, draws Chinese) faces; its first face."""
        fonts = [
            renamed(TTFont(io.BytesIO(cut.getvalue()) if draws else LATIN.path), family)
            for family, draws in faces
        ]
        path = folder / "+".join(f"{family}={draws}" for family, draws in faces)
        if len(fonts) == 1:
            fonts[0].save(path.with_suffix(".otf"))
            return FontPath(str(path.with_suffix(".otf")), 0)
        collection = TTCollection()
        collection.fonts = fonts
        collection.save(path.with_suffix(".ttc"))
        return FontPath(str(path.with_suffix(".ttc")), 0)

    return make


def test_the_chosen_font_has_the_glyphs() -> None:
    """The chart's font has a glyph of its own for every Chinese character of a chart (no boxes),
    also on a machine without a CJK font, where the packaged Noto Sans CJK SC is chosen."""
    face = chinese_font()
    font = ft2font.FT2Font(face.path, face_index=face.face_index)
    characters = {c for c in TITLE + "".join(TYPE_LABELS.values()) if ord(c) > 0x2E80}
    glyphs = {font.get_char_index(ord(character)) for character in characters}
    assert 0 not in glyphs and len(glyphs) == len(characters)


def test_the_packaged_font_draws_chinese_where_the_system_has_none() -> None:
    """Without a system CJK font, the Noto Sans CJK SC that mplfonts installed is chosen."""
    face = pick_font([("DejaVu Sans", LATIN)], packaged_fonts())
    assert Path(face.path).name == "NotoSansCJKsc-Regular.otf" and "mplfonts" in face.path
    assert ft2font.FT2Font(face.path, face_index=face.face_index).family_name == "Noto Sans CJK SC"


def test_a_system_font_wins_over_the_packaged_one(make_font: Callable[..., FontPath]) -> None:
    """A CJK font of the system is preferred to the packaged fallback."""
    system = make_font(("WenQuanYi Micro Hei", True))
    assert pick_font(font_faces([system]), packaged_fonts()) == system


def test_a_collection_whose_first_face_is_japanese_is_accepted(
    make_font: Callable[..., FontPath],
) -> None:
    """fonts-noto-cjk's collection names its first face "Noto Sans CJK JP"; it draws Chinese,
    so it is chosen, and a chart drawn in it has no missing glyph."""
    collection = make_font(("Noto Sans CJK JP", True), ("Noto Sans CJK KR", True))
    assert collection.endswith(".ttc")
    assert [family for family, _ in font_faces([collection])] == [
        "Noto Sans CJK JP",
        "Noto Sans CJK KR",
    ]
    assert pick_font(font_faces([collection])) == FontPath(collection, 0)
    data = render_quietly(monthly=MONTHLY, title="工作动态", labels=TYPE_LABELS, font=collection)
    assert data.startswith(PNG_SIGNATURE)


def test_a_face_is_chosen_by_its_glyphs_not_its_name(make_font: Callable[..., FontPath]) -> None:
    """A face named "Noto Sans CJK SC" without Chinese glyphs loses to one that has them, also
    inside one collection, and the chart is drawn in the right face of it."""
    collection = make_font(("Noto Sans CJK SC", False), ("Noto Sans CJK JP", True))
    face = pick_font(font_faces([collection]))
    assert face == FontPath(collection, 1)
    render_quietly(monthly=MONTHLY, title="工作动态", labels=TYPE_LABELS, font=face)
    with pytest.warns(UserWarning, match="missing from font"):
        render_chart(MONTHLY, title="工作动态", labels=TYPE_LABELS, font=FontPath(collection, 0))


def test_no_chinese_font_is_a_clear_error() -> None:
    """Without a face that draws Chinese the chart is refused with NoChineseFont, never drawn
    in boxes: a Latin font and matplotlib's Last Resort placeholders do not count."""
    assert not draws_chinese(LATIN) and not draws_chinese(LAST_RESORT)
    with pytest.raises(NoChineseFont, match="fonts-noto-cjk"):
        pick_font([("DejaVu Sans", LATIN), ("Last Resort High-Efficiency", LAST_RESORT)])
    with pytest.raises(NoChineseFont):
        pick_font([], [])


def test_the_best_font_is_preferred(make_font: Callable[..., FontPath]) -> None:
    """Of two faces that draw Chinese, Noto Sans CJK SC wins over WenQuanYi; other families keep
    the order they were found in, after the preferred ones."""
    wqy = make_font(("WenQuanYi Micro Hei", True))
    noto = make_font(("Noto Sans CJK SC", True))
    other = make_font(("AR PL UKai CN", True))
    assert pick_font(font_faces([other, wqy, noto])) == noto
    assert pick_font(font_faces([other, wqy])) == wqy
    assert pick_font(font_faces([other, LATIN])) == other


def test_empty_chart_still_renders() -> None:
    """A period without reports gives an empty chart with its title, not an error."""
    data = render_quietly(monthly=[], title="东城区 本月 暂无工作动态", labels=TYPE_LABELS)
    assert png_size(data)[0] > 0


def test_charts_differ_with_their_data() -> None:
    """The picture reflects the figures: other counts give another image."""
    first = render_quietly(monthly=MONTHLY, title="图", labels=TYPE_LABELS)
    second = render_quietly(monthly=MONTHLY[:1], title="图", labels=TYPE_LABELS)
    assert first != second


async def test_charts_render_in_threads_off_the_event_loop() -> None:
    """Two charts drawn at once in worker threads both come out whole."""
    results = await asyncio.gather(
        *(
            asyncio.to_thread(render_chart, MONTHLY, title=f"第{n}张 工作动态", labels=TYPE_LABELS)
            for n in range(2)
        )
    )
    assert all(png_size(data)[0] > 0 for data in results)


async def test_chart_of_the_seed_from_the_database(sessions: Sessions) -> None:
    """monthly_counts feeds the chart on both databases; the axis covers the whole year."""
    world = await seed_2017(sessions)
    async with sessions() as session:
        monthly = await monthly_counts(session, Y2017, district_id=world.districts["西城"])
    assert sum(count for _, _, count in monthly) == 7
    data = await asyncio.to_thread(
        render_quietly,
        monthly=monthly,
        title="西城区 2017年 工作动态",
        labels=TYPE_LABELS,
        months=months_in(Y2017),
    )
    assert data.startswith(PNG_SIGNATURE)
