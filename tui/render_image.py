"""Images of any size as text: half-block cells, two pixels a cell stacked (▀ top, ▄ bottom), so
a pixel is one column by half a row, square on a terminal; a 28x28 image takes 28x14 cells.

`fit_image` picks the scale for the room there is: small images are enlarged (8x8 digits at 2x,
each pixel 2 columns by 1 row, as the viewer always drew them), big ones shrunk to the room when
the panel is too small (each shown pixel the mean of the area it covers), and the caller says
so. `half_block_lines` draws the result two ways:

- colour: `▀` with the top pixel's shade as foreground and the bottom one's as background, exact;
  two pixels of one shade are that shade's glyph in its colour;
- monochrome (NO_COLOR): glyphs alone, `░▒▓█` for a pair of one shade, `▀`/`▄` for ink over
  blank, the brighter shade for two inked pixels of different shades.

Pure functions of numbers (no Textual), tested on known patterns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.color import Color
from rich.style import Style, StyleType
from rich.text import Text

from tui.render import CURSOR_MARK, PLAIN_IMAGE_STYLES, SHADES, ImageStyles, shade_levels

MAX_ZOOM = 2  # small images are enlarged at most this much (8x8 digits: 16x8 cells)
SMALL_IMAGE = 16  # ... and an image is small up to this side; bigger ones are never enlarged
UPPER, LOWER = "▀", "▄"
# The draw cursor on a half cell: the half it is on, thin so it never reads as ink.
CURSOR_HALVES = ("▔", "▁")


@dataclass(frozen=True)
class ImageFit:
    """How an (h, w) image is shown: resampled to `height` x `width` pixels (smaller when the
    room is short: each shown pixel the mean of the area it covers), then each pixel repeated
    `zoom` times; `cols` x `rows` cells."""

    shape: tuple[int, int]
    height: int
    width: int
    zoom: int = 1

    @property
    def cols(self) -> int:
        return self.width * self.zoom

    @property
    def rows(self) -> int:
        return math.ceil(self.height * self.zoom / 2)

    @property
    def shrunk(self) -> bool:
        return (self.height, self.width) != self.shape


def fit_image(shape: tuple[int, int], width: int, height: int) -> ImageFit:
    """The largest zoom (up to MAX_ZOOM for a small image, else 1) at which the whole image fits
    `width` x `height` cells, else the image shrunk, keeping its proportions, to the room there
    is (at least one pixel a side)."""
    h, w = shape
    for zoom in range(MAX_ZOOM if max(shape) <= SMALL_IMAGE else 1, 0, -1):
        fit = ImageFit(shape, h, w, zoom)
        if fit.cols <= width and fit.rows <= height:
            return fit
    scale = min(max(width, 1) / w, 2 * max(height, 1) / h)
    return ImageFit(shape, max(1, math.floor(h * scale)), max(1, math.floor(w * scale)))


def image_layout(shape: tuple[int, int], width: int, rows: int, side: int, gap: int,
                 below: int) -> tuple[ImageFit, bool]:
    """Where an image goes in a panel of `width` x `rows` with a column `side` wide (`gap`
    apart) to show beside it or `below` lines under it: (its fit, True if beside). Whole size
    beside, else whole size above, else shrunk where it is bigger, beside or above (one line
    is kept for saying so)."""
    fit = fit_image(shape, width - gap - side, rows)
    if not fit.shrunk:
        return fit, True
    stacked = fit_image(shape, width, rows - below)
    if not stacked.shrunk:
        return stacked, False
    # Shrunk either way: the bigger picture (a narrow panel left a 3x3 image beside the
    # bars), one line kept under it for saying so (and, stacked, one for "+N more").
    beside = fit_image(shape, width - gap - side, rows - 1)
    stacked = fit_image(shape, width, rows - below - 2)
    if stacked.width * stacked.height > beside.width * beside.height:
        return stacked, False
    return beside, True


def shrink_note(fit: ImageFit, width: int | None = None) -> str:
    """What a shrunk image says under itself: the most telling wording that fits `width` (by
    default the image's own width, so the note never runs into what is beside it), keeping
    "z zooms" as long as it fits."""
    if not fit.shrunk:
        return ""
    room = fit.cols if width is None else width
    sizes = f"{fit.width}x{fit.height} of {fit.shape[1]}x{fit.shape[0]}"
    # The key that shows it whole matters more than the sizes: a person who cannot read the
    # picture needs to know what to press.
    for text in (f"{sizes}, z zooms", "shrunk, z zooms", "z zooms", sizes, "shrunk", "z"):
        if len(text) <= room:
            return text
    return ""


def _area_weights(size: int, shown: int) -> np.ndarray:
    """(shown, size): row i averages the stretch [i, i + 1) * size / shown of the input, each
    input pixel weighted by how much of it lies inside."""
    edges = np.arange(shown + 1) * (size / shown)
    low, high = edges[:-1, None], edges[1:, None]
    pixel = np.arange(size)[None, :]
    overlap = np.clip(np.minimum(high, pixel + 1) - np.maximum(low, pixel), 0.0, None)
    out: np.ndarray = overlap / overlap.sum(axis=1, keepdims=True)
    return out


def resample(image: np.ndarray, fit: ImageFit) -> np.ndarray:
    """The pixels shown: area means when shrunk, then each repeated `zoom` times."""
    values = np.nan_to_num(np.asarray(image, dtype=np.float64), nan=0.0)
    if fit.shrunk:
        h, w = values.shape
        values = _area_weights(h, fit.height) @ values @ _area_weights(w, fit.width).T
    if fit.zoom > 1:
        values = np.repeat(np.repeat(values, fit.zoom, axis=0), fit.zoom, axis=1)
    return values


def mono_glyph(top: int, bottom: int) -> str:
    """The glyph for a cell's two shade levels (indices into SHADES) without colour."""
    if top == bottom:
        return SHADES[top].glyph
    low, high = min(top, bottom), max(top, bottom)
    if low == 0 and high >= 2:
        return UPPER if top > bottom else LOWER
    return SHADES[high].glyph


def _colour(style: StyleType, background: bool) -> Color | None:
    parsed = Style.parse(style) if isinstance(style, str) else style
    first, second = (parsed.bgcolor, parsed.color) if background else (parsed.color,
                                                                        parsed.bgcolor)
    return first or second


def half_block_lines(pixels: np.ndarray, shape: tuple[int, int], fit: ImageFit,
                     color: bool = True, cursor: tuple[int, int] | None = None,
                     styles: ImageStyles = PLAIN_IMAGE_STYLES) -> list[Text]:
    """`fit.rows` lines of `fit.cols` cells; `cursor` is the (row, column) of a pixel of the
    image as stored. With `color` False no style is applied but the cursor's, and only the
    glyphs carry the picture."""
    shown = resample(np.asarray(pixels, dtype=np.float64).reshape(shape), fit)
    levels = shade_levels(shown)
    if len(levels) % 2:
        levels = np.vstack([levels, np.zeros((1, levels.shape[1]), dtype=levels.dtype)])
    marks = _cursor_cells(cursor, fit)
    pairs: dict[tuple[int, int], Style] = {}
    lines = []
    for r in range(0, len(levels), 2):
        cells: list[tuple[str, StyleType]] = []
        for c in range(levels.shape[1]):
            top, bottom = int(levels[r, c]), int(levels[r + 1, c])
            mark = marks.get((r // 2, c))
            if mark is not None:
                cells.append(_cursor_cell(mark, top, bottom, color, styles))
            elif top == bottom:
                cells.append((SHADES[top].glyph, styles.shades[top] if color else ""))
            elif color:
                key = (top, bottom)
                if key not in pairs:
                    pairs[key] = Style(color=_colour(styles.shades[top], False),
                                       bgcolor=_colour(styles.shades[bottom], True))
                cells.append((UPPER, pairs[key]))
            else:
                cells.append((mono_glyph(top, bottom), ""))
        lines.append(_joined(cells, fit.zoom))
    return lines


def _joined(cells: list[tuple[str, StyleType]], zoom: int) -> Text:
    """One line, the cells of one enlarged pixel appended together when they are alike (one
    span a pixel, as the viewer always drew them)."""
    line = Text(no_wrap=True, overflow="crop", end="")
    glyphs, style = "", None
    for c, (glyph, cell_style) in enumerate(cells):
        if glyphs and (c % zoom == 0 or cell_style != style):
            line.append(glyphs, style)
            glyphs = ""
        glyphs, style = glyphs + glyph, cell_style
    if glyphs:
        line.append(glyphs, style)
    return line


def _cursor_cells(cursor: tuple[int, int] | None, fit: ImageFit) -> dict[tuple[int, int], str]:
    """Where the cursor is drawn: {(cell row, cell column): how}. Enlarged, a pixel spans whole
    cells: its first column takes CURSOR_MARK (the rest keep the pixel's own shade). Otherwise
    the cursor is half a cell: 'top' or 'bottom'."""
    if cursor is None:
        return {}
    r = cursor[0] * fit.height // fit.shape[0]
    c = cursor[1] * fit.width // fit.shape[1]
    if fit.zoom % 2 == 0:
        return {(r * fit.zoom // 2, c * fit.zoom): "mark"}
    half_row = r * fit.zoom
    return {(half_row // 2, c * fit.zoom): "top" if half_row % 2 == 0 else "bottom"}


def _cursor_cell(how: str, top: int, bottom: int, color: bool,
                 styles: ImageStyles) -> tuple[str, StyleType]:
    if how == "mark":
        return CURSOR_MARK, styles.cursor if color else ""
    if not color:
        return CURSOR_HALVES[0 if how == "top" else 1], styles.cursor
    other = bottom if how == "top" else top
    style = Style(color=_colour(styles.cursor, False), bgcolor=_colour(styles.shades[other],
                                                                       True), bold=True)
    return (UPPER if how == "top" else LOWER), style
