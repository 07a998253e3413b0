"""`EpochHistory`: the run's epochs, oldest first, kept within a fixed budget however long the
run goes on.

One `EpochEnd` an epoch, kept for ever, grew a full-speed run by about 12 MB a minute (the
trainer's history and the app's). Past `budget` epochs the older ones are thinned: the stride
between the epochs kept doubles (every 2nd, then every 4th...), so the history covers the whole
run evenly, newest epochs at the finest stride, and the first, the best (lowest validation loss,
else training loss) and the latest epoch always stay. Thinning halves the list, so it runs once
every `budget / 2` epochs or so: appending stays O(1) on average. A chart drawn from it still
spans the whole run; it draws a few hundred points at most anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.errors import SpecError
from engine.train.events import EpochEnd

MIN_BUDGET = 8  # the first, the best and the latest, and room for the stride between them


class EpochHistory(list[EpochEnd]):
    """A list of epochs that thins its older entries past `budget` (see the module's story).
    It grows by `append` only; read it as any list."""

    BUDGET = 5000  # epochs: about 2.5 MB of events

    def __init__(self, epochs: Iterable[EpochEnd] = (), budget: int = BUDGET) -> None:
        if budget < MIN_BUDGET:
            raise SpecError(f"an epoch history's budget must be at least {MIN_BUDGET} epochs "
                            f"(got {budget})")
        super().__init__()
        self.budget = budget
        self.stride = 1  # the spacing of the epochs kept, in epochs, after the last thinning
        self._best: EpochEnd | None = None
        for event in epochs:
            self.append(event)

    @property
    def best(self) -> EpochEnd | None:
        """The epoch with the lowest validation loss (training loss without validation)."""
        return self._best

    def append(self, event: EpochEnd) -> None:
        super().append(event)
        if self._best is None or _watched(event) < _watched(self._best):
            self._best = event
        if len(self) > self.budget:
            self._thin()

    def _thin(self) -> None:
        """Keeps the epochs on the stride (doubled as often as needed to halve the list, so
        that the next thinning is about `budget / 2` epochs away), and the first, the latest
        and the best."""
        first, latest, best = self[0], self[-1], self._best

        def kept(events: list[EpochEnd]) -> list[EpochEnd]:
            return [event for event in events if event.epoch % self.stride == 0
                    or event is first or event is latest or event is best]

        events = kept(self)
        while len(events) > self.budget // 2 + 3:
            self.stride *= 2
            events = kept(events)
        self[:] = events


def _watched(event: EpochEnd) -> float:
    return event.val_loss if event.val_loss is not None else event.train_loss
