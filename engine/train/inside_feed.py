"""`InsidePublisher`: the trainer's per-layer figures (`Trainer.watch_inside`) turned into
`InsideStats` events in the runner's deque: after the epoch they were measured at, each set
once, and for weights outside a run (fresh, re-initialised or edited by hand: no step taken,
so no gradients and no update ratio).

Apart from `runner.py` so that the thread control there reads without it.
"""

from __future__ import annotations

from collections import deque

from engine.nn.network import NetworkCore
from engine.train.events import Event, InsideStats
from engine.train.trainer import Trainer


class InsidePublisher:
    def __init__(self, trainer: Trainer, events: deque[Event]) -> None:
        self.trainer = trainer
        self.events = events  # appending never blocks: any thread may publish
        self._published: object = None  # the figures last published

    def after_epoch(self) -> None:
        """Publishes the trainer's latest figures if they are new (the training thread)."""
        tracker = self.trainer.inside
        latest = tracker.latest() if tracker is not None else None
        if latest is not None and latest is not self._published:
            self._published = latest
            self.events.append(InsideStats(latest.epoch, latest))

    def at_rest(self, snapshot: NetworkCore, epoch: int) -> None:
        """Measures and publishes weights no step has moved (a short-lived thread)."""
        tracker = self.trainer.inside
        if tracker is not None:
            stats = tracker.record(snapshot, epoch)
            self._published = stats
            self.events.append(InsideStats(epoch, stats))
