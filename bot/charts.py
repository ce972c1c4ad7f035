"""Charts of reports per month and type, as PNG images with Chinese labels.

Drawing uses matplotlib's object API on the Agg canvas, never pyplot, so no global state is
shared and a chart can be rendered in a worker thread (`asyncio.to_thread(render_chart, …)`)
while the bot keeps answering.

A font is chosen for the glyphs it has, not for its name: the first face with a glyph of its
own for every character in CHART_CHARACTERS. A CJK font of the system wins (a face of a
collection too: fonts-noto-cjk's first face is "Noto Sans CJK JP", and it draws Chinese); on a
machine without one, the Noto Sans CJK SC that the `mplfonts` dependency ships is used where
pip put it. `NoChineseFont` is raised rather than drawing boxes.
"""

from __future__ import annotations

import functools
import importlib.metadata
import io
import logging
from collections.abc import Iterable, Iterator, Sequence

from matplotlib import font_manager, ft2font
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontPath, FontProperties
from matplotlib.ticker import MaxNLocator

logger = logging.getLogger(__name__)

# Characters every chart shows (the report types' names and 月), all different: a face that
# draws Chinese has a glyph of its own for each. Matplotlib's Last Resort font maps them all to
# one placeholder box, and a Latin font to none.
CHART_CHARACTERS = "走访指导培训协商签约观摩其他月"
# Among faces that draw Chinese, these families come first, best first; the rest keep the
# order they were found in. A name alone never makes a face chosen.
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
# The Python package whose fonts are the fallback (its Noto Sans CJK SC is a plain .otf).
FONT_PACKAGE = "mplfonts"
FONT_SUFFIXES = frozenset({".otf", ".ttf", ".ttc", ".otc"})
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
    """No font can draw Chinese: neither a system CJK font nor the one mplfonts ships."""


def draws_chinese(face: FontPath) -> bool:
    """Whether the face has a glyph of its own for every character in CHART_CHARACTERS."""
    try:
        font = ft2font.FT2Font(face.path, face_index=face.face_index)
    except (OSError, RuntimeError):  # a missing, broken or unsupported font file
        return False
    glyphs = {font.get_char_index(ord(character)) for character in CHART_CHARACTERS}
    return 0 not in glyphs and len(glyphs) == len(CHART_CHARACTERS)


def font_faces(paths: Iterable[str]) -> Iterator[tuple[str, FontPath]]:
    """(family, face) for every face in the font files; a collection (.ttc) holds several."""
    for path in paths:
        try:
            faces = ft2font.FT2Font(path).num_faces
            for index in range(faces):
                yield ft2font.FT2Font(path, face_index=index).family_name, FontPath(path, index)
        except (OSError, RuntimeError):  # a missing, broken or unsupported font file
            continue


def pick_font(*groups: Iterable[tuple[str, FontPath]]) -> FontPath:
    """The best face that draws Chinese, from the first group of (family, face) that has one.

    Within a group, PREFERRED_FAMILIES come first; NoChineseFont if no face draws Chinese.
    """
    rank = {family: index for index, family in enumerate(PREFERRED_FAMILIES)}
    for group in groups:
        ordered = sorted(group, key=lambda found: rank.get(found[0], len(rank)))
        for _, face in ordered:
            if draws_chinese(face):
                return face
    raise NoChineseFont(
        f"no font draws Chinese ({CHART_CHARACTERS}): install one, e.g. "
        f"`apt-get install fonts-noto-cjk`, or reinstall xieshang so that {FONT_PACKAGE} "
        "brings Noto Sans CJK SC"
    )


def _listed_fonts() -> Iterator[tuple[str, FontPath]]:
    """The faces in matplotlib's font list: the system's fonts when it cached the list."""
    for entry in font_manager.fontManager.ttflist:
        yield entry.name, FontPath(entry.fname, entry.index)


def _system_fonts() -> Iterator[tuple[str, FontPath]]:
    """Fonts installed after matplotlib cached its list are found by scanning the system."""
    yield from font_faces(font_manager.findSystemFonts())


def packaged_fonts() -> Iterator[tuple[str, FontPath]]:
    """The faces of the fonts that FONT_PACKAGE installed, read where pip put them."""
    try:
        files = importlib.metadata.files(FONT_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        return
    yield from font_faces(
        str(file.locate()) for file in files if file.suffix.lower() in FONT_SUFFIXES
    )


@functools.cache
def chinese_font() -> FontPath:
    """The face charts draw Chinese in: the system's CJK font if any, else the packaged one."""
    face = pick_font(_listed_fonts(), _system_fonts(), packaged_fonts())
    logger.info("charts draw Chinese in %s (face %d)", face.path, face.face_index)
    return face


def render_chart(
    monthly: Sequence[tuple[str, str, int]],
    *,
    title: str,
    labels: dict[str, str],
    months: Sequence[str] | None = None,
    font: FontPath | None = None,
) -> bytes:
    """A PNG of stacked bars: reports per month, one colour per type, a legend of `labels`.

    `monthly` holds (month "YYYY-MM", type, reports); `labels` maps each type to its shown
    name, in the order the legend lists them. `months` sets the x axis (months without
    reports included); by default the months present in `monthly`. `font` is the face the
    text is drawn in, chinese_font() by default.
    """
    chinese = FontProperties(fname=chinese_font() if font is None else font)
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
    ax.set_xticks(ticks, axis, rotation=45 if len(axis) > 6 else 0, fontproperties=chinese)
    ax.set_xlim(-0.6, max(len(axis), 1) - 0.4)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([*bottoms, 1]) * 1.15)
    ax.set_title(title, fontproperties=chinese, fontsize=13)
    ax.spines[["top", "right"]].set_visible(False)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(prop=chinese, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
