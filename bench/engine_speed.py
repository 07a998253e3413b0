"""Our engine on a workload: the `Trainer` generator iterated to the end, no validation set
(each epoch would otherwise also evaluate it), timed from the first epoch to the last."""

from __future__ import annotations

import time

from bench.workloads import Workload


def train_seconds(work: Workload, seed: int = 0) -> float:
    """Wall time of the training loop alone (building the network is not counted)."""
    from engine import ModelSpec, Network, TrainConfig, TrainData, Trainer, parse_layers

    X, y = work.data()
    spec = ModelSpec(parse_layers(work.layers_text()), "cross_entropy")
    net = Network.from_spec(spec, X.shape[1], seed=seed, dtype="float32")
    config = TrainConfig(optimizer=work.optimizer, lr=work.lr, batch_size=work.batch_size,
                         epochs=work.epochs, seed=seed)
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
