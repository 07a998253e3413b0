"""Pure drawing of the input plane: a `Plane` (data coordinates to character cells), a `Canvas` of
cells, decision regions in half blocks and neuron tiles (points, lines and axes are in
`tui.render_marks`).

Colour: a region cell is `▀` with the top pixel's tone as its colour and the bottom pixel's as
its background, so a 40x10-cell area shows 40x20 pixels. The tones are handed in (the widget
blends its CSS colours), never chosen here. Without colour (NO_COLOR) every pixel is a whole
cell and a class is told by its fill (░ ▓ ▒ ...) and a point by its glyph (○ × △ ...), so the
picture reads on any terminal; tests check both against `predict` on the same grid points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text

from engine import Grid, input_grid

Range = tuple[float, float]
Cell = tuple[str, Style]
BLANK = Style()
UPPER_HALF = "▀"

# Told apart without colour: a region by its fill, a training point by an open glyph and a test
# point by the same shape filled. More classes than glyphs reuse them (the legend says which).
REGION_GLYPHS = ("░", "▓", "▒", "█", "·", "≡", "╳", "┼", "╱", "╲")
TRAIN_GLYPHS = ("○", "×", "△", "□", "◇", "▽", "☆", "+", "◁", "▷")
TEST_GLYPHS = ("●", "✖", "▲", "■", "◆", "▼", "★", "✚", "◀", "▶")
RAMP = (" ", "░", "▒", "▓", "█")  # a value from low to high, without colour
BRAILLE_BASE = 0x2800
# Braille dot bits by (row, column) inside a cell of 4 x 2 dots.
BRAILLE_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


def glyph(glyphs: Sequence[str], index: int) -> str:
    return glyphs[index % len(glyphs)]


# ---------------------------------------------------------------- the plane


@dataclass(frozen=True)
class Plane:
    """`x_range` x `y_range` drawn in `cols` x `rows` cells of `per_cell` pixels each (2 stacked
    half blocks in colour, 1 without). Pixel (r, c) is the grid point (xs[c], ys[r]) of
    `grid()`: edges included, row 0 at the top (the largest y)."""

    x_range: Range
    y_range: Range
    cols: int
    rows: int
    per_cell: int = 2

    @classmethod
    def fit(cls, x_range: Range, y_range: Range, cols: int, rows: int,
            per_cell: int = 2) -> Plane:
        """The plane over both ranges with one scale on both axes (a circle stays round): the
        range that needs fewer units per cell is widened about its middle. A cell is about
        twice as tall as it is wide."""
        cols, rows = max(cols, 2), max(rows, 1)
        pixel_rows = max(rows * per_cell, 2)
        x_step = (x_range[1] - x_range[0]) / (cols - 1)  # units per column
        y_step = (y_range[1] - y_range[0]) / (pixel_rows - 1) * per_cell / 2  # per column width
        step = max(x_step, y_step, 1e-12)
        half_x = step * (cols - 1) / 2
        half_y = step * 2 / per_cell * (pixel_rows - 1) / 2
        mid_x, mid_y = sum(x_range) / 2, sum(y_range) / 2
        return cls((mid_x - half_x, mid_x + half_x), (mid_y - half_y, mid_y + half_y), cols, rows,
                   per_cell)

    @property
    def pixel_rows(self) -> int:
        return self.rows * self.per_cell

    def grid(self) -> Grid:
        return input_grid(self.x_range, self.y_range, self.cols, self.pixel_rows)

    def pixels(self, X2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pixel row, column, inside) of each point (n, 2): the nearest grid point."""
        X2 = np.asarray(X2, dtype=np.float64).reshape(-1, 2)
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        with np.errstate(invalid="ignore"):
            c = np.rint((X2[:, 0] - x0) / (x1 - x0) * (self.cols - 1))
            r = np.rint((y1 - X2[:, 1]) / (y1 - y0) * (self.pixel_rows - 1))
        inside = np.isfinite(c) & np.isfinite(r) & (c >= 0) & (c < self.cols) & (r >= 0) \
            & (r < self.pixel_rows)
        return (np.where(inside, r, 0).astype(np.int64), np.where(inside, c, 0).astype(np.int64),
                inside)

    def cells(self, X2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(text row, column, inside) of each point (n, 2)."""
        r, c, inside = self.pixels(X2)
        return r // self.per_cell, c, inside


# ---------------------------------------------------------------- the canvas


class Canvas:
    """`rows` x `cols` cells, each a glyph and a style; `lines` merges equal neighbours."""

    def __init__(self, rows: int, cols: int, fill: Cell = (" ", BLANK)) -> None:
        self.rows, self.cols = rows, cols
        self.cells: list[list[Cell]] = [[fill] * cols for _ in range(rows)]
        self._over: dict[tuple[Color | None, Style], Style] = {}  # (under, mark) -> style

    def put(self, row: int, col: int, text: str, style: Style = BLANK,
            keep_background: bool = True) -> None:
        """Writes a glyph; in colour it keeps the cell's background (the region under it: a
        half block's top pixel)."""
        if 0 <= row < self.rows and 0 <= col < self.cols:
            glyph_under, old = self.cells[row][col]
            if keep_background and old.bgcolor is not None and style.bgcolor is None:
                # Under a half block the top pixel's colour; under another mark, its background.
                under = old.color if glyph_under == UPPER_HALF else old.bgcolor
                combined = self._over.get((under, style))
                if combined is None:
                    combined = self._over[(under, style)] = Style(bgcolor=under) + style
                style = combined
            self.cells[row][col] = (text, style)

    def glyphs(self) -> list[str]:
        return ["".join(cell[0] for cell in row) for row in self.cells]

    def lines(self) -> list[Text]:
        out = []
        for row in self.cells:
            line = Text(no_wrap=True, overflow="crop", end="")
            run, style = "", None
            for text, cell_style in row:
                if cell_style is not style and cell_style != style:
                    if run:
                        line.append(run, style)
                    run, style = "", cell_style
                run += text
            if run:
                line.append(run, style)
            out.append(line)
        return out


# ---------------------------------------------------------------- decision regions


def confidence_levels(confidence: np.ndarray, n_classes: int, levels: int) -> np.ndarray:
    """0..levels-1 per pixel: how far the predicted class's output is above a guess (1/k)."""
    chance = 1.0 / max(n_classes, 2)
    above = (np.nan_to_num(np.asarray(confidence, dtype=np.float64)) - chance) / (1 - chance)
    return np.clip((above * levels).astype(np.int64), 0, levels - 1)


def paint_regions(canvas: Canvas, classes: np.ndarray, levels: np.ndarray | None,
                  tones: Sequence[Sequence[Color]] | None) -> None:
    """Fills the canvas with the predicted class per pixel, `classes` (rows * per_cell, cols).
    With `tones` ([class][level] colours): half blocks, two pixels a cell, brighter where the
    network is surer. Without: one pixel a cell, the class's fill glyph."""
    classes = np.asarray(classes)
    if tones is None:
        for r in range(min(canvas.rows, classes.shape[0])):
            for c in range(min(canvas.cols, classes.shape[1])):
                canvas.cells[r][c] = (glyph(REGION_GLYPHS, int(classes[r, c])), BLANK)
        return
    assert levels is not None
    styles: dict[tuple[int, int, int, int], Style] = {}
    for r in range(min(canvas.rows, classes.shape[0] // 2)):
        for c in range(min(canvas.cols, classes.shape[1])):
            key = (int(classes[2 * r, c]), int(levels[2 * r, c]),
                   int(classes[2 * r + 1, c]), int(levels[2 * r + 1, c]))
            style = styles.get(key)
            if style is None:
                top = tones[key[0] % len(tones)][key[1]]
                bottom = tones[key[2] % len(tones)][key[3]]
                style = styles[key] = Style(color=top, bgcolor=bottom)
            canvas.cells[r][c] = (UPPER_HALF, style)


def paint_values(canvas: Canvas, values: np.ndarray, top: int, left: int,
                 ramp: Sequence[Color] | None, signed: bool = True) -> None:
    """A tile of values (pixel rows, cols) at (top, left): in [-1, 1] on the diverging `ramp`
    (negative .. zero .. positive colours) when `signed`, else in [0, 1] on its zero-to-positive
    half; half blocks in colour, RAMP glyphs (low to high) without."""
    low = -1.0 if signed else 0.0
    values = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64)), low, 1.0)
    unit = (values + 1) / 2 if signed else values  # 0..1 along what is drawn
    if ramp is None:
        index = np.rint(unit * (len(RAMP) - 1)).astype(np.int64)
        for r in range(values.shape[0]):
            for c in range(values.shape[1]):
                canvas.put(top + r, left + c, RAMP[index[r, c]], BLANK, keep_background=False)
        return
    shades = list(ramp) if signed else list(ramp[len(ramp) // 2:])
    index = np.rint(unit * (len(shades) - 1)).astype(np.int64)
    for r in range(values.shape[0] // 2):
        for c in range(values.shape[1]):
            style = Style(color=shades[index[2 * r, c]], bgcolor=shades[index[2 * r + 1, c]])
            canvas.put(top + r, left + c, UPPER_HALF, style, keep_background=False)


def scaled_units(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """A layer's activations (..., units) over its largest magnitude, and whether they are
    signed: in [-1, 1] (tanh, linear...), or in [0, 1] for a layer that never goes negative
    (relu, sigmoid, softmax), so that zero is always the background."""
    values = np.nan_to_num(np.asarray(values, dtype=np.float64))
    if values.size == 0:
        return values, False
    signed = bool(values.min() < 0)
    return values / max(float(np.abs(values).max()), 1e-12), signed


@dataclass(frozen=True)
class Tiles:
    """Unit maps laid out in a panel: `shown` tiles of `cols` x `rows` cells, `across` a line,
    with a gap of one column and one row between them."""

    cols: int
    rows: int
    across: int
    shown: int

    def origin(self, index: int) -> tuple[int, int]:
        """(top, left) cell of tile `index`."""
        line, place = divmod(index, self.across)
        return line * (self.rows + 1), place * (self.cols + 1)


def tile_layout(width: int, height: int, units: int, largest: int = 8,
                smallest: int = 2) -> Tiles:
    """The largest square tiles (2 columns per text row) that fit every unit in width x height
    cells, from `largest` rows tall down to `smallest`; at the smallest, as many as fit (the
    rest on further pages)."""
    units = max(units, 1)
    for rows in range(largest, smallest - 1, -1):
        cols = 2 * rows
        across = (width + 1) // (cols + 1)
        down = (height + 1) // (rows + 1)
        if across >= 1 and across * down >= units:
            return Tiles(cols, rows, across, units)
    rows = max(min(smallest, height), 1)
    across = max((width + 1) // (2 * rows + 1), 1)
    down = max((height + 1) // (rows + 1), 1)
    return Tiles(2 * rows, rows, across, min(units, across * down))
