"""Snapshots of the main screen (80x24 and 120x40) and of the help screen. Deterministic: seeded
data and weights, a fixed clock, and training run to a fixed epoch before the picture with the
timing figures (samples/s) fixed, since they vary from run to run."""

from __future__ import annotations

from dataclasses import replace

from engine import EpochEnd, Event
from tests.ui import ready
from tui.app import NNTuiApp

FIXED_CLOCK = "12:00:00"


def timeless(events: list[Event]) -> list[Event]:
    return [replace(e, seconds=0.01, samples_per_sec=125_700.0) if isinstance(e, EpochEnd)
            else e for e in events]


def digits_app(tmp_path) -> NNTuiApp:
    return NNTuiApp(dataset="digits", seed=0, models_dir=tmp_path, clock=lambda: FIXED_CLOCK)


async def train_to(pilot, epochs: int) -> None:
    """Trains in the thread, but without yielding to the UI, then relays the events once. At
    full speed: the app's pace (still the controller's, and shown as such) only spaces the
    epochs out for a person's eyes, and the picture is taken after the last one."""
    app = await ready(pilot)
    runner = app.controller.experiment.runner
    runner.set_pace(None)
    runner.start(epochs=epochs)
    runner.join()
    runner.set_pace(app.controller.pace)
    app.views.take(timeless(app.controller.drain()))
    app.views.refresh()
    await pilot.pause()


def test_main_screen_80x24(snap_compare, tmp_path):
    async def before(pilot) -> None:
        await ready(pilot)

    assert snap_compare(digits_app(tmp_path), terminal_size=(80, 24), run_before=before)


def test_main_screen_120x40_trained(snap_compare, tmp_path):
    async def before(pilot) -> None:
        await train_to(pilot, 20)

    assert snap_compare(digits_app(tmp_path), terminal_size=(120, 40), run_before=before)


def test_watch_view_80x24_trained(snap_compare, tmp_path):
    async def before(pilot) -> None:
        await train_to(pilot, 20)
        pilot.app.workbench.view = "watch"
        await pilot.pause()

    assert snap_compare(digits_app(tmp_path), terminal_size=(80, 24), run_before=before)


def test_help_screen(snap_compare, tmp_path):
    async def before(pilot) -> None:
        await ready(pilot)
        await pilot.press("question_mark")

    assert snap_compare(digits_app(tmp_path), terminal_size=(100, 30), run_before=before)


def test_design_view_70x20_trained(snap_compare, tmp_path):
    """The small-screen design view: the confusion matrix whole (its title gives way first)."""
    async def before(pilot) -> None:
        await train_to(pilot, 20)

    assert snap_compare(digits_app(tmp_path), terminal_size=(70, 20), run_before=before)


def test_watch_view_70x20_trained(snap_compare, tmp_path):
    """The small-screen watch view: the charts with room to read, the test sample hidden with
    a hint line, the status line whole."""
    async def before(pilot) -> None:
        await train_to(pilot, 20)
        pilot.app.workbench.view = "watch"
        await pilot.pause()

    assert snap_compare(digits_app(tmp_path), terminal_size=(70, 20), run_before=before)


def test_below_the_minimum_size_50x15(snap_compare, tmp_path):
    async def before(pilot) -> None:
        await ready(pilot)

    assert snap_compare(digits_app(tmp_path), terminal_size=(50, 15), run_before=before)
