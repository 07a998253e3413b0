"""The one road from a loader's `RawData` to a `Dataset` of read-only train/val/test arrays (both
in `dataset_types`): one seeded split (stratified for classes) and a standardisation fitted on
the training split only, the rows gathered and scaled a chunk at a time.

It is its own module so that the built-ins (`builtin_datasets`) and the file readers
(`dataset_files`) can share it without importing `datasets`, the front door that imports them.
scikit-learn is imported inside the functions that use it (about a second to import).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from engine.data.dataset_types import CLASSIFICATION, Dataset, FloatArray, RawData, Scaling
from engine.data.shuffle_split import train_test_rows
from engine.errors import DatasetError

Array = npt.NDArray[Any]
IntArray = npt.NDArray[np.int64]

NO_SCALING: Scaling = {"kind": "none"}

# Standardising squares the deviations from the mean: beyond ~1e154 they overflow to inf and the
# scaled data is inf/NaN. 1e150 leaves room for the sum over millions of rows; nothing measured
# in the real world comes near it, so a value past it is a broken file, said by place.
MAX_ABS_VALUE = 1e150
# The scaler is fitted this many numbers at a time (partial_fit), so its temporaries stay small
# for a big file; every built-in fits in one call, which is exactly StandardScaler.fit.
FIT_CHUNK_VALUES = 1 << 20


def _split_off(idx: IntArray, y: Array, fraction: float, seed: int, stratify: bool,
               ) -> tuple[IntArray, IntArray]:
    """(kept, taken) index arrays; stratified when possible, plain when a class is too small."""
    if fraction == 0:
        return idx, idx[:0]
    if stratify:  # scikit-learn's train_test_split at a third of its CPU (`shuffle_split`)
        try:
            return train_test_rows(idx, fraction, seed, stratify=y[idx])
        except ValueError:
            pass  # a class with too few rows to share out: a plain split still works
    return train_test_rows(idx, fraction, seed)


def _split(name: str, y: Array, classes: bool, seed: int, val_size: float, test_size: float,
           test_rows: int = 0) -> tuple[IntArray, IntArray, IntArray]:
    idx = np.arange(len(y))
    try:
        if test_rows:  # the file's own test split; val_size is a share of the rest
            rest, test = idx[:len(y) - test_rows], idx[len(y) - test_rows:]
            train, val = _split_off(rest, y, val_size, seed, classes)
        else:
            rest, test = _split_off(idx, y, test_size, seed, classes)
            train, val = _split_off(rest, y, val_size / (1.0 - test_size), seed, classes)
    except ValueError:
        train = idx[:0]
    if len(train) == 0:
        raise DatasetError(f"{name}: {len(y)} rows are too few to split into train/val/test "
                           f"({val_size:.0%} val, {test_size:.0%} test)")
    return train, val, test


def _unscalable(shown: str, what: str, column: int) -> DatasetError:
    return DatasetError(f"{shown}: {what} too large to scale (|x| > {MAX_ABS_VALUE:g}) in "
                        f"column {column + 1}")


def _standard(shown: str, what: str, values: Array, train: IntArray) -> Scaling:
    """Mean and scale of each column over the training rows (`train`, never empty), fitted a
    chunk of rows at a time. The file readers name the row of a value too large to
    standardise; this is the net under them (and the built-ins)."""
    if len(values):
        high, low = (np.asarray(v, dtype=np.float64) for v in (values.max(0), values.min(0)))
        big = (high > MAX_ABS_VALUE) | (low < -MAX_ABS_VALUE)
        if big.any():
            raise _unscalable(shown, what, int(np.argmax(big)))
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler()
    step = max(1, FIT_CHUNK_VALUES // max(1, values.shape[1]))
    for start in range(0, len(train), step):
        scaler.partial_fit(values[train[start:start + step]].astype(np.float64))
    mean, scale = np.asarray(scaler.mean_), np.asarray(scaler.scale_)
    broken = ~(np.isfinite(mean) & np.isfinite(scale))
    if broken.any():
        raise _unscalable(shown, what, int(np.argmax(broken)))
    return {"kind": "standard", "mean": mean.tolist(), "scale": scale.tolist()}


def _scaled(scaling: Scaling, values: FloatArray) -> FloatArray:
    """`values` (a fresh copy nobody else holds) scaled in place: no second copy of the data.
    Plain NumPy rather than scaler.transform, which refuses the empty val split of val_size=0."""
    if scaling.get("kind") == "standard":
        values -= np.asarray(scaling["mean"], dtype=np.float64)
        values /= np.asarray(scaling["scale"], dtype=np.float64)
    return values  # "none", or a loader's own ("divide") that it already applied


def read_only(values: Array, dtype: type[np.generic]) -> Array:
    """Takes ownership: callers pass arrays nobody else holds (fresh copies from indexing)."""
    out: Array = np.ascontiguousarray(values, dtype=dtype)
    out.setflags(write=False)
    return out


def permute_rows(values: Array, order: IntArray) -> None:
    """`values[:] = values[order]` without the temporary copy: rows are moved along the cycles
    of the permutation `order` (each index of `values` exactly once), one row held aside."""
    if len(values) == 0:
        return
    held = np.empty_like(values[0])
    dest = order.tolist()
    done = bytearray(len(dest))
    for start in range(len(dest)):
        if done[start] or dest[start] == start:
            continue
        held[...] = values[start]
        i = start
        while True:
            done[i] = 1
            j = dest[i]
            if j == start:
                values[i] = held
                break
            values[i] = values[j]
            i = j


def _scaled_rows(scaling: Scaling, X: Array, rows: IntArray | None, out: Array) -> None:
    """`out[k] = scaled(X[rows[k]])` (rows None: X itself, so `out` may be `X`), a chunk of
    rows at a time: the arithmetic is float64, as on a float64 copy of the whole set, and only
    the result is rounded to `out`'s dtype. `out` is never allocated here."""
    standard = scaling.get("kind") == "standard"
    if rows is None and not standard:
        return  # `out` is X, already as it should be
    mean = np.asarray(scaling.get("mean", 0.0), dtype=np.float64)
    scale = np.asarray(scaling.get("scale", 1.0), dtype=np.float64)
    step = max(1, FIT_CHUNK_VALUES // max(1, X.shape[1]))
    for start in range(0, len(out), step):
        part = X[start:start + step] if rows is None else X[rows[start:start + step]]
        if standard:
            block = part.astype(np.float64)  # a fresh chunk: scaled in place
            block -= mean
            block /= scale
            out[start:start + step] = block
        else:
            out[start:start + step] = part


def _split_features(scaling: Scaling, X: Array, order: IntArray, owned: bool,
                    dtype: np.dtype[Any]) -> Array:
    """X's rows in `order` (train, then val, then test), scaled, as one read-only array of
    `dtype`. A loader's own X (`owned`) of that dtype is reordered and scaled in place, so the
    data is held once; otherwise one new array of `dtype` is filled a chunk at a time."""
    if (owned and X.dtype == dtype and X.flags.c_contiguous and X.flags.writeable
            and len(order) == len(X)):
        permute_rows(X, order)
        _scaled_rows(scaling, X, None, X)
        out = X
    else:
        out = np.empty((len(order), *X.shape[1:]), dtype=dtype)
        _scaled_rows(scaling, X, order, out)
    out.setflags(write=False)
    return out


def split_and_scale(name: str, raw: RawData, source: str, *, seed: int, val_size: float,
                    test_size: float, dtype: str = "float64") -> Dataset:
    """The one road from a loader's whole arrays to a `Dataset`: split, scale, freeze.

    The X splits are row ranges of one array of `dtype` (the dtype the network trains in), in
    which each split's rows are gathered and scaled a chunk at a time: the arithmetic is float64
    whatever `dtype` is, but no float64 copy of X is made. A loader's own X (`raw.owned`) that
    already has `dtype` is reordered and scaled in place: the data is held once."""
    shown = name if source == "builtin" else source
    classes = raw.task == CLASSIFICATION
    train, val, test = _split(shown, raw.y, classes, seed, val_size, test_size, raw.test_rows)
    X = np.asarray(raw.X)
    scaling = raw.prescaled if raw.prescaled is not None else _standard(shown, "values", X,
                                                                        train)
    order = np.concatenate([train, val, test])
    features = _split_features(scaling, X, order, raw.owned, np.dtype(dtype))
    ends = np.cumsum([len(train), len(val)])
    X_train, X_val, X_test = features[:ends[0]], features[ends[0]:ends[1]], features[ends[1]:]
    if classes:
        y_int = np.asarray(raw.y, dtype=np.int64)
        target_scaling = dict(NO_SCALING)
        y_train, y_val, y_test = (read_only(y_int[rows], np.int64) for rows in (train, val, test))
    else:
        y = np.asarray(raw.y, dtype=np.float64).reshape(len(raw.y), -1)
        target_scaling = (_standard(shown, "targets", y, train) if raw.standardise_target
                          else dict(NO_SCALING))
        y_train, y_val, y_test = (read_only(_scaled(target_scaling, y[rows]), np.float64)
                                  for rows in (train, val, test))
    return Dataset(
        name=name, task=raw.task, X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val,
        X_test=X_test, y_test=y_test,
        feature_names=raw.feature_names, class_names=raw.class_names if classes else (),
        image_shape=raw.image_shape, scaling=dict(scaling), target_scaling=target_scaling,
        source=source, noise=raw.noise,
    )

