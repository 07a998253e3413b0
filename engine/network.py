"""`Network`: the public network, the maths core plus `fit`, `save` and `load`.

The maths (`engine.nn.network.NetworkCore`) knows nothing of training loops or files; this thin
class sits above both, so `net.fit(...)` and `Network.load(path)` work without an import cycle.
"""

from __future__ import annotations

import os
from typing import Any, Self, TypedDict, Unpack

import numpy.typing as npt

from engine.io.model_file import save_network
from engine.io.model_reader import load_network
from engine.nn.network import NetworkCore
from engine.nn.spec import TrainConfig
from engine.train.train_data import TrainData
from engine.train.trainer import Trainer


class FitSettings(TypedDict, total=False):
    """The `TrainConfig` settings `Network.fit` takes as keywords besides its named ones."""

    momentum: float
    nesterov: bool
    l2: float
    patience: int
    schedule: str
    schedule_options: dict[str, float]


class Network(NetworkCore):
    """A network you can train, save and load: `Network([Dense(64, 100), Dense(100, 10,
    "softmax")])`; inputs are (n, n_inputs), outputs (n, n_outputs)."""

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike, epochs: int = 10, optimizer: str = "adam",
            lr: float = 1e-3, batch_size: int = 32,
            **settings: Unpack[FitSettings]) -> list[dict[str, Any]]:
        """Trains synchronously on X (n, n_inputs) and y (labels (n,) or targets (n, n_outputs)),
        with no validation split and the network's seed and dtype; returns one dict of figures
        per epoch (`EpochEnd.to_dict()`). Bad settings raise `SpecError`."""
        config = TrainConfig(optimizer=optimizer, lr=lr, batch_size=batch_size, epochs=epochs,
                             seed=self.seed, dtype=self.dtype.name, **settings).checked()
        data = TrainData.from_arrays(X, y, classification=self.is_classifier)
        trainer = Trainer(self, data, config)
        return [event.to_dict() for event in trainer.run() if event.kind == "epoch"]

    def save(self, path: str | os.PathLike[str], metadata: dict[str, Any] | None = None,
             overwrite: bool = False) -> str:
        """Writes the weights and the architecture to a .safetensors file (atomically), with
        `metadata` (JSON-able) beside them; returns the path written. An existing file raises
        `ModelFileError` unless `overwrite`."""
        return save_network(self, path, metadata=metadata, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self:
        """The network saved at `path`; a damaged file raises `ModelFileError` naming it."""
        return load_network(path, cls)[0]
