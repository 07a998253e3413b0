"""Who runs a training step: "numpy" (`NetworkCore.train_step_gradients` then the optimizer's
`step`, a few dozen NumPy calls) or "numba" (`compiled.FusedStep`: the whole step in one
compiled call). "auto" is numba when it imports, else numpy. Both take the same batch and give
the same numbers (`tests/engine/test_compiled.py`); the trainer calls whichever `TrainConfig.
backend` names through `make_step`. numba is imported only when its backend is asked for."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

import numpy as np

from engine.errors import SpecError
from engine.nn.optimizers import Optimizer

if TYPE_CHECKING:
    from engine.nn.network import NetworkCore

Array = np.ndarray


class TrainStep(Protocol):
    """`step(X, T, labels, lr, l2, loss_limit)`: one training step on a batch X (n, n_inputs)
    and targets T (n, n_outputs) (C-contiguous, the network's dtype; labels (n,) int64 or None).
    Fills the network's `grads`; if the loss is at most `loss_limit`, steps its `params`.
    Returns (mean loss, correct predictions against labels, whether it stepped)."""

    # Whether the step needs writeable batches (the compiled one: numba types read-only arrays
    # apart); the trainer then keeps a small X writeable once rather than a copy a call.
    wants_writeable: bool
    # Whether `run_batches` gathers the rows `order[lo:hi]` about as fast as it slices rows (the
    # compiled one: into buffers of its own); the trainer then shuffles no copy of a small X.
    gathers_batches: bool

    def __call__(self, X: Array, T: Array, labels: Array | None, lr: float, l2: float,
                 loss_limit: float = math.inf) -> tuple[float, int, bool]: ...

    def run_batches(self, X: Array, T: Array, labels: Array | None, order: Array | None,
                    size: int, start: int, stop: int, lr: float, l2: float, loss_limit: float,
                    factor: float) -> tuple[float, int, float | None, float]:
        """The steps on the batches of rows start, start + size... < stop of X, T and labels
        (rows `order[lo:hi]` when `order` is given), as one epoch's loop: (loss summed over
        the rows, correct count, the first loss past the limit or None, the loss limit now,
        which the first step sets to `factor` x max(its loss, 1))."""
        ...

    def prepare(self) -> float:
        """Gets ready before the first step (numba: compiles or loads the kernel); seconds."""
        ...


class NumpyStep:
    """The NumPy step: `train_step_gradients`, then the optimizer's own `step`."""

    wants_writeable = False
    gathers_batches = False

    def __init__(self, network: NetworkCore, optimizer: Optimizer) -> None:
        self.network, self.optimizer = network, optimizer

    def prepare(self) -> float:
        return 0.0

    def run_batches(self, X: Array, T: Array, labels: Array | None, order: Array | None,
                    size: int, start: int, stop: int, lr: float, l2: float, loss_limit: float,
                    factor: float) -> tuple[float, int, float | None, float]:
        total, correct = 0.0, 0
        for lo in range(start, stop, size):
            hi = min(lo + size, stop)
            if order is None:
                xb, tb = X[lo:hi], T[lo:hi]
                lb = labels[lo:hi] if labels is not None else None
            else:  # big data: gather each batch (a 70k x 784 copy per epoch took 0.1-0.2 s)
                rows = order[lo:hi]
                xb, tb = X[rows], T[rows]
                lb = labels[rows] if labels is not None else None
            loss, right, stepped = self(xb, tb, lb, lr, l2, loss_limit)
            if not stepped:
                return loss, 0, loss, loss_limit
            if loss_limit == math.inf:
                loss_limit = factor * max(loss, 1.0)
            total += loss * (hi - lo)
            correct += right
        return total, correct, None, loss_limit

    def __call__(self, X: Array, T: Array, labels: Array | None, lr: float, l2: float,
                 loss_limit: float = math.inf) -> tuple[float, int, bool]:
        net = self.network
        loss = net.train_step_gradients(X, T, l2)
        if not loss <= loss_limit:  # also true for nan
            return loss, 0, False
        correct = 0
        if labels is not None:
            predicted = net.labels_from_outputs(net.layers[-1].a)
            correct = int(np.count_nonzero(predicted == labels))
        self.optimizer.step(net.params, net.grads, lr)
        return loss, correct, True


def _numba_step(network: NetworkCore, optimizer: Optimizer) -> TrainStep:
    from engine.nn.compiled import FusedStep

    return FusedStep(network, optimizer)


@cache
def numba_available() -> bool:
    """Whether the compiled backend imports here (numba installed and working)."""
    try:
        import engine.nn.compiled  # noqa: F401
    except ImportError:
        return False
    return True


def _numba_warm_up(dtypes: tuple[str, ...]) -> float:
    from engine.nn.compiled import warm_up

    return warm_up(dtypes)


@dataclass(frozen=True)
class Backend:
    """A way to run training steps: `make_step(network, optimizer)`, `available()` here, and
    `warm_up(dtypes)`, which readies it ahead of the first step (seconds spent)."""

    name: str
    summary: str
    make_step: Callable[[NetworkCore, Optimizer], TrainStep]
    available: Callable[[], bool]
    warm_up: Callable[[tuple[str, ...]], float]


BACKENDS: dict[str, Backend] = {
    "numpy": Backend("numpy", "NumPy calls, the optimizer over the flat buffer", NumpyStep,
                     lambda: True, lambda dtypes: 0.0),
    "numba": Backend("numba", "the whole step compiled with numba (BLAS for the products)",
                     _numba_step, numba_available, _numba_warm_up),
}
"""Every backend by name; "auto" (see `backend`) picks numba when it imports."""


def backend(name: str = "auto") -> Backend:
    """The backend called `name` ("auto": numba if it imports, else numpy); SpecError if it is
    unknown or cannot run here."""
    if name == "auto":
        return BACKENDS["numba" if numba_available() else "numpy"]
    if name not in BACKENDS:
        raise SpecError(f"unknown backend '{name}' (choose from auto, {', '.join(BACKENDS)})")
    chosen = BACKENDS[name]
    if not chosen.available():
        raise SpecError(f"the {name} backend is not available here (is {name} installed?)")
    return chosen


def warm_up_backend(name: str = "auto", dtypes: tuple[str, ...] = ("float32",)) -> float:
    """Readies the backend `name` for networks of `dtypes` (numba: compiles the kernel, or loads
    it from the on-disk cache): call it from a worker before the first training step. Seconds."""
    return backend(name).warm_up(dtypes)
