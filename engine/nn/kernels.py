"""The speed tricks of the training step, all in this one file; everything else in `engine.nn`
reads as the plain maths and calls in here where a trick pays.

At the sizes this tool trains (batches of 32-1257 rows, layers of 10-256 units) a step's time
goes to NumPy's per-call overhead (1.5-2.6 µs a call) and to fresh allocations, more than to
arithmetic. Each trick is tested equal to its plain NumPy form (`tests/engine/test_kernels.py`)
and was kept because taking it out made a `bench/run.py` workload slower: (a) digits full batch
sgd, (b) digits batch 32 adam, (c) 70k x 784 batch 128 adam. Medians of the paired ratio
"time without the trick / time with it", the trick swapped out in the same process, 1 BLAS
thread, 20-40 alternating rounds (8 for c); "-" where the trick barely runs:

    row_max, row_sum in the fused loss       (a) 1.06-1.11   (b) -
    relu_into: same-shaped zeros             (a) 1.03        (b) 1.03
    relu_into: into a reused buffer          (a) 1.05        (b) 1.01
    Workspace: z, a, dx reused via `out=`    (a) 1.03        (b) 1.08   (c) 1.02
    column_sum_into (ones @ dz)              (a) 1.05        (b) 1.08
    softmax_cross_entropy, fused             (a) 1.22        (b) 1.10
    adam_update, bias correction folded      (b) 1.09        (c) 1.03

Dropped, for no measurable gain: relu's derivative into a reused buffer ((a) 1.00, (b) 1.02,
against 1.02 for a variant that changed nothing).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from engine.nn.activations import Activation

Array = np.ndarray
ForwardInto = Callable[[Array, Array], Array]  # (z, out) -> a, written into out


# -- row reductions of a short-rowed matrix -----------------------------------------------------
def row_max(z: Array) -> Array:
    """`z.max(axis=1, keepdims=True)` for z (n, k): (n, 1). NumPy reduces along the short axis of
    an (n, 10) array slowly (63 µs for 1257 rows); a transposed copy reduced along axis 0 takes
    10 µs."""
    column: Array = np.ascontiguousarray(z.T).max(axis=0).reshape(-1, 1)
    return column


def row_sum(z: Array) -> Array:
    """`z.sum(axis=1, keepdims=True)` for z (n, k): (n, 1), as a matrix-vector product with a
    shared ones vector: 6 µs against 27 µs for (1257, 10) (at 32 rows both take about 2 µs)."""
    column: Array = (z @ constant(1.0, (z.shape[1],), z.dtype)).reshape(-1, 1)
    return column


_CONSTANTS: dict[tuple[float, tuple[int, ...], np.dtype], Array] = {}


def constant(fill: float, shape: tuple[int, ...], dtype: np.dtype) -> Array:
    """A read-only array of `fill`, shared by every caller asking for the same shape and dtype,
    so the hot path never rebuilds its ones vectors and zero matrices."""
    key = (fill, shape, dtype)
    array = _CONSTANTS.get(key)
    if array is None:
        if len(_CONSTANTS) > 32:  # the batch size changed many times: start afresh
            _CONSTANTS.clear()
        array = np.full(shape, fill, dtype=dtype)
        array.flags.writeable = False
        _CONSTANTS[key] = array
    return array


# -- activations into reused buffers ------------------------------------------------------------
def relu_into(z: Array, out: Array) -> Array:
    """`np.maximum(z, 0)` written into `out` (same shape as z), against a same-shaped zero
    array: a scalar 0 sends np.maximum down a slow broadcasting path (65 µs for 1257x100
    float32, against 22 µs). (Its derivative gained nothing from a buffer and stays plain.)"""
    np.maximum(z, constant(0.0, z.shape, z.dtype), out=out)
    return out


FORWARD_INTO: dict[str, ForwardInto] = {"relu": relu_into}


def forward_into(act: Activation) -> ForwardInto:
    """The activation's value written into a buffer where a kernel exists, else its plain form
    (a new array); `out` is a reused (n, units) array."""
    fast = FORWARD_INTO.get(act.name)
    if fast is not None:
        return fast
    plain = act.forward
    return lambda z, out: plain(z)


# -- a layer's reused arrays --------------------------------------------------------------------
class Workspace:
    """A layer's arrays for one batch size, reused by every training pass of that size: z and a
    (rows, out), dx (rows, in) and a ones vector (rows,). Fresh (n, units) arrays each step cost
    allocations and page faults."""

    def __init__(self, rows: int, n_in: int, n_out: int, dtype: np.dtype) -> None:
        self.z = np.empty((rows, n_out), dtype=dtype)
        self.a = np.empty((rows, n_out), dtype=dtype)
        self.dx = np.empty((rows, n_in), dtype=dtype)
        self.ones = np.ones(rows, dtype=dtype)


def workspace(cache: dict[tuple[int, np.dtype], Workspace], rows: int, n_in: int, n_out: int,
              dtype: np.dtype) -> Workspace:
    """The cached workspace for `rows` rows, made on first use; at most 4 sizes are kept (a run
    has two: the batch and the last, shorter one)."""
    key = (rows, dtype)
    work = cache.get(key)
    if work is None:
        if len(cache) >= 4:  # the batch size changed mid-run: drop the old ones
            cache.clear()
        work = cache[key] = Workspace(rows, n_in, n_out, dtype)
    return work


def column_sum_into(dz: Array, ones: Array, out: Array) -> Array:
    """`dz.sum(axis=0)` for dz (n, k) into `out` (k,), as the product ones (n,) @ dz: 2.5-7x
    faster than the reduction at these shapes (8 µs against 43 µs for (1257, 100))."""
    return np.matmul(ones, dz, out=out)


# -- the output layer's softmax and cross-entropy in one pass -----------------------------------
def softmax_cross_entropy(z: Array, T: Array) -> tuple[float, Array, Array]:
    """(mean loss, dL/dz (n, k), softmax(z) (n, k)) from logits z (n, k) and targets T (n, k):
    one exp serves both the probabilities and the loss. Equal to `softmax` then
    `losses.cross_entropy`, which compute the exponentials twice (61 µs against 290 µs for
    (1257, 10), 20 µs against 34 µs for (32, 10))."""
    shifted = z - row_max(z)
    a = np.exp(shifted)
    norm = row_sum(a)
    a /= norm
    n = z.shape[0]
    shifted -= np.log(norm)  # log softmax(z), in place: `shifted` is this function's own
    loss = -float(np.vdot(shifted, T)) / n  # -(1/n) sum T * log softmax(z), as one dot product
    grad = a - T
    grad *= 1.0 / n
    return loss, grad, a


# -- Adam over the flat buffer ------------------------------------------------------------------
def adam_update(params: Array, grads: Array, m: Array, v: Array, scratch: Array, t: int,
                lr: float, beta1: float, beta2: float, eps: float) -> None:
    """One Adam step (t counts from 1) over flat buffers of one size, in place, with no
    allocation. `m` and `v` are kept divided by (1 - beta1) and (1 - beta2): `m = b1 m + g` is
    two passes over the buffer instead of three, and the factors move into the scalars, together
    with the bias corrections (as in the Adam paper, end of section 2). So this is

        m_hat = m_t / (1 - b1^t),  v_hat = v_t / (1 - b2^t),  p -= lr m_hat / (sqrt(v_hat) + eps)

    for the textbook m_t = b1 m + (1 - b1) g and v_t = b2 v + (1 - b2) g^2: 10 passes over the
    buffer instead of 13 (334 µs against 453 µs for (c)'s 235k parameters)."""
    m *= beta1
    m += grads
    v *= beta2
    np.multiply(grads, grads, out=scratch)
    v += scratch
    v_scale = math.sqrt((1 - beta2**t) / (1 - beta2))  # sqrt(v_hat) = sqrt(v) / v_scale
    np.sqrt(v, out=scratch)
    scratch += eps * v_scale
    np.divide(m, scratch, out=scratch)
    scratch *= lr * (1 - beta1) / (1 - beta1**t) * v_scale
    params -= scratch
