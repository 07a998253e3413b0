"""Our engine on a workload: the `Trainer` generator iterated to the end, no validation set
(each epoch would otherwise also evaluate it), timed from the first epoch to the last."""

from __future__ import annotations

import time
from dataclasses import fields

from bench.workloads import Workload


def blas_threads_now() -> int:
    """The BLAS thread count in force (threadpoolctl), 1 when no BLAS is loaded."""
    from threadpoolctl import threadpool_info

    counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return max(counts, default=1)


def train_seconds(work: Workload, seed: int = 0, threads: int | None = None,
                  backend: str | None = None) -> float:
    """Wall time of the training loop alone (building the network is not counted).

    `threads`: the run's `TrainConfig.threads` (0: the engine's own policy); None keeps the
    BLAS thread count in force when called (the bench's limit, or OPENBLAS_NUM_THREADS), which
    the engine would otherwise replace by its policy's. `backend`: `TrainConfig.backend` where
    the engine has one ("numpy", "numba"); None leaves the engine's default."""
    from engine import ModelSpec, Network, TrainConfig, TrainData, Trainer, parse_layers

    X, y = work.data()
    spec = ModelSpec(parse_layers(work.layers_text()), "cross_entropy")
    net = Network.from_spec(spec, X.shape[1], seed=seed, dtype="float32")
    known = {f.name for f in fields(TrainConfig)}
    extra: dict[str, object] = {}
    if "threads" in known:
        extra["threads"] = blas_threads_now() if threads is None else threads
    if backend is not None:
        if "backend" not in known:
            raise RuntimeError(f"this engine has no backend setting (asked for {backend!r})")
        extra["backend"] = backend
    config = TrainConfig(optimizer=work.optimizer, lr=work.lr, batch_size=work.batch_size,
                         epochs=work.epochs, seed=seed, **extra)  # type: ignore[arg-type]
    trainer = Trainer(net, TrainData.from_arrays(X, y, classification=True), config)
    events = trainer.run()
    next(events)  # Started: the loop begins with the first epoch
    start = time.perf_counter()
    last = None
    for event in events:
        last = event
    elapsed = time.perf_counter() - start
    if type(last).__name__ != "Finished":
        raise RuntimeError(f"{work.title}: training ended early with {last!r}")
    return elapsed
