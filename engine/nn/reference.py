"""The reference path: the engine's maths written the way the textbooks write it.

Why this file exists
--------------------
The fast path (`Network`, `Dense`, the losses and the optimizers elsewhere in the engine) is
tuned for speed: every parameter lives in one flat buffer, work arrays are reused between steps,
softmax is fused with its cross-entropy, and Adam folds its bias corrections into one scalar.
All of that is correct, and all of it hides the formulas. This module is the same maths said
plainly, for two readers:

* a learner, who should recognise every line from Michael Nielsen's *Neural Networks and Deep
  Learning* (`network.py`) or Stanford's cs231n notes;
* the tests (`tests/engine/test_reference.py`), which use it as an oracle: hypothesis draws random
  small networks and checks that the fast path gives these numbers, to float64 round-off.

Nothing trains with this file. It imports NumPy and the standard library only, never the rest of
the engine, so a mistake in the fast path cannot be copied into its own check.

Conventions
-----------
* Batch-major: a batch of `n` examples with `d` features is an array `x` of shape `(n, d)`, one
  row per example.
* A layer is a tuple `(W, b, activation)`: `W` of shape `(n_in, n_out)`, `b` of shape `(n_out,)`
  and the activation's name. The layer computes `z = a_prev @ W + b` and `a = f(z)`.
* The loss of a batch is the mean over its examples of a per-example loss `ℓ_i`, so its gradient
  is the mean of the per-example gradients. The deltas below are per-example (`δ = p - y` for
  softmax with cross-entropy, not divided by `n`), and the `1/n` of the mean appears once, in
  `dW = a_prev.T @ δ / n` and `db = δ.sum(axis=0) / n`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Layer = tuple[Array, Array, str]  # (W (n_in, n_out), b (n_out,), activation name)
Gradients = list[tuple[Array, Array]]  # (dW, db) per layer, shaped like (W, b)
ActivationFn = Callable[[Array], Array]
Schedule = Callable[..., float]


# -- activations ------------------------------------------------------------------------------
# Each takes z of any shape (here (n, units)) and returns an array of the same shape. `f_prime`
# is the element-wise derivative f'(z), so that dL/dz = dL/da * f'(z).


def sigmoid(z: Array) -> Array:
    """σ(z) = 1 / (1 + e^-z), element-wise.

    For z < 0 it is computed as e^z / (1 + e^z) (the same value, multiplied through by e^z), so
    that e^-z never overflows for very negative z.
    """
    e = np.exp(-np.abs(z))  # e^-|z| is in (0, 1]: e^-z when z >= 0, e^z when z < 0
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z: Array) -> Array:
    """σ'(z) = σ(z) (1 - σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: Array) -> Array:
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z)."""
    return np.tanh(z)


def tanh_prime(z: Array) -> Array:
    """tanh'(z) = 1 - tanh(z)^2."""
    return 1.0 - np.tanh(z) ** 2


def relu(z: Array) -> Array:
    """relu(z) = max(z, 0)."""
    return np.maximum(z, 0.0)


def relu_prime(z: Array) -> Array:
    """relu'(z) = 1 where z > 0, else 0 (0 at z = 0 by convention)."""
    return (z > 0).astype(np.float64)


LEAKY_SLOPE = 0.01


def leaky_relu(z: Array) -> Array:
    """leaky_relu(z) = z where z > 0, else 0.01 z."""
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_prime(z: Array) -> Array:
    """leaky_relu'(z) = 1 where z > 0, else 0.01."""
    return np.where(z > 0, 1.0, LEAKY_SLOPE)


def linear(z: Array) -> Array:
    """linear(z) = z (no activation: the output of a regression)."""
    return z


def linear_prime(z: Array) -> Array:
    """linear'(z) = 1."""
    return np.ones_like(z)


def softmax(z: Array) -> Array:
    """softmax(z)_ij = e^z_ij / Σ_k e^z_ik, row by row; z and the result are (n, k).

    Subtracting each row's max first changes nothing (it cancels between numerator and
    denominator) but keeps every exponent <= 0, so e^z cannot overflow.
    """
    row_max: Array = z.max(axis=1, keepdims=True)
    e = np.exp(z - row_max)
    row_sums: Array = e.sum(axis=1, keepdims=True)
    return e / row_sums


def softmax_backward(a: Array, grad_a: Array) -> Array:
    """dL/dz for a = softmax(z), given dL/da; all three (n, k).

    Softmax is not element-wise, so instead of f'(z) it has a Jacobian per row,
    J = diag(a) - a aᵀ, and dL/dz = J dL/da = a * (g - Σ_k g_k a_k) with g = dL/da.
    """
    g_dot_a: Array = (grad_a * a).sum(axis=1, keepdims=True)  # Σ_k g_k a_k, (n, 1)
    return a * (grad_a - g_dot_a)


# The element-wise activations, name -> (f, f'). Softmax is the one that is not element-wise; it is
# only allowed on the output layer and `activate`/`activation_backward` handle it.
ACTIVATIONS: dict[str, tuple[ActivationFn, ActivationFn]] = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "linear": (linear, linear_prime),
}
ACTIVATION_NAMES = (*ACTIVATIONS, "softmax")


def activate(name: str, z: Array) -> Array:
    """a = f(z) for the activation `name`; z and a are (n, units)."""
    if name == "softmax":
        return softmax(z)
    f, _ = ACTIVATIONS[name]
    return f(z)


def activation_backward(name: str, z: Array, grad_a: Array) -> Array:
    """dL/dz = dL/da * f'(z) (the softmax Jacobian-vector product for softmax); all (n, units)."""
    if name == "softmax":
        return softmax_backward(softmax(z), grad_a)
    _, f_prime = ACTIVATIONS[name]
    return grad_a * f_prime(z)


# -- the forward pass -------------------------------------------------------------------------


def forward(x: Array, layers: Sequence[Layer]) -> tuple[list[Array], list[Array]]:
    """Feeds the batch `x` (n, d) through the layers.

    Returns `(zs, activations)` as in Nielsen's `backprop`: `zs[l]` is layer l's weighted input
    z = a_prev @ W + b, shape (n, n_out), and `activations[l]` is the input to layer l, so
    `activations[0]` is `x` and `activations[-1]` is the network's output.
    """
    activation = x
    activations = [x]
    zs = []
    for W, b, name in layers:
        z = activation @ W + b
        zs.append(z)
        activation = activate(name, z)
        activations.append(activation)
    return zs, activations


# -- losses -----------------------------------------------------------------------------------
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


# -- backpropagation --------------------------------------------------------------------------


def backward(layers: Sequence[Layer], zs: Sequence[Array], activations: Sequence[Array],
             delta: Array) -> Gradients:
    """Backpropagation: `(dW, db)` per layer from the output layer's per-example delta.

    `zs` and `activations` come from `forward`; `delta` is δ^L (n, k) from `output_delta`. Going
    back from the last layer, with n the batch size:

        dW_l = a_{l-1}ᵀ δ_l / n                       (n_in, n_out)
        db_l = Σ_i δ_l,i / n                          (n_out,)
        δ_{l-1} = (δ_l W_lᵀ) * f'_{l-1}(z_{l-1})      (n, n_in)
    """
    n = activations[0].shape[0]
    grads: Gradients = []
    for l in range(len(layers) - 1, -1, -1):  # noqa: E741 (l for layer, as in the textbooks)
        if l < len(layers) - 1:
            W_next = layers[l + 1][0]
            name = layers[l][2]
            _require(name in ACTIVATIONS, f"{name} belongs on the output layer only")
            _, f_prime = ACTIVATIONS[name]
            delta = (delta @ W_next.T) * f_prime(zs[l])
        dW = activations[l].T @ delta / n
        db = delta.sum(axis=0) / n
        grads.insert(0, (dW, db))
    return grads


def loss_and_gradients(layers: Sequence[Layer], x: Array, t: Array, loss: str,
                       l2: float = 0.0) -> tuple[float, Gradients]:
    """The batch loss and `(dW, db)` per layer, for inputs x (n, d) and targets t (n, k).

    With `l2 > 0` the objective gains the weight-decay penalty (l2 / 2) Σ_l ||W_l||², whose
    gradient l2 W_l is added to each dW_l (biases are not decayed). The loss returned is the data
    loss alone, without the penalty.
    """
    zs, activations = forward(x, layers)
    value, delta = output_delta(loss, layers[-1][2], zs[-1], t)
    grads = backward(layers, zs, activations, delta)
    if l2:
        grads = [(dW + l2 * W, db) for (dW, db), (W, _, _) in zip(grads, layers)]
    return value, grads


def parameters(layers: Sequence[Layer]) -> list[Array]:
    """The trainable arrays in order, `[W_0, b_0, W_1, b_1, ...]` (the layers' own arrays)."""
    return [array for W, b, _ in layers for array in (W, b)]


def flatten(grads: Gradients) -> list[Array]:
    """`[(dW_0, db_0), ...]` -> `[dW_0, db_0, ...]`, matching `parameters`."""
    return [array for pair in grads for array in pair]


# -- optimizers -------------------------------------------------------------------------------
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

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        if not self.velocities:
            self.velocities = [np.zeros_like(w) for w in params]
        for w, g, v in zip(params, grads, self.velocities):
            v[...] = self.mu * v - lr * g
            w += v


class Nesterov(Optimizer):
    """Nesterov's accelerated gradient (Sutskever et al. 2013), as cs231n writes it:

        v_prev = v
        v <- mu v - lr g
        w <- w - mu v_prev + (1 + mu) v

    Sutskever's form takes the gradient at the look-ahead point w + mu v. Tracking that point
    instead of w (w' = w + mu v) leaves a step that needs only the gradient where we stand; since
    v - mu v_prev = -lr g, the last line is the same as w <- w + mu v - lr g. With a constant lr
    it also equals PyTorch's `buf = mu buf + g; w -= lr (g + mu buf)` (there v = -lr buf).
    """

    def __init__(self, momentum: float = 0.9) -> None:
        self.mu = momentum
        self.velocities: list[Array] = []

    def step(self, params: Sequence[Array], grads: Sequence[Array], lr: float) -> None:
        if not self.velocities:
            self.velocities = [np.zeros_like(w) for w in params]
        mu = self.mu
        for w, g, v in zip(params, grads, self.velocities):
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


# -- learning-rate schedules ------------------------------------------------------------------
# `schedule(base_lr, epoch, total_epochs, **options) -> lr`, with epochs counted from 0.


def constant(base_lr: float, epoch: int, total: int) -> float:
    """lr = base_lr, every epoch."""
    return base_lr


def step(base_lr: float, epoch: int, total: int, every: int = 20, gamma: float = 0.5) -> float:
    """Step decay: lr = base_lr * gamma^floor(epoch / every) (every < 1 counts as 1)."""
    every = max(1, every)
    return base_lr * gamma ** math.floor(epoch / every)


def cosine(base_lr: float, epoch: int, total: int, min_lr: float = 0.0) -> float:
    """Cosine annealing from base_lr at epoch 0 to min_lr at epoch `total` (and after):

        lr = min_lr + (base_lr - min_lr) (1 + cos(pi p)) / 2,   p = min(1, epoch / total)
    """
    progress = min(1.0, epoch / max(1, total))
    return min_lr + (base_lr - min_lr) * (1.0 + math.cos(math.pi * progress)) / 2


SCHEDULES: dict[str, Schedule] = {"constant": constant, "step": step, "cosine": cosine}


# -- a training loop --------------------------------------------------------------------------


def train(layers: Sequence[Layer], x: Array, t: Array, loss: str, optimizer: Optimizer,
          lr: float, epochs: int, l2: float = 0.0, schedule: str = "constant",
          **schedule_options: float) -> list[float]:
    """Full-batch gradient descent: each epoch is one step on the whole of x (n, d), t (n, k),
    at the learning rate the schedule gives for that epoch. Updates the layers' W and b in place
    and returns the loss of each epoch (measured before that epoch's step)."""
    losses = []
    for epoch in range(epochs):
        rate = SCHEDULES[schedule](lr, epoch, epochs, **schedule_options)
        value, grads = loss_and_gradients(layers, x, t, loss, l2)
        optimizer.step(parameters(layers), flatten(grads), rate)
        losses.append(value)
    return losses
