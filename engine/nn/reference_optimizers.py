"""The reference optimizers (see `engine.nn.reference`): SGD, momentum, Nesterov, RMSProp and
Adam, each update rule spelled out over a list of arrays (Adam's bias corrections included)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.nn.reference import Array

# Each `step(params, grads, lr)` updates every array of `params` in place from the gradient of
# the same shape in `grads`, keeping per-array state (velocities, moments) between steps.


class Optimizer:
    """One update rule; `step` applies it once to every parameter array."""

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent: w <- w - lr g."""

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        for w, g in zip(params, grads):
            w -= lr * g


class Momentum(Optimizer):
    """Gradient descent with momentum (cs231n's form, lr inside the velocity):

        v <- mu v - lr g
        w <- w + v
    """

    def __init__(self, momentum: float = 0.9) -> None:
        self.mu = momentum
        self.velocities: list[Array] = []

    def _velocities(self, params: Sequence[Array]) -> list[Array]:
        """v, one per parameter, zero before the first step."""
        if not self.velocities:
            self.velocities = [np.zeros_like(w) for w in params]
        return self.velocities

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        for w, g, v in zip(params, grads, self._velocities(params)):
            v[...] = self.mu * v - lr * g
            w += v


class Nesterov(Momentum):
    """Nesterov's accelerated gradient (Sutskever et al. 2013), as cs231n writes it:

        v_prev = v
        v <- mu v - lr g
        w <- w - mu v_prev + (1 + mu) v

    Sutskever's form takes the gradient at the look-ahead point w + mu v. Tracking that point
    instead of w (w' = w + mu v) leaves a step that needs only the gradient where we stand; since
    v - mu v_prev = -lr g, the last line is the same as w <- w + mu v - lr g. With a constant lr
    it also equals PyTorch's `buf = mu buf + g; w -= lr (g + mu buf)` (there v = -lr buf).
    """

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        mu = self.mu
        for w, g, v in zip(params, grads, self._velocities(params)):
            v_prev = v.copy()
            v[...] = mu * v - lr * g
            w += -mu * v_prev + (1 + mu) * v


class RMSProp(Optimizer):
    """RMSProp (Hinton's lecture 6e): divide by a running root-mean-square of the gradient.

        s <- rho s + (1 - rho) g^2
        w <- w - lr g / (sqrt(s) + eps)
    """

    def __init__(self, rho: float = 0.9, eps: float = 1e-8) -> None:
        self.rho = rho
        self.eps = eps
        self.squares: list[Array] = []

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        if not self.squares:
            self.squares = [np.zeros_like(w) for w in params]
        rho, eps = self.rho, self.eps
        for w, g, s in zip(params, grads, self.squares):
            s[...] = rho * s + (1 - rho) * g**2
            w -= lr * g / (np.sqrt(s) + eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, algorithm 1), with t counting the steps from 1:

        m <- b1 m + (1 - b1) g            first moment (mean of g)
        v <- b2 v + (1 - b2) g^2          second moment (mean of g^2)
        m_hat = m / (1 - b1^t)            bias corrections: m and v start at 0
        v_hat = v / (1 - b2^t)
        w <- w - lr m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.t = 0
        self.ms: list[Array] = []
        self.vs: list[Array] = []

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        if not self.ms:
            self.ms = [np.zeros_like(w) for w in params]
            self.vs = [np.zeros_like(w) for w in params]
        self.t += 1
        b1, b2, t, eps = self.beta1, self.beta2, self.t, self.eps
        for w, g, m, v in zip(params, grads, self.ms, self.vs):
            m[...] = b1 * m + (1 - b1) * g
            v[...] = b2 * v + (1 - b2) * g**2
            m_hat = m / (1 - b1**t)
            v_hat = v / (1 - b2**t)
            w -= lr * m_hat / (np.sqrt(v_hat) + eps)


OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "rmsprop", "adam")


def make_optimizer(name: str, momentum: float = 0.9, nesterov: bool = False) -> Optimizer:
    """The optimizer named, with its default settings; `momentum` and `nesterov` apply to
    "momentum" (nesterov=True gives `Nesterov`), and "nesterov" names Nesterov directly."""
    if name == "sgd":
        return SGD()
    if name == "momentum":
        return Nesterov(momentum) if nesterov else Momentum(momentum)
    if name == "nesterov":
        return Nesterov(momentum)
    if name == "rmsprop":
        return RMSProp()
    if name == "adam":
        return Adam()
    raise ValueError(f"unknown optimizer {name!r} (choose from {', '.join(OPTIMIZER_NAMES)})")
