"""`DrawCanvas`: a copy of one image to draw on, and the cursor that edits it.

Kept apart from the viewer so the editing rules (paint steps on like typing, on to the next row;
the arrows stop at the edges) can be tested without an app, and so the dataset's own array is
never the one being changed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

INK_LEVELS = 9  # keys 0-9 paint 0/9 .. 9/9


class DrawCanvas:
    """An (h, w) float64 copy of an image with a cursor; every edit stays in the copy."""

    def __init__(self, pixels: np.ndarray, shape: Sequence[int]) -> None:
        self._image = np.array(pixels, dtype=np.float64).reshape(shape)
        self.cursor: tuple[int, int] = (0, 0)

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

    def paint(self, level: int) -> None:
        """Inks level/9 under the cursor, then steps right (and on to the next row), like typing."""
        self._image[self.cursor] = level / INK_LEVELS
        height, width = self.shape
        flat = (self.cursor[0] * width + self.cursor[1] + 1) % (height * width)
        self.cursor = divmod(flat, width)

    def toggle(self) -> None:
        """Blank becomes full ink; any ink becomes blank."""
        self._image[self.cursor] = 0.0 if self._image[self.cursor] > 0 else 1.0

    def clear(self) -> None:
        self._image[...] = 0.0

    def invert(self) -> None:
        np.subtract(1.0, self._image, out=self._image)
