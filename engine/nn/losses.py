"""Losses, each the mean over the batch, with their gradients; registry `LOSSES`.

Targets arrive as a float matrix `T` of shape (n, outputs) (one-hot rows for class labels).
cross_entropy works on softmax logits and binary_cross_entropy on sigmoid logits: fusing them
with their activation gives a gradient `p - t` and a loss from log-sum-exp that never becomes
inf or nan, even for a confident wrong prediction (where `-log(softmax(z))` would).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.errors import SpecError
from engine.nn.activations import row_max, row_sum

Array = np.ndarray
# (z, a, T) -> (loss, gradient); the gradient is dL/dz when the loss is fused, else dL/da.
LossFn = Callable[[Array, Array, Array], "tuple[float, Array]"]


@dataclass(frozen=True)
class Loss:
    name: str
    value_and_grad: LossFn
    fused_with: str | None  # the output activation this loss differentiates through itself
    summary: str
    # (z, T) -> (loss, dL/dz, the output activation): one pass for a fused pair, used in training.
    from_logits: Callable[[Array, Array], tuple[float, Array, Array]] | None = None

    def value(self, z: Array, a: Array, T: Array) -> float:
        return self.value_and_grad(z, a, T)[0]


def _mse(z: Array, a: Array, T: Array) -> tuple[float, Array]:
    diff = a - T
    return float(np.mean(diff * diff)), diff * (2.0 / diff.size)


def _cross_entropy(z: Array, a: Array, T: Array) -> tuple[float, Array]:
    shifted = z - row_max(z)
    log_norm = np.log(row_sum(np.exp(shifted)))
    n = z.shape[0]
    # -sum(T * (shifted - log_norm)) as two dot products: no (n, k) temporaries, no slow reductions
    loss = (float(np.vdot(log_norm, row_sum(T))) - float(np.vdot(shifted, T))) / n
    grad = a - T
    grad *= 1.0 / n
    return loss, grad


def _softmax_cross_entropy(z: Array, T: Array) -> tuple[float, Array, Array]:
    """Softmax and its cross-entropy from one exp: the training step's output layer."""
    shifted = z - row_max(z)
    a = np.exp(shifted)
    norm = row_sum(a)
    a /= norm
    n = z.shape[0]
    loss = (float(np.vdot(np.log(norm), row_sum(T))) - float(np.vdot(shifted, T))) / n
    grad = a - T
    grad *= 1.0 / n
    return loss, grad, a


def _binary_cross_entropy(z: Array, a: Array, T: Array) -> tuple[float, Array]:
    # log(1 + exp(-|z|)) + max(z, 0) - z t  is  -[t log s(z) + (1-t) log(1-s(z))], without overflow.
    per_item = np.maximum(z, 0) - z * T + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(per_item)), (a - T) * (1.0 / z.size)


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", _mse, None, "mean squared error, any output activation"),
    "cross_entropy": Loss(
        "cross_entropy", _cross_entropy, "softmax", "softmax cross-entropy (needs softmax output)",
        _softmax_cross_entropy,
    ),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy",
        _binary_cross_entropy,
        "sigmoid",
        "binary cross-entropy (needs sigmoid output)",
    ),
}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise SpecError(f"unknown loss '{name}' (choose from {', '.join(LOSSES)})") from None
