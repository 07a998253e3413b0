"""Backprop against central finite differences in float64, on random small networks whose
shapes, activations and losses hypothesis chooses."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import ACTIVATIONS, Dense, Network

HIDDEN = [name for name in ACTIVATIONS if name != "softmax"]
# (output activation, loss, kind of target)
HEADS = [
    ("softmax", "cross_entropy", "labels"),
    ("sigmoid", "binary_cross_entropy", "binary"),
    ("softmax", "mse", "onehot"),
    *[(name, "mse", "real") for name in HIDDEN],
]


def _targets(kind: str, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "labels":
        return rng.integers(0, k, size=n)
    if kind == "binary":
        return rng.integers(0, 2, size=(n, k)).astype(float)
    if kind == "onehot":
        return np.eye(k)[rng.integers(0, k, size=n)]
    return rng.normal(size=(n, k))


def _numeric_gradient(net: Network, X: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    eps = 1e-6
    grad = np.zeros_like(net.params)
    for i in range(net.params.size):
        old = net.params[i]
        net.params[i] = old + eps
        plus = net.loss_value(X, y) + 0.5 * l2 * float(np.sum((net.params * net.decay_mask) ** 2))
        net.params[i] = old - eps
        minus = net.loss_value(X, y) + 0.5 * l2 * float(np.sum((net.params * net.decay_mask) ** 2))
        net.params[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """|a - b| / (|a| + |b|) over the whole gradient vector, as in CS231n's gradient checks."""
    return float(np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b)))


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    hidden=st.lists(st.sampled_from(HIDDEN), min_size=3, max_size=3),
    head=st.sampled_from(HEADS),
    n=st.integers(1, 6),
    seed=st.integers(0, 2**16),
    l2=st.sampled_from([0.0, 0.1]),
)
def test_backprop_matches_finite_differences(sizes, hidden, head, n, seed, l2):
    out_activation, loss, target_kind = head
    rng = np.random.default_rng(seed)
    n_in = sizes[0]
    k = 3 if out_activation == "softmax" else 2
    units = [*sizes[1:], k]
    dims = [n_in, *units]
    activations = [*hidden[: len(units) - 1], out_activation]
    layers = [Dense(a, b, act) for a, b, act in zip(dims, dims[1:], activations)]
    net = Network(layers, loss=loss, seed=seed, dtype="float64")
    net.params += rng.normal(scale=0.1, size=net.params.size)  # non-zero biases too
    X = rng.normal(size=(n, n_in))
    y = _targets(target_kind, n, k, rng)
    if "relu" in activations:
        # Keep pre-activations away from relu's kink, where finite differences lie.
        for layer in net.layers:
            layer.b += 0.05
    _, grads = net.loss_and_gradients(X, y, l2=l2)
    analytic = np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in grads])
    numeric = _numeric_gradient(net, X, y, l2)
    # A relu kink crossed within +-eps makes the finite difference lie, not the backprop.
    assert _relative_error(analytic, numeric) < 1e-6 or _kink_nearby(net, X)


def _kink_nearby(net: Network, X: np.ndarray) -> bool:
    a = X
    for layer in net.layers:
        z = a @ layer.W + layer.b
        if layer.activation in ("relu", "leaky_relu") and np.min(np.abs(z)) < 1e-5:
            return True
        a = layer.act.forward(z)
    return False


def test_gradients_are_returned_per_layer_with_the_layer_shapes():
    net = Network([Dense(4, 3, "tanh"), Dense(3, 2, "softmax")], seed=1, dtype="float64")
    loss, grads = net.loss_and_gradients(np.ones((5, 4)), np.array([0, 1, 0, 1, 1]))
    assert np.isfinite(loss)
    assert [(dW.shape, db.shape) for dW, db in grads] == [((4, 3), (3,)), ((3, 2), (2,))]
    grads[0][0][...] = 123.0  # copies: the network's own buffers are untouched
    assert not np.any(net.grads == 123.0)
