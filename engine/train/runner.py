"""`TrainingRunner`: runs a `Trainer`'s epoch loop in a background thread that other threads can
pause, resume, step, stop and pace at any moment, always between two epochs.

Events go into a deque: appending never blocks, whoever reads them or does not, so a slow UI
never slows training down. Control flags live under one condition variable. While a run goes
on, other threads get the GIL quickly (`engine.train.quick_switches`).

The runner also scores the weights on a held-out split (`engine.train.held_out`): at most
`evaluations_per_second` times a second while training, always before a pause or the run's end
(stop, finish, early stop, divergence, failure), and outside a run in a short-lived thread.

Once `watch_inside` is called it publishes the trainer's per-layer figures as `InsideStats`
events too, right after the epoch they were measured at (the trainer bounds how often), and
measures weights outside a run (fresh, re-initialised or edited by hand) in that same thread.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections import deque
from collections.abc import Generator, Iterator

import numpy as np

from engine.errors import SpecError
from engine.nn.network import NetworkCore
from engine.train.events import (
    Diverged,
    EpochEnd,
    Event,
    Failed,
    Paused,
    Reset,
    Resumed,
    Stopped,
)
from engine.train.held_out import HeldOut, evaluate
from engine.train.inside_feed import InsidePublisher
from engine.train.quick_switches import QuickSwitches
from engine.train.trainer import Trainer

EVALUATIONS_PER_SECOND = 5.0


class TrainingRunner:
    """Holds one `Trainer` and runs its loop in the background; the UI reads `drain()`.
    With a `held_out` split it also publishes `Evaluated` events (see the module's story)."""

    def __init__(self, trainer: Trainer, held_out: HeldOut | None = None,
                 evaluations_per_second: float = EVALUATIONS_PER_SECOND) -> None:
        self.trainer = trainer
        trainer.reserved_cores = 1  # the UI thread keeps a core (see engine.train.threads)
        self.held_out = held_out
        self._events: deque[Event] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._ended = False  # the thread has published its last event and is leaving
        self._pause = False
        self._stop = False
        self._steps = 0  # epochs allowed while paused (from step())
        self._min_epoch_seconds = 0.0
        self._evaluation_seconds = 1.0 / evaluations_per_second
        self._evaluated_at = -math.inf  # perf_counter() of the last evaluation
        self._scored: np.ndarray | None = None  # the snapshot weights last scored
        self._scorer: threading.Thread | None = None
        self._inside = InsidePublisher(trainer, self._events)  # the layer figures
        self.state = "idle"  # idle | running | paused | finished | stopped | diverged | failed

    @property
    def epoch(self) -> int:
        """Epochs trained so far (the trainer's count)."""
        return self.trainer.epoch

    @property
    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def drain(self) -> list[Event]:
        """Every event published since the last call, oldest first (never blocks the trainer)."""
        events = []
        pop = self._events.popleft
        while self._events:
            events.append(pop())
        return events

    def set_pace(self, epochs_per_second: float | None) -> None:
        """Slow the thread to a readable pace (None: full speed); takes effect immediately."""
        with self._cond:
            self._min_epoch_seconds = 1.0 / epochs_per_second if epochs_per_second else 0.0
            self._cond.notify_all()

    def set_evaluation_rate(self, per_second: float) -> None:
        """At most this many evaluations a second while training (pauses and ends always get
        one): a view that redraws once a second needs no more."""
        self._evaluation_seconds = 1.0 / per_second

    def start(self, epochs: int | None = None, paused: bool = False, steps: int = 0) -> None:
        """Starts (or continues after a finish or stop) training in a background thread.
        `Started` is published before this returns, so the caller can follow at once."""
        if self._thread is not None and self._ended:
            self._thread.join()  # it has published its end and is leaving
        if self.is_alive:
            raise SpecError("training is already running")
        with self._cond:
            self._pause, self._stop, self._steps = paused, False, steps
        events = self.trainer.run(epochs)
        self._events.append(next(events))  # Started
        self.state = "paused" if paused else "running"
        self._ended = False
        self._thread = threading.Thread(target=self._thread_main, args=(events,),
                                        name="nn-tui-trainer", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        with self._cond:
            self._pause = True
            self._cond.notify_all()

    def resume(self) -> None:
        with self._cond:
            self._pause = False
            self._cond.notify_all()

    def step(self) -> None:
        """Run exactly one more epoch, then pause (starting the thread if needed)."""
        if not self.is_alive:
            self.start(paused=True, steps=1)
            return
        with self._cond:
            self._pause = True
            self._steps += 1
            self._cond.notify_all()

    def stop(self, wait: bool = True) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if wait and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def join(self, timeout: float | None = None) -> None:
        """Waits for the training thread, and for the scores asked for outside a run."""
        for thread in (self._thread, self._scorer):
            if thread is not None:
                thread.join(timeout)

    # -- the training thread ------------------------------------------------------------------
    def _thread_main(self, events: Generator[Event, None, None]) -> None:
        self._join_scorer()  # its scores of the weights before this run come first
        try:
            with QuickSwitches():
                end, state = self._loop(events)
        except Exception as error:  # a bug or MemoryError: tell the UI, keep the weights
            end, state = Failed(self.epoch, f"{type(error).__name__}: {error}"), "failed"
        finally:
            events.close()
        # The run's last weights, scored before its end is told; a failure here (the scores
        # are only a view) must not keep the end from being told.
        with contextlib.suppress(Exception):
            self._evaluate()
        if end is not None:
            self._events.append(end)
        self.state = state
        self._ended = True

    def _loop(self, events: Iterator[Event]) -> tuple[Event | None, str]:
        """Epochs until the run ends; returns its last event (not yet published) and state."""
        while True:
            if not self._wait_for_go():
                return Stopped(self.epoch), "stopped"
            started = time.perf_counter()
            event = next(events, None)
            if event is None:
                return None, "finished"
            if not isinstance(event, EpochEnd):  # Finished, EarlyStopped or Diverged
                return event, "diverged" if isinstance(event, Diverged) else "finished"
            self._events.append(event)
            self._inside.after_epoch()
            if time.perf_counter() - self._evaluated_at >= self._evaluation_seconds:
                self._evaluate()
            self._pace(started)

    def _wait_for_go(self) -> bool:
        """Blocks while paused; False once a stop is requested. Consumes a step if one is owed.
        Before announcing a pause it scores the weights, outside the lock, so that pause()
        and resume() never wait for an evaluation."""
        announced = False
        while True:
            with self._cond:
                if self._stop:
                    return False
                if not self._pause:
                    if announced:
                        self._events.append(Resumed(self.epoch))
                    self.state = "running"
                    return True
                if self._steps > 0:
                    self._steps -= 1
                    return True
                if announced:
                    self._cond.wait()
                    continue
            self._evaluate()
            with self._cond:
                if self._pause and not self._stop and self._steps == 0:
                    self.state = "paused"
                    self._events.append(Paused(self.epoch))
                    announced = True

    def _pace(self, started: float) -> None:
        with self._cond:
            while not self._stop and not self._pause:
                left = self._min_epoch_seconds - (time.perf_counter() - started)
                if left <= 0:
                    return
                self._cond.wait(left)

    # -- evaluations --------------------------------------------------------------------------
    def evaluate(self) -> None:
        """Scores the current weights on the calling thread and publishes them: for a worker
        thread that has just built the runner, never while training runs."""
        self._evaluate()

    def request_evaluation(self) -> None:
        """Publishes the current weights' scores soon, never from the calling thread: after
        the next epoch while training runs, else from a short-lived thread of its own."""
        if self.held_out is None:
            return
        if self.is_alive:
            self._evaluated_at = -math.inf
            return
        self._score_in_background()

    def _score_in_background(self) -> None:
        snapshot, epoch = self.trainer.snapshot(), self.trainer.epoch
        self._scorer = threading.Thread(target=self._score, name="nn-tui-scorer", daemon=True,
                                        args=(self._scorer, snapshot, epoch))
        self._scorer.start()

    def _score(self, previous: threading.Thread | None, snapshot: NetworkCore,
               epoch: int) -> None:
        if previous is not None:
            previous.join()  # evaluations are published in the order they were asked for
        # Weights set by hand may overflow a forward pass: the scores say so (nan), quietly.
        with np.errstate(all="ignore"):
            with contextlib.suppress(Exception):  # the views keep the scores they have
                self._evaluate(snapshot, epoch)
            with contextlib.suppress(Exception):
                self._inside.at_rest(snapshot, epoch)

    # -- looking inside -----------------------------------------------------------------------
    def watch_inside(self) -> None:
        """Publishes `InsideStats` from now on (see the module's story); the first time, the
        current weights' soon (from a short-lived thread, outside a run)."""
        fresh = self.trainer.inside is None
        self.trainer.watch_inside()
        if fresh and not self.is_alive:
            self._score_in_background()

    def set_weights(self, params: np.ndarray) -> None:
        """Makes `params` (n_params,) the model's weights (edited by hand), then publishes
        their scores and figures from a short-lived thread. Refused (SpecError) while an epoch
        may run: only with no run, or a run paused between two epochs (checked under the lock
        the thread needs to go on, so it cannot start an epoch meanwhile)."""
        with self._cond:
            if self.is_alive and not (self._pause and self.state == "paused"
                                      and self._steps == 0 and not self._stop):
                raise SpecError("training is running: pause or stop it first")
            self.trainer.set_params(params)
        self._score_in_background()

    def _join_scorer(self) -> None:
        scorer = self._scorer
        if scorer is not None and scorer is not threading.current_thread():
            scorer.join()

    def _evaluate(self, snapshot: NetworkCore | None = None, epoch: int = 0) -> None:
        """Scores `snapshot` of `epoch` (default: the latest) unless those very weights were
        scored already."""
        if self.held_out is None:
            return
        if snapshot is None:
            snapshot, epoch = self.trainer.snapshot(), self.trainer.epoch
        if snapshot.params is self._scored:
            return
        self._scored, self._evaluated_at = snapshot.params, time.perf_counter()
        self._events.append(evaluate(snapshot, self.held_out, epoch))

    def reset(self) -> None:
        """Stops the thread if it runs, then re-draws the weights from the seed: epoch 0. The
        fresh weights' scores follow from a short-lived thread."""
        self.stop(wait=True)
        self.trainer.reset()
        self.state = "idle"
        self._events.append(Reset(0))
        self.request_evaluation()
