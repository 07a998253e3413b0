"""Activations, each defined once with its derivative, found by name through `ACTIVATIONS`.

`forward(z)` maps pre-activations z (n, units) to a new array a (n, units). `backward(z, a, g)`
receives z, the output `a = forward(z)` and g = dL/da (all (n, units)) and returns dL/dz as a new
array, never written into `a`, which callers may still be reading. (The training step writes
some of these into reused buffers instead: see `kernels.py`.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.errors import SpecError

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """An elementwise (or, for softmax, row-wise) function with its derivative; `init` names the
    initializer that keeps its signal's variance steady ("he" or "glorot")."""

    name: str
    forward: Callable[[Array], Array]  # z (n, units) -> a (n, units)
    backward: Callable[[Array, Array, Array], Array]  # (z, a, dL/da) -> dL/dz, all (n, units)
    init: str


def _sigmoid(z: Array) -> Array:
    # s(z) = 1 / (1 + exp(-z)); through exp(-|z|), which never overflows, both branches are stable.
    e = np.exp(-np.abs(z))
    a: Array = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)
    return a


def _softmax(z: Array) -> Array:
    # softmax(z)_k = exp(z_k) / sum_j exp(z_j), row by row; shifting by the row's max changes
    # nothing but keeps exp from overflowing.
    e = np.exp(z - z.max(axis=1, keepdims=True))
    a: Array = e / e.sum(axis=1, keepdims=True)
    return a


def _softmax_backward(z: Array, a: Array, grad: Array) -> Array:
    # Jacobian-vector product of softmax, row by row: a * (g - <g, a>).
    dz: Array = a * (grad - (grad * a).sum(axis=1, keepdims=True))
    return dz


LEAKY_SLOPE = 0.01

ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", _sigmoid, lambda z, a, g: g * a * (1 - a), "glorot"),
    "tanh": Activation("tanh", np.tanh, lambda z, a, g: g * (1 - a * a), "glorot"),
    "relu": Activation("relu", lambda z: np.maximum(z, 0), lambda z, a, g: g * (z > 0), "he"),
    "leaky_relu": Activation(
        "leaky_relu",
        lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
        lambda z, a, g: g * np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype),
        "he",
    ),
    "linear": Activation("linear", lambda z: z, lambda z, a, g: g, "glorot"),
    "softmax": Activation("softmax", _softmax, _softmax_backward, "glorot"),
}
"""Every activation by name: value `forward(z)` and derivative `backward(z, a, dL/da)`, on
(n, units) arrays."""


def get_activation(name: str) -> Activation:
    """The activation called `name`; SpecError naming the known ones if there is none."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(ACTIVATIONS)
        raise SpecError(f"unknown activation '{name}' (choose from {known})") from None
