"""Weight initialisers as functions of `(fan_in, fan_out, rng)`; each activation names the one
that keeps its signal's variance steady (He for the relu family, Glorot for the rest)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Initializer = Callable[[int, int, np.random.Generator], np.ndarray]


def he(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """W (fan_in, fan_out) ~ N(0, 2 / fan_in): keeps a relu layer's output variance steady."""
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def glorot(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """W (fan_in, fan_out) ~ U(-l, l), l = sqrt(6 / (fan_in + fan_out)): for tanh, sigmoid and
    linear units, the variance steady both forwards and backwards."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """W (fan_in, fan_out) ~ N(0, 1): no scaling, to show why the others scale."""
    return rng.normal(0.0, 1.0, size=(fan_in, fan_out))


INITIALIZERS: dict[str, Initializer] = {"he": he, "glorot": glorot, "normal": normal}
"""Every initializer by name: `(fan_in, fan_out, rng) -> W` of shape (fan_in, fan_out)."""
