"""The matmul floor: how long the matrix products of a workload take on their own.

For each step a dense network needs, per layer, `x @ W` forward, `x.T @ dz` for dW and (but for
the first layer) `dz @ W.T` for the previous layer's gradient. Each distinct shape is timed here
with `np.matmul` into a preallocated output (the best a NumPy loop can do), then multiplied by
how often an epoch needs it. Nothing else a step does (activations, loss, optimizer) is counted,
so no NumPy engine can train faster than this.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from bench.workloads import Workload

# (rows, inner, cols, kind): kind says which operand is a transposed view, as in the engine.
Shape = tuple[int, int, int, str]


@dataclass(frozen=True)
class Floor:
    seconds: float  # all the workload's matmuls, best case
    gflop: float  # floating-point operations in them, in 1e9
    peak_gflops: float  # the fastest rate any of its shapes reached

    @property
    def gflops(self) -> float:
        return self.gflop / self.seconds

    @property
    def at_peak(self) -> float:
        """Seconds if every product ran as fast as the fastest shape."""
        return self.gflop / self.peak_gflops


def step_shapes(sizes: tuple[int, ...], batch: int) -> list[Shape]:
    shapes: list[Shape] = []
    for i, (n_in, n_out) in enumerate(pairwise(sizes)):
        shapes.append((batch, n_in, n_out, "x@W"))
        shapes.append((n_in, batch, n_out, "x.T@dz"))
        if i > 0:
            shapes.append((batch, n_out, n_in, "dz@W.T"))
    return shapes


def workload_shapes(work: Workload, n: int, n_inputs: int) -> Counter[Shape]:
    size = work.batch(n)
    counts: Counter[Shape] = Counter()
    full, rest = divmod(n, size)
    for shape in step_shapes(work.sizes(n_inputs), size):
        counts[shape] += full * work.epochs
    if rest:
        for shape in step_shapes(work.sizes(n_inputs), rest):
            counts[shape] += work.epochs
    return counts


def time_shape(shape: Shape, budget: float = 0.02) -> float:
    """Best seconds per product of this shape, over a few batches of calls."""
    m, k, n, kind = shape
    rng = np.random.default_rng(0)
    if kind == "x.T@dz":
        a = rng.random((k, m), dtype=np.float32).T  # a transposed view, like layer.x.T
        b = rng.random((k, n), dtype=np.float32)
    elif kind == "dz@W.T":
        a = rng.random((m, k), dtype=np.float32)
        b = rng.random((n, k), dtype=np.float32).T  # like layer.W.T
    else:
        a = rng.random((m, k), dtype=np.float32)
        b = rng.random((k, n), dtype=np.float32)
    out = np.empty((m, n), dtype=np.float32)
    np.matmul(a, b, out=out)
    start = time.perf_counter()
    np.matmul(a, b, out=out)
    calls = max(1, int(budget / max(time.perf_counter() - start, 1e-7)))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=out)
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def floor(work: Workload) -> Floor:
    """Call inside `blas_threads(k)` to get the floor at k threads."""
    X, _ = work.data()
    counts = workload_shapes(work, len(X), X.shape[1])
    seconds = gflop = 0.0
    peak = 0.0
    for shape, count in counts.items():
        m, k, n, _ = shape
        flop = 2.0 * m * k * n
        per_call = time_shape(shape)
        seconds += per_call * count
        gflop += flop * count / 1e9
        peak = max(peak, flop / per_call / 1e9)
    return Floor(seconds, gflop, peak)
