"""Finite differences against backprop: a correct network passes, a network whose activation
derivative is broken on purpose fails in the layer that uses it, a relu kink is inconclusive."""

import numpy as np

from engine import ACTIVATIONS, Dense, Network
from engine.inside.gradient_check import COORDINATES_PER_LAYER, gradient_check
from engine.nn.activations import Activation


def test_a_correct_digits_network_passes(digits):
    net = Network([Dense(64, 100, "relu"), Dense(100, 10, "softmax")], seed=0)  # float32
    net.fit(digits.X_train, digits.y_train, epochs=1)
    params = net.params.copy()
    check = gradient_check(net, digits.X_train, digits.y_train)
    assert check.passed, [(layer.relative_error, layer.verdict) for layer in check.layers]
    assert [len(layer.names) for layer in check.layers] == [COORDINATES_PER_LAYER] * 2
    assert check.n_rows == 16
    for layer in check.layers:
        assert layer.verdict == "ok" and layer.relative_error < check.tolerance
        assert np.abs(layer.analytic).max() > 0  # really compared something
        assert not layer.numeric.flags.writeable
    np.testing.assert_array_equal(net.params, params)  # the network itself was only read
    assert net.dtype == np.float32


def test_the_checked_coordinates_are_chosen_by_the_seed(digits):
    net = Network([Dense(64, 8, "tanh"), Dense(8, 10, "softmax")], seed=0)
    names = [gradient_check(net, digits.X_train, digits.y_train, seed=s).layers[0].names
             for s in (1, 1, 2)]
    assert names[0] == names[1] != names[2]


def test_small_layers_are_checked_whole():
    rng = np.random.default_rng(0)
    net = Network([Dense(3, 4, "sigmoid"), Dense(4, 1, "sigmoid")], loss="binary_cross_entropy",
                  dtype="float64")
    check = gradient_check(net, rng.normal(size=(8, 3)), rng.integers(0, 2, size=8))
    assert [len(layer.names) for layer in check.layers] == [3 * 4 + 4, 4 + 1]
    assert check.passed


def test_a_broken_activation_derivative_fails(monkeypatch):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(10, 4)), rng.integers(0, 3, size=10)
    net = Network([Dense(4, 6, "tanh"), Dense(6, 3, "softmax")], seed=3)
    assert gradient_check(net, X, y).passed
    right = ACTIVATIONS["tanh"]
    # tanh'(z) is 1 - a², not 1 - a: the copy the check builds picks up the broken entry.
    broken = Activation("tanh", right.forward, lambda z, a, g: g * (1 - a), right.init)
    monkeypatch.setitem(ACTIVATIONS, "tanh", broken)
    check = gradient_check(net, X, y)
    assert not check.passed
    assert [layer.verdict for layer in check.layers] == ["wrong", "ok"]  # the tanh layer only
    assert check.layers[0].relative_error > 1e-3


def test_a_parameter_whose_nudge_crosses_a_relu_kink_is_left_out():
    net = Network([Dense(1, 2, "relu"), Dense(2, 1, "linear")], loss="mse", dtype="float64")
    net.layers[0].W[...] = 1.0
    net.layers[0].b[...] = [0.0, 1.0]  # unit 0 sits on its kink (z = 0), unit 1 well above
    net.layers[1].W[...] = 1.0
    check = gradient_check(net, np.zeros((1, 1)), np.ones((1, 1)))
    first = check.layers[0]
    # b1[0] ± eps moves z across 0: one-sided slopes 1 and 0 would average to a wrong 0.5.
    assert first.skipped == 1 and "b1[0]" not in first.names and "b1[1]" in first.names
    assert check.passed


def test_a_layer_with_every_parameter_on_a_kink_is_inconclusive():
    net = Network([Dense(1, 1, "relu"), Dense(1, 1, "linear")], loss="mse", dtype="float64")
    net.layers[0].W[...] = 1.0
    net.layers[1].W[...] = 1.0
    net.layers[0].b[...] = -1.0  # z = x W + b = 0 for x = 1: both W and b nudge across 0
    check = gradient_check(net, np.ones((1, 1)), np.ones((1, 1)))
    assert check.layers[0].skipped == 2
    assert [layer.verdict for layer in check.layers] == ["kink", "ok"]
    assert not check.passed
