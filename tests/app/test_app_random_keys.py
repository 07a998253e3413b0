"""Two hundred random keys (seeded) must leave the app alive and consistent: once the run has
ended, the controller's state agrees with the runner and the status line, the design agrees
with the editor and the experiment, the curves hold epochs 1..n with no gap, and the panels
show the scores of the weights as they are."""

from __future__ import annotations

import contextlib
import random
from dataclasses import fields

import numpy as np
import pytest
import textual._wait
from textual.screen import ModalScreen

from engine import LIVE_SETTINGS, TrainConfig
from tests.ui import ready, wait_for
from tui.design import DataShape
from tui.numbers import score_text
from tui.sample_browser import class_probabilities
from tui.widgets.confusion import ConfusionMatrix
from tui.widgets.layer_list import LayerRows
from tui.widgets.status_bar import STATE_MARKS, StatusBar

APP_KEYS = ["t", "s", "x", "r", "n", "p", "m", "R", "d", "l", "v", "left_square_bracket",
            "right_square_bracket", "question_mark", "tab", "shift+tab", "ctrl+s", "ctrl+o"]
EDITING_KEYS = ["up", "down", "left", "right", "enter", "escape", "space", "a", "delete",
                "shift+up", "shift+down", "backspace", "minus", "y", "n", "c", "i"]
TYPING_KEYS = [*"0123456789", ".", "e", "-"]
ESCAPES = 0.3  # the chance that a dialog is left at the next key: most keys act on the app
# Settings the experiment takes at once or on adoption; the live ones wait for the next epoch
# and epochs for the next run, so the trainer may not have them yet.
ADOPTED_SETTINGS = [f.name for f in fields(TrainConfig)
                    if f.name not in LIVE_SETTINGS and f.name != "epochs"]


def settled(app) -> bool:
    """No worker, no training thread, and every event drained, applied and drawn."""
    controller = app.controller
    runner, scores = controller.experiment.runner, controller.evaluation
    return (not app.workers and not runner.is_alive and controller.state.epoch == runner.epoch
            and controller.state.phase == runner.state and app.views.shown == controller.state
            and scores is not None and scores.epoch == runner.epoch
            and app.views.score == score_text(scores.accuracy, scores.r2))


async def test_random_keys_leave_the_app_alive_and_consistent(make_app,
                                                             monkeypatch: pytest.MonkeyPatch):
    # After each key `Pilot.press` waits until the process has used no CPU for a whole granule
    # of sleep, twice: 20 ms granules made 200 keys wait ~14 s. Nothing is asserted between two
    # keys here (a key that lands before the last one has settled is one more random order), and
    # the checks below wait for the app to settle by name, so 5 ms granules are enough.
    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 0.005)
    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", 0.005 / 20)
    app = make_app(epochs=20, pace=None)
    rng = random.Random(20240601)
    pool = APP_KEYS * 2 + EDITING_KEYS * 2 + TYPING_KEYS
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        for _ in range(200):
            in_dialog = isinstance(app.screen, ModalScreen)
            await pilot.press("escape" if in_dialog and rng.random() < ESCAPES
                              else rng.choice(pool))
        while isinstance(app.screen, ModalScreen):  # close whatever dialog is open
            await pilot.press("escape")
        app.controller.stop()
        with contextlib.suppress(AssertionError):  # the asserts below say what disagrees
            await wait_for(pilot, lambda: settled(app), 20)
        await pilot.pause()
        controller = app.controller
        experiment, design, state = controller.experiment, controller.design, controller.state
        runner, scores = experiment.runner, controller.evaluation
        assert app.is_running and not app.workers and not runner.is_alive

        # the state: fed by the events alone, it agrees with the runner and the status line
        assert (state.phase, state.epoch) == (runner.state, runner.epoch)
        assert app.views.shown == state
        status = app.query_one(StatusBar).render().plain
        assert STATE_MARKS[state.phase] in status and f"epoch {runner.epoch}" in status

        # the design: the editor shows it, and the experiment was built from it
        assert app.editor.design == design
        assert app.editor.query_one(LayerRows).design == design
        assert design.spec == experiment.spec
        assert design.data == DataShape.of(experiment.dataset)
        for name in ADOPTED_SETTINGS:
            assert getattr(design.config, name) == getattr(experiment.config, name), name

        # the curves: epochs 1..n of this run, 1..k of the previous one
        epochs = [e.epoch for e in controller.history]
        assert epochs == list(range(1, runner.epoch + 1))
        assert epochs == [e.epoch for e in experiment.trainer.history]
        assert [e.epoch for e in controller.previous] == \
            list(range(1, len(controller.previous) + 1))

        # the scores: those of the weights as they are, on every panel
        assert scores is not None and scores.epoch == runner.epoch
        assert app.views.score == score_text(scores.accuracy, scores.r2)
        expected = experiment.evaluate("test")
        assert scores.n == expected.n == len(experiment.dataset.X_test)
        assert scores.probabilities.shape == (expected.n, experiment.network.n_outputs)
        if expected.confusion is not None:
            assert scores.accuracy == expected.accuracy
            np.testing.assert_array_equal(scores.confusion, expected.confusion)
            np.testing.assert_array_equal(app.query_one(ConfusionMatrix).matrix,
                                          expected.confusion)
        else:
            np.testing.assert_allclose(scores.r2, expected.r2, rtol=1e-6)
        viewer = app.viewer
        if not viewer.draw_mode:
            row = scores.probabilities[viewer.index:viewer.index + 1]
            if experiment.dataset.is_classification:
                row = class_probabilities(row)
            np.testing.assert_allclose(viewer.current_probabilities, row[0])
