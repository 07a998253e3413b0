"""The per-layer figures measured during training (`Trainer.watch_inside`) and published by the
runner (`InsideStats`), and weights set by hand (`Trainer.set_params`, `runner.set_weights`).

Every figure is checked against `engine.inside.layer_stats` applied, here, to the network as it
was at that moment; the update ratio against the weights captured between two epochs of a
full-batch run, where the epoch's last step is its only step."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from engine import EngineError, EpochEnd, Evaluated, Experiment, InsideStats, TrainConfig
from engine.inside.layer_stats import layer_stats, norm, update_ratio, weight_histogram

TIMEOUT = 20.0


def _session(epochs: int = 6, **config: object) -> Experiment:
    return Experiment.create("moons", layers="8:tanh,2:softmax",
                             config=TrainConfig(epochs=epochs, lr=0.05, **config))  # type: ignore[arg-type]


def _wait_for(predicate, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def test_each_measured_epoch_has_the_figures_of_the_network_at_that_moment():
    session = _session(batch_size=0)  # full batch: the epoch's one step is its last step
    trainer = session.trainer
    tracker = trainer.watch_inside()
    trainer.inside_seconds = 0.0  # every epoch
    before = trainer.network.params.copy()
    for event in trainer.run():
        if not isinstance(event, EpochEnd):
            continue
        latest = tracker.latest()
        assert latest is not None and latest.epoch == event.epoch
        net = trainer.network
        expected = layer_stats(net, tracker.probe, before)
        for got, want, layer in zip(latest.layers, expected, net.layers):
            assert got.grad_norm == pytest.approx(norm(layer.dW)) and got.grad_norm > 0
            counts, edges = weight_histogram(layer.W)
            np.testing.assert_array_equal(got.weight_counts, counts)
            np.testing.assert_array_equal(got.weight_edges, edges)
            assert got.activation_mean == pytest.approx(want.activation_mean)
            assert got.health_fraction == pytest.approx(want.health_fraction)
        W_before = before[:net.layers[0].W.size].reshape(net.layers[0].W.shape)
        assert latest.layers[0].update_ratio == pytest.approx(
            update_ratio(W_before, net.layers[0].W))
        before = net.params.copy()
    assert [s.epoch for s in tracker.history()] == list(range(1, 7))


def test_with_minibatches_the_update_ratio_is_the_epochs_last_step_not_the_whole_epoch():
    """Plain SGD moves W by lr·dW in a step, dW being the latest batch's gradients, which the
    network still holds after the epoch: so the ratio is log10(lr·|dW| / |W|)."""
    session = _session(batch_size=16, optimizer="sgd")
    trainer = session.trainer
    tracker = trainer.watch_inside()
    trainer.inside_seconds = 0.0
    for event in trainer.run():
        if isinstance(event, EpochEnd):
            layer = trainer.network.layers[0]
            step = math.log10(0.05 * norm(layer.dW) / norm(layer.W))
            assert tracker.latest().layers[0].update_ratio == pytest.approx(step, abs=1e-4)


def test_the_measurements_are_bounded_in_rate_but_the_runs_last_epoch_is_measured():
    trainer = _session(epochs=10).trainer
    tracker = trainer.watch_inside()
    trainer.inside_seconds = math.inf
    list(trainer.run())
    assert [s.epoch for s in tracker.history()] == [1, 10]  # the first look, and the last
    list(trainer.run(epochs=3))
    assert [s.epoch for s in tracker.history()][-1] == 13
    trainer.reset()
    assert tracker.history() == ()


def test_without_watching_nothing_is_measured():
    trainer = _session().trainer
    list(trainer.run())
    assert trainer.inside is None


def test_the_runner_publishes_the_figures_after_their_epoch_and_at_rest():
    runner = _session(epochs=5).runner
    runner.watch_inside()  # not running: the current weights' figures from a thread
    runner.join()
    at_rest = [e for e in runner.drain() if isinstance(e, InsideStats)]
    assert [e.epoch for e in at_rest] == [0]
    assert all(layer.update_ratio is None for layer in at_rest[0].stats.layers)
    runner.start()
    runner.join()
    events = runner.drain()
    inside = [i for i, e in enumerate(events) if isinstance(e, InsideStats)]
    assert inside, "no figures published during the run"
    for i in inside:
        epoch_end = events[i - 1]  # right after the epoch it measured
        assert isinstance(epoch_end, EpochEnd) and epoch_end.epoch == events[i].epoch
        assert events[i].stats.layers[0].update_ratio is not None
    assert events[inside[-1]].epoch == 5
    json.dumps(events[inside[-1]].to_dict())  # JSON-able, like every event


def test_weights_set_by_hand_become_the_models_and_are_scored():
    session = _session(epochs=3)
    runner = session.runner
    runner.watch_inside()
    runner.join()
    runner.drain()
    edited = np.full_like(session.network.params, 0.25)
    runner.set_weights(edited)
    runner.join()
    np.testing.assert_array_equal(session.network.params, edited)
    np.testing.assert_array_equal(session.trainer.snapshot().params, edited)
    kinds = [type(e) for e in runner.drain()]
    assert Evaluated in kinds and InsideStats in kinds


def test_weights_cannot_be_set_while_an_epoch_may_run_but_can_while_paused():
    session = _session(epochs=10_000)
    runner = session.runner
    runner.set_pace(200)
    runner.start()
    _wait_for(lambda: runner.epoch >= 1)
    with pytest.raises(EngineError, match="pause or stop"):
        runner.set_weights(session.network.params.copy())
    runner.pause()
    _wait_for(lambda: runner.state == "paused")
    runner.set_weights(np.zeros_like(session.network.params))
    assert not session.network.params.any()
    runner.stop()
    runner.join()


@pytest.mark.parametrize("bad", [np.zeros(3), np.array([np.nan])])
def test_bad_weights_are_refused_and_nothing_changes(bad):
    session = _session()
    kept = session.network.params.copy()
    values = np.resize(bad, session.network.params.shape) if bad.size == 1 else bad
    with pytest.raises(EngineError):
        session.runner.set_weights(values)
    np.testing.assert_array_equal(session.network.params, kept)


def test_watching_again_keeps_the_last_runs_figures():
    """A second `watch_inside` (the view opened again) measures nothing at rest: the figures
    of the run's last epoch, with their gradients and update ratios, stay the latest."""
    runner = _session(epochs=3).runner
    runner.watch_inside()
    runner.start()
    runner.join()
    runner.drain()
    runner.watch_inside()
    runner.join()
    assert not any(isinstance(e, InsideStats) for e in runner.drain())
    assert runner.trainer.inside.latest().layers[0].update_ratio is not None
