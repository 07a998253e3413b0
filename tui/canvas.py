"""`DrawCanvas`: a copy of one image to draw on, and the cursor and brush that edit it.

Kept apart from the viewer so the editing rules (paint steps on like typing, on to the next row;
the arrows stop at the edges; a stroke inks the brush's square at every pixel it passes) can be
tested without an app, and so the dataset's own array is never the one being changed. The brush
is 1 pixel for small images (8x8 digits) and 2 for big ones (28x28), so a digit takes a few
strokes; `b` cycles it through BRUSHES.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

INK_LEVELS = 9  # keys 0-9 paint 0/9 .. 9/9
BRUSHES = (1, 2, 3)  # the brush's side in pixels
BIG_IMAGE = 16  # images with a side above this start with a 2-pixel brush


def default_brush(shape: Sequence[int]) -> int:
    return 2 if max(shape) > BIG_IMAGE else 1


class DrawCanvas:
    """An (h, w) float64 copy of an image with a cursor; every edit stays in the copy."""

    def __init__(self, pixels: np.ndarray, shape: Sequence[int]) -> None:
        self._image = np.array(pixels, dtype=np.float64).reshape(shape)
        self.cursor: tuple[int, int] = (0, 0)
        self.brush = default_brush(self._image.shape)

    @property
    def shape(self) -> tuple[int, int]:
        return self._image.shape

    @property
    def pixels(self) -> np.ndarray:
        """The drawing, flat (a view: copy it before handing it out)."""
        return self._image.ravel()

    def move(self, rows: int, columns: int) -> None:
        """Moves the cursor, stopping at the edges: `j` on the last row stays there, since a
        jump to the top row would ink a pixel far from the one meant."""
        height, width = self.shape
        self.cursor = (min(max(self.cursor[0] + rows, 0), height - 1),
                       min(max(self.cursor[1] + columns, 0), width - 1))

    def _under_brush(self) -> tuple[slice, slice]:
        """The brush's square at the cursor (the cursor its centre, or its top-left of the
        middle four for an even side), clipped at the edges."""
        low, high = (self.brush - 1) // 2, self.brush // 2
        r, c = self.cursor
        return slice(max(r - low, 0), r + high + 1), slice(max(c - low, 0), c + high + 1)

    def cycle_brush(self) -> None:
        self.brush = BRUSHES[(BRUSHES.index(self.brush) + 1) % len(BRUSHES)] \
            if self.brush in BRUSHES else BRUSHES[0]

    def stroke(self, rows: int, columns: int) -> None:
        """Full ink under the brush, then a move, then ink again: a line as the cursor goes."""
        self._image[self._under_brush()] = 1.0
        self.move(rows, columns)
        self._image[self._under_brush()] = 1.0

    def paint(self, level: int) -> None:
        """Inks level/9 under the brush, then steps right (and on to the next row), like
        typing."""
        self._image[self._under_brush()] = level / INK_LEVELS
        height, width = self.shape
        flat = (self.cursor[0] * width + self.cursor[1] + 1) % (height * width)
        self.cursor = divmod(flat, width)

    def toggle(self) -> None:
        """Blank under the cursor: full ink under the brush; any ink: blank under the brush."""
        self._image[self._under_brush()] = 0.0 if self._image[self.cursor] > 0 else 1.0

    def clear(self) -> None:
        self._image[...] = 0.0

    def invert(self) -> None:
        np.subtract(1.0, self._image, out=self._image)
