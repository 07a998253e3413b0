"""Weights as pictures.

For an image dataset (digits: 8x8), each first-layer unit's incoming weights W1[:, j] are an
image of what the unit looks for: `weight_tiles` draws one tile per unit, two columns a pixel,
with the signed cells of `glyphs` (░▓█ positive, ·•● negative), every tile on the layer's one
scale (the 99th percentile of |w|: bigger ones are drawn full) so that tiles compare, in a grid
paged to the space there is. A big image (MNIST's 28x28) is drawn at its own size instead: one
column a pixel and two pixels a cell (the mean of the two stacked weights), so its tile is
28x14 cells, square on the screen as the viewer's image is.

For other datasets `weight_matrix` draws a layer's W (inputs down, units across): the numbers
when they fit, else the signed cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rich.text import Text

from tui.inside.glyphs import (
    GAP,
    Palette,
    cell,
    cell_codes,
    coded_text,
    plain,
    scale_of,
    signed_cells,
)
from tui.numbers import step_number

PIXEL_WIDTH = 2  # a square pixel
TILE_GAP = 2  # columns between tiles
SMALL_IMAGE = 16  # a side up to this: two columns a pixel; beyond: a cell holds two pixels
FULL = 12  # up to this many units across, the numbers themselves
SCALE_PERCENTILE = 99.0


@dataclass(frozen=True)
class TilePage:
    """One page of tiles: the lines, which page (clamped) of how many, and the units shown
    (`first` to `last` - 1, 0-based)."""

    lines: list[Text]
    page: int
    pages: int
    first: int
    last: int


def tile_shape(image_shape: tuple[int, int]) -> tuple[int, int, int]:
    """(cell rows, pixels across, columns a pixel) of one tile."""
    rows, cols = image_shape
    if max(image_shape) <= SMALL_IMAGE:
        return rows, cols, PIXEL_WIDTH
    return -(-rows // 2), cols, 1


def tile_picture(weights: np.ndarray, image_shape: tuple[int, int]) -> np.ndarray:
    """A unit's weights as the tile's cells: the image itself, or for a big image the mean of
    each two stacked pixels (an odd last row alone)."""
    out: np.ndarray = tile_pictures(weights[:, None], image_shape)[0]
    return out


def tile_pictures(weights: np.ndarray, image_shape: tuple[int, int]) -> np.ndarray:
    """`tile_picture` of each column of `weights` (pixels, units): (units, cell rows, across)."""
    images = np.ascontiguousarray(weights.T).reshape(-1, *image_shape)
    if max(image_shape) <= SMALL_IMAGE:
        return images
    if image_shape[0] % 2:
        images = np.concatenate([images, images[:, -1:]], axis=1)
    out: np.ndarray = (images[:, 0::2] + images[:, 1::2]) / 2
    return out


def grid_size(image_shape: tuple[int, int], width: int, height: int) -> tuple[int, int]:
    """Tiles across and down that fit `width` x `height` (at least 1 x 1)."""
    rows, cols, pixel = tile_shape(image_shape)
    across = max(1, (width + TILE_GAP) // (cols * pixel + TILE_GAP))
    down = max(1, (height + 1) // (rows + 2))  # a label line above, a blank line below
    return across, down


def robust_scale(weights: np.ndarray) -> float:
    """The size that counts as full for a layer's tiles: the 99th percentile of |w|, so that a
    few outliers do not wash every other weight out to the faintest shade."""
    finite = np.abs(weights[np.isfinite(weights)])
    return float(np.percentile(finite, SCALE_PERCENTILE)) if finite.size else 0.0


def weight_tiles(W: npt.ArrayLike, image_shape: tuple[int, int], labels: Sequence[str],
                 page: int, width: int, height: int, palette: Palette = plain) -> TilePage:
    """Page `page` (wrapping) of the tiles of W (pixels, units), one per unit, labelled."""
    weights = np.asarray(W, dtype=np.float64)
    rows, cols, pixel = tile_shape(image_shape)
    n_units = weights.shape[1]
    across, down = grid_size(image_shape, width, height)
    per_page = across * down
    pages = max(1, -(-n_units // per_page))
    page %= pages
    first, last = page * per_page, min((page + 1) * per_page, n_units)
    scale = robust_scale(weights)
    tile_width = cols * pixel
    # The page's cells at once (units, cell rows, pixels across), then each line of the grid
    # as one row of codes, a gap before every tile but the first: this page is redrawn about
    # once a second while training runs.
    codes = cell_codes(tile_pictures(weights[:, first:last], image_shape), scale)
    lines: list[Text] = []
    for start in range(first, last, across):
        units = range(start, min(start + across, last))
        label_line = Text(no_wrap=True, end="")
        for k, j in enumerate(units):
            gap = " " * TILE_GAP if k else ""
            label_line.append(gap + labels[j][:tile_width].center(tile_width), palette("label"))
        block = codes[start - first:units.stop - first]
        gaps = np.full((len(block), rows, 1), GAP, dtype=np.int8)
        grid = np.concatenate([gaps, block], axis=2).transpose(1, 0, 2).reshape(rows, -1)
        picture = [coded_text(grid[r, 1:], pixel, palette, TILE_GAP) for r in range(rows)]
        lines += [label_line, *picture, Text()]
    return TilePage(lines[:-1], page, pages, first, last)


def weight_matrix(W: npt.ArrayLike, row_names: Sequence[str], col_names: Sequence[str],
                  width: int, palette: Palette = plain) -> list[Text]:
    """A layer's W (inputs, units): a header of unit names, then one line per input. Each
    number beside its cell when up to FULL units fit across, else the cells alone."""
    weights = np.asarray(W, dtype=np.float64)
    scale = scale_of(weights)
    name_width = max((len(name) for name in row_names), default=0)
    number_width = max(9, *(len(name) + 1 for name in col_names)) if len(col_names) else 9
    numbers = weights.shape[1] <= FULL and name_width + 2 + weights.shape[1] * (
        number_width + 1) <= width
    lines = []
    if numbers:
        header = Text(" " * (name_width + 2), end="")
        for name in col_names:
            header.append(name.rjust(number_width) + " ", palette("header"))
        lines.append(header)
    for name, row in zip(row_names, weights):
        line = Text(name.ljust(name_width) + "  ", palette("label"), no_wrap=True, end="")
        if numbers:
            for value in row:
                c = cell(float(value), scale)
                line.append(step_number(value).rjust(number_width - 1))
                line.append(c.glyph + " ", palette(c.role) if c.level else None)
        else:
            line.append_text(signed_cells(row, scale, PIXEL_WIDTH, palette))
        lines.append(line)
    return lines
