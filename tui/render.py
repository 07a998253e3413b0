"""Pure text rendering for the widgets: images as block characters, probabilities as bars and
feature lists (confusion tables: `render_confusion`). No Textual here, so each piece is tested
without an app.

Every function reads intensity from the characters themselves (monochrome terminals, NO_COLOR)
and takes its styles as arguments: the widgets derive them from their CSS, so colours stay in CSS.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.style import StyleType
from rich.text import Text

from tui.numbers import format_number

# ---------------------------------------------------------------- images


@dataclass(frozen=True)
class Shade:
    """One intensity level: the glyph drawn (twice, a pixel is two columns) from `floor` up."""

    glyph: str
    floor: float


# Ordered darkest to brightest; a pixel takes the last shade whose floor it reaches.
SHADES: tuple[Shade, ...] = (
    Shade(" ", 0.0),
    Shade("░", 0.05),  # the faintest drawn ink (1/9) and dataset greys (1/16) still show
    Shade("▒", 0.3),
    Shade("▓", 0.55),
    Shade("█", 0.8),
)
CELL_WIDTH = 2  # terminal cells are about twice as tall as wide: two columns make a square pixel
# The draw cursor takes the left column of its pixel and leaves the right one to the pixel's own
# shade, so the value under the cursor stays in sight; readable without colour, the cursor style
# adds emphasis where there is some.
CURSOR_MARK = "["


@dataclass(frozen=True)
class ImageStyles:
    """One style per entry of SHADES, and the cursor's. Widgets build it from CSS."""

    shades: tuple[StyleType, ...]
    cursor: StyleType


# Without a theme: text attributes only (no colours), so the default is safe on any terminal.
PLAIN_IMAGE_STYLES = ImageStyles(shades=("", "dim", "", "", "bold"), cursor="reverse")
_FLOORS = np.array([shade.floor for shade in SHADES[1:]])


def shade_levels(pixels: np.ndarray) -> np.ndarray:
    """Index into SHADES per pixel (same shape); NaN counts as blank, values are clipped."""
    values = np.nan_to_num(np.asarray(pixels, dtype=np.float64), nan=0.0)
    return np.searchsorted(_FLOORS, values, side="right")


def image_to_blocks(pixels: np.ndarray, shape: tuple[int, int] = (8, 8), color: bool = True,
                    cursor: tuple[int, int] | None = None,
                    styles: ImageStyles = PLAIN_IMAGE_STYLES) -> list[Text]:
    """One Text per image row, `CELL_WIDTH` columns per pixel; `cursor` is (row, column).
    With `color` False no style is applied at all and only the glyphs carry the picture."""
    levels = shade_levels(np.asarray(pixels).reshape(shape))
    lines = []
    for r, row in enumerate(levels):
        line = Text(no_wrap=True, overflow="crop")
        for c, level in enumerate(row):
            glyph, style = SHADES[level].glyph, styles.shades[level] if color else ""
            if cursor == (r, c):
                line.append(CURSOR_MARK, styles.cursor if color else "")
                line.append(glyph * (CELL_WIDTH - len(CURSOR_MARK)), style)
            else:
                line.append(glyph * CELL_WIDTH, style)
        lines.append(line)
    return lines


# ---------------------------------------------------------------- probability bars

FULL_BLOCK = "█"
PARTIAL_BLOCKS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")  # index = eighths of a cell
STEPS_PER_CELL = len(PARTIAL_BLOCKS)
TRUE_MARK = " ◀"
PERCENT_WIDTH = 6  # "100.0%"
MAX_NAME_WIDTH = 12
# name, space, bar, space, percent, mark: everything but the name and the bar
_BAR_FIXED = 1 + 1 + PERCENT_WIDTH + len(TRUE_MARK)


@dataclass(frozen=True)
class BarStyles:
    """Styles of a bar line's parts; `predicted` is added over the whole argmax line."""

    name: StyleType = ""
    bar: StyleType = ""
    percent: StyleType = ""
    predicted: StyleType = "bold"
    true_mark: StyleType = "bold"


PLAIN_BAR_STYLES = BarStyles()


def format_percent(p: float) -> str:
    """'87.3%'; tiny and near-certain values say so rather than round to 0.0% or 100.0%."""
    if not math.isfinite(p):
        return "n/a"
    if p <= 0:
        return "0.0%"
    if p < 0.0005:
        return "<0.1%"
    if p >= 1:
        return "100.0%"
    if p > 0.9995:
        return ">99.9%"
    return f"{p * 100:.1f}%"


def bar_glyphs(fraction: float, cells: int) -> str:
    """A left-aligned bar `cells` wide filled to `fraction`, in eighths of a cell."""
    fraction = fraction if math.isfinite(fraction) else 0.0
    steps = min(max(round(fraction * cells * STEPS_PER_CELL), 0), cells * STEPS_PER_CELL)
    full, rest = divmod(steps, STEPS_PER_CELL)
    return (FULL_BLOCK * full + PARTIAL_BLOCKS[rest]).ljust(cells)


def truncate_name(name: str, width: int) -> str:
    return name if len(name) <= width else name[: max(width - 1, 0)] + "…"


def visible_classes(probs: np.ndarray, predicted: int | None, true_label: int | None,
                    rows: int) -> list[int]:
    """Which classes get a line when only `rows` fit: predicted and true first, then the most
    probable, shown in class order so a bar stays where the eye expects it."""
    k = len(probs)
    if rows >= k:
        return list(range(k))
    chosen = dict.fromkeys(c for c in (predicted, true_label) if c is not None and 0 <= c < k)
    for c in np.argsort(-np.nan_to_num(probs, nan=-1.0), kind="stable"):
        if len(chosen) >= rows:
            break
        chosen[int(c)] = None
    return sorted(list(chosen)[: max(rows, 0)])


def probability_bars(probs: np.ndarray, class_names: Sequence[str], width: int,
                     predicted: int | None, true_label: int | None = None,
                     max_lines: int | None = None,
                     styles: BarStyles = PLAIN_BAR_STYLES) -> list[Text]:
    """`3 ████████▌     87.3% ◀` per class, no line wider than `width`. The bar cell count is
    the same on every line, so bar length follows probability. When the classes do not all
    fit in `max_lines`, it keeps those that matter most (see `visible_classes`) and its last
    line says how many are hidden (`+7 more (z zooms)`)."""
    probs = np.asarray(probs, dtype=np.float64).ravel()
    longest = max((len(name) for name in class_names), default=1)
    name_width = max(1, min(longest, MAX_NAME_WIDTH, width - _BAR_FIXED - 1))
    cells = max(1, width - name_width - _BAR_FIXED)
    rows = len(probs) if max_lines is None else max(max_lines, 0)
    if rows < len(probs):  # the last line says how many are hidden: never cut silently
        rows -= 1
    shown = visible_classes(probs, predicted, true_label, max(rows, 0))
    lines = []
    for c in shown:
        p = float(probs[c])
        line = Text(no_wrap=True, overflow="crop")
        line.append(truncate_name(class_names[c], name_width).rjust(name_width), styles.name)
        line.append(" ")
        line.append(bar_glyphs(p, cells), styles.bar)
        line.append(" ")
        line.append(format_percent(p).rjust(PERCENT_WIDTH), styles.percent)
        if c == true_label:
            line.append(TRUE_MARK, styles.true_mark)
        else:
            line.append(" " * len(TRUE_MARK))
        if c == predicted:
            line.stylize(styles.predicted)
        line.truncate(width)
        lines.append(line)
    hidden = len(probs) - len(shown)
    if hidden and (max_lines is None or max_lines > 0):
        lines.append(Text(more_text(hidden, width), styles.name, no_wrap=True,
                          overflow="crop"))
    return lines


def more_text(hidden: int, width: int) -> str:
    """The line under bars that could not all be shown: `+7 more (z zooms)`, shorter if need
    be; only the count when nothing else fits."""
    for text in (f"+{hidden} more classes (z zooms)", f"+{hidden} more (z zooms)",
                 f"+{hidden} more", f"+{hidden}"):
        if len(text) <= width:
            return text
    return f"+{hidden}"


def verdict(predicted: int, true_label: int, class_names: Sequence[str] | None = None) -> str:
    if predicted == true_label:
        return "✓ correct"
    shown = class_names[true_label] if class_names else str(true_label)
    return f"✗ wrong (true {shown})"


# ---------------------------------------------------------------- features


def feature_lines(names: Sequence[str], values: np.ndarray, width: int, rows: int,
                  name_style: StyleType = "") -> list[Text]:
    """`name  value` per feature, values right-aligned, at most `rows` lines (the last says how
    many more there are when they do not all fit)."""
    shown = [format_number(float(v)) for v in np.asarray(values).ravel()]
    value_width = max((len(s) for s in shown), default=1)
    name_width = max(1, width - value_width - 1)
    count = len(shown) if len(shown) <= rows else max(rows - 1, 0)
    lines = []
    for name, text in zip(names[:count], shown[:count]):
        line = Text(no_wrap=True, overflow="crop")
        line.append(truncate_name(name, name_width).ljust(name_width), name_style)
        line.append(" " + text.rjust(value_width))
        lines.append(line)
    if count < len(shown) and rows > 0:
        lines.append(Text(f"… {len(shown) - count} more", name_style))
    for line in lines:
        line.truncate(width)
    return lines
