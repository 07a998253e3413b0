"""The half-block image renderer (issue 13), as plain functions on known patterns: a 28x28 image
takes 28x14 cells, two pixels a cell, in colour (▀ with the top pixel's shade on the bottom
one's) and in monochrome (glyphs alone); 8x8 digits are drawn as before; a panel too small
shrinks the image by area means and says so. And the draw canvas's brush."""

from __future__ import annotations

import numpy as np
import pytest
from rich.style import Style

from tui.canvas import DrawCanvas
from tui.render import SHADES, ImageStyles, image_to_blocks
from tui.render_image import (
    CURSOR_HALVES,
    LOWER,
    UPPER,
    ImageFit,
    fit_image,
    half_block_lines,
    image_layout,
    mono_glyph,
    resample,
    shrink_note,
)

COLOURS = ImageStyles(
    shades=tuple(Style(color=f"rgb({v},{v},{v})", bgcolor=f"rgb({v},{v},{v})")
                 for v in (0, 60, 120, 180, 255)),
    cursor=Style(color="red", reverse=True))


def stripes() -> np.ndarray:
    """28x28: row r is full ink when r % 4 == 0, blank otherwise, except a solid 4x4 block at
    rows 8-11, columns 8-11 and a grey (0.6) column 20."""
    image = np.zeros((28, 28))
    image[::4] = 1.0
    image[8:12, 8:12] = 1.0
    image[:, 20] = 0.6
    return image


def test_a_28x28_image_takes_28_by_14_cells_in_monochrome() -> None:
    fit = fit_image((28, 28), 120, 40)
    assert (fit.zoom, fit.cols, fit.rows, fit.shrunk) == (1, 28, 14, False)
    lines = [line.plain for line in half_block_lines(stripes(), (28, 28), fit, color=False)]
    assert len(lines) == 14 and {len(line) for line in lines} == {28}
    # rows 0|1: ink over blank; rows 2|3: blank over blank; the grey column is ▓ over blank
    assert lines[0][0] == UPPER and lines[1][0] == " "
    assert lines[0][20] == "▓"  # 0.6 over 0.6 is the 0.6 shade, whatever the rows around it
    # the block's rows 8-11 are two rows of cells, full on full
    assert lines[4][8:12] == "████" and lines[5][8:12] == "████"
    assert lines[4][12] == UPPER  # row 8 ink, row 9 blank
    assert all(not line.spans for line in half_block_lines(stripes(), (28, 28), fit,
                                                           color=False))


def test_colour_halves_carry_each_pixels_shade() -> None:
    fit = fit_image((28, 28), 120, 40)
    line = half_block_lines(stripes(), (28, 28), fit, color=True, styles=COLOURS)[0]
    assert line.plain[0] == UPPER
    style = next(span.style for span in line.spans if span.start == 0)
    assert style.color.triplet == (255, 255, 255) and style.bgcolor.triplet == (0, 0, 0)


def test_mono_glyphs_read_without_colour() -> None:
    assert mono_glyph(4, 4) == "█" and mono_glyph(0, 0) == " "
    assert mono_glyph(3, 0) == UPPER and mono_glyph(0, 2) == LOWER
    assert mono_glyph(1, 0) == SHADES[1].glyph  # a faint half is a faint cell, not a half block
    assert mono_glyph(2, 4) == "█"


def test_8x8_digits_look_as_before() -> None:
    """Zoom 2 draws each pixel 2 columns by 1 row: the old renderer's output, cursor and all."""
    pixels = np.linspace(0, 1, 64)
    fit = fit_image((8, 8), 60, 20)
    assert (fit.zoom, fit.cols, fit.rows) == (2, 16, 8)
    for cursor in (None, (2, 3)):
        new = [line.plain for line in half_block_lines(pixels, (8, 8), fit, color=False,
                                                      cursor=cursor)]
        old = [line.plain for line in image_to_blocks(pixels, (8, 8), color=False,
                                                      cursor=cursor)]
        assert new == old


def test_a_small_panel_shrinks_the_image_and_says_so() -> None:
    fit = fit_image((28, 28), 46, 10)
    assert fit.shrunk and (fit.width, fit.height, fit.rows) == (20, 20, 10)
    assert shrink_note(fit, 40) == "20x20 of 28x28, z zooms"
    assert shrink_note(fit) == "shrunk, z zooms"  # as wide as the image: never under the bars
    assert shrink_note(fit_image((28, 28), 10, 5)) == "z zooms"  # the key before the sizes
    assert shrink_note(fit_image((28, 28), 46, 14)) == ""
    # area means keep the mean ink and the picture's place
    image = stripes()
    shown = resample(image, fit)
    assert shown.shape == (20, 20)
    assert shown.mean() == pytest.approx(image.mean(), rel=1e-9)
    half = resample(image, ImageFit((28, 28), 14, 14))
    assert half[4, 4] == pytest.approx(image[8:10, 8:10].mean())


def test_layout_keeps_the_bars_beside_or_below() -> None:
    fit, beside = image_layout((28, 28), 80, 30, side=18, gap=2, below=4)
    assert beside and not fit.shrunk
    fit, beside = image_layout((28, 28), 40, 30, side=18, gap=2, below=4)
    assert not beside and not fit.shrunk  # no room beside: whole above the bars
    fit, beside = image_layout((28, 28), 46, 11, side=18, gap=2, below=4)
    assert beside and fit.shrunk and fit.rows <= 10  # one line left for the note


@pytest.mark.parametrize(("cursor", "cell", "glyph"), [((6, 5), (3, 5), CURSOR_HALVES[0]),
                                                       ((7, 5), (3, 5), CURSOR_HALVES[1])])
def test_the_cursor_is_half_a_cell(cursor, cell, glyph) -> None:
    fit = fit_image((28, 28), 120, 40)
    lines = half_block_lines(np.zeros(784), (28, 28), fit, color=False, cursor=cursor)
    marks = [(r, c) for r, line in enumerate(lines) for c, ch in enumerate(line.plain)
             if ch in CURSOR_HALVES]
    assert marks == [cell] and lines[cell[0]].plain[cell[1]] == glyph


def test_the_brush_inks_a_square_and_strokes_draw_lines() -> None:
    canvas = DrawCanvas(np.zeros(28 * 28), (28, 28))
    assert canvas.brush == 2  # a big image starts with a 2-pixel brush
    canvas.move(5, 5)
    for _ in range(10):
        canvas.stroke(0, 1)
    image = canvas.pixels.reshape(28, 28)
    assert image[5:7, 5:17].all() and image.sum() == 2 * 12
    canvas.cycle_brush()
    assert canvas.brush == 3
    canvas.paint(9)
    assert image[4:7, 14:17].all() and canvas.cursor == (5, 16)
    canvas.cycle_brush()
    assert canvas.brush == 1
    assert DrawCanvas(np.zeros(64), (8, 8)).brush == 1
