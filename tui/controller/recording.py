"""`RunLog`: every run trained in the app recorded in the run store (`engine.RunStore`), with
the UI thread never waiting for SQLite.

SQLite may wait up to a minute for another process's transaction (a sweep writing to the same
file), so every write goes through one writer thread of its own: the controller hands it the
events it drains, in order, and returns at once. Reads (the runs screen, the curves of the runs
overlaid) run in the app's thread workers through `store()`. The store is opened on first use;
if it cannot be (a damaged file, one from a newer nn-tui), the problem is kept in `problems`
for the app to say once, and training goes on unrecorded.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import (
    EngineError,
    Event,
    Experiment,
    InsideStats,
    RunRecorder,
    RunStore,
    TrainConfig,
)

Job = Callable[[], None]


@dataclass(frozen=True)
class RunOrigin:
    """What a run's row is made from, read on the UI thread when the run starts (the writer
    thread must not read an experiment that training may change)."""

    dataset: str
    spec: dict[str, Any]
    config: dict[str, Any]
    seed: int
    is_regression: bool
    source: str = "app"

    @classmethod
    def of(cls, experiment: Experiment, config: TrainConfig | None = None,
           source: str = "app") -> RunOrigin:
        """`experiment`'s run with `config` (default: its own; the editor's settings reach
        the trainer only at the next epoch)."""
        config = config or experiment.config
        return cls(experiment.dataset.name,
                   {**experiment.spec.to_dict(), "n_inputs": experiment.network.n_inputs},
                   config.to_dict(), config.seed, not experiment.dataset.is_classification,
                   source)


class RunLog:
    """The store at `path` (None: record nothing) and the app's run being recorded, if any."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.problems: deque[str] = deque()  # one-line problems, for the app to show once
        self.run_id: int | None = None  # the recorded live run's row, once written
        self._recording = False  # a run is being recorded (the UI thread's view)
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._store: RunStore | None = None
        self._error: EngineError | None = None  # why the store cannot be used, once known
        self._opening = threading.Lock()
        self._recorder: RunRecorder | None = None  # the writer thread's only
        self._said: set[str] = set()  # problems said already

    # -- the store, for any thread but the UI's ----------------------------------------------
    def store(self) -> RunStore:
        """The store, opened on first use; raises `RunStoreError` (one line) if it cannot be
        used. Blocks: call it from a worker or the writer thread."""
        with self._opening:
            if self._store is None:
                if self._error is not None:
                    raise self._error
                if self.path is None:
                    raise EngineError("runs are not recorded in this session")
                try:
                    self._store = RunStore(self.path)
                except EngineError as exc:
                    self._error = exc
                    self.problems.append(f"runs are not recorded: {exc}")
                    raise
            return self._store

    @property
    def recording(self) -> bool:
        return self._recording

    # -- the live run, from the UI thread ------------------------------------------------------
    def begin(self, experiment: Experiment, config: TrainConfig | None = None) -> None:
        """Records a new run of `experiment` with `config` (ending the one before, if any)."""
        self.end()
        if self.path is None or self._error is not None:
            return
        self._recording = True
        self.run_id = None
        origin = RunOrigin.of(experiment, config)
        self._submit(lambda: self._begin(origin))

    def feed(self, events: Sequence[Event]) -> None:
        """Hands the run's events to the recorder (the layer figures are not recorded)."""
        if self._recording and events:
            kept = [event for event in events if not isinstance(event, InsideStats)]
            self._submit(lambda: self._feed(kept))

    def end(self, status: str | None = None) -> None:
        """Ends the run's row: with `status`, else its end event's ('stopped' if none came)."""
        if self._recording:
            self._recording = False
            self._submit(lambda: self._end(status))

    def model_saved(self, path: str) -> None:
        """The model was written to `path`: the row of the run that trained these weights says
        so (written by the writer thread). Nothing when no run is being recorded (a reset, an
        opened model: the weights are no recorded run's)."""
        if self._recording:
            self._submit(lambda: self._model_saved(path))

    def forget(self, run_id: int) -> None:
        """The run `run_id` was deleted from the store: if it is the one being recorded, the
        next run (or "train more") starts a new row."""
        if run_id == self.run_id:
            self.end()
            self.run_id = None

    def wait(self, timeout: float = 10.0) -> bool:
        """Waits until every write handed over so far is done (tests, quitting)."""
        if self._thread is None:
            return True
        done = threading.Event()
        self._submit(done.set)
        return done.wait(timeout)

    def close(self) -> None:
        """Ends the run being recorded, writes everything and closes the store."""
        self.end()
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=10.0)
            self._thread = None
        with self._opening:
            if self._store is not None:
                with contextlib.suppress(EngineError):
                    self._store.close()
                self._store = None

    # -- the writer thread ----------------------------------------------------------------------
    def _submit(self, job: Job) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._write, name="run-log", daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def _write(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            except EngineError as exc:  # a write refused: this run goes unrecorded, said once
                self._recorder = None
                if self._error is None:  # (a store that cannot open was said already)
                    self._say(f"this run is not recorded: {exc}")
            except Exception as exc:  # recording must never take training down with it
                self._recorder = None
                self._say(f"this run is not recorded: {type(exc).__name__}: {exc}")

    def _say(self, problem: str) -> None:
        if problem not in self._said:
            self._said.add(problem)
            self.problems.append(problem)

    def _begin(self, origin: RunOrigin) -> None:
        self._recorder = RunRecorder(self.store(), dataset=origin.dataset, spec=origin.spec,
                                     config=origin.config, seed=origin.seed,
                                     source=origin.source, is_regression=origin.is_regression)
        self.run_id = self._recorder.run_id

    def _feed(self, events: Sequence[Event]) -> None:
        if self._recorder is not None:
            for event in events:
                self._recorder.on_event(event)

    def _model_saved(self, path: str) -> None:
        if self._recorder is not None:
            try:
                self.store().set_model_file(self._recorder.run_id, path)
            except EngineError as exc:  # the run goes on being recorded; only this is lost
                self._say(f"the saved model is not noted on its run: {exc}")

    def _end(self, status: str | None) -> None:
        if self._recorder is not None:
            recorder, self._recorder = self._recorder, None
            recorder.close(status)
