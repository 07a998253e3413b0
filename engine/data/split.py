"""What every dataset ends as: a `Dataset` of read-only train/val/test arrays, made from a loader's
`RawData` by one seeded split (stratified for classes) and a standardisation fitted on the
training split only.

It is its own module so that the built-ins (`builtin_datasets`) and the file readers
(`dataset_files`) can share it without importing `datasets`, the front door that imports them.
scikit-learn is imported inside the functions that use it (about a second to import).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.errors import DatasetError

Array = np.ndarray

CLASSIFICATION = "classification"
REGRESSION = "regression"
NO_SCALING = {"kind": "none"}


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train/val/test splits ready for a network: X float64 (n, features); y int64 labels (n,)
    for classification, float64 (n, outputs) for regression. Compared by identity (arrays)."""

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
    scaling: dict = field(default_factory=dict)
    target_scaling: dict = field(default_factory=dict)
    source: str = "builtin"

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def is_classification(self) -> bool:
        return self.task == CLASSIFICATION

    @property
    def n_outputs(self) -> int:
        return len(self.class_names) if self.is_classification else int(self.y_train.shape[1])

    def unscale_targets(self, y: Array) -> Array:
        """Regression outputs back in the file's units (MAE a person can read)."""
        if self.target_scaling.get("kind") != "standard":
            return np.asarray(y, dtype=np.float64)
        mean = np.asarray(self.target_scaling["mean"])
        scale = np.asarray(self.target_scaling["scale"])
        return np.asarray(y, dtype=np.float64) * scale + mean

    def describe(self) -> dict:
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
        }


@dataclass(frozen=True, eq=False)
class RawData:
    """A whole dataset before splitting. `prescaled` is the scaling the loader already applied;
    None means "standardise on the training split"."""

    X: Array
    y: Array
    task: str
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...] = ()
    image_shape: tuple[int, int] | None = None
    prescaled: dict | None = None
    standardise_target: bool = False


def _split_off(idx: Array, y: Array, fraction: float, seed: int, stratify: bool,
               ) -> tuple[Array, Array]:
    """(kept, taken) index arrays; stratified when possible, plain when a class is too small."""
    if fraction == 0:
        return idx, idx[:0]
    from sklearn.model_selection import train_test_split

    if stratify:
        try:
            return tuple(train_test_split(idx, test_size=fraction, random_state=seed,
                                          stratify=y[idx]))
        except ValueError:
            pass  # a class with too few rows to share out: a plain split still works
    return tuple(train_test_split(idx, test_size=fraction, random_state=seed))


def _split(name: str, y: Array, classes: bool, seed: int, val_size: float, test_size: float,
           ) -> tuple[Array, Array, Array]:
    idx = np.arange(len(y))
    try:
        rest, test = _split_off(idx, y, test_size, seed, classes)
        train, val = _split_off(rest, y, val_size / (1.0 - test_size), seed, classes)
    except ValueError:
        train = idx[:0]
    if len(train) == 0:
        raise DatasetError(f"{name}: {len(y)} rows are too few to split into train/val/test "
                           f"({val_size:.0%} val, {test_size:.0%} test)")
    return train, val, test


def _standard(values: Array) -> dict:
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(values)
    return {"kind": "standard", "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()}


def _apply(scaling: dict, values: Array) -> Array:
    # Plain NumPy rather than scaler.transform, which refuses the empty val split of val_size=0.
    if scaling.get("kind") != "standard":
        return values
    return (values - np.asarray(scaling["mean"])) / np.asarray(scaling["scale"])


def read_only(values: Array, dtype: type) -> Array:
    """Takes ownership: callers pass arrays nobody else holds (fresh copies from indexing)."""
    out = np.ascontiguousarray(values, dtype=dtype)
    out.setflags(write=False)
    return out


def split_and_scale(name: str, raw: RawData, source: str, *, seed: int, val_size: float,
                    test_size: float) -> Dataset:
    """The one road from a loader's whole arrays to a `Dataset`: split, scale, freeze."""
    shown = name if source == "builtin" else source
    classes = raw.task == CLASSIFICATION
    train, val, test = _split(shown, raw.y, classes, seed, val_size, test_size)
    X = np.asarray(raw.X, dtype=np.float64)
    scaling = raw.prescaled if raw.prescaled is not None else _standard(X[train])
    X = _apply(scaling, X)
    if classes:
        y = np.asarray(raw.y, dtype=np.int64)
        target_scaling = dict(NO_SCALING)
    else:
        y = np.asarray(raw.y, dtype=np.float64).reshape(len(raw.y), -1)
        target_scaling = _standard(y[train]) if raw.standardise_target else dict(NO_SCALING)
        y = _apply(target_scaling, y)
    x_type, y_type = np.float64, (np.int64 if classes else np.float64)
    return Dataset(
        name=name, task=raw.task,
        X_train=read_only(X[train], x_type), y_train=read_only(y[train], y_type),
        X_val=read_only(X[val], x_type), y_val=read_only(y[val], y_type),
        X_test=read_only(X[test], x_type), y_test=read_only(y[test], y_type),
        feature_names=raw.feature_names, class_names=raw.class_names if classes else (),
        image_shape=raw.image_shape, scaling=dict(scaling), target_scaling=target_scaling,
        source=source,
    )

