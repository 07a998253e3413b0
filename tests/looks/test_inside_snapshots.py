"""Snapshots of the inside view (i) and of one stage of the step-through, at 120x40 and 80x24.
Deterministic like the main screen's: seeded data and weights, a fixed clock, the timing figures
fixed, and the layer figures measured on every epoch (not at a rate that depends on the
machine's speed) of a run trained to a fixed epoch before the picture."""

from __future__ import annotations

from tests.looks.test_snapshots import digits_app, timeless
from tests.ui import ready

EPOCHS = 20


async def trained_inside(pilot, *keys: str) -> None:
    """Trains 20 epochs in the thread (figures every epoch) at full speed, relays the events
    once, then opens the inside view and presses `keys` there. The app's pace only spaces the
    epochs out for a person's eyes (~1.3 s here); it is put back before the picture."""
    app = await ready(pilot)
    experiment = app.controller.experiment
    experiment.trainer.inside_seconds = 0.0
    experiment.runner.set_pace(None)
    experiment.runner.start(epochs=EPOCHS)
    experiment.runner.join()
    experiment.runner.set_pace(app.controller.pace)
    app.views.take(timeless(app.controller.drain()))
    app.views.refresh()
    await pilot.pause()
    await pilot.press("i", *keys)
    await pilot.pause()


def test_inside_view_120x40(snap_compare, tmp_path):
    async def before(pilot) -> None:
        await trained_inside(pilot)

    assert snap_compare(digits_app(tmp_path), terminal_size=(120, 40), run_before=before)


def test_inside_view_80x24(snap_compare, tmp_path):
    async def before(pilot) -> None:
        await trained_inside(pilot)

    assert snap_compare(digits_app(tmp_path), terminal_size=(80, 24), run_before=before)


def test_step_through_backward_stage_120x40(snap_compare, tmp_path):
    async def before(pilot) -> None:
        await trained_inside(pilot, "3", "enter", *["enter"] * 4)  # sample .. backward 2

    assert snap_compare(digits_app(tmp_path), terminal_size=(120, 40), run_before=before)


def test_step_through_forward_stage_80x24(snap_compare, tmp_path):
    async def before(pilot) -> None:
        await trained_inside(pilot, "3", "enter", "enter")  # the forward pass of layer 1

    assert snap_compare(digits_app(tmp_path), terminal_size=(80, 24), run_before=before)
