"""What a new user tripped over in runs, races and quitting: the charts keep only the runs of
the dataset being trained; the quit question says what is lost and what is kept; a race says
so on the status line from the moment it is asked for and a stop during its start-up leaves no
0-epoch runs; race curves have distinct names and markers."""

from __future__ import annotations

import time

import numpy as np
import pytest
from textual_plotext import PlotextPlot

import engine.runs.race as race_module
from engine import EpochEnd, RunStore, TrainConfig, Variation
from tests.app.screen import screen_lines, widget_lines
from tests.app.test_compare import FakeRace, design
from tests.ui import fill_runs, open_runs, ready, wait_for
from tui.controller import Controller
from tui.controller.compare import Comparison, Curve, Described, labels
from tui.controller.racing import Racing
from tui.screens.confirm import ConfirmScreen
from tui.screens.race import RaceDialog
from tui.screens.runs import COLUMNS
from tui.sessions import Preset
from tui.widgets.charts import stamps


def legend_text(app) -> str:
    return str(app.charts.border_subtitle) + str(app.charts.query_one("#charts-legend").render())


async def test_a_dataset_switch_takes_the_other_datasets_runs_off_the_charts(make_app,
                                                                            runs_store):
    ids = fill_runs(runs_store)  # four runs on iris, one on wine
    app = make_app()  # iris
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await open_runs(pilot)
        await pilot.press("f")  # iris only
        await pilot.press("space", "down", "space", "escape")
        await wait_for(pilot, lambda: len(app.controller.comparison.selected) == 2)
        await pilot.pause()
        assert "lr" in legend_text(app)  # two iris runs on the charts
        app.editor.query_one("#dataset").focus()
        await pilot.press("right")  # wine
        await wait_for(pilot, lambda: app.controller.experiment.dataset.name == "wine")
        await pilot.pause()
        assert app.controller.comparison.selected == {}
        assert app.controller.curves() == []
        assert "train" in legend_text(app) and "lr" not in legend_text(app)  # the usual one
        screen = await open_runs(pilot)  # the runs screen still lists every run
        assert sorted(row.id for row in screen.rows) == sorted(ids)
        assert screen.selected == []


def test_a_finished_races_curves_leave_with_their_dataset():
    comparison = Comparison()
    racing = Racing(comparison)
    variations = [Variation(name, TrainConfig(optimizer=name)) for name in ("sgd", "adam")]
    racing.adopt(FakeRace(variations, [3, 4]), design())  # a race on "and"
    for key in (3, 4):
        comparison.race_epoch(key, EpochEnd(1, 1.0, 1.0, 0.1, 0.01, 1.0, train_acc=0.5,
                                            val_acc=0.5))
    comparison.keep_dataset("and")
    assert list(comparison.raced) == [3, 4]  # the same dataset: kept
    comparison.keep_dataset("xor")
    assert comparison.raced == {} and comparison.curves([], None, None) == []


async def test_quitting_while_training_says_what_is_kept_and_keeps_it(make_app, runs_store):
    app = make_app(epochs=100_000, pace=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        runner = app.controller.experiment.runner
        await pilot.press("t")
        await wait_for(pilot, lambda: runner.epoch >= 3)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one(".dialog-text").render())
        assert question.startswith("Training is running (epoch ")
        assert "The run stays in the run store, stopped, with its epochs." in question
        assert "The network is not saved (n, then ctrl+s saves it)." in question
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0
    [row] = RunStore(runs_store).runs()
    assert row.status == "stopped" and row.epochs_done == runner.epoch >= 3
    assert [e.epoch for e in RunStore(runs_store).epochs(row.id)] == \
        list(range(1, runner.epoch + 1))


SPAWN_TIMEOUT = 120.0


def status_line(app) -> str:
    return app.status_bar.render().plain


async def test_a_race_stopped_while_it_starts_says_so_and_keeps_no_run(make_app, runs_store,
                                                                       monkeypatch):
    # The workers fork from a server that is up already (another race of this process): the
    # race has started within milliseconds. A slow start, as a loaded machine's first race has
    # while its server imports the engine, so that x lands while it starts.
    start_workers_early = race_module.start_workers_early

    def slow_start(*args: object) -> None:
        time.sleep(1.0)
        start_workers_early(*args)

    monkeypatch.setattr(race_module, "start_workers_early", slow_start)
    app = make_app(dataset="and", epochs=100_000, pace=20.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceDialog))
        await pilot.press("enter")  # the optimizers: four workers
        assert "race: starting 4 workers…" in status_line(app)
        await pilot.press("b")  # no second race while one starts
        assert not isinstance(app.screen, RaceDialog)
        await pilot.press("x")  # not lost: the race is stopping
        assert "race: stopping…" in status_line(app)
        await pilot.press("x")  # said, not silent
        assert any("already stopping" in str(n.message) for n in app._notifications)
        await wait_for(pilot, lambda: not app.controller.racing.busy, SPAWN_TIMEOUT)
        await pilot.pause(0.3)
        assert "race" not in status_line(app)
        race = app.controller.racing.race
        if race is not None:  # the workers had started: each stopped before an epoch
            for process in race._processes:
                process.join(SPAWN_TIMEOUT)
            assert race.discarded == {0, 1, 2, 3}
        assert RunStore(runs_store).runs() == []  # no 0-epoch rows left behind
        notes = "\n".join(app.log_panel.lines_text)
        assert "no run recorded" in notes or "not kept in the run store" in notes


def test_a_race_is_under_way_from_the_moment_it_is_asked_for(tmp_path):
    """Between `b` and the processes being up, a second race cannot start and `x` applies:
    it cancels the race before any process or run is made."""
    controller = Controller(Preset(dataset="and", seed=0), tmp_path,
                            runs_path=tmp_path / "runs.sqlite")
    controller.adopt(controller.first_build()())
    assert controller.can("race") and not controller.can("stop")
    start = controller.racing.build("optimizers", controller.experiment, controller.design,
                                    controller.runs.store, None)
    assert controller.racing.status == "race: starting 4 workers…"
    assert not controller.can("race") and controller.can("stop")
    controller.stop()
    assert controller.racing.status == "race: stopping…"
    assert start() is None  # the worker finds it cancelled: nothing spawned, nothing recorded
    controller.racing.unstarted()
    assert controller.racing.status == "" and controller.can("race")
    controller.shutdown()
    assert not (tmp_path / "runs.sqlite").exists() or \
        RunStore(tmp_path / "runs.sqlite").runs() == []


def test_race_labels_are_distinct_and_the_live_run_says_so():
    def run(optimizer: str, lr: float = 0.001) -> Described:
        return Described("iris", "4-100relu-3softmax", optimizer, lr, 32, 0)

    names = ("sgd", "momentum", "rmsprop", "adam")
    race = [run(name) for name in names]
    # The live run is the race's adam: `live run` and `adam (same as live)`, never two `adam`s.
    assert labels([run("adam"), *race], [1, 2, 3, 4, 5], [True, *[False] * 4]) == \
        ["live run", "sgd", "momentum", "rmsprop", "adam (same as live)"]
    # The live run trained at another lr: each curve names its variation and what differs.
    assert labels([run("adam", 0.01), *race], [1, 2, 3, 4, 5], [True, *[False] * 4]) == \
        ["live run: adam lr 0.01", "sgd lr 0.001", "momentum lr 0.001", "rmsprop lr 0.001",
         "adam lr 0.001"]


def test_stamps_give_each_curve_columns_of_its_own_on_its_line():
    xs, ys = list(range(1, 61)), [1.0 / x for x in range(1, 61)]
    columns = 35
    taken = [stamps(xs, ys, index, 5, 60, columns)[0] for index in range(5)]
    cells = [{int(x / 60 * columns) for x in at} for at in taken]
    assert all(len(at) >= 2 for at in taken)
    assert all(not cells[i] & cells[j] for i in range(5) for j in range(i))  # apart
    at, on = stamps(xs, ys, 2, 5, 60, columns)
    assert on == pytest.approx(list(np.interp(at, xs, ys)))  # on the curve's own line


async def test_curves_lying_on_one_another_all_show(make_app):
    """Five runs that learned exactly alike: every marker is still on the plots."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        epochs = [EpochEnd(n, 1.0 / n, 1.2 / n, 0.1, 0.01, 1.0, train_acc=0.5,
                           val_acc=0.5 + n / 100) for n in range(1, 41)]
        curves = [Curve(key, f"run {key}", epochs, live=key == 0) for key in range(5)]
        app.charts.show([], [], overlays=curves)
        await pilot.pause()
        for chart in app.charts.query(PlotextPlot):
            plotted = "\n".join(widget_lines(chart)[1:-2])  # the plot, without the axis
            for glyph in ("•", "×", "+", "○"):
                assert glyph in plotted, (glyph, plotted)
            assert any("\u2800" < char <= "\u28ff" for char in plotted)  # the live braille


def add_wide_run(path) -> None:
    """A digits run with the widest cells a table shows: its layers, 'interrupted', R²."""
    store = RunStore(path)
    config = {"optimizer": "momentum", "lr": 0.0005, "batch_size": 128, "epochs": 300,
              "seed": 0}
    spec = {"layers": [{"units": 100, "activation": "relu"},
                       {"units": 10, "activation": "softmax"}], "loss": "cross_entropy",
            "n_inputs": 64}
    run_id = store.start_run(dataset="digits", spec=spec, config=config, seed=0,
                             source="sweep", started="2026-01-09T10:09:00+00:00")
    store.finish_run(run_id, status="interrupted", test_accuracy=0.97, seconds=1234.5)
    store.close()


HEADER_WORDS = {word for column in COLUMNS for word in column.header.split()} | {"↓", "↑"}


async def _headers(pilot, size) -> tuple[str, str]:
    app = pilot.app
    await pilot.resize_terminal(*size)
    await pilot.pause()
    lines = screen_lines(app)
    header = next(line for line in lines if line.lstrip().startswith("id "))
    title = " ".join(" ".join(lines[:lines.index(header)]).split())
    return header, title


async def test_the_runs_table_drops_whole_columns_and_never_cuts_a_header(make_app,
                                                                          runs_store):
    fill_runs(runs_store)
    add_wide_run(runs_store)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await open_runs(pilot)
        header, title = await _headers(pilot, (120, 40))
        assert set(header.split()) <= HEADER_WORDS, header  # no "fro" for "from"
        assert "64-100relu-10softmax" in "\n".join(screen_lines(app))
        for size in ((100, 30), (80, 24)):
            header, title = await _headers(pilot, size)
            assert set(header.split()) <= HEADER_WORDS, (size, header)
            shown = [c.header for c in COLUMNS if f" {c.header} " in f" {header} "
                     or f" {c.header} ↓" in header]
            hidden = [c.header for c in COLUMNS if c.header not in shown]
            assert hidden and f"{', '.join(hidden)} hidden" in title  # said which
            assert {"id", "dataset", "optimizer", "lr", "test"} <= set(shown)
            assert "from" in hidden  # the least useful goes first
