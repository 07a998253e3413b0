"""`InsideFeed`: the per-layer figures the training runner publishes (`InsideStats`), kept for
the inside view's sparklines. Plain Python, like the rest of the controller.

Every experiment the controller adopts is watched from its first epoch, so that the view shows
the figures of the whole run whenever it opens: the trainer measures at most every 100 ms (and
on a run's last epoch), about 0.2% of training at full speed (`make bench`, figure g).
`watching=False` turns it off (a test or a benchmark of training without it).
"""

from __future__ import annotations

from collections import deque

from engine import Experiment, InsideStats, NetworkStats

HISTORY = 120  # measurements kept: a sparkline needs no more


class InsideFeed:
    def __init__(self, capacity: int = HISTORY, watching: bool = True) -> None:
        self.history: deque[NetworkStats] = deque(maxlen=capacity)
        self.watching = watching

    @property
    def latest(self) -> NetworkStats | None:
        return self.history[-1] if self.history else None

    def watch(self, experiment: Experiment | None) -> None:
        """From now on, figures for this experiment and every later one."""
        self.watching = True
        if experiment is not None:
            experiment.runner.watch_inside()

    def follow(self, experiment: Experiment) -> None:
        """A new experiment: its figures replace the old one's (other layers, other data)."""
        self.history.clear()
        if self.watching:
            experiment.runner.watch_inside()

    def take(self, event: InsideStats) -> None:
        self.history.append(event.stats)

    def clear(self) -> None:
        self.history.clear()
