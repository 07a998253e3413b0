"""Turns what the training thread published since the last look into one batch for the UI.

A fast run publishes thousands of epochs a second. The app drains them ten times a second, keeps
all of them for the charts, and logs only as many lines as a person can read: every epoch when
they come slowly, otherwise every `stride`-th (1, 2, 5, 10, 20, 50, ...). Whatever the stride,
a run's log always shows its first epoch and its last one (or the last before a pause or an
end), and the stride never exceeds a tenth of the run, so that even a run that finishes between
two looks of the app reads as a sample of lines rather than one. The stride is steady: within a
run at one pace it only grows, so the lines stay on round epochs as the measured rate wobbles.
The runner's `Evaluated` scores are for the views, not the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine import EpochEnd, Evaluated, Event, Reset, Started

READABLE_LINES_PER_SECOND = 4.0
MIN_LINES_PER_RUN = 10  # the stride is at most a run's length / this, rounded down to 1-2-5
_NICE = (1, 2, 5)


@dataclass(frozen=True)
class RelayBatch:
    epochs: tuple[EpochEnd, ...]  # every epoch, oldest first, for the history and charts
    lines: tuple[Event, ...]  # what the log shows, in order: chosen epochs and every other event
    reset: bool  # the weights were re-initialised: the history starts again

    @property
    def empty(self) -> bool:
        return not self.lines and not self.epochs and not self.reset


def _nice_values() -> list[int]:
    """1, 2, 5, 10, 20, 50, ... up to 5e12 (more epochs than any run has)."""
    return [step * 10 ** power for power in range(13) for step in _NICE]


def nice_stride(epochs_per_second: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that keeps the log readable at this rate."""
    wanted = epochs_per_second / READABLE_LINES_PER_SECOND
    return next((value for value in _nice_values() if value >= wanted), _nice_values()[-1])


def nice_floor(value: float) -> int:
    """The largest of 1, 2, 5, 10, 20, 50, ... not above `value` (1 below that)."""
    return max((nice for nice in _nice_values() if nice <= value), default=1)


def run_stride(epochs_per_second: float, run_length: int) -> int:
    """The stride for a run of `run_length` epochs at this rate: readable, yet never so long
    that the run shows fewer than about MIN_LINES_PER_RUN lines."""
    cap = nice_floor(run_length / MIN_LINES_PER_RUN) if run_length > 0 else nice_stride(
        epochs_per_second)
    return min(nice_stride(epochs_per_second), cap)


class Relay:
    """Sets the log stride from the pace (or, at full speed, from the measured epochs per
    second) and the run's length, and keeps the newest epoch not logged yet: it is logged if
    the run pauses or ends after it."""

    def __init__(self, interval: float = 0.1) -> None:
        self.rate = 0.0  # measured epochs per second
        self.stride = 1  # the current run's stride, as last used
        self._interval = interval  # the expected time between two batches
        self._last_seen: float | None = None
        self._unlogged: EpochEnd | None = None
        self._first = 1  # the current run's first epoch
        self._last = 0  # the current run's last epoch (0: not known)
        self._pace: float | None = None  # the pace the stride was set for

    def take(self, events: Sequence[Event], now: float, pace: float | None = None) -> RelayBatch:
        epochs = tuple(e for e in events if isinstance(e, EpochEnd))
        if any(isinstance(e, Started) for e in events):  # a new run: measure its rate afresh
            self.rate, self._last_seen = 0.0, None
        self._measure(len(epochs), now)
        lines: list[Event] = []
        for event in events:
            if isinstance(event, Evaluated):
                continue
            if isinstance(event, EpochEnd):
                logged = self._logs(event, pace)
                self._unlogged = None if logged else event
                if logged:
                    lines.append(event)
                continue
            if self._unlogged is not None:
                lines.append(self._unlogged)
                self._unlogged = None
            if isinstance(event, Started):
                self._start(event, pace)
            lines.append(event)
        return RelayBatch(epochs, tuple(lines), any(isinstance(e, Reset) for e in events))

    def _start(self, event: Started, pace: float | None) -> None:
        self._first, self._last = event.epoch + 1, event.target_epoch
        self._pace, self.stride = pace, 1

    def _logs(self, event: EpochEnd, pace: float | None) -> bool:
        """Whether the log shows this epoch: the run's first and last, and each stride."""
        rate = self.rate if pace is None else min(pace, self.rate or pace)
        stride = run_stride(rate, self._last - self._first + 1 if self._last else 0)
        if pace != self._pace:  # a new pace sets the stride afresh
            self._pace, self.stride = pace, stride
        else:  # at one pace it only grows: a wobbling rate would make the lines irregular
            self.stride = max(self.stride, stride)
        return event.epoch in (self._first, self._last) or event.epoch % self.stride == 0

    def _measure(self, count: int, now: float) -> None:
        if count == 0:
            return
        since = self._interval if self._last_seen is None else now - self._last_seen
        measured = count / min(max(since, 1e-3), 1.0)
        self.rate = measured if self.rate == 0 else 0.6 * self.rate + 0.4 * measured
        self._last_seen = now
