"""`TrainData`: the arrays a trainer learns from, whatever they came from (a `Dataset`, or the
plain arrays handed to `Network.fit`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TrainData:
    """The training and validation arrays; y as labels (classification) or (n, k) floats."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    classification: bool
    target_scale: np.ndarray | float = 1.0  # to report MAE in the dataset's own units

    @classmethod
    def from_arrays(cls, X: np.ndarray, y: np.ndarray, classification: bool,
                    X_val: np.ndarray | None = None, y_val: np.ndarray | None = None) -> TrainData:
        X, y = np.asarray(X), np.asarray(y)
        if X_val is None:
            X_val, y_val = X[:0], y[:0]
        return cls(X, y, np.asarray(X_val), np.asarray(y_val), classification)

    @classmethod
    def from_dataset(cls, dataset: object) -> TrainData:
        scaling = getattr(dataset, "target_scaling", None) or {}
        scale = np.asarray(scaling.get("scale", 1.0), dtype=np.float64)
        return cls(dataset.X_train, dataset.y_train, dataset.X_val, dataset.y_val,
                   dataset.task == "classification", scale)
