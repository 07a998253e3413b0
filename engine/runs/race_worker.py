"""The worker side of a `Race` (engine.runs.race): one runner in a forked process, which
loads the dataset, trains its variation and puts every event on the race's queue as a plain
dict. A stop asked while it starts (importing, loading the data) ends it before any epoch."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import fields
from multiprocessing.synchronize import Event as StopFlag
from typing import Any

from engine.data import metrics
from engine.data.datasets import load_dataset
from engine.experiment import Experiment
from engine.nn.spec import ModelSpec, TrainConfig
from engine.runs.worker_processes import exit_when_launcher_gone
from engine.train.events import EpochEnd, Failed, Stopped

END_KINDS = frozenset({"finished", "stopped", "early_stopped", "diverged", "failed"})


def race_worker(index: int, load: Mapping[str, Any], spec: Mapping[str, Any],
                config: Mapping[str, Any], events: Any, stop: StopFlag, parent: int,
                epochs_per_second: float | None) -> None:
    """One runner, in its own process: loads the data, trains, puts dicts on `events`
    (flushed when the process ends, unless its parent is gone)."""
    def put(data: dict[str, Any]) -> None:
        events.put({"index": index, **data})

    # The worker shares the app's terminal: nothing it might print (a warning) may draw over
    # the screen. Its errors travel as `Failed` events instead.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    exit_when_launcher_gone(parent)  # an app killed mid-race leaves no worker training on

    epoch = 0
    if stop.is_set():  # stopped while this process started: no data loaded, no run
        put(Stopped(0).to_dict())
        return
    try:
        dataset = load_dataset(str(load["name_or_path"]), seed=int(load["seed"]),
                               val_size=float(load["val_size"]),
                               test_size=float(load["test_size"]), noise=load.get("noise"),
                               n_samples=load.get("n_samples"),
                               features=load.get("features") or ())
        train_config = TrainConfig(**{k: v for k, v in config.items()
                                      if k in {f.name for f in fields(TrainConfig)}})
        experiment = Experiment(dataset, ModelSpec.from_dict(dict(spec)), train_config)
        if stop.is_set():  # stopped while the data loaded
            put(Stopped(0).to_dict())
            return
        gap = 1.0 / epochs_per_second if epochs_per_second else 0.0
        last = time.perf_counter()
        for event in experiment.trainer.run(train_config.epochs):
            epoch = event.epoch
            if event.kind in END_KINDS:  # scored first, as the app's runner does
                put(_score(experiment, epoch))
            put(event.to_dict())
            if stop.is_set():
                put(_score(experiment, epoch))
                put(Stopped(epoch).to_dict())
                return
            if gap and isinstance(event, EpochEnd):
                wait = gap - (time.perf_counter() - last)
                if wait > 0 and stop.wait(wait):
                    continue  # stopped while waiting: said at the next event
                last = time.perf_counter()
    except Exception as exc:  # a worker's error is its run's failure, said in one line
        put(Failed(epoch, f"{type(exc).__name__}: {exc}").to_dict())


def _score(experiment: Experiment, epoch: int) -> dict[str, Any]:
    """The test split's accuracy (R²), without the confusion matrix: scikit-learn, which that
    would import, takes seconds to load on a busy machine, and a stopped worker must leave."""
    network, dataset = experiment.network, experiment.dataset
    out = network.predict_proba(dataset.X_test)
    accuracy = r2 = None
    if dataset.is_classification:
        accuracy = metrics.accuracy(network.labels_from_outputs(out), dataset.y_test)
    else:
        r2 = metrics.r2(out, dataset.y_test)
    return {"event": "evaluated", "epoch": epoch, "n": len(dataset.X_test),
            "accuracy": accuracy, "r2": r2}
