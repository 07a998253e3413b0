"""The two shapes data takes in the engine: `RawData`, a loader's whole arrays before splitting,
and `Dataset`, what every dataset ends as (`split.split_and_scale` makes one from the other).

Their own module so that everything that only reads a dataset (the trainer, the views, the
runs) names its type without the splitting and scaling behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]
Scaling = dict[str, Any]  # JSON-able: {"kind": "none" | "standard" | "divide", numbers...}

CLASSIFICATION = "classification"
REGRESSION = "regression"


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train/val/test splits ready for a network, every array read-only and C-contiguous.

    X_train, X_val, X_test: (n_split, n_features) float64, or the dtype the network trains in for
    a file (`load_dataset(dtype=...)`), scaled by `scaling` (fitted on the training split); they
    are consecutive row ranges of one array. y_*: int64 class indices (n_split,) into
    `class_names` for classification; float64 (n_split, n_outputs) for regression, scaled by
    `target_scaling` (`unscale_targets` undoes it). An empty split (val_size=0) has 0 rows and
    the same trailing shape.
    `feature_names` has n_features names; `class_names` is () for regression. `image_shape` is
    (height, width) when each row is an image (digits: (8, 8)). `input_features` names every
    column when Playground's extra inputs were appended to a 2-D set (`data.features`), else ();
    `noise` is the noise a generated set was made with (None for the fixed sets and files).
    Compared by identity (arrays)."""

    name: str
    task: str
    X_train: Array
    y_train: Array
    X_val: Array
    y_val: Array
    X_test: Array
    y_test: Array
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    image_shape: tuple[int, int] | None = None
    scaling: Scaling = field(default_factory=dict)
    target_scaling: Scaling = field(default_factory=dict)
    source: str = "builtin"
    input_features: tuple[str, ...] = ()
    noise: float | None = None

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def is_classification(self) -> bool:
        return self.task == CLASSIFICATION

    @property
    def n_outputs(self) -> int:
        return len(self.class_names) if self.is_classification else int(self.y_train.shape[1])

    def unscale_targets(self, y: Array) -> FloatArray:
        """Regression outputs (n, n_outputs) back in the file's units (MAE a person can read)."""
        values = np.asarray(y, dtype=np.float64)
        if self.target_scaling.get("kind") != "standard":
            return values
        mean = np.asarray(self.target_scaling["mean"], dtype=np.float64)
        scale = np.asarray(self.target_scaling["scale"], dtype=np.float64)
        out: FloatArray = values * scale + mean
        return out

    def describe(self) -> dict[str, Any]:
        """A JSON-able summary for `nn-tui info` and model metadata (the scaling numbers are
        what a saved model needs to prepare new inputs)."""
        return {
            "name": self.name,
            "task": self.task,
            "source": self.source,
            "sizes": {"train": len(self.X_train), "val": len(self.X_val), "test": len(self.X_test)},
            "n_features": self.n_features,
            "n_outputs": self.n_outputs,
            "feature_names": list(self.feature_names),
            "class_names": list(self.class_names),
            "image_shape": list(self.image_shape) if self.image_shape else None,
            "scaling": self.scaling,
            "target_scaling": self.target_scaling,
            **({"input_features": list(self.input_features)} if self.input_features else {}),
        }


@dataclass(frozen=True, eq=False)
class RawData:
    """A whole dataset before splitting: X (n, n_features), y (n,) class indices or (n,) /
    (n, n_outputs) regression targets. `prescaled` is the scaling the loader already applied;
    None means "standardise on the training split"."""

    X: Array
    y: Array
    task: str
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...] = ()
    image_shape: tuple[int, int] | None = None
    prescaled: Scaling | None = None
    standardise_target: bool = False
    noise: float | None = None  # a generated set's noise, kept on the Dataset for the editor
    # The last `test_rows` rows are the test split as the files give it (MNIST's t10k pair);
    # only the rows before them are split, into train and val. 0: split the whole set.
    test_rows: int = 0
    owned: bool = False  # X is the loader's own fresh array: split_and_scale may reuse it
