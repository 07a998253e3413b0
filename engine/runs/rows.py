"""What the run store holds, as values: a run's row (`RunRow`), an epoch's (`EpochRow`), the
words a row's status and source may take, and the texts a row is written with (the time, the
versions, the layers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from engine.version import __version__

STATUSES = ("running", "finished", "stopped", "early_stopped", "diverged", "failed",
            "interrupted")
SOURCES = ("app", "cli", "sweep", "race")


@dataclass(frozen=True)
class RunRow:
    """One row of the runs table. `test_accuracy` is R² for a regression run."""

    id: int
    started: str  # ISO time, UTC
    status: str  # one of STATUSES
    dataset: str
    layers: str  # "64-100relu-10softmax"
    optimizer: str
    lr: float
    batch_size: int
    seed: int
    epochs_done: int
    best_val_loss: float | None
    test_accuracy: float | None
    is_regression: bool
    seconds: float
    model_file: str | None
    source: str  # one of SOURCES
    spec: dict[str, Any]
    config: dict[str, Any]
    final_train_loss: float | None = None
    final_val_loss: float | None = None
    final_val_score: float | None = None
    nn_tui_version: str = ""
    numpy_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, the field names as keys (NaN and inf are the caller's to clean)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class EpochRow:
    """One epoch's figures; the scores are accuracy, or R² for regression."""

    epoch: int
    train_loss: float
    train_score: float | None
    val_loss: float | None
    val_score: float | None
    lr: float
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def versions() -> tuple[str, str]:
    """(nn-tui's version, NumPy's), as recorded with each run."""
    return __version__, np.__version__


def layers_text(spec: Mapping[str, Any]) -> str:
    """`{"n_inputs": 64, "layers": [{"units": 100, "activation": "relu"}, ...]}` ->
    "64-100relu-10softmax" (without the input size when the spec has none)."""
    parts = [f"{layer['units']}{layer['activation']}" for layer in spec.get("layers", ())]
    if spec.get("n_inputs") is not None:
        parts.insert(0, str(spec["n_inputs"]))
    return "-".join(parts)
