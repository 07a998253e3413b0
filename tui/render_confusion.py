"""The confusion matrix as text: a title with the accuracy, a header of predicted names, one row
per true class, shown whole or not at all (the lines then say how much room it needs). No
Textual here; intensity never rests on colour alone (the correct diagonal is bold, errors
underlined, zeros dim), and the styles come from the widget's CSS.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.style import StyleType
from rich.text import Text

from tui.render import MAX_NAME_WIDTH, truncate_name


@dataclass(frozen=True)
class ConfusionStyles:
    correct: StyleType = "bold"
    error: StyleType = "underline"
    zero: StyleType = "dim"
    header: StyleType = "bold"


PLAIN_CONFUSION_STYLES = ConfusionStyles()
MIN_CELL_WIDTH = 3  # two digits and a space: fits ten classes in 38 columns
CORNER = "t\\p"  # rows are the true class, columns the predicted one


def confusion_title(matrix: np.ndarray, split: str = "test", width: int = 200) -> str:
    """`confusion (test, n=270) acc 0.974`, or as much of it as fits in `width` without
    cutting a number: `test n=270 acc 0.974`, `acc 0.974`, or nothing."""
    n = int(matrix.sum())
    accuracy = f"{np.trace(matrix) / n:.3f}" if n else "n/a"
    variants = (f"confusion ({split}, n={n}) acc {accuracy}", f"{split} n={n} acc {accuracy}",
                f"acc {accuracy}")
    return next((text for text in variants if len(text) <= width), "")


def _cells(matrix: np.ndarray, class_names: Sequence[str]) -> tuple[int, int]:
    """(the row labels' width, the narrowest cell that shows every count and a space)."""
    label_width = min(max([len(CORNER), *(len(n) for n in class_names)]), MAX_NAME_WIDTH)
    count_width = len(str(int(matrix.max()))) if matrix.size else 1
    return label_width, max(count_width, MIN_CELL_WIDTH - 1) + 1


def confusion_width(matrix: np.ndarray, class_names: Sequence[str]) -> int:
    """The fewest columns that show the whole matrix (every count whole)."""
    label_width, cell = _cells(np.asarray(matrix), class_names)
    return label_width + len(matrix) * cell


def confusion_lines(matrix: np.ndarray, class_names: Sequence[str], width: int,
                    split: str = "test",
                    styles: ConfusionStyles = PLAIN_CONFUSION_STYLES,
                    height: int | None = None) -> list[Text]:
    """A title, a header of predicted names, then one row per true class. Cells widen to
    the largest count (and to the names when there is room); names are truncated to fit.
    The matrix shows whole or not at all: when `width` (or `height`, rows) is too small for
    every count, the lines say what it needs instead; the title goes first when rows lack."""
    matrix = np.asarray(matrix)
    k = len(matrix)
    label_width, narrowest = _cells(matrix, class_names)
    # Long names (Fashion-MNIST's "T-shirt/top") are cut to the room the counts leave them.
    label_width = max(len(CORNER), min(label_width, width - k * narrowest))
    need = label_width + k * narrowest
    if width < need or (height is not None and height < k + 1):
        rows = f" and {k + 1} rows" if height is not None and height < k + 1 else ""
        text = f"the {k}x{k} matrix needs {need} columns{rows} here: enlarge the terminal"
        return [Text(line, styles.header) for line in textwrap.wrap(text, max(width, 10))]
    room = (width - label_width) // max(k, 1) - 1
    names_width = max((len(n) for n in class_names), default=1)
    cell = max(narrowest, min(names_width, room) + 1)
    lines = []
    if height is None or height >= k + 2:
        lines.append(Text(confusion_title(matrix, split, width), no_wrap=True))
    header = Text(CORNER.ljust(label_width), styles.header, no_wrap=True)
    for name in class_names:
        header.append(truncate_name(name, cell - 1).rjust(cell), styles.header)
    lines.append(header)
    for t in range(k):
        row = Text(truncate_name(class_names[t], label_width).rjust(label_width), styles.header,
                   no_wrap=True)
        for p in range(k):
            count = int(matrix[t, p])
            style = styles.correct if t == p else (styles.error if count else styles.zero)
            row.append(str(count).rjust(cell), style)
        lines.append(row)
    for line in lines:
        line.truncate(width)
    return lines
