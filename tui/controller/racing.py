"""Racing variations of the design being edited, in plain Python: which variations a race of
each kind trains (`RACES`), and `Racing`, which starts an `engine.Race` (in the app's worker: a
spawn takes a moment), drains its events onto the comparison's curves and stops it.
"""

from __future__ import annotations

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
    """The race under way (or the last one), its runs shown on `comparison`'s curves."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.race: Race | None = None
        self.labels: list[str] = []
        self.keys: list[int] = []  # each runner's curve key, in the race's order

    @property
    def alive(self) -> bool:
        return self.race is not None and self.race.is_alive

    def build(self, kind: str, experiment: Experiment, design: Design,
              store: Callable[[], RunStore], pace: float | None) -> Callable[[], Race]:
        """What the app's worker runs to start a race of `kind` on the design (the store is
        opened there; a race goes on unrecorded when it cannot be)."""
        variations = RACES[kind].variations(design.config)
        load = experiment.dataset_load()
        spec, data = design.spec, design.data

        def start() -> Race:
            try:
                runs: RunStore | None = store()
            except EngineError:
                runs = None
            race = Race(load, spec, variations, dataset=data.name, n_inputs=data.n_inputs,
                        is_regression=not data.is_classification, store=runs,
                        epochs_per_second=pace)
            race.start()
            return race

        return start

    def adopt(self, race: Race, design: Design) -> None:
        """Shows `race`'s runs (stopping any race before it)."""
        self.close()
        self.race = race
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
            if isinstance(item.event, EpochEnd) and item.index < len(self.keys):
                self.comparison.race_epoch(self.keys[item.index], item.event)
        return events

    def stop(self) -> None:
        if self.race is not None:
            self.race.stop()

    def close(self) -> None:
        """Stops the race and waits for its workers (quitting; a new race)."""
        if self.race is not None:
            self.race.close()
