"""Light on the wire: the app sends the terminal only the cells that changed, and a partial
update never leaves a stale cell behind (the screen rebuilt from every frame sent equals the
screen drawn whole)."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import App, ComposeResult

from tests.app.wire import Wire
from tests.ui import ready, trained
from tui.widgets.confusion import ConfusionMatrix
from tui.widgets.repaint import changed_spans


def lines(*rows: str | Text) -> list[Text]:
    return [row if isinstance(row, Text) else Text(row) for row in rows]


def test_equal_lines_change_nothing():
    assert changed_spans(lines("abc", "def"), lines("abc", "def")) == []


def test_a_changed_line_is_spanned_from_its_first_to_its_last_changed_cell():
    assert changed_spans(lines("abc", "defgh"), lines("abc", "dXfgY")) == [(1, 1, 5)]
    assert changed_spans(lines("abcdef"), lines("abXdef")) == [(0, 2, 3)]


def test_a_colour_alone_counts_as_a_change():
    red = Text("abcd")
    red.stylize("red", 1, 2)
    assert changed_spans(lines("abcd"), [red]) == [(0, 1, 2)]


def test_rows_added_or_removed_change_whole():
    assert changed_spans(lines("ab"), lines("ab", "cde")) == [(1, 0, 3)]
    assert changed_spans(lines("ab", "cde"), lines("ab")) == [(1, 0, 3)]
    assert changed_spans(lines("ab"), lines("abcd")) == [(0, 2, 4)]


class MatrixApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ConfusionMatrix()


async def test_an_unchanged_matrix_sends_nothing_and_one_count_sends_a_few_cells():
    app = MatrixApp()
    wire = Wire(app)
    async with app.run_test(size=(60, 16)) as pilot:
        matrix_widget = app.query_one(ConfusionMatrix)
        counts = np.diag([9, 8, 7, 6]).astype(np.int64)
        matrix_widget.update_matrix(counts, ["a", "b", "c", "d"])  # a new size: laid out
        await pilot.pause()
        matrix_widget.update_matrix(counts, ["a", "b", "c", "d"])  # remembered as painted
        await pilot.pause()
        repaints, sent, cells = matrix_widget.repaints, len(wire.sent), matrix_widget.cells_repainted

        matrix_widget.update_matrix(counts.copy(), ["a", "b", "c", "d"])  # the same counts
        await pilot.pause()
        assert matrix_widget.repaints == repaints
        assert len(wire.sent) == sent  # no frame at all

        counts[2, 1] = 1
        matrix_widget.update_matrix(counts, ["a", "b", "c", "d"])
        await pilot.pause()
        assert matrix_widget.repaints == repaints + 1
        width = matrix_widget.content_size.width
        assert 0 < matrix_widget.cells_repainted - cells < width  # less than one row
        assert wire.grid().cells == wire.whole().cells


async def test_the_terminal_shows_the_screen_exactly_after_a_run_of_partial_updates(make_app):
    app = make_app(dataset="digits", epochs=30, pace=60)
    wire = Wire(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await pilot.pause(0.3)
        sent = wire.grid()
        whole = wire.whole()
        assert sent.lines == whole.lines
        assert sent.cells == whole.cells  # colours too
        assert app.confusion.repaints > 1 and app.viewer.repaints > 1
