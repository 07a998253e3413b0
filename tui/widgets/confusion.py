"""`ConfusionMatrix`: test-split counts, true class by row, predicted class by column.

The app hands it a finished matrix (the engine computes it); this widget only draws, so it costs
nothing between updates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from rich.console import RenderableType
from rich.text import Text

from tui.render_confusion import ConfusionStyles, confusion_lines, confusion_width
from tui.widgets.repaint import Repaint

EMPTY_MESSAGE = "no confusion matrix yet"
REGRESSION_MESSAGE = "no confusion matrix for regression"
FALLBACK_WIDTH = 38  # before the first layout


class ConfusionMatrix(Repaint):
    DEFAULT_CSS = """
    ConfusionMatrix { height: auto; padding: 0; }
    ConfusionMatrix > .confusion-matrix--correct { color: $success; text-style: bold; }
    ConfusionMatrix > .confusion-matrix--error { color: $error; }
    ConfusionMatrix > .confusion-matrix--zero { color: $text-muted; }
    ConfusionMatrix > .confusion-matrix--header { color: $text-muted; text-style: bold; }
    ConfusionMatrix > .confusion-matrix--message { color: $text-muted; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "confusion-matrix--correct", "confusion-matrix--error", "confusion-matrix--zero",
        "confusion-matrix--header", "confusion-matrix--message",
    }

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._matrix: np.ndarray | None = None
        self._class_names: tuple[str, ...] = ()
        self._split = "test"
        self._message = EMPTY_MESSAGE

    @property
    def matrix(self) -> np.ndarray | None:
        return self._matrix

    def update_matrix(self, matrix: np.ndarray, class_names: Sequence[str],
                      split: str = "test") -> None:
        """`matrix` (k, k) counts; a private copy is kept, so the caller may reuse its array.

        The height (k + 2 lines, or one for a message) changes only with the number of classes,
        so the layout pass runs only then: this is called up to ~10 times a second in training,
        and only the counts that changed are sent to the terminal (`Repaint`)."""
        resized = self._matrix is None or self._matrix.shape != np.shape(matrix)
        self._matrix = np.array(matrix, dtype=np.int64)
        self._class_names = tuple(class_names)
        self._split = split
        if resized:
            self.refresh(layout=True)
        else:
            self.repaint()

    def clear(self, message: str = EMPTY_MESSAGE) -> None:
        """Shows `message` instead of a matrix (e.g. REGRESSION_MESSAGE)."""
        self._matrix = None
        self._message = message
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        if self._matrix is None:
            # A column of margin on every line of the message (the regression note has two).
            return Text("\n".join(f" {line}" for line in self._message.splitlines()),
                        self.get_component_rich_style("confusion-matrix--message"))
        width = self.content_size.width or FALLBACK_WIDTH
        # In the workbench the panel's height is set and the matrix must fit it; with an auto
        # height (a bare widget) the matrix sets the height, so nothing limits it.
        auto = self.styles.height is None or self.styles.height.is_auto
        height = None if auto else self.content_size.height or None
        styles = ConfusionStyles(**{
            field: self.get_component_rich_style(f"confusion-matrix--{field}")
            for field in ("correct", "error", "zero", "header")
        })
        # A column of margin on the left when the matrix has room for it (no CSS padding:
        # at 70 columns ten classes fit only without it).
        margin = 1 if width > confusion_width(self._matrix, self._class_names) else 0
        lines = confusion_lines(self._matrix, self._class_names, width - margin, self._split,
                                styles, height)
        return Text("\n", no_wrap=True).join(Text(" " * margin) + line for line in lines)
