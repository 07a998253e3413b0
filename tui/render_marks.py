"""Marks drawn over the input plane's canvas: point glyphs, braille lines, and the axes with the
ranges and names around the picture. Pure functions, like `tui.render_maps`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rich.style import Style
from rich.text import Text

from tui.render_maps import BLANK, BRAILLE_BASE, BRAILLE_BITS, Canvas, Plane, glyph

# ---------------------------------------------------------------- points and lines


def put_points(canvas: Canvas, plane: Plane, X2: np.ndarray, labels: np.ndarray,
               glyphs: Sequence[str], styles: Sequence[Style] | None = None) -> None:
    """A glyph per point at its cell, by label; later points cover earlier ones (so only the
    last point of each cell is drawn)."""
    rows, cols, inside = plane.cells(X2)
    labels = np.asarray(labels).ravel()
    kept = np.flatnonzero(inside)
    flat = rows[kept] * plane.cols + cols[kept]
    _, last = np.unique(flat[::-1], return_index=True)
    for i in kept[len(kept) - 1 - last]:
        k = int(labels[i])
        style = styles[k % len(styles)] if styles else BLANK
        canvas.put(int(rows[i]), int(cols[i]), glyph(glyphs, k), style)


def braille(canvas: Canvas, plane: Plane, xs: np.ndarray, ys: np.ndarray,
            style: Style = BLANK) -> None:
    """The polyline through (xs, ys) in braille dots (2 x 4 a cell) over the plane; cells it
    passes through are replaced (what was there is covered by the line)."""
    dots = np.zeros((plane.rows * 4, plane.cols * 2), dtype=bool)
    (x0, x1), (y0, y1) = plane.x_range, plane.y_range
    with np.errstate(invalid="ignore"):
        px = (np.asarray(xs, dtype=np.float64) - x0) / (x1 - x0) * (dots.shape[1] - 1)
        py = (y1 - np.asarray(ys, dtype=np.float64)) / (y1 - y0) * (dots.shape[0] - 1)
    for a in range(len(px) - 1):
        ends = (px[a], py[a], px[a + 1], py[a + 1])
        if not all(math.isfinite(v) for v in ends):
            continue
        steps = int(max(abs(ends[2] - ends[0]), abs(ends[3] - ends[1]))) + 1
        cx = np.rint(np.linspace(ends[0], ends[2], steps + 1)).astype(np.int64)
        cy = np.rint(np.linspace(ends[1], ends[3], steps + 1)).astype(np.int64)
        keep = (cx >= 0) & (cx < dots.shape[1]) & (cy >= 0) & (cy < dots.shape[0])
        dots[cy[keep], cx[keep]] = True
    for r, c in zip(*np.nonzero(dots.reshape(plane.rows, 4, plane.cols, 2).any(axis=(1, 3)))):
        block = dots[4 * r:4 * r + 4, 2 * c:2 * c + 2]
        bits = sum(BRAILLE_BITS[i][j] for i in range(4) for j in range(2) if block[i, j])
        canvas.put(int(r), int(c), chr(BRAILLE_BASE + bits), style)


# ---------------------------------------------------------------- axes


def tick(value: float) -> str:
    """An axis end's number, short: 2.2, -0.75, 151, 2e+05."""
    text = f"{value:.0f}" if 99.5 <= abs(value) < 99_999.5 else f"{value:.2g}"
    return "0" if text == "-0" else text


def label_width(plane: Plane, y_name: str = "") -> int:
    return max(len(tick(plane.y_range[0])), len(tick(plane.y_range[1])), min(len(y_name), 4))


def framed(body: list[Text], plane: Plane, x_name: str, y_name: str, width: int,
           style: Style = BLANK, y_units: tuple[float, float] | None = None,
           x_units: tuple[float, float] | None = None) -> list[Text]:
    """The body with the y range and name down its left side and the x range and name under
    it, in `width` columns. `x_units`/`y_units` are the ends to print when they differ from the
    plane's (data shown in its own units while the plane is scaled)."""
    y_low, y_high = y_units or plane.y_range
    x_low, x_high = x_units or plane.x_range
    pad = max(len(tick(y_low)), len(tick(y_high)), min(len(y_name), 4))
    middle = len(body) // 2
    out = []
    for r, line in enumerate(body):
        if r == 0:
            left, edge = tick(y_high).rjust(pad), "┤"
        elif r == len(body) - 1:
            left, edge = tick(y_low).rjust(pad), "┤"
        elif r == middle:
            left, edge = y_name[:pad].rjust(pad), "│"
        else:
            left, edge = " " * pad, "│"
        row = Text(left + edge, style, no_wrap=True, overflow="crop", end="")
        row.append_text(line)
        out.append(row)
    inner = plane.cols
    low, high = tick(x_low), tick(x_high)
    name = x_name[:max(inner - len(low) - len(high) - 2, 0)]
    gap = inner - len(low) - len(high)
    axis = low + name.center(gap) + high if gap >= len(name) else low.ljust(inner)
    out.append(Text(" " * (pad + 1) + axis, style, no_wrap=True, overflow="crop", end=""))
    for row in out:
        row.truncate(width)
    return out
