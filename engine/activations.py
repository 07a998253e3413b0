"""Activations, each defined once with its derivative, found by name through `ACTIVATIONS`.

`backward(z, a, grad)` receives the pre-activation `z`, the output `a = forward(z)` and dL/da and
returns dL/dz as a new array (never written into `a`, which callers may still be reading).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.errors import SpecError

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    name: str
    forward: Callable[[Array], Array]
    backward: Callable[[Array, Array, Array], Array]
    init: str  # the initializer that suits it: "he" or "glorot"


def _sigmoid(z: Array) -> Array:
    # exp(-|z|) never overflows; the two branches agree and are both stable.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _softmax_backward(z: Array, a: Array, grad: Array) -> Array:
    # Jacobian-vector product of softmax, row by row: a * (g - <g, a>).
    return a * (grad - (grad * a).sum(axis=1, keepdims=True))


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


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(ACTIVATIONS)
        raise SpecError(f"unknown activation '{name}' (choose from {known})") from None
