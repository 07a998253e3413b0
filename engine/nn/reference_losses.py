"""The reference losses (see `engine.nn.reference`): mse, softmax cross-entropy and binary
cross-entropy, each with its per-example gradient; the last two from the logits, so that the
softmax/cross-entropy gradient is the plain `p - t`."""

from __future__ import annotations

import numpy as np

from engine.nn.reference import Array
from engine.nn.reference_activations import activate, activation_backward, sigmoid, softmax

# Targets `t` are (n, k) floats: one-hot rows for class labels. Each loss returns the batch loss
# L = (1/n) Σ_i ℓ_i and a per-example gradient (not divided by n).


def mse(a: Array, t: Array) -> tuple[float, Array]:
    """Mean squared error over all n·k elements: L = mean((a - t)^2).

    Per example ℓ_i = (1/k) Σ_j (a_ij - t_ij)^2, so the per-example gradient returned is
    dℓ_i/da_i = 2 (a_i - t_i) / k, shape (n, k).
    """
    k = a.shape[1]
    diff = a - t
    return float(np.mean(diff**2)), 2.0 * diff / k


def log_softmax(z: Array) -> Array:
    """log softmax(z) = z - log Σ_k e^z_k, row by row, via the log-sum-exp trick; (n, k)."""
    row_max: Array = z.max(axis=1, keepdims=True)
    shifted = z - row_max
    sum_exp: Array = np.exp(shifted).sum(axis=1, keepdims=True)
    return shifted - np.log(sum_exp)


def cross_entropy(z: Array, t: Array) -> tuple[float, Array]:
    """Softmax cross-entropy from the logits z (n, k): L = mean_i(-Σ_j t_ij log softmax(z)_ij).

    Taken from the logits (never log(softmax(z)), which is -inf for a confident wrong answer),
    and differentiated through the softmax in one go: δ_i = dℓ_i/dz_i = p_i - t_i with
    p = softmax(z).
    """
    loss = float(np.mean(-(t * log_softmax(z)).sum(axis=1)))
    delta = softmax(z) - t
    return loss, delta


def softplus(x: Array) -> Array:
    """softplus(x) = log(1 + e^x), computed without overflow."""
    return np.logaddexp(0.0, x)


def binary_cross_entropy(z: Array, t: Array) -> tuple[float, Array]:
    """Sigmoid binary cross-entropy from the logits z (n, k), averaged over all n·k elements.

    Each element costs -[t log σ(z) + (1 - t) log(1 - σ(z))]. With log σ(z) = -softplus(-z) and
    log(1 - σ(z)) = -softplus(z) this is t softplus(-z) + (1 - t) softplus(z), which never takes
    the log of 0. Per example ℓ_i is the mean over its k outputs, so δ_i = (σ(z_i) - t_i) / k.
    """
    k = z.shape[1]
    per_element = t * softplus(-z) + (1.0 - t) * softplus(z)
    return float(np.mean(per_element)), (sigmoid(z) - t) / k


LOSS_NAMES = ("mse", "cross_entropy", "binary_cross_entropy")


def output_delta(loss: str, activation: str, z: Array, t: Array) -> tuple[float, Array]:
    """The batch loss and the output layer's per-example delta δ^L = dℓ_i/dz^L, shape (n, k).

    cross_entropy goes with a softmax output and binary_cross_entropy with a sigmoid output,
    each differentiated from the logits; mse goes with any output activation, δ = dℓ/da * f'(z).
    """
    if loss == "cross_entropy":
        _require(activation == "softmax", "cross_entropy needs a softmax output layer")
        return cross_entropy(z, t)
    if loss == "binary_cross_entropy":
        _require(activation == "sigmoid", "binary_cross_entropy needs a sigmoid output layer")
        return binary_cross_entropy(z, t)
    if loss == "mse":
        value, grad_a = mse(activate(activation, z), t)
        return value, activation_backward(activation, z, grad_a)
    raise ValueError(f"unknown loss {loss!r} (choose from {', '.join(LOSS_NAMES)})")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)
