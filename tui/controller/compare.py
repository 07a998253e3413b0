"""`Comparison`: the runs drawn on the charts beside the live one, in plain Python.

Runs chosen on the runs screen (their epochs read from the store in a worker) and the runs of
a race (their epochs arriving live) become `Curve`s, the live run's first. Each curve's label
names only what differs between the runs shown (`lr 0.01`, `sgd`, `batch 64 · seed 2`), so a
legend of three learning rates reads as three learning rates; identical runs read by id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine import EpochEnd, EpochRow, RunRow

MAX_CURVES = 7  # the live run and six others: as many markers as the charts can tell apart


@dataclass(frozen=True)
class Described:
    """What tells one run from another in a legend."""

    dataset: str
    layers: str
    optimizer: str
    lr: float
    batch_size: int
    seed: int

    @classmethod
    def of_row(cls, row: RunRow) -> Described:
        return cls(row.dataset, row.layers, row.optimizer, row.lr, row.batch_size, row.seed)

    @classmethod
    def of_config(cls, dataset: str, layers: str, config: Mapping[str, Any]) -> Described:
        return cls(dataset, layers, str(config["optimizer"]), float(config["lr"]),
                   int(config["batch_size"]), int(config["seed"]))


# How each differing field reads in a label.
FIELD_TEXT: dict[str, Any] = {
    "dataset": lambda v: str(v),
    "layers": lambda v: str(v),
    "optimizer": lambda v: str(v),
    "lr": lambda v: f"lr {v:g}",
    "batch_size": lambda v: f"batch {v}" if v else "full batch",
    "seed": lambda v: f"seed {v}",
}


LIVE = "live run"


def labels(runs: Sequence[Described], ids: Sequence[int | None],
           live: Sequence[bool] = ()) -> list[str]:
    """A short label per run: the fields that differ between them; `#id` for identical ones.
    The `live` run (at most one) reads `live run: adam lr 0.01`, or `live run` alone when
    another run is the same design, which then reads `adam (same as live)`: never two `adam`s."""
    live = list(live) or [False] * len(runs)
    differing = [name for name in FIELD_TEXT
                 if len({getattr(run, name) for run in runs}) > 1]
    out = []
    for run, run_id in zip(runs, ids, strict=True):
        parts = [FIELD_TEXT[name](getattr(run, name)) for name in differing]
        out.append(" ".join(parts) if parts else (f"#{run_id}" if run_id is not None else "run"))
    live_text = next((text for text, is_live in zip(out, live, strict=True) if is_live), None)
    others = [text for text, is_live in zip(out, live, strict=True) if not is_live]
    twice = {text for text in others if others.count(text) > 1}  # the ids tell these apart
    named = []
    for text, run_id, is_live in zip(out, ids, live, strict=True):
        if is_live:
            named.append(LIVE if text in others or not differing else f"{LIVE}: {text}")
        else:
            text = f"#{run_id} {text}" if text in twice and run_id is not None else text
            named.append(f"{text} (same as live)" if differing and text == live_text else text)
    return named


def epoch_event(row: EpochRow, regression: bool) -> EpochEnd:
    """A stored epoch as the charts read it."""
    score = {"train_r2": row.train_score, "val_r2": row.val_score} if regression else \
        {"train_acc": row.train_score, "val_acc": row.val_score}
    return EpochEnd(row.epoch, row.train_loss, row.val_loss, row.lr, row.seconds, 0.0, **score)


@dataclass(frozen=True)
class Curve:
    """One run on the charts: its key (the store's id; negative for a race run not recorded),
    its legend label and its epochs. `live`: the app's own run."""

    key: int
    label: str
    epochs: Sequence[EpochEnd]
    live: bool = False


@dataclass
class Shown:
    """A run on the charts other than the live one: described, and its epochs so far."""

    key: int
    described: Described
    epochs: list[EpochEnd] = field(default_factory=list)
    run_id: int | None = None


class Comparison:
    """The runs overlaid on the live one: selected on the runs screen, or raced."""

    def __init__(self) -> None:
        self.selected: dict[int, Shown] = {}  # from the store, by run id, in selection order
        self.raced: dict[int, Shown] = {}  # the race's runs, by key, in its order

    @property
    def shown_ids(self) -> list[int]:
        """The store's ids of the runs overlaid (the race's first)."""
        raced = [run.run_id for run in self.raced.values() if run.run_id is not None]
        return [*raced, *self.selected]

    def select(self, rows: Sequence[RunRow],
               epochs: Mapping[int, Sequence[EpochRow]]) -> None:
        """Overlays exactly `rows` (at most MAX_CURVES - 1), with their stored `epochs`; the
        race's runs among them stay as they are (their epochs may still be arriving), the
        others leave."""
        ids = {row.id for row in rows}
        self.raced = {key: run for key, run in self.raced.items() if run.run_id in ids}
        kept = {run.run_id for run in self.raced.values()}
        self.selected = {
            row.id: Shown(row.id, Described.of_row(row),
                          [epoch_event(e, row.is_regression) for e in epochs.get(row.id, ())],
                          row.id)
            for row in rows[:MAX_CURVES - 1] if row.id not in kept}

    def race(self, shown: Sequence[Shown]) -> None:
        """A race's runs replace the runs overlaid before (the charts show the race)."""
        self.selected = {}
        self.raced = {run.key: run for run in shown}

    def race_epoch(self, key: int, event: EpochEnd) -> None:
        run = self.raced.get(key)
        if run is not None:
            run.epochs.append(event)

    def clear(self) -> None:
        self.selected, self.raced = {}, {}

    def keep_dataset(self, dataset: str) -> None:
        """Drops the runs of other datasets (a switch of dataset: their curves do not compare
        with the live one's; the store and the runs screen keep them)."""
        self.selected = {key: run for key, run in self.selected.items()
                         if run.described.dataset == dataset}
        self.raced = {key: run for key, run in self.raced.items()
                      if run.described.dataset == dataset}

    def curves(self, live: Sequence[EpochEnd], live_described: Described | None,
               live_id: int | None) -> list[Curve]:
        """The curves to draw, the live run's first (when it has epochs); the live run's own
        row is not drawn twice. Empty when nothing is overlaid: the charts' usual look."""
        chosen = sorted(self.selected.values(), key=lambda run: run.key)  # oldest first
        others = [run for run in (*self.raced.values(), *chosen)
                  if run.run_id is None or run.run_id != live_id]
        if not others:
            return []
        runs: list[tuple[int, Described, Sequence[EpochEnd], bool, int | None]] = []
        if live and live_described is not None:
            runs.append((0, live_described, live, True, live_id))
        runs += [(run.key, run.described, run.epochs, False, run.run_id) for run in others]
        runs = runs[:MAX_CURVES]
        texts = labels([r[1] for r in runs], [r[4] for r in runs], [r[3] for r in runs])
        return [Curve(key, text, epochs, is_live)
                for (key, _, epochs, is_live, _), text in zip(runs, texts, strict=True)]
