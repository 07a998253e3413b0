"""Losses stay finite where naive formulas overflow, and agree with their textbook definitions."""

import numpy as np

from engine import Dense, Network
from engine.nn.losses import LOSSES


def test_cross_entropy_is_finite_for_a_confident_wrong_answer():
    z = np.array([[1000.0, -1000.0, 0.0]])
    a = np.array([[1.0, 0.0, 0.0]])
    T = np.array([[0.0, 1.0, 0.0]])
    loss, grad = LOSSES["cross_entropy"].value_and_grad(z, a, T)
    assert np.isfinite(loss) and abs(loss - 2000.0) < 1e-6
    assert np.all(np.isfinite(grad))


def test_cross_entropy_matches_the_definition_on_moderate_logits():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 4))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    T = np.eye(4)[rng.integers(0, 4, size=6)]
    loss, _ = LOSSES["cross_entropy"].value_and_grad(z, p, T)
    assert abs(loss - float(-np.mean(np.sum(T * np.log(p), axis=1)))) < 1e-12


def test_binary_cross_entropy_is_finite_for_huge_logits():
    z = np.array([[800.0], [-800.0]])
    a = 1 / (1 + np.exp(-np.clip(z, -50, 50)))
    loss, grad = LOSSES["binary_cross_entropy"].value_and_grad(z, a, np.array([[0.0], [1.0]]))
    assert np.isfinite(loss) and abs(loss - 800.0) < 1e-6
    assert np.all(np.isfinite(grad))


def test_mse_is_the_mean_over_the_batch():
    a = np.array([[1.0], [3.0]])
    loss, grad = LOSSES["mse"].value_and_grad(a, a, np.zeros((2, 1)))
    assert loss == 5.0
    np.testing.assert_allclose(grad, [[1.0], [3.0]])


def test_predict_proba_returns_arrays_training_never_writes_into():
    net = Network([Dense(3, 4, "relu"), Dense(4, 3, "softmax")], seed=0, dtype="float64")
    X = np.random.default_rng(1).normal(size=(5, 3))
    shown = net.predict_proba(X)
    kept = shown.copy()
    net.fit(X, np.array([0, 1, 2, 0, 1]), epochs=3, optimizer="sgd", lr=0.5, batch_size=0)
    np.testing.assert_array_equal(shown, kept)
    np.testing.assert_allclose(shown.sum(axis=1), 1.0)
