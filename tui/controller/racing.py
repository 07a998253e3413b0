"""Racing variations of the design being edited, in plain Python: which variations a race of
each kind trains (`RACES`), and `Racing`, which starts an `engine.Race` (in the app's worker: a
spawn takes a moment), drains its events onto the comparison's curves and stops it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from engine import (
    OPTIMIZERS,
    EngineError,
    EpochEnd,
    Experiment,
    Race,
    RaceEvent,
    RunStore,
    TrainConfig,
    Variation,
)
from tui.controller.compare import Comparison, Described, Shown
from tui.design import Design


def _optimizers(config: TrainConfig) -> list[Variation]:
    return [Variation(name, config.with_changes(optimizer=name)) for name in OPTIMIZERS]


def _learning_rates(config: TrainConfig) -> list[Variation]:
    rates = [float(f"{config.lr * k:.2g}") for k in (0.1, 1.0, 10.0)]
    return [Variation(f"lr {lr:g}", config.with_changes(lr=lr)) for lr in rates]


def _batch_sizes(config: TrainConfig) -> list[Variation]:
    sizes = sorted({8, max(config.batch_size, 1), 128})
    return [Variation(f"batch {size}", config.with_changes(batch_size=size)) for size in sizes]


def _seeds(config: TrainConfig) -> list[Variation]:
    return [Variation(f"seed {seed}", config.with_changes(seed=seed))
            for seed in range(config.seed, config.seed + 4)]


@dataclass(frozen=True)
class RaceKind:
    """A kind of race: its name, what it varies (for the dialog) and the variations."""

    name: str
    what: str
    variations: Callable[[TrainConfig], list[Variation]]


RACES: dict[str, RaceKind] = {kind.name: kind for kind in (
    RaceKind("optimizers", "sgd, momentum, rmsprop and adam", _optimizers),
    RaceKind("learning rates", "lr/10, lr and lr*10", _learning_rates),
    RaceKind("batch sizes", "8, the design's and 128", _batch_sizes),
    RaceKind("seeds", "four seeds of the same design (weights and shuffling)", _seeds),
)}


def layers_text(design: Design) -> str:
    """`64-100relu-10softmax`, as the store writes a run's layers."""
    return "-".join([str(design.data.n_inputs),
                     *(f"{layer.units}{layer.activation}" for layer in design.layers)])


class Racing:
    """The race under way (or the last one), its runs shown on `comparison`'s curves.

    A race is under way (`busy`) from the moment it is asked for: its worker processes take
    a moment to start (seconds for a process's first race, which starts their forkserver), and
    meanwhile `b` must not start another nor `x` be lost (a stop then cancels it; see
    `status`)."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.race: Race | None = None
        self.labels: list[str] = []
        self.keys: list[int] = []  # each runner's curve key, in the race's order
        self.starting = 0  # runners of the race being started (0: none is)
        self.stopping = False  # a stop was asked of the race under way
        self._cancel = threading.Event()  # the stop of the race being started
        self._starting_race: Race | None = None  # made, its workers not all started yet
        self._epochs: list[int] = []  # each runner's latest epoch
        self._started = False  # some runner of the race has begun to train

    @property
    def alive(self) -> bool:
        return self.race is not None and self.race.is_alive

    @property
    def busy(self) -> bool:
        """A race is starting or running."""
        return bool(self.starting) or self.alive

    @property
    def status(self) -> str:
        """The status line's words for the race: 'race: starting 4 workers…', 'race: 4 runs,
        epoch 12', 'race: stopping…'; '' when none is under way."""
        if not self.busy:
            return ""
        if self.stopping:
            return "race: stopping…"
        if self.loading:
            return f"race: starting {self.starting or len(self.labels)} workers…"
        return f"race: {len(self.labels)} runs, epoch {max(self._epochs, default=0)}"

    @property
    def loading(self) -> bool:
        """The race is starting: its processes are being spawned, or none has begun to train
        yet (each imports the engine and loads the data first, seconds on a busy machine)."""
        return bool(self.starting) or (self.alive and not self._started)

    def build(self, kind: str, experiment: Experiment, design: Design,
              store: Callable[[], RunStore], pace: float | None) -> Callable[[], Race | None]:
        """What the app's worker runs to start a race of `kind` on the design (the store is
        opened there; a race goes on unrecorded when it cannot be). From now on the race is
        `busy`; the worker returns None when it was stopped before anything started."""
        variations = RACES[kind].variations(design.config)
        load = experiment.dataset_load()
        spec, data = design.spec, design.data
        self.starting, self.stopping = len(variations), False
        cancel = self._cancel = threading.Event()

        def start() -> Race | None:
            if cancel.is_set():
                return None
            try:
                runs: RunStore | None = store()
            except EngineError:
                runs = None
            race = Race(load, spec, variations, dataset=data.name, n_inputs=data.n_inputs,
                        is_regression=not data.is_classification, store=runs,
                        epochs_per_second=pace)
            self._starting_race = race  # `stop` now reaches its workers as they start:
            if cancel.is_set():  # forked from a server that is up, they train at once
                race.stop()
            race.start()
            if cancel.is_set():  # stopped (or the app quit) while the processes started:
                race.close()  # they leave before an epoch, their rows deleted (waits here)
            return race

        return start

    def unstarted(self) -> None:
        """The race asked for did not start (stopped first, or an error)."""
        self.starting, self.stopping = 0, False
        self._starting_race = None

    def adopt(self, race: Race, design: Design) -> None:
        """Shows `race`'s runs (closing any race before it)."""
        if self.race is not None:
            self.race.close()
        if self._cancel.is_set():  # stopped while it started
            race.stop()
        self.race = race
        self.starting = 0
        self._starting_race = None
        self._epochs = [0] * len(race.variations)
        self._started = False
        self.labels = [variation.label for variation in race.variations]
        layers = layers_text(design)
        shown = [Shown(run_id if run_id is not None else -(index + 1),
                       Described.of_config(design.data.name, layers, variation.config.to_dict()),
                       run_id=run_id)
                 for index, (variation, run_id) in enumerate(zip(race.variations, race.run_ids,
                                                                 strict=True))]
        self.keys = [run.key for run in shown]
        self.comparison.race(shown)

    def drain(self) -> list[RaceEvent]:
        """The race's events since the last call, its epochs added to the curves."""
        if self.race is None:
            return []
        events = self.race.drain()
        for item in events:  # (a run unselected meanwhile is no longer drawn)
            self._started = self._started or item.event.kind == "started"
            if isinstance(item.event, EpochEnd) and item.index < len(self.keys):
                self._epochs[item.index] = item.event.epoch
                self.comparison.race_epoch(self.keys[item.index], item.event)
        if not self.race.is_alive:
            self.stopping = False
        return events

    def stop(self) -> None:
        """Asks the race under way to stop: one starting leaves before its first epoch (and
        keeps no run), one running after its current epoch."""
        if self.starting:
            self._cancel.set()
            self.stopping = True
            if self._starting_race is not None:  # its workers stop before their first epoch
                self._starting_race.stop()
        elif self.race is not None and self.race.is_alive:
            self.race.stop()
            self.stopping = True

    def close(self) -> None:
        """Stops the race and waits for its workers (quitting; a new race)."""
        self._cancel.set()  # (a race still starting leaves as soon as it has)
        if self.race is not None:
            self.race.close()
