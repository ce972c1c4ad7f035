"""Charts: a PNG of reports per month and type whose Chinese labels are drawn in a CJK font."""

from __future__ import annotations

import asyncio
import io
import struct
import warnings

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.charts import CHINESE_FONTS, NoChineseFont, chinese_font, pick_font, render_chart
from storage.common.periods import months_in
from storage.db import Sessions
from storage.reports.exports import TYPE_LABELS
from storage.reports.stats import monthly_counts
from tests.reports_data import Y2017, seed_2017

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MONTHLY = [
    ("2017-01", "training", 1),
    ("2017-03", "guidance", 4),
    ("2017-03", "visit", 2),
    ("2017-04", "other", 1),
]


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
    data = render_quietly(
        monthly=MONTHLY, title="西城区 2017年 工作动态（按月、按类型）", labels=TYPE_LABELS
    )
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


def test_an_installed_chinese_font_is_found() -> None:
    """A preferred CJK font is installed (fonts-wqy-microhei or fonts-noto-cjk)."""
    path = chinese_font()
    assert path.exists()


def test_no_chinese_font_is_a_clear_error() -> None:
    """Without a CJK font the chart is refused with NoChineseFont, never drawn in boxes."""
    with pytest.raises(NoChineseFont, match="fonts-noto-cjk"):
        pick_font([("DejaVu Sans", "/fonts/DejaVuSans.ttf")])
    with pytest.raises(NoChineseFont):
        pick_font([])


def test_the_best_font_is_preferred() -> None:
    """Noto Sans CJK SC wins over WenQuanYi when both are installed."""
    installed = [
        ("DejaVu Sans", "/f/dejavu.ttf"),
        ("WenQuanYi Micro Hei", "/f/wqy.ttc"),
        ("Noto Sans CJK SC", "/f/noto.ttc"),
    ]
    assert pick_font(installed) == "/f/noto.ttc"
    assert pick_font(installed[:2]) == "/f/wqy.ttc"
    assert CHINESE_FONTS[0] == "Noto Sans CJK SC"


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
