"""DrawCanvas, SampleBrowser and the viewer's wording without an app; ConfusionMatrix's layout."""

from __future__ import annotations

import numpy as np
import pytest
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult

from engine import LayerSpec, ModelSpec, Network, load_dataset
from tui.canvas import DrawCanvas
from tui.sample_browser import NO_PREDICTIONS, SampleBrowser
from tui.sample_text import header, regression_lines, side_by_side
from tui.widgets.confusion import ConfusionMatrix


def plain(_name: str) -> Style:
    return Style()



def browser_for(dataset, network=None, seed: int = 0) -> SampleBrowser:
    browser = SampleBrowser(np.random.default_rng(seed))
    browser.set_dataset(dataset)
    if network is not None:  # the runner's scores: every test sample's outputs
        browser.set_predictions(network.predict_proba(dataset.X_test), network)
    browser.predict()
    return browser


def test_canvas_copies_and_paints_like_typing() -> None:
    source = np.zeros(6)
    canvas = DrawCanvas(source, (2, 3))
    for level in (9, 9, 9, 3):
        canvas.paint(level)
    assert canvas.cursor == (1, 1)
    assert canvas.pixels.tolist() == pytest.approx([1, 1, 1, 3 / 9, 0, 0])
    assert not source.any()


def test_canvas_cursor_stops_at_the_edges_and_edits() -> None:
    canvas = DrawCanvas(np.zeros(4), (2, 2))
    canvas.move(-1, -1)
    assert canvas.cursor == (0, 0)
    for rows, columns in ((1, 0), (0, 1), (1, 0), (0, 1), (5, 5)):
        canvas.move(rows, columns)
    assert canvas.cursor == (1, 1)
    canvas.toggle()
    assert canvas.pixels[3] == 1.0
    canvas.toggle()
    assert canvas.pixels[3] == 0.0
    canvas.paint(9)  # the last cell steps on to the first
    assert canvas.cursor == (0, 0)
    canvas.invert()
    assert canvas.pixels.tolist() == [1.0, 1.0, 1.0, 0.0]
    canvas.clear()
    assert not canvas.pixels.any()


def test_browser_without_network_explains(digits) -> None:
    browser = browser_for(digits)
    assert browser.outputs is None and browser.predicted is None
    assert browser.fit_problem() == NO_PREDICTIONS
    expected = f"sample 1/{len(digits.X_test)}  true {digits.class_names[digits.y_test[0]]}"
    assert header(browser, 60, plain).plain == expected


def test_browser_go_wraps_and_drawing_is_a_copy(digits, network) -> None:
    browser = browser_for(digits, network)
    browser.go(-1)
    assert browser.index == len(digits.X_test) - 1
    browser.start_drawing()
    browser.canvas.clear()
    browser.predict()
    assert not browser.shown_input().any()
    assert browser.true_label() is None
    assert header(browser, 60, plain).plain.startswith("drawing, brush 1 — predicted ")
    browser.stop_drawing()
    assert np.array_equal(browser.shown_input(), digits.X_test[-1])
    assert browser.true_label() == digits.y_test[-1]


def test_browser_next_misclassified_wraps(digits, network) -> None:
    browser = browser_for(digits, network)
    wrong = np.flatnonzero(network.predict(digits.X_test) != digits.y_test)
    assert browser.misclassified_problem() is None
    browser.go(int(wrong[-1]))
    assert browser.next_misclassified() == wrong[0]


def test_header_shortens_to_fit(digits, network) -> None:
    browser = browser_for(digits, network)
    full = header(browser, 80, plain).plain
    assert full.startswith("sample 1/")
    assert full.endswith(("✓ correct", "✗ wrong"))
    short = header(browser, 28, plain).plain
    assert len(short) <= 28 and " pred " in short


def test_regression_lines_and_iris_units() -> None:
    sine = load_dataset("sine")
    net = Network.from_spec(ModelSpec((LayerSpec(1, "linear"),), "mse"), 1, seed=0).snapshot()
    browser = browser_for(sine, net)
    assert browser.predicted is None
    lines = [line.plain for line in regression_lines(browser, plain)]
    assert [line.split()[0] for line in lines] == ["predicted", "true", "error"]
    assert browser.misclassified_problem() == \
        "misclassified samples need a classification dataset"
    iris = load_dataset("iris")
    units = browser_for(iris).original_units()
    assert units.min() > 0  # centimetres, not standard deviations


def test_side_by_side_pads_the_left_column() -> None:
    lines = side_by_side([Text("ab")], 3, [Text("x"), Text("y")], 2)
    assert [line.plain for line in lines] == ["ab   x", "     y"]


class _MatrixHarness(App):
    def compose(self) -> ComposeResult:
        yield ConfusionMatrix()


async def test_confusion_lays_out_only_when_the_class_count_changes(monkeypatch) -> None:
    app = _MatrixHarness()
    async with app.run_test(size=(40, 16)):
        widget = app.query_one(ConfusionMatrix)
        layouts: list[bool] = []
        original = widget.refresh

        def spy(*args: object, layout: bool = False, **kwargs: object):
            layouts.append(layout)
            return original(*args, layout=layout, **kwargs)

        monkeypatch.setattr(widget, "refresh", spy)
        widget.update_matrix(np.eye(3, dtype=int), "abc")
        widget.update_matrix(2 * np.eye(3, dtype=int), "abc")
        widget.update_matrix(np.eye(2, dtype=int), "ab")
        widget.clear()
        widget.update_matrix(np.eye(2, dtype=int), "ab")
        assert layouts == [True, False, True, True, True]
