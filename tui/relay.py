"""Turns what the training thread published since the last look into one batch for the UI.

A fast run publishes thousands of epochs a second. The app drains them ten times a second, keeps
all of them for the charts, and logs only as many lines as a person can read: every epoch when
they come slowly, otherwise every `stride`-th (1, 2, 5, 10, 20, 50, ...) plus the last one before
the run pauses or ends. The runner's `Evaluated` scores are for the views, not the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine import EpochEnd, Evaluated, Event, Reset, Started

READABLE_LINES_PER_SECOND = 4.0
_NICE = (1, 2, 5)


@dataclass(frozen=True)
class RelayBatch:
    epochs: tuple[EpochEnd, ...]  # every epoch, oldest first, for the history and charts
    lines: tuple[Event, ...]  # what the log shows, in order: chosen epochs and every other event
    reset: bool  # the weights were re-initialised: the history starts again

    @property
    def empty(self) -> bool:
        return not self.lines and not self.epochs and not self.reset


def nice_stride(epochs_per_second: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that keeps the log readable at this rate."""
    wanted = epochs_per_second / READABLE_LINES_PER_SECOND
    scale = 1
    while True:
        for step in _NICE:
            if step * scale >= wanted:
                return step * scale
        scale *= 10


class Relay:
    """Sets the log stride from the pace (or, at full speed, from the measured epochs per
    second) and keeps the newest epoch not logged yet: it is logged if the run pauses or ends
    after it."""

    def __init__(self, interval: float = 0.1) -> None:
        self.rate = 0.0  # measured epochs per second at full speed
        self._interval = interval  # the expected time between two batches
        self._last_seen: float | None = None
        self._unlogged: EpochEnd | None = None

    def take(self, events: Sequence[Event], now: float, pace: float | None = None) -> RelayBatch:
        epochs = tuple(e for e in events if isinstance(e, EpochEnd))
        if any(isinstance(e, Started) for e in events):
            self.rate, self._last_seen = 0.0, None
        self._measure(len(epochs), now)
        stride = nice_stride(self.rate if pace is None else min(pace, self.rate or pace))
        lines: list[Event] = []
        for event in events:
            if isinstance(event, Evaluated):
                continue
            if isinstance(event, EpochEnd):
                logged = event.epoch % stride == 0
                self._unlogged = None if logged else event
                if logged:
                    lines.append(event)
                continue
            if self._unlogged is not None:
                lines.append(self._unlogged)
                self._unlogged = None
            lines.append(event)
        return RelayBatch(epochs, tuple(lines), any(isinstance(e, Reset) for e in events))

    def _measure(self, count: int, now: float) -> None:
        if count == 0:
            return
        since = self._interval if self._last_seen is None else now - self._last_seen
        measured = count / min(max(since, 1e-3), 1.0)
        self.rate = measured if self.rate == 0 else 0.6 * self.rate + 0.4 * measured
        self._last_seen = now
