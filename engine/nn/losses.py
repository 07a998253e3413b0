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
from engine.nn import kernels

Array = np.ndarray
# (z, a, T) -> (loss, gradient); the gradient is dL/dz when the loss is fused, else dL/da.
LossFn = Callable[[Array, Array, Array], tuple[float, Array]]


@dataclass(frozen=True)
class Loss:
    """A loss over a batch: `value_and_grad(z, a, T)` takes the output layer's pre-activation
    z (n, k), its activation a (n, k) and targets T (n, k) and returns (mean loss, gradient
    (n, k)). The gradient is dL/dz when the loss is fused with the activation `fused_with`
    (it differentiates through it itself), else dL/da."""

    name: str
    value_and_grad: LossFn
    fused_with: str | None
    summary: str
    # (z, T) -> (loss, dL/dz, a): activation, loss and gradient in one pass, for training.
    from_logits: Callable[[Array, Array], tuple[float, Array, Array]] | None = None

    def value(self, z: Array, a: Array, T: Array) -> float:
        """The mean loss alone, from z, a and T (n, k)."""
        return self.value_and_grad(z, a, T)[0]


def _mse(z: Array, a: Array, T: Array) -> tuple[float, Array]:
    # L = mean((a - t)^2) over every entry; dL/da = 2 (a - t) / (n k).
    diff = a - T
    return float(np.mean(diff * diff)), diff * (2.0 / diff.size)


def _cross_entropy(z: Array, a: Array, T: Array) -> tuple[float, Array]:
    # L = -(1/n) sum_i sum_k t_ik log softmax(z_i)_k, with log softmax(z) = z - logsumexp(z)
    # computed from the logits; dL/dz = (softmax(z) - t) / n.
    shift = z.max(axis=1, keepdims=True)
    log_p = z - shift - np.log(np.exp(z - shift).sum(axis=1, keepdims=True))
    n = z.shape[0]
    return float(-np.sum(T * log_p) / n), (a - T) / n


def _binary_cross_entropy(z: Array, a: Array, T: Array) -> tuple[float, Array]:
    # log(1 + exp(-|z|)) + max(z, 0) - z t  is  -[t log s(z) + (1-t) log(1-s(z))], without overflow;
    # dL/dz = (s(z) - t) / (n k).
    per_item = np.maximum(z, 0) - z * T + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(per_item)), (a - T) * (1.0 / z.size)


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", _mse, None, "mean squared error, any output activation"),
    "cross_entropy": Loss(
        "cross_entropy", _cross_entropy, "softmax", "softmax cross-entropy (needs softmax output)",
        kernels.softmax_cross_entropy,
    ),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy",
        _binary_cross_entropy,
        "sigmoid",
        "binary cross-entropy (needs sigmoid output)",
    ),
}
"""Every loss by name; each maps z, a, T (n, k) to (mean loss, gradient (n, k))."""


def get_loss(name: str) -> Loss:
    """The loss called `name`; SpecError naming the known ones if there is none."""
    try:
        return LOSSES[name]
    except KeyError:
        raise SpecError(f"unknown loss '{name}' (choose from {', '.join(LOSSES)})") from None
