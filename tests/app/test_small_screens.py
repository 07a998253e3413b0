"""Small screens: each panel shows its content whole or hides with a hint, below the minimum one
note says what size is needed, and no number is ever cut, at 70x20, 80x24 and 100x30 (and in
the pure render functions at every width)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.app.screen import inside, region_lines, screen_lines, widget_lines
from tests.ui import ready
from tui.render_confusion import confusion_lines, confusion_width
from tui.widgets.charts import cramped
from tui.widgets.status_bar import STATE_MARKS, Status, line_width, status_parts
from tui.widgets.workbench import VIEWS, Workbench, hidden_hint, size_note

DIGITS = tuple(str(i) for i in range(10))


def test_below_the_minimum_one_note_says_the_size_needed():
    note = size_note(50, 15)
    assert note is not None
    assert "nn-tui needs at least 60x18" in note and "this terminal is 50x15" in note
    assert size_note(60, 18) is None and size_note(59, 40) is not None


@pytest.mark.parametrize("width", range(10, 131, 3))
def test_the_status_line_drops_whole_parts_never_digits(width):
    status = Status("digits 64-100-10", "finished", 60, 120, "15 epochs/s", "test acc 0.974")
    parts = status_parts(status, width)
    texts = [part.text for part in parts]
    assert STATE_MARKS["finished"] in texts
    assert line_width(parts) <= width or len(parts) == 1
    whole = {"test acc 0.974", "epoch 60/120", "digits 64-100-10", "15 epochs/s", " nn-tui "}
    assert set(texts) - {STATE_MARKS["finished"]} <= whole
    if width >= 60:
        assert "test acc 0.974" in texts  # the score goes only after the rest


@pytest.mark.parametrize("width", range(12, 60, 2))
@pytest.mark.parametrize("height", [None, 8, 11, 12, 14])
def test_the_confusion_matrix_shows_whole_or_says_what_it_needs(width, height):
    rng = np.random.default_rng(width)
    matrix = rng.integers(0, 30, size=(10, 10))
    matrix[9, 9] = 274
    lines = [line.plain for line in confusion_lines(matrix, DIGITS, width, height=height)]
    assert all(len(line) <= width for line in lines)
    fits = width >= confusion_width(matrix, DIGITS) and (height is None or height >= 11)
    if not fits:
        assert "enlarge the terminal" in " ".join(lines)
        return
    rows = [line for line in lines if re.match(r"^\s*\d\s", line) and "n=" not in line]
    assert [[int(n) for n in row.split()[1:]] for row in rows] == matrix.tolist()
    title = [line for line in lines if "acc" in line]
    accuracy = f"{np.trace(matrix) / matrix.sum():.3f}"
    assert all(line.endswith(f"acc {accuracy}") for line in title)  # whole, or no title
    assert len(lines) <= (height or 99)


def test_the_bench_has_its_first_views_class_before_it_mounts():
    """The first view's class is there from the start: added only as the bench mounted, it
    restyled every widget in the bench again (a tenth of an app start's CPU)."""
    bench = Workbench()
    assert bench.has_class(f"-{VIEWS[0]}")
    assert not any(bench.has_class(f"-{view}") for view in VIEWS[1:])


def test_the_charts_hide_behind_a_hint_when_they_would_be_garbled():
    assert cramped(66, 3) and "enlarge the terminal" in cramped(66, 3)
    assert cramped(40, 12)  # two charts of 20 columns: the ticks would eat the curve
    assert cramped(66, 8) == "" and cramped(110, 12) == ""


def test_the_hidden_test_sample_has_a_hint_that_fits():
    for width in (30, 50, 68, 98):
        hint = hidden_hint("watch", {"-compact", "-short"}, width)
        assert hint and len(hint) <= width and "n" in hint.split(":")[0] + hint
    assert hidden_hint("design", {"-compact", "-short"}, 98) == ""
    assert hidden_hint("watch", {"-compact"}, 98) == ""


async def trained_digits(pilot, epochs: int = 3):
    """Trains in the thread without yielding to the UI, then shows the events once."""
    app = await ready(pilot)
    runner = app.controller.experiment.runner
    runner.start(epochs=epochs)
    runner.join()
    app.views.take(app.controller.drain())
    app.views.refresh()
    await pilot.pause()
    return app


def check_whole_numbers(app) -> None:
    """What a person reads on screen: the status line's score whole (or absent), the log's
    figures whole, the confusion matrix's counts those of the controller (or its hint)."""
    lines = screen_lines(app)
    scores = app.controller.evaluation
    status = lines[0]
    assert "acc" not in status or f"test acc {scores.accuracy:.3f} " in status + " ", status
    if app.workbench.shows(app.confusion) and app.confusion.display:
        drawn = inside(widget_lines(app.confusion))
        rows = [line for line in drawn if re.match(r"^\s*\d\s", line) and "n=" not in line]
        if rows:
            counts = [[int(n) for n in row.split()[1:]] for row in rows]
            assert counts == scores.confusion.tolist()
        else:
            assert "enlarge the terminal" in " ".join(drawn)
    for line in inside(widget_lines(app.log_panel)):
        if re.match(r"^ ?epoch ", line):
            for label, value in re.findall(r"(loss|acc|val_loss|val_acc) +(\S+)", line):
                decimals = 4 if label == "loss" else 3
                assert re.fullmatch(rf"\d+\.\d{{{decimals}}}", value), (label, value, line)


@pytest.mark.parametrize("size", [(70, 20), (80, 24), (100, 30)])
async def test_no_number_is_cut_at_small_sizes(make_app, size):
    app = make_app(dataset="digits", epochs=3)
    async with app.run_test(size=size) as pilot:
        await trained_digits(pilot)
        for view in ("design", "watch"):
            app.workbench.view = view
            await pilot.pause()
            check_whole_numbers(app)
            if app.workbench.shows(app.charts):
                drawn = region_lines(app, app.charts)
                plots = [line for line in drawn if "┤" in line]
                assert len(plots) >= 3 or "enlarge the terminal" in " ".join(drawn)


async def test_at_70x20_the_test_sample_hides_with_a_hint_and_n_shows_it_alone(make_app):
    app = make_app(dataset="digits", epochs=3)
    async with app.run_test(size=(70, 20)) as pilot:
        await trained_digits(pilot)
        app.workbench.view = "watch"
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "test sample hidden" in text and "n shows it alone" in text
        assert not app.viewer.region.area
        await pilot.press("n")
        assert app.screen.maximized is app.samples and app.samples.region.height >= 12
        assert "esc back" in widget_lines(app.key_bar)[0]
        await pilot.press("escape")
        assert app.screen.maximized is None and app.workbench.view == "watch"


async def test_below_the_minimum_a_note_and_the_app_comes_back(make_app):
    app = make_app()
    async with app.run_test(size=(50, 15)) as pilot:
        await ready(pilot)
        text = "\n".join(screen_lines(app))
        assert "nn-tui needs at least 60x18;" in text and "this terminal is 50x15" in text
        assert not app.editor.region.area
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "needs at least" not in text
        assert app.editor.region.height > 10 and app.log_panel.region.height > 3
