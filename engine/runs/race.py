"""`Race`: 2 to 6 variations of one design trained at the same time, each in a worker process.

The engine's small-batch speed is bound by the Python interpreter, so threads would take turns;
processes run side by side. They are forked by multiprocessing's forkserver
(`worker_processes`: a process of its own, which imported the engine and loaded the compiled step
once; the app has threads, and forking the app itself would be unsafe), so a worker starts in a
few milliseconds, not the second and more of CPU a spawned one took. Each worker
(`engine.runs.race_worker`) loads the dataset, builds its own `Experiment` and puts every event,
as a plain dict, on one queue.

In the parent a collector thread reads the queue (waiting on it is its whole job), feeds each
run's `RunRecorder` (the store is written by the parent only, source 'race') and appends
`RaceEvent`s to a deque that `drain()` empties without ever blocking, as `TrainingRunner` does.

`stop()` asks every worker to stop after its current epoch (or before it loads its data, while
it starts); `close()` waits a moment, then terminates what is left, so nothing outlives the race.
A run stopped before its first epoch is deleted from the store: a row of no epochs says nothing.
A worker also stops by itself when its parent is gone (an app killed with SIGKILL leaves no
orphans training on).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from multiprocessing import resource_tracker
from multiprocessing.context import ForkServerContext, ForkServerProcess
from multiprocessing.synchronize import Event as StopFlag
from typing import Any

import numpy as np

from engine.errors import EngineError, SpecError
from engine.nn.spec import ModelSpec, TrainConfig
from engine.runs.race_worker import END_KINDS, race_worker
from engine.runs.recorder import RunRecorder
from engine.runs.store import RunStore
from engine.runs.worker_processes import start_workers_early, workers_skip_main
from engine.train.events import (
    Diverged,
    EarlyStopped,
    EpochEnd,
    Evaluated,
    Event,
    Failed,
    Finished,
    Started,
    Stopped,
)

MIN_RUNS, MAX_RUNS = 2, 6
EVENT_TYPES: dict[str, type[Event]] = {cls.kind: cls for cls in (
    Started, EpochEnd, Finished, Stopped, EarlyStopped, Diverged, Failed)}
POLL_SECONDS = 0.1  # how often the collector looks at the workers while the queue is quiet


@dataclass(frozen=True)
class Variation:
    """One runner of the race: its label (`adam`, `lr 0.01`) and training config."""

    label: str
    config: TrainConfig


@dataclass(frozen=True)
class RaceEvent:
    """Runner `index`'s event, as the parent rebuilt it from the worker's dict."""

    index: int
    event: Event


def _event(data: Mapping[str, Any]) -> Event:
    """A worker's dict back as an event (the test score as an `Evaluated` without arrays)."""
    kind = data["event"]
    if kind == "evaluated":
        return Evaluated(int(data["epoch"]), int(data["n"]), data["accuracy"], data["r2"],
                         None, np.empty((0, 0)))
    cls = EVENT_TYPES[kind]
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})


def _start_tracker() -> None:
    """Starts multiprocessing's resource tracker with a real stderr. It hands its process
    `sys.stderr`'s descriptor, and under a UI that replaced `sys.stderr` (Textual does) there
    is none: the queue's first lock would fail with "bad value(s) in fds_to_keep"."""
    try:
        usable = sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable or sys.__stderr__ is None:
        resource_tracker.ensure_running()
        return
    saved, sys.stderr = sys.stderr, sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = saved


class Race:
    """Trains `variations` of one design (the dataset as `load` loads it, the model `spec`)
    side by side, each in a process; records each run in `store` when given."""

    def __init__(self, load: Mapping[str, Any], spec: ModelSpec,
                 variations: Sequence[Variation], *, dataset: str, n_inputs: int,
                 is_regression: bool, store: RunStore | None = None,
                 epochs_per_second: float | None = None) -> None:
        if not MIN_RUNS <= len(variations) <= MAX_RUNS:
            raise SpecError(f"a race takes {MIN_RUNS} to {MAX_RUNS} runs "
                            f"(got {len(variations)})")
        for variation in variations:
            variation.config.checked()
        self.load = dict(load)
        self.spec = spec
        self.variations = list(variations)
        self.epochs_per_second = epochs_per_second
        _start_tracker()
        self._context: ForkServerContext = mp.get_context("forkserver")
        self._queue: Any = self._context.Queue()
        self._stop: StopFlag = self._context.Event()
        self._processes: list[ForkServerProcess] = []
        self._events: deque[RaceEvent] = deque()
        self._ended: set[int] = set()
        self._epochs = [0] * len(variations)  # each runner's epochs so far
        self.discarded: set[int] = set()  # runners stopped before an epoch: rows deleted
        self._collector: threading.Thread | None = None
        self.recorders: list[RunRecorder | None] = [None] * len(variations)
        if store is not None:
            spec_dict = {**spec.to_dict(), "n_inputs": n_inputs}
            self.recorders = [RunRecorder(store, dataset=dataset, spec=spec_dict,
                                          config=v.config.to_dict(), seed=v.config.seed,
                                          source="race", is_regression=is_regression)
                              for v in self.variations]

    @property
    def run_ids(self) -> list[int | None]:
        """Each runner's row in the store (None when the race is not recorded)."""
        return [r.run_id if r is not None else None for r in self.recorders]

    @property
    def is_alive(self) -> bool:
        """Some runner has not ended yet (or its last events are still being read)."""
        return self._collector is not None and self._collector.is_alive()

    def start(self) -> None:
        """Starts the workers and the collector (the first race of a process starts the
        forkserver, a second or two: call it from a thread that may wait)."""
        start_workers_early()
        for index, variation in enumerate(self.variations):
            process = self._context.Process(
                target=race_worker, name=f"race-{index}", daemon=True,
                args=(index, self.load, self.spec.to_dict(), variation.config.to_dict(),
                      self._queue, self._stop, os.getpid(), self.epochs_per_second))
            with workers_skip_main(race_worker):
                process.start()
            self._processes.append(process)
        self._collector = threading.Thread(target=self._collect, name="race", daemon=True)
        self._collector.start()

    def drain(self) -> list[RaceEvent]:
        """Every event since the last call, oldest first; never blocks."""
        events = []
        while self._events:
            events.append(self._events.popleft())
        return events

    def stop(self) -> None:
        """Asks every runner to stop after its current epoch."""
        self._stop.set()

    def close(self, timeout: float = 5.0) -> None:
        """Stops the race and waits up to `timeout` s; workers still there are terminated."""
        self.stop()
        deadline = time.monotonic() + timeout
        for process in self._processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in self._processes:
            if process.is_alive():
                process.terminate()
                process.join(1.0)
            if process.is_alive():
                process.kill()
                process.join(1.0)
        if self._collector is not None:
            self._collector.join(timeout)
        with contextlib.suppress(Exception):
            self._queue.close()

    # -- the collector thread ---------------------------------------------------------------
    def _collect(self) -> None:
        while len(self._ended) < len(self.variations):
            try:
                data = self._queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                self._check_workers()
                continue
            except (EOFError, OSError):  # the queue was closed under us
                break
            self._take(int(data["index"]), _event(data))
        for index in range(len(self.variations)):  # anything left unsaid
            if index not in self._ended:
                self._take(index, Failed(0, "the race was closed"))

    def _take(self, index: int, event: Event) -> None:
        if isinstance(event, EpochEnd):
            self._epochs[index] += 1
        recorder = self.recorders[index]
        if recorder is not None:
            try:
                recorder.on_event(event)
                if event.kind in END_KINDS:
                    recorder.close()
                    if self._stop.is_set() and not self._epochs[index]:
                        self._discard(index, recorder)
            except EngineError:
                self.recorders[index] = None  # the store went bad: the race goes on
        if event.kind in END_KINDS:
            self._ended.add(index)
        self._events.append(RaceEvent(index, event))

    def _discard(self, index: int, recorder: RunRecorder) -> None:
        """A run stopped before its first epoch (a race stopped while it started) says
        nothing: its row is deleted rather than left as a 0-epoch `stopped` run."""
        recorder.store.delete(recorder.run_id)
        self.discarded.add(index)

    def _check_workers(self) -> None:
        """A worker that died without saying so (killed, out of memory) failed its run."""
        for index, process in enumerate(self._processes):
            if index not in self._ended and process.exitcode is not None:
                # Its last words may still be in the queue: read them before judging.
                with contextlib.suppress(queue.Empty):
                    while True:
                        data = self._queue.get(timeout=POLL_SECONDS)
                        self._take(int(data["index"]), _event(data))
                if index not in self._ended:
                    self._take(index, Failed(0, f"the worker process died (exit code "
                                                f"{process.exitcode})"))

