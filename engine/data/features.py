"""Playground's extra inputs: columns made from the two base coordinates (x1, x2) of a 2-D
dataset, such as x1^2 or sin x1, so that a network without hidden layers can still draw a circle.

They live here, with the data, because a dataset loaded `with_features` carries them as ordinary
columns (the network's input size follows), and `engine.inside.input_maps` builds the same
columns over its grid to draw the maps: data is the lower layer, so both import them from here.
x1 is column 0 of a 2-D dataset and x2 column 1; the expanded dataset keeps them first, so the
maps are still drawn over (x1, x2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.data.dataset_types import Dataset
from engine.data.split import read_only
from engine.errors import DatasetError, SpecError

Array = npt.NDArray[Any]
BASE = ("x1", "x2")


@dataclass(frozen=True)
class Feature:
    """One input column made from the base coordinates: `make(x1, x2)` on (n,) arrays."""

    name: str
    make: Callable[[Array, Array], Array]


FEATURES: dict[str, Feature] = {
    "x1": Feature("x1", lambda x1, x2: x1),
    "x2": Feature("x2", lambda x1, x2: x2),
    "x1^2": Feature("x1^2", lambda x1, x2: x1 * x1),
    "x2^2": Feature("x2^2", lambda x1, x2: x2 * x2),
    "x1*x2": Feature("x1*x2", lambda x1, x2: x1 * x2),
    "sin x1": Feature("sin x1", lambda x1, x2: np.sin(x1)),
    "sin x2": Feature("sin x2", lambda x1, x2: np.sin(x2)),
}
# The ones a person adds to (x1, x2), in Playground's order.
EXTRA_FEATURES: tuple[str, ...] = tuple(name for name in FEATURES if name not in BASE)


def expand_features(X2: npt.ArrayLike, names: Sequence[str]) -> Array:
    """The columns `names` (from FEATURES) computed from X2 (n, 2) = (x1, x2): (n, len(names)),
    float64, read-only. No names means the base coordinates as they are."""
    base = np.asarray(X2, dtype=np.float64)
    if base.ndim != 2 or base.shape[1] != 2:
        raise SpecError(f"input features are made from 2 coordinates (n, 2), got {base.shape}")
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise SpecError(f"unknown input feature '{unknown[0]}' "
                        f"(choose from {', '.join(FEATURES)})")
    if not names:
        out = base.copy()
    else:
        x1, x2 = base[:, 0], base[:, 1]
        out = np.column_stack([FEATURES[name].make(x1, x2) for name in names])
    out.flags.writeable = False
    return out


def input_names(extras: Sequence[str]) -> tuple[str, ...]:
    """The network's inputs for these extras: x1, x2, then the extras in Playground's order, each
    once; () without extras (the dataset as it is). Raises DatasetError for an unknown name."""
    unknown = [name for name in extras if name not in EXTRA_FEATURES]
    if unknown:
        raise DatasetError(f"unknown input feature '{unknown[0]}' "
                           f"(choose from {', '.join(EXTRA_FEATURES)})")
    chosen = set(extras)
    return (*BASE, *(n for n in EXTRA_FEATURES if n in chosen)) if chosen else ()


def with_features(dataset: Dataset, extras: Sequence[str]) -> Dataset:
    """`dataset` (2 features) with the `extras` appended to every split as columns computed from
    its (scaled) coordinates; its `input_features` then names every column. No extras: the
    dataset itself."""
    names = input_names(extras)
    if not names:
        return dataset
    if dataset.n_features != 2:
        raise DatasetError(f"{dataset.name}: extra inputs such as {names[2]} are made from 2 "
                           f"coordinates, and it has {dataset.n_features} features")
    X_train, X_val, X_test = (read_only(expand_features(X, names), np.float64)
                              for X in (dataset.X_train, dataset.X_val, dataset.X_test))
    return replace(dataset, X_train=X_train, X_val=X_val, X_test=X_test,
                   feature_names=(*dataset.feature_names, *names[2:]), input_features=names)
