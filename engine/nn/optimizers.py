"""Optimizers over the network's flat parameter buffer: each `step` is a handful of whole-buffer
NumPy operations, whatever the depth, because per-call overhead dominates at small batches."""

from __future__ import annotations

import numpy as np

from engine.errors import SpecError
from engine.nn import kernels


class Optimizer:
    """`step(params, grads, lr)` updates the flat parameter buffer `params` (P,) in place from
    the gradients `grads` (P,); any state (moments) lives in flat (P,) buffers too."""

    def __init__(self, **settings: float) -> None:
        self.settings = settings

    def reset(self) -> None:
        """Forget the state (moments), for example after the weights were re-initialised."""

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent: p -= lr g."""

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        params -= lr * grads


class Momentum(Optimizer):
    """Heavy-ball momentum, or Nesterov's look-ahead form (as in Sutskever et al. 2013):

        v = momentum v - lr g
        p += v                              (classical)
        p += momentum v - lr g              (nesterov: the step taken from the look-ahead point)
    """

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
    """RMSProp (Hinton's lecture 6e): s = rho s + (1 - rho) g^2;  p -= lr g / (sqrt(s) + eps)."""

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
    """Adam (Kingma & Ba 2015), per parameter, t counting steps from 1:

        m = beta1 m + (1 - beta1) g            v = beta2 v + (1 - beta2) g^2
        m_hat = m / (1 - beta1^t)              v_hat = v / (1 - beta2^t)
        p -= lr m_hat / (sqrt(v_hat) + eps)

    computed by `kernels.adam_update` with the bias corrections folded into scalars (so `m` and
    `v` hold the moments divided by (1 - beta1) and (1 - beta2))."""

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 **_: float) -> None:
        super().__init__(beta1=beta1, beta2=beta2, eps=eps)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.reset()

    def reset(self) -> None:
        self.m: np.ndarray | None = None
        self.v: np.ndarray | None = None
        self.t = 0
        self._scratch = np.empty(0)

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        if self.m is None or self.v is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        if self._scratch.shape != params.shape:  # (the compiled step makes m, v but no scratch)
            self._scratch = np.empty_like(params)
        self.t += 1
        kernels.adam_update(params, grads, self.m, self.v, self._scratch, self.t, lr,
                            self.beta1, self.beta2, self.eps)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "rmsprop": RMSProp,
    "adam": Adam,
}
"""Every optimizer class by name; each steps a flat (P,) parameter buffer in place."""


def make_optimizer(name: str, momentum: float = 0.9, nesterov: bool = False) -> Optimizer:
    """The optimizer called `name`, for flat (P,) buffers; only the settings it uses apply."""
    if name not in OPTIMIZERS:
        raise SpecError(f"unknown optimizer '{name}' (choose from {', '.join(OPTIMIZERS)})")
    return OPTIMIZERS[name](momentum=momentum, nesterov=nesterov)
