"""Light on the wire: the app sends the terminal only the cells that changed, and a partial
update never leaves a stale cell behind (the screen rebuilt from every frame sent equals the
screen drawn whole)."""

from __future__ import annotations

import time

import numpy as np
from rich.text import Text
from textual.app import App, ComposeResult

from tests.app.wire import Wire
from tests.ui import ready, trained, training, wait_for
from tui.pace import LOG_SECONDS, VIEW_SECONDS
from tui.widgets.confusion import ConfusionMatrix
from tui.widgets.quiet_plot import QuietPlot
from tui.widgets.repaint import changed_spans
from tui.widgets.status_bar import Status, StatusBar


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
        matrix = app.query_one(ConfusionMatrix)
        counts = np.diag([9, 8, 7, 6]).astype(np.int64)
        matrix.update_matrix(counts, ["a", "b", "c", "d"])  # a new size: laid out
        await pilot.pause()
        matrix.update_matrix(counts, ["a", "b", "c", "d"])  # remembered as painted
        await pilot.pause()
        repaints, sent, cells = matrix.repaints, len(wire.sent), matrix.cells_repainted

        matrix.update_matrix(counts.copy(), ["a", "b", "c", "d"])  # the same counts
        await pilot.pause()
        assert matrix.repaints == repaints
        assert len(wire.sent) == sent  # no frame at all

        counts[2, 1] = 1
        matrix.update_matrix(counts, ["a", "b", "c", "d"])
        await pilot.pause()
        assert matrix.repaints == repaints + 1
        width = matrix.content_size.width
        assert 0 < matrix.cells_repainted - cells < width  # less than one row
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


async def test_while_the_views_clock_stands_still_training_redraws_neither_log_nor_charts(
        make_app):
    """Counts, not times: with the views' clock stopped, hundreds of epochs drained in many
    batches write no log line and redraw no chart; one LOG_SECONDS later, the held lines go to
    the log in one write and the charts are drawn once."""
    app = make_app(epochs=1_000_000)  # iris at full speed: thousands of epochs a second
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        now = [time.monotonic() + 1000]  # ahead of every draw so far, then standing still
        app.views.clock = lambda: now[0]
        calls = {"take": 0, "add": 0, "show": 0}

        def counted(name: str, method):
            def call(*args, **kwargs):
                calls[name] += 1
                return method(*args, **kwargs)
            return call

        app.views.take = counted("take", app.views.take)
        app.log_panel.add = counted("add", app.log_panel.add)
        app.charts.show = counted("show", app.charts.show)
        runner = await training(pilot)
        await wait_for(pilot, lambda: calls["add"] >= 1 and calls["show"] >= 1)
        before, epoch, lines = dict(calls), runner.epoch, len(app.log_panel.entries)
        await wait_for(pilot, lambda: runner.epoch > epoch + 300 and
                       calls["take"] > before["take"] + 5)
        assert calls["add"] == before["add"] and calls["show"] == before["show"]
        assert len(app.log_panel.entries) == lines
        now[0] += max(LOG_SECONDS["full speed"], VIEW_SECONDS["full speed"])
        await wait_for(pilot, lambda: calls["add"] > before["add"])
        await pilot.pause(0.3)
        assert calls["add"] == before["add"] + 1 and calls["show"] == before["show"] + 1
        assert len(app.log_panel.entries) > lines
        runner.stop(wait=True)


class StatusApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusBar()


async def test_the_next_epoch_sends_the_status_line_its_changed_digits_only():
    app = StatusApp()
    wire = Wire(app)
    async with app.run_test(size=(100, 3)) as pilot:
        bar = app.query_one(StatusBar)

        def at(epoch: int) -> Status:
            return Status("digits 64-100-10", "running", epoch, 60, "15 epochs/s", "test acc 0.9")

        for epoch in (40, 41):  # the first after mounting is drawn whole
            bar.show(at(epoch))
            await pilot.pause()
        cells, frames = bar.cells_repainted, len(wire.sent)
        bar.show(at(42))
        await pilot.pause()
        assert bar.cells_repainted - cells == 1  # "41" -> "42"
        assert len(wire.sent) == frames + 1
        assert wire.grid().cells == wire.whole().cells


async def test_a_chart_is_built_once_per_drawing_and_an_identical_one_sends_nothing(make_app):
    app = make_app(epochs=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        plot = app.charts.query_one("#loss-chart", QuietPlot)
        builds = [0]
        build = plot.plt.build

        def counted() -> str:
            builds[0] += 1
            return build()

        plot.plt.build = counted
        history = app.controller.history
        app.charts.show(history[:-1], [])  # one epoch fewer: the curve changes
        await pilot.pause(0.2)
        assert builds[0] == 1  # built by `repaint`, and the render that follows reuses it
        repaints = plot.repaints
        app.charts.show(history[:-1], [])
        await pilot.pause(0.2)
        assert builds[0] == 2 and plot.repaints == repaints  # the same picture: nothing sent
