"""The runs screen (e) through the keys: the table read from the store, sorted, filtered by
dataset; runs selected with space overlaid on the charts with a legend (the live run among
them); a run's design opened into the editor (o); a run deleted after a yes (d)."""

from __future__ import annotations

import re

from textual.widgets import DataTable
from textual_plotext import PlotextPlot

from engine import RunStore
from tests.app.screen import widget_lines
from tests.ui import fill_runs, open_runs, ready, trained, wait_for
from tui.controller.compare import Described, labels
from tui.screens.runs import RunsScreen


def table_ids(app) -> list[int]:
    table = app.screen.query_one(DataTable)
    return [int(table.get_row_at(i)[0].plain.split()[-1]) for i in range(table.row_count)]


async def test_the_table_lists_sorts_and_filters_the_runs(make_app, runs_store):
    ids = fill_runs(runs_store)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = await open_runs(pilot)
        assert table_ids(app) == ids[::-1]  # newest first
        title = str(screen.title_line.render())
        assert "5 of 5" in title and "0 selected" in title
        for _ in range(3):  # date, dataset, optimizer (descending)
            await pilot.press("s")
        assert [screen.rows_by_id[i].optimizer for i in table_ids(app)] == \
            ["sgd", "rmsprop", "adam", "adam", "adam"]
        await pilot.press("S")  # turned round
        assert screen.rows_by_id[table_ids(app)[0]].optimizer == "adam"
        await pilot.press("f")  # the first dataset: iris
        assert sorted(table_ids(app)) == ids[:4]
        await pilot.press("f")  # wine
        assert table_ids(app) == [ids[4]]
        await pilot.press("f")  # every dataset again
        assert len(table_ids(app)) == 5


async def test_selected_runs_are_overlaid_with_a_legend_outside_the_plots(make_app,
                                                                           runs_store):
    ids = fill_runs(runs_store)
    app = make_app(epochs=4)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await open_runs(pilot)
        await pilot.press("f")  # iris only; the cursor on the newest: the live run's own row
        for _ in range(4):  # it and the three newest stored runs
            await pilot.press("space", "down")
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.controller.comparison.selected) == 4)
        await pilot.pause()
        curves = app.controller.curves()
        assert [c.live for c in curves] == [True, False, False, False]  # live: drawn once
        assert [c.key for c in curves[1:]] == sorted(ids[1:4])
        assert all(len(c.epochs) > 0 for c in curves)
        subtitle = str(app.charts.border_subtitle) or \
            str(app.charts.query_one("#charts-legend").render())
        for curve in curves:
            assert curve.label in subtitle
        assert "live run" in subtitle
        for chart in app.charts.query(PlotextPlot):
            lines = widget_lines(chart)
            frame = [i for i, line in enumerate(lines) if "┌" in line or "└" in line]
            inside = "\n".join(lines[frame[0]:frame[-1] + 1])
            assert not re.search(r"lr|sgd|adam|live", inside), inside  # nothing over curves
            assert "val" in lines[0]  # the comparison shows the validation figures
        # Each run has its own marker on the plots, as the legend shows it.
        plotted = "\n".join("\n".join(widget_lines(c)) for c in app.charts.query(PlotextPlot))
        for glyph in ("•", "×", "+"):
            assert glyph in plotted
        # Unselecting them all gives the charts of the live run back.
        await open_runs(pilot)
        await pilot.press("c", "escape")
        await wait_for(pilot, lambda: not app.controller.comparison.selected)
        assert app.controller.curves() == []


def test_labels_name_what_differs_and_ids_only_when_needed():
    def run(optimizer="adam", lr=0.01, batch=32, seed=0):
        return Described("iris", "4-100relu-3softmax", optimizer, lr, batch, seed)

    assert labels([run(lr=0.1), run(lr=0.01), run(lr=0.001)], [1, 2, 3]) == \
        ["lr 0.1", "lr 0.01", "lr 0.001"]
    assert labels([run("sgd"), run("adam", batch=8)], [1, 2]) == \
        ["sgd batch 32", "adam batch 8"]
    assert labels([run(), run()], [4, 7]) == ["#4", "#7"]
    assert labels([run(lr=0.1), run(lr=0.1), run(lr=1.0)], [1, 2, 3]) == \
        ["#1 lr 0.1", "#2 lr 0.1", "lr 1"]


async def test_a_run_is_deleted_after_a_yes_only(make_app, runs_store):
    ids = fill_runs(runs_store)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        screen = await open_runs(pilot)
        await pilot.press("d", "n")  # no: nothing happens
        await pilot.pause()
        assert len(RunStore(runs_store).runs()) == 5
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: screen.rows is not None and len(screen.rows) == 4)
        assert [row.id for row in RunStore(runs_store).runs()] == ids[:4][::-1]
        assert table_ids(app) == ids[:4][::-1]


async def test_a_runs_design_opens_in_the_editor(make_app, runs_store):
    ids = fill_runs(runs_store)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await open_runs(pilot)
        while table_ids(app)[app.screen.table.cursor_row] != ids[2]:  # the sgd run
            await pilot.press("down")
        await pilot.press("o")
        await wait_for(pilot, lambda: app.controller.design.config.optimizer == "sgd")
        config = app.controller.design.config
        assert (config.lr, config.batch_size, config.epochs) == (0.01, 16, 4)
        assert app.controller.experiment.config.optimizer == "sgd"
        assert not isinstance(app.screen, RunsScreen)
