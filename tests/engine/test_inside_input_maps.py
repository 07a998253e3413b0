"""Maps of the input plane: the grid's layout, every map against the network's own `predict` /
`predict_proba` at the grid points, hidden units against their formula, Playground's features."""

import numpy as np
import pytest

from engine import Dense, Network, load_dataset
from engine.errors import SpecError
from engine.inside.input_maps import (
    FEATURES,
    data_ranges,
    expand_features,
    function_curve,
    input_grid,
    input_maps,
)


def test_the_grid_is_laid_out_as_a_screen_draws_it():
    grid = input_grid((-1.0, 3.0), (0.0, 2.0), width=5, height=3)
    np.testing.assert_allclose(grid.xs, [-1, 0, 1, 2, 3])  # left to right
    np.testing.assert_allclose(grid.ys, [2, 1, 0])  # top (largest y) to bottom
    assert grid.points.shape == (15, 2) and (grid.width, grid.height) == (5, 3)
    r, c = 1, 3  # point r * width + c is (xs[c], ys[r])
    np.testing.assert_allclose(grid.points[r * 5 + c], [grid.xs[c], grid.ys[r]])
    assert not grid.points.flags.writeable
    with pytest.raises(SpecError):
        input_grid((1.0, 1.0), (0.0, 1.0), 4, 4)
    with pytest.raises(SpecError):
        input_grid((0.0, 1.0), (0.0, 1.0), 0, 4)


def test_data_ranges_pad_the_data():
    (x0, x1), (y0, y1) = data_ranges(np.array([[0.0, 10.0], [2.0, 20.0]]), margin=0.5)
    assert (x0, x1, y0, y1) == (-1.0, 3.0, 5.0, 25.0)


def _moons_net() -> tuple[Network, np.ndarray, np.ndarray]:
    moons = load_dataset("moons")
    net = Network([Dense(2, 16, "tanh"), Dense(16, 16, "tanh"), Dense(16, 2, "softmax")],
                  seed=0)
    net.fit(moons.X_train, moons.y_train, epochs=3, lr=0.01)
    return net, moons.X_train, moons.y_train


def test_class_map_equals_predict_at_the_grid_points():
    net, X, _ = _moons_net()
    grid = input_grid(*data_ranges(X), width=40, height=30)
    maps = input_maps(net, grid)
    assert maps.predicted.shape == (30, 40) and maps.confidence.shape == (30, 40)
    np.testing.assert_array_equal(maps.predicted.ravel(), net.predict(grid.points))
    proba = net.predict_proba(grid.points)
    np.testing.assert_array_equal(maps.outputs.reshape(-1, 2), proba)
    np.testing.assert_array_equal(maps.confidence.ravel(), proba.max(axis=1))
    assert len(set(maps.predicted.ravel().tolist())) == 2  # the boundary crosses the plane
    for array in (maps.outputs, maps.predicted, maps.confidence, *maps.hidden):
        assert not array.flags.writeable


def test_neuron_maps_are_each_hidden_units_activation():
    net, _, _ = _moons_net()
    grid = input_grid((-2.0, 2.0), (-1.0, 1.5), width=7, height=5)
    maps = input_maps(net, grid)
    assert [h.shape for h in maps.hidden] == [(5, 7, 16), (5, 7, 16)]
    first, second = net.layers[0], net.layers[1]
    h1 = np.tanh(grid.points @ first.W + first.b)
    h2 = np.tanh(h1 @ second.W + second.b)
    r, c, unit = 3, 6, 11  # the map's pixel (r, c) is the grid point (xs[c], ys[r])
    x = np.array([[grid.xs[c], grid.ys[r]]])
    assert maps.hidden[0][r, c, unit] == pytest.approx(np.tanh(x @ first.W + first.b)[0, unit],
                                                       rel=1e-5)
    np.testing.assert_allclose(maps.hidden[0].reshape(-1, 16), h1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(maps.hidden[1].reshape(-1, 16), h2, rtol=1e-5, atol=1e-6)


def test_one_sigmoid_unit_is_sure_of_the_class_it_picks():
    people = load_dataset("people")
    net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="mse", seed=0)
    net.fit(people.X_train, people.y_train, epochs=200, lr=0.1, batch_size=4)
    grid = input_grid(*data_ranges(people.X_train), width=20, height=20)
    maps = input_maps(net, grid)
    p = net.predict_proba(grid.points)[:, 0]
    np.testing.assert_array_equal(maps.predicted.ravel(), net.predict(grid.points))
    np.testing.assert_allclose(maps.confidence.ravel(), np.where(p > 0.5, p, 1 - p))
    assert maps.confidence.min() >= 0.5


def test_expand_features_builds_playgrounds_inputs():
    X2 = np.array([[1.0, 2.0], [-0.5, 3.0]])
    X = expand_features(X2, ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2"])
    x1, x2 = X2[:, 0], X2[:, 1]
    np.testing.assert_allclose(X, np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1),
                                                   np.sin(x2)]))
    assert set(FEATURES) == {"x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2"}
    np.testing.assert_array_equal(expand_features(X2, ()), X2)
    assert not X.flags.writeable
    with pytest.raises(SpecError, match="unknown input feature"):
        expand_features(X2, ["x3"])


def test_maps_are_drawn_over_the_base_coordinates_of_an_expanded_network():
    features = ("x1", "x2", "x1^2", "x2^2", "x1*x2")
    circles = load_dataset("circles")
    net = Network([Dense(5, 4, "tanh"), Dense(4, 2, "softmax")], seed=1)
    net.fit(expand_features(circles.X_train, features), circles.y_train, epochs=2)
    grid = input_grid((-1.5, 1.5), (-1.5, 1.5), width=16, height=12)
    maps = input_maps(net, grid, features)
    expanded = expand_features(grid.points, features)
    np.testing.assert_array_equal(maps.predicted.ravel(), net.predict(expanded))
    np.testing.assert_array_equal(maps.outputs.reshape(-1, 2), net.predict_proba(expanded))
    assert maps.hidden[0].shape == (12, 16, 4) and maps.features == features
    with pytest.raises(SpecError, match="5 inputs"):
        input_maps(net, grid)  # without the features the network cannot read the plane


def test_a_regression_network_has_outputs_but_no_classes():
    net = Network([Dense(2, 3, "tanh"), Dense(3, 1, "linear")], loss="mse", seed=0)
    grid = input_grid((0.0, 1.0), (0.0, 1.0), 6, 4)
    maps = input_maps(net, grid)
    assert maps.predicted is None and maps.confidence is None
    np.testing.assert_array_equal(maps.outputs.reshape(-1, 1), net.predict_proba(grid.points))


def test_function_curve_of_a_one_input_network():
    sine = load_dataset("sine")
    net = Network([Dense(1, 8, "tanh"), Dense(8, 1, "linear")], loss="mse", seed=0)
    net.fit(sine.X_train, sine.y_train, epochs=2)
    curve = function_curve(net, (-3.0, 3.0), points=50)
    assert curve.x[0] == -3.0 and curve.x[-1] == 3.0 and curve.x.shape == (50,)
    np.testing.assert_array_equal(curve.y, net.predict_proba(curve.x.reshape(-1, 1)))
    assert curve.hidden[0].shape == (50, 8) and not curve.y.flags.writeable
    with pytest.raises(SpecError):
        function_curve(Network([Dense(2, 1, "linear")], loss="mse"), (0.0, 1.0))
