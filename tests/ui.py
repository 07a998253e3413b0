"""The app tests' helpers: `make_app` builds a seeded app on a tiny dataset with a fixed clock,
full-speed training and its own models folder; `wait_for` polls a condition while the app runs
(bounded, so a broken app fails instead of hanging); `ready`, `training`, `trained` wait for the
usual moments."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator

import pytest
from textual.pilot import Pilot

from tui.app import NNTuiApp
from tui.screens.runs import RunsScreen

POLL_SECONDS = 0.01  # `wait_for` looks again this often (at 0.05 s, ~25 ms lost a wait)

FIXED_TIME = "12:00:00"
# Runs with fixed figures for the runs screen and the overlay (iris: 4 inputs, 3 classes):
# (optimizer, lr, batch, status, epochs' val losses, test accuracy).
STORED_RUNS = [
    ("adam", 0.1, 32, "finished", [0.9, 0.5, 0.35, 0.3, 0.28, 0.27], 0.93),
    ("adam", 0.01, 32, "finished", [1.0, 0.8, 0.6, 0.45, 0.38, 0.33], 0.967),
    ("sgd", 0.01, 16, "stopped", [1.1, 1.05, 1.0, 0.96], None),
    ("adam", 0.001, 32, "finished", [1.08, 1.02, 0.97, 0.92, 0.88, 0.84], 0.8),
]


def fill_runs(path) -> list[int]:
    """A store at `path` holding STORED_RUNS on iris and one run on wine; their ids."""
    from engine import EpochRow, RunStore  # (kept out of the module's import time)

    store = RunStore(path)
    ids = []
    spec = {"layers": [{"units": 100, "activation": "relu"},
                       {"units": 3, "activation": "softmax"}], "loss": "cross_entropy",
            "n_inputs": 4}
    rows = [*STORED_RUNS, ("rmsprop", 0.001, 64, "diverged", [2.0, 9.0], None)]
    for i, (optimizer, lr, batch, status, losses, acc) in enumerate(rows):
        dataset = "wine" if i == len(STORED_RUNS) else "iris"
        run_spec = {**spec, "n_inputs": 13} if dataset == "wine" else spec
        config = {"optimizer": optimizer, "lr": lr, "batch_size": batch, "epochs": len(losses),
                  "seed": 0, "momentum": 0.9, "l2": 0.0, "patience": 0,
                  "schedule": "constant", "nesterov": False, "dtype": "float32",
                  "schedule_options": {}}
        run_id = store.start_run(dataset=dataset, spec=run_spec, config=config, seed=0,
                                 source="app" if i % 2 == 0 else "race",
                                 started=f"2026-01-0{i + 1}T10:0{i}:00+00:00")
        store.add_epochs(run_id, [
            EpochRow(k + 1, loss * 0.9, min(0.99, max(0.0, 1.1 - loss)), loss,
                     min(0.99, max(0.0, 1.05 - loss)),
                     lr, 0.01) for k, loss in enumerate(losses)])
        store.finish_run(run_id, status=status, test_accuracy=acc,
                         seconds=0.5 + i)
        ids.append(run_id)
    store.close()
    return ids


# Textual makes and drops tens of thousands of small objects as it styles and draws; at Python's
# default (700, 10, 10) a third of an app start's CPU went to young-generation collections.
UI_GC_THRESHOLD = (10_000, 20, 100)


@pytest.fixture(autouse=True)
def _fewer_collections() -> Iterator[None]:
    """Autouse in the UI tiers (their conftests import it): the collector runs less often while
    an app runs; cycles are still collected, later. Restored after each test."""
    before = gc.get_threshold()
    gc.set_threshold(*UI_GC_THRESHOLD)
    yield
    gc.set_threshold(*before)


@pytest.fixture
def make_app(tmp_path) -> Callable[..., NNTuiApp]:
    def make(**options: object) -> NNTuiApp:
        options.setdefault("dataset", "iris")
        options.setdefault("seed", 0)
        options.setdefault("pace", None)
        options.setdefault("models_dir", tmp_path / "saved_models")
        return NNTuiApp(clock=lambda: FIXED_TIME, **options)

    return make


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Lets the app run until `condition()` holds; fails the test after `timeout` seconds. A
    guard against a hang, not a speed check: on two cores shared with a loaded machine, an app
    took more than 10 s to load iris in its worker.

    It looks with a plain sleep between: a `pilot.pause` has every widget on the screen answer
    a message, 5-9 ms of CPU each time against 0.3 ms (the app draws on its own timer anyway).
    Once the condition holds, one `pilot.pause(0)` lets the app handle what is already queued,
    so the caller sees a settled screen, as when every look was a pause."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    if condition():
        return
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        await asyncio.sleep(POLL_SECONDS)
    await pilot.pause(0)


async def open_runs(pilot: Pilot) -> RunsScreen:
    """Press `e` and wait until the runs screen has read its rows (in a worker)."""
    app = pilot.app
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen)
                   and app.screen.rows is not None)
    await pilot.pause()
    return app.screen


async def ready(pilot: Pilot) -> NNTuiApp:
    """Waits for the first experiment (loaded in a worker after the first frame)."""
    app = pilot.app
    await wait_for(pilot, lambda: app.controller.experiment is not None)
    await pilot.pause()
    return app


async def training(pilot: Pilot):
    """Presses t and waits for the first epoch; returns the runner, still running."""
    runner = pilot.app.controller.experiment.runner
    await pilot.press("t")
    await wait_for(pilot, lambda: runner.epoch >= 1)
    return runner


async def trained(pilot: Pilot) -> NNTuiApp:
    """Waits until the training thread is done and the app has shown its last events: the
    controller's state agrees with the runner and the status line shows that state."""
    app = pilot.app

    def caught_up() -> bool:
        controller = app.controller
        runner = controller.experiment.runner
        last = controller.history[-1].epoch if controller.history else 0
        return not runner.is_alive and controller.state.phase == runner.state \
            and controller.state.epoch == runner.epoch and app.views.shown == controller.state \
            and last == runner.epoch

    await wait_for(pilot, caught_up)
    await pilot.pause()
    return app
