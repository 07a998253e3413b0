"""What every file reader checks the same way: values too large to standardise, refused by
place rather than left to turn into inf/NaN during training, and labels that are classes (few
distinct integers, or names) or regression targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.data.dataset_types import CLASSIFICATION, REGRESSION, RawData
from engine.data.split import MAX_ABS_VALUE
from engine.errors import DatasetError

Array = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]

MAX_NUMERIC_CLASSES = 50  # integer labels with more distinct values than this are a regression
MAX_CLASS_VALUE = 2.0**53  # integer labels beyond it are not exact in float64: not class names


def one_line(text: str) -> str:
    return " ".join(text.split())


def too_large(values: FloatArray) -> tuple[int, int] | None:
    """The first (row, column) in file order with |value| > MAX_ABS_VALUE, or None."""
    table = values.reshape(len(values), -1)
    if table.size == 0 or (float(table.max()) <= MAX_ABS_VALUE
                           and float(table.min()) >= -MAX_ABS_VALUE):
        return None  # max/min: no temporary copy of the data when all is well
    row, column = divmod(int(np.argmax(np.abs(table) > MAX_ABS_VALUE)), table.shape[1])
    return row, column


def refuse_too_large(values: FloatArray, where: Callable[[int, int, float], str]) -> None:
    """`where(row, column, value)` begins the message: the file and the place."""
    found = too_large(values)
    if found is not None:
        row, column = found
        value = float(values.reshape(len(values), -1)[row, column])
        raise DatasetError(f"{where(row, column, value)} is too large to scale "
                           f"(|x| > {MAX_ABS_VALUE:g})")


def labelled(X: FloatArray, values: FloatArray, names: tuple[str, ...], shown: str,
              where: Callable[[int, int, float], str]) -> RawData:
    """Integer-valued with few distinct values -> classes named by value; else regression
    (`where` names a target too large to standardise)."""
    distinct = np.unique(values)
    if (len(distinct) <= MAX_NUMERIC_CLASSES and np.all(np.abs(distinct) <= MAX_CLASS_VALUE)
            and np.all(distinct == np.round(distinct))):
        y = np.searchsorted(distinct, values)
        return classes(X, y, tuple(str(int(v)) for v in distinct), names, shown)
    refuse_too_large(values, where)
    return RawData(X=X, y=values.reshape(len(values), -1).astype(np.float64), task=REGRESSION,
                   feature_names=names, standardise_target=True, owned=True)


def classes(X: FloatArray, y: Array, class_names: tuple[str, ...], names: tuple[str, ...],
             shown: str) -> RawData:
    if len(class_names) < 2:
        raise DatasetError(f"{shown}: only one class ({class_names[0]!r}); need at least 2")
    return RawData(X=X, y=y, task=CLASSIFICATION, feature_names=names, class_names=class_names,
                   owned=True)
