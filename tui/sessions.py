"""Building experiments for the app: from the command-line preset at start-up, and again when the
dataset or seed changes. These functions load datasets (the first load imports scikit-learn,
about a second), so the app runs them in a thread worker, never on the UI thread; `scored` has
the worker score the new weights too."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, fields

from engine import EngineError, Experiment, ModelFileError, TrainConfig
from tui.design import DataShape, Design

Build = Callable[[], Experiment]

# The preset options that are TrainConfig fields; None means "the default".
CONFIG_OPTIONS = ("optimizer", "lr", "momentum", "l2", "batch_size", "epochs", "patience", "seed")


@dataclass(frozen=True)
class Preset:
    """What `nn-tui --dataset wine --layers ... --model ...` asked for; None means default."""

    dataset: str | None = None
    layers: str | None = None
    loss: str | None = None
    optimizer: str | None = None
    lr: float | None = None
    momentum: float | None = None
    l2: float | None = None
    batch_size: int | None = None
    epochs: int | None = None
    patience: int | None = None
    seed: int | None = None
    val_size: float | None = None
    test_size: float | None = None
    noise: float | None = None  # a generated set's noise (None: its own)
    features: tuple[str, ...] | None = None  # Playground's extra inputs (x1^2, ...)
    model: str | None = None

    @classmethod
    def from_namespace(cls, namespace: argparse.Namespace) -> Preset:
        return cls(**{f.name: getattr(namespace, f.name, None) for f in fields(cls)})

    @property
    def dataset_name(self) -> str:
        return self.dataset or "digits"

    @property
    def splits(self) -> dict[str, float]:
        return {"val_size": 0.15 if self.val_size is None else self.val_size,
                "test_size": 0.15 if self.test_size is None else self.test_size}

    def config(self) -> TrainConfig:
        given = {name: getattr(self, name) for name in CONFIG_OPTIONS
                 if getattr(self, name) is not None}
        return TrainConfig(**given).checked()

    def build(self) -> Experiment:
        """The session to start with (raises EngineError with the reason)."""
        if self.model:
            return Experiment.load(self.model, dataset=self.dataset)
        return Experiment.create(self.dataset_name, layers=self.layers, loss=self.loss,
                              config=self.config(), **self.splits, noise=self.noise,
                              features=self.features or ())


def session_for(design: Design, dataset: str, splits: dict[str, float]) -> Experiment:
    """`design` on another dataset (or the same with another seed, noise or extra inputs): the
    dataset is loaded with the design's seed (and, when it is the same dataset, its data
    options) and the output layer refitted to it; fresh weights."""
    options = design.data.load_options() if dataset == design.data.source else {}
    probe = Experiment.create(dataset, config=design.config, **splits, **options)
    fitted = design.for_dataset(DataShape.of(probe.dataset))
    return probe if fitted.spec == probe.spec else probe.rebuilt(spec=fitted.spec)


def opened(path: str) -> Experiment:
    """The saved model at `path`, with the dataset and split it was trained on. A file is
    outside input: whatever goes wrong reading it is one line naming it (`ModelFileError`),
    never an exception that would close the app."""
    try:
        return Experiment.load(path)
    except (EngineError, OSError, MemoryError):
        raise
    except Exception as exc:  # a reader's bug met by a strange file: say so, keep the app
        raise ModelFileError(f"{path}: cannot open ({type(exc).__name__}: {exc})") from exc


def scored(build: Build) -> Build:
    """`build`, then the new weights scored on the same (worker) thread, so that the views have
    their first scores the moment the experiment is adopted."""

    def build_and_score() -> Experiment:
        experiment = build()
        experiment.runner.evaluate()
        return experiment

    return build_and_score
