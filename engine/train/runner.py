"""`TrainingRunner`: runs a `Trainer`'s epoch loop in a background thread that other threads can
pause, resume, step, stop and pace at any moment, always between two epochs.

Events go into a deque: appending never blocks, whoever reads them or does not, so a slow UI
never slows training down. Control flags live under one condition variable.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from engine.errors import SpecError
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
from engine.train.trainer import Trainer


class TrainingRunner:
    """Holds one `Trainer` and runs its loop in the background; the UI reads `drain()`."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self._events: deque[Event] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pause = False
        self._stop = False
        self._steps = 0  # epochs allowed while paused (from step())
        self._min_epoch_seconds = 0.0
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

    def start(self, epochs: int | None = None, paused: bool = False, steps: int = 0) -> None:
        """Starts (or continues after a finish or stop) training in a background thread."""
        if self.is_alive:
            raise SpecError("training is already running")
        with self._cond:
            self._pause, self._stop, self._steps = paused, False, steps
        self.state = "paused" if paused else "running"
        self._thread = threading.Thread(target=self._thread_main, args=(epochs,),
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
        if self._thread is not None:
            self._thread.join(timeout)

    def _thread_main(self, epochs: int | None) -> None:
        publish = self._events.append
        events = self.trainer.run(epochs)
        try:
            publish(next(events))  # Started
            while True:
                if not self._wait_for_go():
                    publish(Stopped(self.epoch))
                    self.state = "stopped"
                    return
                started = time.perf_counter()
                event = next(events)
                publish(event)
                if not isinstance(event, EpochEnd):
                    self.state = "diverged" if isinstance(event, Diverged) else "finished"
                    return
                self._pace(started)
        except StopIteration:
            self.state = "finished"
        except Exception as error:  # a bug or MemoryError: tell the UI, keep the weights
            publish(Failed(self.epoch, f"{type(error).__name__}: {error}"))
            self.state = "failed"
        finally:
            events.close()

    def _wait_for_go(self) -> bool:
        """Blocks while paused; False once a stop is requested. Consumes a step if one is owed."""
        with self._cond:
            announced = False
            while not self._stop:
                if not self._pause:
                    if announced:
                        self._events.append(Resumed(self.epoch))
                    self.state = "running"
                    return True
                if self._steps > 0:
                    self._steps -= 1
                    return True
                if not announced:
                    self.state = "paused"
                    self._events.append(Paused(self.epoch))
                    announced = True
                self._cond.wait()
            return False

    def _pace(self, started: float) -> None:
        with self._cond:
            while not self._stop and not self._pause:
                left = self._min_epoch_seconds - (time.perf_counter() - started)
                if left <= 0:
                    return
                self._cond.wait(left)

    def reset(self) -> None:
        """Stops the thread if it runs, then re-draws the weights from the seed: epoch 0."""
        self.stop(wait=True)
        self.trainer.reset()
        self.state = "idle"
        self._events.append(Reset(0))
