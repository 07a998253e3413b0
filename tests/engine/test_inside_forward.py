"""The layer-by-layer forward pass equals the engine's; flat buffers split per layer like the
engine's own views."""

import numpy as np
import pytest

from engine import Dense, Network
from engine.errors import SpecError
from engine.inside.forward import _Place, forward_layers, layer_views


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_last_activation_is_predict_proba_exactly(dtype):
    rng = np.random.default_rng(0)
    net = Network([Dense(5, 7, "relu"), Dense(7, 6, "leaky_relu"), Dense(6, 4, "tanh"),
                   Dense(4, 3, "sigmoid"), Dense(3, 3, "softmax")], seed=2, dtype=dtype)
    net.params += rng.normal(scale=0.5, size=net.params.size).astype(dtype)  # biases too
    X = rng.normal(size=(9, 5))
    passes = forward_layers(net, X)
    np.testing.assert_array_equal(passes[-1].a, net.predict_proba(X))
    np.testing.assert_array_equal(passes[-1].z, net.logits(X))
    assert [p.a.shape for p in passes] == [(9, 7), (9, 6), (9, 4), (9, 3), (9, 3)]
    assert all(p.a.dtype == np.dtype(dtype) and not p.z.flags.writeable for p in passes)
    np.testing.assert_allclose(passes[0].a, np.maximum(X @ net.layers[0].W + net.layers[0].b, 0),
                               rtol=1e-6)


def test_a_flat_buffer_splits_like_the_networks_layers():
    net = Network([Dense(4, 3, "tanh"), Dense(3, 2, "softmax")], seed=1, dtype="float64")
    _, grads = net.loss_and_gradients(np.ones((5, 4)), np.array([0, 1, 0, 1, 1]))
    views = layer_views(net, net.grads)
    for (dW, db), (dW_view, db_view) in zip(grads, views):
        np.testing.assert_array_equal(dW_view, dW)
        np.testing.assert_array_equal(db_view, db)
        assert not dW_view.flags.writeable
    assert net.grads.flags.writeable  # only the views are read-only
    params = [(W.copy(), b.copy()) for W, b in layer_views(net, net.params)]
    for (W, b), layer in zip(params, net.layers):
        np.testing.assert_array_equal(W, layer.W)
        np.testing.assert_array_equal(b, layer.b)
    with pytest.raises(SpecError):
        layer_views(net, np.zeros(3))


def test_a_scattered_layout_is_gathered():
    place = _Place.of(np.array([[0, 2], [1, 3]]))  # W stored column by column
    assert place.run is None
    np.testing.assert_array_equal(place.take(np.array([10, 11, 12, 13])), [[10, 12], [11, 13]])
    run = _Place.of(np.array([[4, 5, 6]]))
    assert run.run == slice(4, 7)
    np.testing.assert_array_equal(run.take(np.arange(10)), [[4, 5, 6]])
