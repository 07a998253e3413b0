"""The digit viewer's words: the header that fits, the regression lines, two columns side by side.

Pure functions of a `SampleBrowser` and a style lookup (component class name → `Style`), so the
wording is decided here and the widget only supplies its width and its CSS.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rich.style import Style
from rich.text import Text

from tui.numbers import format_number
from tui.render import format_percent
from tui.sample_browser import NO_PREDICTIONS, SampleBrowser

StyleOf = Callable[[str], Style]
VERDICT_MARKS = {True: "✓ correct", False: "✗ wrong"}
# Header wordings, longest first: (prefix, word for the prediction, whole verdict or its mark).
HEADER_FORMS = (("sample ", "predicted", True), ("", "predicted", True), ("", "pred", False))


def header(browser: SampleBrowser, width: int, style: StyleOf) -> Text:
    """The most informative wording that fits `width`."""
    for text in header_candidates(browser, style):
        if text.cell_len <= width:
            return text
    text.truncate(width, overflow="ellipsis")
    return text


def header_candidates(browser: SampleBrowser, style: StyleOf) -> list[Text]:
    bold, predicted = style("header"), browser.predicted
    ds = browser.dataset
    names = ds.class_names
    if browser.canvas is not None:
        brush = f", brush {browser.canvas.brush}"
        if predicted is None:
            said = NO_PREDICTIONS
        else:
            said = f"predicted {names[predicted]} ({format_percent(browser.outputs[predicted])})"
        return [Text(f"drawing{brush} — {said}", bold), Text(f"drawing — {said}", bold)]
    position = f"{browser.index + 1}/{browser.count}"
    if not ds.is_classification:
        return [Text(f"sample {position}", bold)]
    true = browser.true_label()
    candidates = []
    for prefix, predicted_word, mark in HEADER_FORMS:
        text = Text(f"{prefix}{position}  true {names[true]}", bold)
        if predicted is not None:
            correct = predicted == true
            text.append(f"  {predicted_word} {names[predicted]}  ")
            shown = VERDICT_MARKS[correct] if mark else VERDICT_MARKS[correct][0]
            text.append(shown, style("correct" if correct else "wrong"))
        candidates.append(text)
    return candidates


def regression_lines(browser: SampleBrowser, style: StyleOf) -> list[Text]:
    """Predicted, true and error, in the targets' own units."""
    ds = browser.dataset
    predicted = ds.unscale_targets(browser.outputs).ravel()
    true = ds.unscale_targets(ds.y_test[browser.index]).ravel()
    muted = style("muted")
    return [Text("predicted ", muted) + Text(_numbers(predicted), style("header")),
            Text("true      ", muted) + Text(_numbers(true)),
            Text("error     ", muted) + Text(_numbers(predicted - true, signed=True))]


def side_by_side(left: list[Text], left_width: int, right: list[Text], gap: int) -> list[Text]:
    """`right` starts `gap` columns after `left_width` on every line."""
    lines = []
    for i in range(max(len(left), len(right))):
        line = left[i].copy() if i < len(left) else Text()
        if i < len(right):  # a left line with nothing beside it is kept whole
            line.align("left", left_width + gap)
            line.append_text(right[i])
        lines.append(line)
    return lines


def _numbers(values: np.ndarray, signed: bool = False) -> str:
    return ", ".join(("+" if signed and v > 0 else "") + format_number(float(v)) for v in values)
