"""The reference activations (see `engine.nn.reference`): each function with its derivative,
written as the textbooks write them, and softmax with its Jacobian-vector product."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.nn.reference import Array

ActivationFn = Callable[[Array], Array]


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
