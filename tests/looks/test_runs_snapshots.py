"""Snapshots of the runs screen and of the charts comparing runs (a legend on the border, a
marker per run, the live run among them), at 120x40 and 80x24, from a store the test fills
with fixed figures (`tests.ui.fill_runs`), named by a relative path so the title is stable."""

from __future__ import annotations

import pytest

from engine.runs.store import RUNS_ENV
from tests.looks.test_snapshots import FIXED_CLOCK, timeless
from tests.ui import fill_runs, wait_for
from tui.app import NNTuiApp
from tui.screens.runs import RunsScreen

SIZES = [(120, 40), (80, 24)]


@pytest.fixture
def stored(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(RUNS_ENV, "runs/runs.sqlite")
    return fill_runs(tmp_path / "runs" / "runs.sqlite")


def iris_app(tmp_path) -> NNTuiApp:
    return NNTuiApp(dataset="iris", seed=0, epochs=20, models_dir=tmp_path / "models",
                    clock=lambda: FIXED_CLOCK)


async def ready(pilot) -> NNTuiApp:
    """The first experiment (the first test of a process imports scikit-learn: on a busy
    machine that takes a while)."""
    app = pilot.app
    await wait_for(pilot, lambda: app.controller.experiment is not None, timeout=60)
    await pilot.pause()
    return app


async def open_runs(pilot) -> RunsScreen:
    app = pilot.app
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen)
                   and app.screen.rows is not None, timeout=30)
    await pilot.pause()
    return app.screen


@pytest.mark.parametrize("size", SIZES)
def test_runs_screen(snap_compare, tmp_path, stored, size):
    async def before(pilot) -> None:
        await ready(pilot)
        await open_runs(pilot)
        await pilot.press("space", "down", "down", "space")  # two runs selected

    assert snap_compare(iris_app(tmp_path), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_runs_overlaid_with_a_legend(snap_compare, tmp_path, stored, size):
    async def before(pilot) -> None:
        app = await ready(pilot)
        controller = app.controller
        runner = controller.experiment.runner
        runner.set_pace(None)  # the live run, to a fixed epoch at full speed...
        controller.train()
        runner.join()  # ...without yielding to the UI
        runner.set_pace(controller.pace)
        app.views.take(timeless(controller.drain()))
        await open_runs(pilot)
        await pilot.press("f")  # iris
        for _ in range(4):  # the live run's own row (drawn once) and three stored runs
            await pilot.press("space", "down")
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(controller.comparison.selected) == 4)
        app.views.refresh()
        await pilot.pause()

    assert snap_compare(iris_app(tmp_path), terminal_size=size, run_before=before)
