"""The controller's side of the inside view, without an app: the layer figures the runner
publishes are kept for the sparklines and never reach the log; a re-initialisation or another
experiment starts them afresh; weights edited by hand become the model's only between epochs."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine import EngineError, InsideStats
from tui.controller import Controller
from tui.sessions import Preset

TIMEOUT = 20.0


def controller_for(epochs: int = 5) -> Controller:
    controller = Controller(Preset(dataset="iris", epochs=epochs, seed=0), pace=None)
    controller.adopt(controller.first_build()())
    return controller


def settle(controller: Controller) -> list:
    controller.experiment.runner.join(TIMEOUT)
    return controller.drain()


def test_the_figures_feed_the_inside_view_and_not_the_log():
    controller = controller_for()
    settle(controller)
    assert [s.epoch for s in controller.inside.history] == [0]  # the fresh weights, at rest
    controller.train()
    events = settle(controller)
    assert not any(isinstance(e, InsideStats) for e in events)
    history = controller.inside.history
    assert history[-1].epoch == 5 and history[-1].layers[0].update_ratio is not None
    controller.reset()
    settle(controller)
    assert [s.epoch for s in controller.inside.history] == [0]  # the old run's are gone


def test_a_new_experiment_starts_its_own_figures():
    controller = controller_for()
    controller.train()
    settle(controller)
    controller.adopt(controller.first_build()())
    settle(controller)
    assert [s.epoch for s in controller.inside.history] == [0]


def test_without_watching_the_runner_measures_nothing():
    controller = Controller(Preset(dataset="iris", epochs=3, seed=0), pace=None)
    controller.inside.watching = False
    controller.adopt(controller.first_build()())
    controller.train()
    settle(controller)
    assert controller.experiment.trainer.inside is None and not controller.inside.history


def test_edited_weights_are_adopted_between_epochs_only():
    controller = controller_for(epochs=100_000)
    snapshot = controller.snapshot()
    edited = snapshot.copy()
    edited.params[...] = 0.125
    controller.set_pace(50)
    controller.train()
    with pytest.raises(EngineError, match="pause or stop"):
        controller.adopt_weights(edited)
    controller.pause()
    deadline = time.monotonic() + TIMEOUT
    while controller.state.phase != "paused":
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
        controller.drain()
    controller.adopt_weights(edited)
    assert np.all(controller.experiment.network.params == 0.125)
    controller.stop()
    settle(controller)
