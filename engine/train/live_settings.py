"""The settings a run may change while it goes on (`LIVE_SETTINGS`), and `PendingChanges`: the
changes asked for from any thread, held until the epoch loop takes them between two epochs.
"""

from __future__ import annotations

import threading
from typing import TypedDict

from engine.errors import SpecError
from engine.nn.spec import TrainConfig


class LiveChanges(TypedDict, total=False):
    """The keyword arguments of `Trainer.update`, each optional; their names are `LIVE_SETTINGS`."""

    lr: float
    momentum: float
    l2: float
    batch_size: int
    patience: int


# The settings `Trainer.update` may change while a run goes on: each is read afresh at the start
# of every epoch, so a new value is safe between two epochs; the others (optimizer, epochs, seed...)
# shape the run as a whole and need a new `Trainer`. In `LiveChanges`'s order: lr, momentum, l2,
# batch_size, patience.
LIVE_SETTINGS: tuple[str, ...] = tuple(LiveChanges.__annotations__)


class PendingChanges:
    """Live changes written from any thread and taken, all at once, by the epoch loop."""

    def __init__(self) -> None:
        self._changes: LiveChanges = {}
        self._lock = threading.Lock()  # guards `_changes`, written from other threads

    def add(self, config: TrainConfig, changes: LiveChanges) -> None:
        """Keeps `changes` for the next epoch once they are known to be live settings and to make
        a valid `config`; otherwise raises `SpecError` (at run time too, for untyped callers)."""
        unknown = set(changes) - set(LIVE_SETTINGS)
        if unknown:
            raise SpecError(f"cannot change {', '.join(sorted(unknown))} while training "
                            f"(only {', '.join(LIVE_SETTINGS)})")
        config.with_changes(**changes).checked()
        with self._lock:
            self._changes.update(changes)

    def take(self) -> LiveChanges:
        """The changes asked for since the last call (empty if none), forgotten here."""
        with self._lock:
            changes, self._changes = self._changes, {}
        return changes
