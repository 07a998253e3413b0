"""The inside view's small pictures, each readable in monochrome (NO_COLOR): a shape or a glyph
says what colour only adds to.

- `sparkline`: a series as ▁▂▃▄▅▆▇█, newest on the right; a missing value is a blank.
- `signed_cells`: numbers as cells whose glyph gives the sign and the size: ░▓█ for positive,
  ·•● for negative, blank near zero. One style role per glyph (`pos-1` .. `neg-3`) lets the CSS
  add a diverging colour.
- `ratio_gauge`: where a log10 update ratio sits against the healthy band: `···[·●·]···`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rich.style import StyleType
from rich.text import Span, Text

SPARKS = "▁▂▃▄▅▆▇█"
POSITIVE = ("░", "▓", "█")  # weakest to strongest
NEGATIVE = ("·", "•", "●")
LEVELS = (0.15, 0.4, 0.7)  # |value| / scale from which a cell takes level 1, 2, 3
GAUGE_RANGE = (-6.0, 0.0)  # the ratios a gauge spans; beyond, the mark sits at the end

Palette = Callable[[str], StyleType]  # a role ("pos-2", "muted", "good"...) to a style


def plain(role: str) -> StyleType:
    """No styles: what NO_COLOR and the tests see."""
    return ""


# ---------------------------------------------------------------- sparklines


def sparkline(values: Sequence[float] | npt.NDArray[np.float64], width: int,
              low: float | None = None, high: float | None = None) -> str:
    """The last `width` values as block heights between `low` and `high` (default: their own
    range), padded on the left to `width`. NaN (not measured) is a blank; infinities are
    clipped; a flat series sits mid-height."""
    if width <= 0:
        return ""
    shown = np.asarray(values, dtype=np.float64)[-width:]
    finite = shown[np.isfinite(shown)]
    bottom = low if low is not None else (float(finite.min()) if finite.size else 0.0)
    top = high if high is not None else (float(finite.max()) if finite.size else 1.0)
    chars = []
    for value in shown:
        if math.isnan(value):
            chars.append(" ")
        elif top <= bottom:
            chars.append(SPARKS[len(SPARKS) // 2 - 1])
        else:
            share = (min(max(value, bottom), top) - bottom) / (top - bottom)
            chars.append(SPARKS[min(int(share * len(SPARKS)), len(SPARKS) - 1)])
    return "".join(chars).rjust(width)


def histogram_bars(counts: npt.NDArray[np.integer] | Sequence[int]) -> str:
    """One block per bin, its height the bin's share of the fullest bin; an empty bin is a
    blank, so a non-empty one is never mistaken for it."""
    values = np.asarray(counts, dtype=np.float64)
    top = float(values.max()) if values.size else 0.0
    if top <= 0:
        return " " * len(values)
    return "".join(" " if v == 0 else SPARKS[max(int(np.ceil(v / top * len(SPARKS))) - 1, 0)]
                   for v in values)


# ---------------------------------------------------------------- signed cells


@dataclass(frozen=True)
class Cell:
    """One number's glyph and style role; `level` 0 is blank (near zero)."""

    glyph: str
    role: str
    level: int


BLANK = Cell(" ", "pos-0", 0)


def cell(value: float, scale: float) -> Cell:
    """The cell of `value` when `scale` is the size that counts as full."""
    if not math.isfinite(value):
        return Cell("?", "muted", 0)
    if scale <= 0:
        return BLANK
    share = abs(value) / scale
    level = sum(share >= floor for floor in LEVELS)
    if level == 0:
        return BLANK
    if value > 0:
        return Cell(POSITIVE[level - 1], f"pos-{level}", level)
    return Cell(NEGATIVE[level - 1], f"neg-{level}", level)


def scale_of(values: npt.ArrayLike) -> float:
    """The size that counts as full for a set of numbers: the largest finite |value| (0 for
    none). Tiles of a whole layer share one scale, so they compare."""
    flat = np.abs(np.asarray(values, dtype=np.float64).ravel())
    flat = flat[np.isfinite(flat)]
    return float(flat.max()) if flat.size else 0.0


def signed_cells(values: npt.ArrayLike, scale: float | None = None, width: int = 1,
                 palette: Palette = plain) -> Text:
    """A row of cells, `width` columns each (2 makes a square pixel)."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    size = scale_of(flat) if scale is None else scale
    return coded_text(cell_codes(flat, size), width, palette)


# Every cell as a small code, so that a page of them is worked out with a few array operations
# rather than one `cell` a number (a page of digits tiles is ~7,000 cells, redrawn while
# training runs): the codes index these tables, `cell`'s glyphs and roles.
CODE_GLYPHS = (BLANK.glyph, *POSITIVE, *NEGATIVE, "?", " ")
CODE_ROLES: tuple[str | None, ...] = (None, "pos-1", "pos-2", "pos-3", "neg-1", "neg-2",
                                      "neg-3", "muted", None)
UNKNOWN, GAP = 7, 8  # not a finite number; a gap between pictures (no cell)


def cell_codes(values: npt.ArrayLike, scale: float) -> npt.NDArray[np.int8]:
    """`cell(value, scale)` of every value, as codes into CODE_GLYPHS and CODE_ROLES."""
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    codes = np.zeros(v.shape, dtype=np.int8)
    if scale > 0:
        with np.errstate(all="ignore"):
            share = np.abs(v) / scale
        level = sum((share >= floor).astype(np.int8) for floor in LEVELS)
        codes[...] = np.where(v > 0, level, np.where(level > 0, level + len(POSITIVE), 0))
    codes[~finite] = UNKNOWN
    return codes


def coded_text(codes: npt.NDArray[np.int8], width: int = 1, palette: Palette = plain,
               gap: int = 1) -> Text:
    """One line of coded cells, `width` columns each (a GAP code: `gap` blank columns), each run
    of one role one span: the text `signed_cells` always drew, cell by cell."""
    codes = np.asarray(codes, dtype=np.int8).ravel()
    if not codes.size:
        return Text(no_wrap=True, overflow="crop", end="")
    glyphs = [glyph * (gap if code == GAP else width) for code, glyph in enumerate(CODE_GLYPHS)]
    styles = [palette(role) if role is not None else None for role in CODE_ROLES]
    ends = np.cumsum(np.where(codes == GAP, gap, width)).tolist()
    firsts = (np.flatnonzero(codes[1:] != codes[:-1]) + 1).tolist()
    run_codes = codes[[0, *firsts]].tolist()
    # As Text.append: a span for each run that has a style.
    spans = [Span(ends[first - 1] if first else 0, ends[last - 1], styles[code])
             for first, last, code in zip([0, *firsts], [*firsts, codes.size], run_codes)
             if styles[code]]
    plain_text = "".join([glyphs[code] for code in codes.tolist()])
    return Text(plain_text, no_wrap=True, overflow="crop", end="", spans=spans)


def legend(palette: Palette = plain, full: str = "the largest |value|") -> Text:
    """What the cells mean, drawn with the cells themselves; `full` says what size is full."""
    text = Text("cells: ", style=palette("muted"), end="")
    for glyph, role in zip(POSITIVE, ("pos-1", "pos-2", "pos-3")):
        text.append(glyph, palette(role))
    text.append(" positive  ", palette("muted"))
    for glyph, role in zip(NEGATIVE, ("neg-1", "neg-2", "neg-3")):
        text.append(glyph, palette(role))
    text.append(f" negative  (size: share of {full}; blank: near 0)", palette("muted"))
    return text


# ---------------------------------------------------------------- the update-ratio gauge


def ratio_gauge(ratio: float | None, band: tuple[float, float], width: int = 11) -> str:
    """`···[·●·]···`: GAUGE_RANGE across `width` columns, the healthy band in brackets and the
    ratio as ●; `-` for no update measured."""
    if width < 5:
        return ""
    low, high = GAUGE_RANGE

    def at(value: float) -> int:
        share = (min(max(value, low), high) - low) / (high - low)
        return round(share * (width - 1))

    chars = ["·"] * width
    left, right = at(band[0]), at(band[1])
    chars[left], chars[right] = "[", "]"
    if ratio is None or math.isnan(ratio):
        return "".join(chars)
    # The mark never hides a bracket: it sits on the side of it that the ratio is on.
    if ratio < band[0]:
        mark = min(at(ratio), left - 1)
    elif ratio > band[1]:
        mark = max(at(ratio), right + 1)
    else:
        mark = min(max(at(ratio), left + 1), right - 1)
    chars[mark] = "●"
    return "".join(chars)
