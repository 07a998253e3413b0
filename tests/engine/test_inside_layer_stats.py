"""Per-layer figures on a probe batch: each against a direct NumPy computation, on networks whose
units are made dead or saturated on purpose; the tracker's bounded history; the network is never
changed."""

import math

import numpy as np
import pytest

from engine import Dense, Network, TrainConfig, TrainData, Trainer
from engine.errors import SpecError
from engine.inside.layer_stats import (
    HEALTHY_UPDATE_RATIO,
    HIST_BINS,
    LayerStatsTracker,
    layer_stats,
    nice_ceiling,
    probe_batch,
    update_ratio,
    weight_histogram,
)


def _digits_net(dtype: str = "float32") -> Network:
    return Network([Dense(64, 100, "relu"), Dense(100, 10, "softmax")], seed=0, dtype=dtype)


def test_shapes_names_and_read_only_arrays(digits):
    stats = layer_stats(_digits_net(), probe_batch(digits.X_train))
    assert [(s.n_in, s.n_out, s.activation) for s in stats] == [(64, 100, "relu"),
                                                                (100, 10, "softmax")]
    for s in stats:
        assert s.weight_counts.shape == (HIST_BINS,)
        assert s.weight_edges.shape == (HIST_BINS + 1,)
        assert s.update_ratio is None and s.update_verdict is None  # no before-weights given
        with pytest.raises(ValueError):
            s.weight_counts[0] = 1
        with pytest.raises(ValueError):
            s.weight_edges[0] = 1.0


def test_weight_histogram_counts_every_weight_like_numpy():
    W = np.random.default_rng(3).normal(0.0, 0.3, size=(64, 100)).astype(np.float32)
    counts, edges = weight_histogram(W)
    top = float(np.max(np.abs(W)))
    assert edges[-1] == nice_ceiling(top) >= top and edges[0] == -edges[-1]  # symmetric
    np.testing.assert_array_equal(counts, np.histogram(W, bins=edges)[0])
    assert counts.sum() == W.size
    # The largest weight itself lands in the last bin, as in np.histogram.
    counts, edges = weight_histogram(np.array([[-1.0, 0.0, 1.0]]))
    np.testing.assert_array_equal(counts, np.histogram([-1.0, 0.0, 1.0], bins=edges)[0])


@pytest.mark.parametrize("value, expected", [(0.31, 0.5), (0.5, 0.5), (1.7, 2.0), (3.0, 5.0),
                                             (7.0, 10.0), (0.0, 1.0), (math.nan, 1.0)])
def test_bins_are_rounded_up_to_one_two_or_five(value, expected):
    assert nice_ceiling(value) == pytest.approx(expected)


def test_dead_relu_units_are_counted(digits):
    net = _digits_net()
    net.layers[0].b[:25] = -1e3  # 25 of 100 units can never fire on these inputs
    net.layers[0].b[25:] = 1e3  # and the others always do
    stats = layer_stats(net, probe_batch(digits.X_train))
    assert stats[0].health_kind == "dead"
    assert stats[0].health_fraction == pytest.approx(0.25)
    z = probe_batch(digits.X_train) @ net.layers[0].W + net.layers[0].b
    assert stats[0].activation_mean == pytest.approx(np.maximum(z, 0).mean(), rel=1e-5)
    assert stats[1].health_kind is None and stats[1].health_fraction is None  # softmax


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_a_unit_that_fires_for_some_samples_is_not_dead(activation):
    net = Network([Dense(1, 3, activation), Dense(3, 1, "linear")], loss="mse", seed=0)
    net.layers[0].W[...] = [[1.0, -1.0, 1.0]]
    net.layers[0].b[...] = [0.0, 0.0, -10.0]  # unit 2 is below 0 for every probe x
    probe = np.array([[-1.0], [1.0], [2.0]])  # units 0 and 1 each fire for some of them
    stats = layer_stats(net, probe)
    assert stats[0].health_fraction == pytest.approx(1 / 3)
    assert stats[1].health_kind is None  # linear: nothing to check


@pytest.mark.parametrize("activation, scale, expected", [
    ("sigmoid", 0.0, 0.0),  # every a = 0.5: nothing saturated
    ("sigmoid", 1e3, 1.0),  # huge weights: every a is 0 or 1
    ("tanh", 0.0, 0.0),
    ("tanh", 1e3, 1.0),
])
def test_saturation_of_sigmoid_and_tanh(activation, scale, expected):
    net = Network([Dense(3, 5, activation), Dense(5, 2, "softmax")], seed=1)
    net.layers[0].W[...] = scale
    probe = np.random.default_rng(0).uniform(0.5, 1.0, size=(50, 3))  # all of one sign
    stats = layer_stats(net, probe)
    assert stats[0].health_kind == "saturated"
    assert stats[0].health_fraction == expected


def test_saturation_fraction_counts_activations():
    net = Network([Dense(1, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="mse", seed=0)
    net.layers[0].W[...] = [[10.0, 0.0]]  # unit 0 saturates for |x| > 0.3, unit 1 never
    probe = np.array([[-1.0], [-0.1], [0.1], [1.0]])
    # 2 of the 8 (sample, unit) activations are saturated.
    assert layer_stats(net, probe)[0].health_fraction == pytest.approx(2 / 8)


def test_gradient_norm_is_the_frobenius_norm_of_the_latest_gradients(digits):
    net = _digits_net("float64")
    _, grads = net.loss_and_gradients(digits.X_train[:32], digits.y_train[:32])
    stats = layer_stats(net, digits.X_train[:10])
    for s, (dW, _) in zip(stats, grads):
        assert s.grad_norm == pytest.approx(float(np.sqrt((dW ** 2).sum())), rel=1e-12)
        assert s.grad_norm > 0


def test_update_ratio_measures_the_step_against_the_weights(digits):
    net = _digits_net("float64")
    before = net.params.copy()
    net.layers[0].W[...] *= 1.001  # a step a thousandth of the weights: the healthy ratio
    stats = layer_stats(net, digits.X_train[:10], params_before=before)
    assert stats[0].update_ratio == pytest.approx(math.log10(0.001 / 1.001), rel=1e-9)
    assert stats[0].update_ratio == pytest.approx(HEALTHY_UPDATE_RATIO, abs=0.01)
    assert stats[0].update_verdict == "healthy"
    assert stats[1].update_ratio == -math.inf and stats[1].update_verdict == "too slow"
    assert update_ratio(np.ones(4), np.full(4, 2.0)) == pytest.approx(math.log10(0.5))


def test_nothing_of_the_network_changes(digits):
    net = _digits_net()
    net.loss_and_gradients(digits.X_train[:32], digits.y_train[:32])
    params, grads = net.params.copy(), net.grads.copy()
    layer_stats(net, probe_batch(digits.X_train), params_before=params * 0.5)
    np.testing.assert_array_equal(net.params, params)
    np.testing.assert_array_equal(net.grads, grads)
    assert net.params.flags.writeable and net.grads.flags.writeable


def test_probe_batch_is_fixed_by_its_seed(digits):
    a, b = probe_batch(digits.X_train, 100, seed=4), probe_batch(digits.X_train, 100, seed=4)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (100, 64) and not a.flags.writeable
    assert not np.array_equal(a, probe_batch(digits.X_train, 100, seed=5))
    assert len(probe_batch(digits.X_train[:7], 100)) == 7  # fewer rows than asked: all of them


def test_tracker_records_each_epoch_of_a_run_and_keeps_the_last_n(digits):
    net = _digits_net()
    data = TrainData.from_arrays(digits.X_train, digits.y_train, classification=True)
    trainer = Trainer(net, data, TrainConfig(optimizer="sgd", lr=0.1, epochs=1, seed=0))
    tracker = LayerStatsTracker(probe_batch(digits.X_train, 64), capacity=3)
    for epoch in range(1, 6):  # the wiring in the trainer would look like this
        before = net.params.copy()
        list(trainer.run(1))
        recorded = tracker.record(net, epoch, before)
        assert tracker.latest() is recorded
    assert [s.epoch for s in tracker.history()] == [3, 4, 5]
    ratios = tracker.series(0, "update_ratio")
    assert ratios.shape == (3,) and not ratios.flags.writeable
    assert np.all((ratios > -6) & (ratios < 0))  # sgd at lr 0.1 really moved the weights
    np.testing.assert_array_equal(tracker.series(1, "grad_norm"),
                                  [s.layers[1].grad_norm for s in tracker.history()])
    assert np.isnan(tracker.series(1, "health_fraction")).all()  # softmax: no check
    with pytest.raises(SpecError):
        tracker.series(0, "loss")
    tracker.clear()
    assert tracker.history() == () and tracker.latest() is None
