"""Optimizers over the network's flat parameter buffer: each `step` is a handful of whole-buffer
NumPy operations, whatever the depth, because per-call overhead dominates at small batches."""

from __future__ import annotations

import math

import numpy as np

from engine.errors import SpecError


class Optimizer:
    """`step(params, grads, lr)` updates `params` in place; state lives in flat buffers too."""

    def __init__(self, **settings: float) -> None:
        self.settings = settings

    def reset(self) -> None:
        """Forget the state (moments), for example after the weights were re-initialised."""

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        params -= lr * grads


class Momentum(Optimizer):
    def __init__(self, momentum: float = 0.9, nesterov: bool = False, **_: float) -> None:
        super().__init__(momentum=momentum, nesterov=nesterov)
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity: np.ndarray | None = None

    def reset(self) -> None:
        self.velocity = None

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        if self.velocity is None:
            self.velocity = np.zeros_like(params)
        v = self.velocity
        v *= self.momentum
        v -= lr * grads
        if self.nesterov:
            params += self.momentum * v - lr * grads
        else:
            params += v


class RMSProp(Optimizer):
    def __init__(self, rho: float = 0.9, eps: float = 1e-8, **_: float) -> None:
        super().__init__(rho=rho, eps=eps)
        self.rho, self.eps = rho, eps
        self.square: np.ndarray | None = None

    def reset(self) -> None:
        self.square = None

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        if self.square is None:
            self.square = np.zeros_like(params)
        s = self.square
        s *= self.rho
        s += (1 - self.rho) * grads * grads
        params -= lr * grads / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 **_: float) -> None:
        super().__init__(beta1=beta1, beta2=beta2, eps=eps)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.reset()

    def reset(self) -> None:
        self.m: np.ndarray | None = None
        self.v: np.ndarray | None = None
        self.t = 0
        self._scratch: np.ndarray | None = None

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        if self.m is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
            self._scratch = np.empty_like(params)
        # m and v are kept divided by (1 - beta1) and (1 - beta2): `m = b1 m + g` is two passes
        # over the buffer instead of three, and those factors move into the scalars below.
        m, v, tmp = self.m, self.v, self._scratch
        self.t += 1
        b1, b2, t = self.beta1, self.beta2, self.t
        m *= b1
        m += grads
        v *= b2
        np.multiply(grads, grads, out=tmp)
        v += tmp
        # Bias corrections folded into one scalar step size (as in the Adam paper, section 2).
        v_scale = math.sqrt((1 - b2**t) / (1 - b2))
        np.sqrt(v, out=tmp)
        tmp += self.eps * v_scale
        np.divide(m, tmp, out=tmp)
        tmp *= lr * (1 - b1) / (1 - b1**t) * v_scale
        params -= tmp


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "rmsprop": RMSProp,
    "adam": Adam,
}


def make_optimizer(name: str, momentum: float = 0.9, nesterov: bool = False) -> Optimizer:
    """Builds the optimizer named; only the settings it uses are applied."""
    if name not in OPTIMIZERS:
        raise SpecError(f"unknown optimizer '{name}' (choose from {', '.join(OPTIMIZERS)})")
    return OPTIMIZERS[name](momentum=momentum, nesterov=nesterov)
