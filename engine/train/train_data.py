"""`TrainData`: the arrays a trainer learns from, whatever they came from (a `Dataset`, or the
plain arrays handed to `Network.fit`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.data.dataset_types import Dataset

Array = npt.NDArray[Any]  # float features, or labels / float targets (see `TrainData`)


@dataclass(frozen=True)
class TrainData:
    """The training and validation arrays, held as given (the trainer copies them to its dtype).

    X_train (n, features) and X_val (m, features); y_train (n,) and y_val (m,) integer labels for
    classification, or (n, outputs) and (m, outputs) float targets for regression. The val arrays
    may be empty (m = 0). `target_scale` is a scalar or (outputs,) and multiplies outputs and
    targets before the MAE, so that it reads in the dataset's own units.
    """

    X_train: Array
    y_train: Array
    X_val: Array
    y_val: Array
    classification: bool
    target_scale: npt.NDArray[np.floating[Any]] | float = 1.0

    @classmethod
    def from_arrays(cls, X: npt.ArrayLike, y: npt.ArrayLike, classification: bool,
                    X_val: npt.ArrayLike | None = None,
                    y_val: npt.ArrayLike | None = None) -> TrainData:
        """X (n, features) and y (n,) or (n, outputs), as `Network.fit` takes them; without X_val
        the validation split is empty."""
        X_arr, y_arr = np.asarray(X), np.asarray(y)
        if X_val is None:
            X_val, y_val = X_arr[:0], y_arr[:0]
        return cls(X_arr, y_arr, np.asarray(X_val), np.asarray(y_val), classification)

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> TrainData:
        """The train and val splits of `dataset` (its test split stays out of training)."""
        scaling = dataset.target_scaling or {}
        scale = np.asarray(scaling.get("scale", 1.0), dtype=np.float64)
        return cls(dataset.X_train, dataset.y_train, dataset.X_val, dataset.y_val,
                   dataset.task == "classification", scale)
