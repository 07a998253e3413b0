"""`TrainState`: what the training is doing, as the engine's events tell it, and nothing else.

The app never asks the runner how it is; it folds the events it drains into this one frozen
value (`after`), so the status line, the keys that apply and the questions asked all read the
same state, in step with the log and the charts. The transitions are a table, one per event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from engine import (
    Diverged,
    EarlyStopped,
    EpochEnd,
    Event,
    Failed,
    Finished,
    Paused,
    Reset,
    Resumed,
    Started,
    Stopped,
)

# loading: no experiment yet; idle: built or re-initialised, not trained since.
PHASES = ("loading", "idle", "running", "paused", "finished", "stopped", "diverged", "failed")
ALIVE = frozenset({"running", "paused"})  # a training thread is (or is about to be) there


@dataclass(frozen=True)
class TrainState:
    """The phase, the epochs trained and the epoch the current (or last) run trains to."""

    phase: str = "loading"
    epoch: int = 0
    target: int = 0

    @property
    def alive(self) -> bool:
        """A run is under way (running or paused): start is refused, stop applies."""
        return self.phase in ALIVE

    def after(self, event: Event) -> TrainState:
        """The state once `event` has happened; events that say nothing of it leave it."""
        step = TRANSITIONS.get(type(event))
        return self if step is None else step(self, event)


def _to(phase: str) -> Callable[[TrainState, Any], TrainState]:
    return lambda state, event: replace(state, phase=phase, epoch=event.epoch)


TRANSITIONS: dict[type[Event], Callable[[TrainState, Any], TrainState]] = {
    Started: lambda state, event: TrainState("running", event.epoch, event.target_epoch),
    EpochEnd: lambda state, event: replace(state, epoch=event.epoch),
    Paused: _to("paused"),
    Resumed: _to("running"),
    Stopped: _to("stopped"),
    Finished: _to("finished"),
    EarlyStopped: _to("finished"),
    # `Diverged.epoch` is the epoch that failed; the weights are those from before it.
    Diverged: lambda state, event: replace(state, phase="diverged", epoch=event.epoch - 1),
    Failed: _to("failed"),
    Reset: lambda state, event: replace(state, phase="idle", epoch=0),
}
