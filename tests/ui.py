"""The app tests' helpers: `make_app` builds a seeded app on a tiny dataset with a fixed clock,
full-speed training and its own models folder; `wait_for` polls a condition while the app runs
(bounded, so a broken app fails instead of hanging); `ready`, `training`, `trained` wait for the
usual moments."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from tui.app import NNTuiApp

FIXED_TIME = "12:00:00"


@pytest.fixture
def make_app(tmp_path) -> Callable[..., NNTuiApp]:
    def make(**options: object) -> NNTuiApp:
        options.setdefault("dataset", "iris")
        options.setdefault("seed", 0)
        options.setdefault("pace", None)
        options.setdefault("models_dir", tmp_path / "saved_models")
        return NNTuiApp(clock=lambda: FIXED_TIME, **options)

    return make


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Lets the app run until `condition()` holds; fails the test after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}")
        await pilot.pause(0.05)


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
