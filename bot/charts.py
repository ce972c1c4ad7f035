"""Charts of reports per month and type, as PNG images with Chinese labels.

Drawing uses matplotlib's object API on the Agg canvas, never pyplot, so no global state is
shared and a chart can be rendered in a worker thread (`asyncio.to_thread(render_chart, …)`)
while the bot keeps answering. Chinese text needs a CJK font among the installed ones; without
one, `NoChineseFont` is raised rather than drawing boxes. On Debian/Ubuntu:
`apt-get install fonts-noto-cjk` or `apt-get install fonts-wqy-microhei`.
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

logger = logging.getLogger(__name__)

# Font families that cover simplified Chinese, best first.
CHINESE_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
# One colour per report type, in ReportType order, so a type keeps its colour in every chart.
COLOURS: tuple[str, ...] = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#76b7b2",
    "#9c755f",
    "#bab0ac",
)


class NoChineseFont(RuntimeError):
    """No installed font can draw Chinese; install e.g. fonts-noto-cjk or fonts-wqy-microhei."""


def pick_font(
    installed: Iterable[tuple[str, str]], preferred: Sequence[str] = CHINESE_FONTS
) -> str:
    """The file of the best preferred family among (family, file) pairs; NoChineseFont if none."""
    files: dict[str, str] = {}
    for family, path in installed:
        files.setdefault(family, path)
    for family in preferred:
        if family in files:
            return files[family]
    raise NoChineseFont(
        "no Chinese font installed (looked for "
        + ", ".join(preferred)
        + "); install one, e.g. `apt-get install fonts-noto-cjk` or fonts-wqy-microhei"
    )


def _system_fonts() -> Iterable[tuple[str, str]]:
    """Fonts installed after matplotlib cached its list are found by scanning the system."""
    for path in font_manager.findSystemFonts():
        try:
            yield font_manager.get_font(path).family_name, path
        except Exception:  # a broken or unsupported font file: skip it
            continue


@functools.cache
def chinese_font() -> Path:
    """The file of an installed font that draws Chinese; raises NoChineseFont if there is none."""
    known = [(entry.name, entry.fname) for entry in font_manager.fontManager.ttflist]
    try:
        return Path(pick_font(known))
    except NoChineseFont:
        found = Path(pick_font(_system_fonts()))
        logger.info("Chinese font %s found outside matplotlib's font cache", found)
        return found


def render_chart(
    monthly: Sequence[tuple[str, str, int]],
    *,
    title: str,
    labels: dict[str, str],
    months: Sequence[str] | None = None,
) -> bytes:
    """A PNG of stacked bars: reports per month, one colour per type, a legend of `labels`.

    `monthly` holds (month "YYYY-MM", type, reports); `labels` maps each type to its shown
    name, in the order the legend lists them. `months` sets the x axis (months without
    reports included); by default the months present in `monthly`.
    """
    font = FontProperties(fname=chinese_font())
    axis = list(months) if months is not None else sorted({month for month, _, _ in monthly})
    position = {month: index for index, month in enumerate(axis)}
    kinds = list(labels) + sorted({kind for _, kind, _ in monthly} - set(labels))
    counts = {kind: [0] * len(axis) for kind in kinds}
    for month, kind, count in monthly:
        if month in position:
            counts[kind][position[month]] += count

    figure = Figure(figsize=(max(6.0, 0.55 * len(axis) + 3.0), 4.5), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ticks = list(range(len(axis)))
    bottoms = [0] * len(axis)
    for index, kind in enumerate(kinds):
        heights = counts[kind]
        if not any(heights):
            continue
        ax.bar(
            ticks,
            heights,
            bottom=bottoms,
            label=labels.get(kind, kind),
            color=COLOURS[index % len(COLOURS)],
            width=0.7,
        )
        bottoms = [low + high for low, high in zip(bottoms, heights, strict=True)]
    for tick, total in zip(ticks, bottoms, strict=True):
        if total:
            ax.text(tick, total, str(total), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(ticks, axis, rotation=45 if len(axis) > 6 else 0, fontproperties=font)
    ax.set_xlim(-0.6, max(len(axis), 1) - 0.4)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([*bottoms, 1]) * 1.15)
    ax.set_title(title, fontproperties=font, fontsize=13)
    ax.spines[["top", "right"]].set_visible(False)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(prop=font, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
