"""The three training workloads of the engine issue's benchmarks, and their data.

Each is described once here so that our engine, scikit-learn and PyTorch run exactly the same
network, batch size, optimizer and epochs on exactly the same float32 arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np


@dataclass(frozen=True)
class Workload:
    key: str  # "a", "b", "c"
    title: str
    hidden: tuple[int, ...]  # relu layers; the output is a 10-way softmax
    optimizer: str  # "sgd" (plain, no momentum) or "adam"
    lr: float
    batch_size: int  # 0: the full batch
    epochs: int
    dataset: str  # "digits" or "synthetic"
    max_repeats: int = 99  # the big one runs fewer times, to keep `make bench` to minutes

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return digits_train() if self.dataset == "digits" else synthetic_mnist()

    def sizes(self, n_inputs: int) -> tuple[int, ...]:
        return (n_inputs, *self.hidden, 10)

    def layers_text(self) -> str:
        return ",".join([*(f"{h}:relu" for h in self.hidden), "10:softmax"])

    def repeats(self, wanted: int) -> int:
        return max(1, min(wanted, self.max_repeats))

    def batch(self, n: int) -> int:
        return n if self.batch_size <= 0 or self.batch_size >= n else self.batch_size


FULL_BATCH = Workload("a", "(a) digits full batch sgd", (100,), "sgd", 0.5, 0, 400, "digits")
MINIBATCH = Workload("b", "(b) digits batch 32 adam", (100,), "adam", 1e-3, 32, 60, "digits")
MNIST_SIZED = Workload("c", "(c) 70k x 784 batch 128 adam", (256, 128), "adam", 1e-3, 128, 1,
                       "synthetic", max_repeats=2)
WORKLOADS = (FULL_BATCH, MINIBATCH, MNIST_SIZED)


@cache
def digits_train() -> tuple[np.ndarray, np.ndarray]:
    """The engine's digits training split (seed 0) as float32 pixels in [0, 1] and int labels."""
    from engine.data.datasets import load_dataset

    ds = load_dataset("digits", seed=0)
    return _frozen(ds.X_train.astype(np.float32), ds.y_train.astype(np.int64))


@cache
def synthetic_mnist(n: int = 70_000, features: int = 784, classes: int = 10,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-sized data from a seeded Generator: pixels in [0, 1), labels from a random linear
    teacher, so the task is learnable and every framework sees the same arrays."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, features), dtype=np.float32)
    teacher = rng.standard_normal((features, classes), dtype=np.float32)
    y = np.argmax((X - 0.5) @ teacher, axis=1).astype(np.int64)
    return _frozen(X, y)


def _frozen(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y
