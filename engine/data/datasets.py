"""Datasets by name (`BUILTIN_DATASETS`) or from a .csv/.npz file, split and scaled the same way.

The front door: `load_dataset` checks the options and sends a name to the built-ins
(`builtin_datasets`) and a path to the file readers (`dataset_files`); both end in
`dataset_split`, which splits (seeded, stratified for classes), fits any standardisation on the
training split only and freezes the result into a `Dataset` whose arrays are read-only, so a
viewer can never see them change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from pathlib import Path

from engine.data.builtins import BUILTIN_DATASETS
from engine.data.dataset_types import Dataset
from engine.data.features import with_features
from engine.data.fetch import FETCHABLE, fetch
from engine.data.files import FILE_READERS, load_file
from engine.data.idx import is_idx_path, load_idx
from engine.errors import DatasetError

MAX_SAMPLES = 1_000_000  # generated sets only; keeps a typo from filling the memory


def dataset_names() -> list[str]:
    """The built-in datasets' names, in menu order (each a valid `load_dataset` argument)."""
    return list(BUILTIN_DATASETS)


def _is_whole(value: object, low: int, high: int) -> bool:
    """A whole number (bool excluded) with low <= value < high; `value` is the caller's, untyped
    at run time (the CLI and the app pass what a person typed, parsed)."""
    return isinstance(value, Integral) and not isinstance(value, bool) and low <= int(value) < high


def _is_real(value: object, low: float, high: float) -> bool:
    """A real number (bool excluded) with low <= value < high; NaN is never in range."""
    return isinstance(value, Real) and not isinstance(value, bool) and low <= float(value) < high


def _check_options(seed: int, val_size: float, test_size: float, noise: float | None,
                   n_samples: int | None) -> None:
    if not _is_whole(seed, 0, 2**32):
        raise DatasetError(f"seed must be a whole number from 0 to {2**32 - 1}, got {seed!r}")
    for label, size in (("val_size", val_size), ("test_size", test_size)):
        if not _is_real(size, 0, 1):
            raise DatasetError(f"{label} must be a fraction in [0, 1), got {size!r}")
    if val_size + test_size >= 1:
        raise DatasetError(f"val_size + test_size must be below 1 to leave a training split, got "
                           f"{val_size} + {test_size}")
    if noise is not None and not _is_real(noise, 0, math.inf):
        raise DatasetError(f"noise must be a finite number >= 0, got {noise!r}")
    if n_samples is not None and not _is_whole(n_samples, 1, MAX_SAMPLES + 1):
        raise DatasetError(f"n_samples must be a whole number from 1 to {MAX_SAMPLES}, got "
                           f"{n_samples!r}")


def load_dataset(name_or_path: str, *, seed: int = 0, val_size: float = 0.15,
                 test_size: float = 0.15, noise: float | None = None,
                 n_samples: int | None = None, features: Sequence[str] = (),
                 dtype: str = "float64") -> Dataset:
    """A built-in by name (`dataset_names`), or a .csv/.npz file by path, split and scaled.

    Returns a `Dataset`: X_* (n_split, n_features), of `dtype` for a file (float32 for a
    float32 network: the file's data is then never copied to float64), float64 for a built-in;
    y_* int64 (n_split,) class indices, or float64 (n_split, n_outputs) regression targets;
    about (1 - val_size - test_size) of the rows in train, val_size in val, test_size in test.
    The same seed gives the same arrays.
    `noise` and `n_samples` shape the generated sets and are ignored by the fixed ones.

    A CSV has features then a label in each row (a first row with a word among its features is
    the header). An NPZ has arrays X (n, n_features) and y: an integer y (n,) holds labels; a
    float y (n,) or any y (n, n_outputs) holds regression targets. Every problem with the
    options or the file raises `DatasetError` with one line naming the file and the place.

    `features` appends Playground's extra inputs (x1^2, x2^2, x1*x2, sin x1, sin x2) to a set
    with 2 features (`data.features.with_features`)."""
    _check_options(seed, val_size, test_size, noise, n_samples)
    if dtype not in ("float32", "float64"):
        raise DatasetError(f"dtype must be float32 or float64, got {dtype!r}")
    extras = _names(features)
    return with_features(_load(str(name_or_path), seed, val_size, test_size, noise, n_samples,
                               dtype), extras)


def _names(features: object) -> tuple[str, ...]:
    """The `features` option as a tuple of names (None: none); anything else is refused."""
    if features is None:
        return ()
    if isinstance(features, (list, tuple)) and all(isinstance(n, str) for n in features):
        return tuple(features)
    raise DatasetError(f"features must be a list of names, got {features!r}")


def _load(text: str, seed: int, val_size: float, test_size: float, noise: float | None,
          n_samples: int | None, dtype: str) -> Dataset:
    if text in BUILTIN_DATASETS:
        return BUILTIN_DATASETS[text](seed=seed, val_size=val_size, test_size=test_size,
                                      noise=noise, n_samples=n_samples)
    if text in FETCHABLE:  # downloaded once into the cache, then read from there offline
        return load_idx(str(fetch(text)), seed, val_size, test_size, name=text,
                        fashion=FETCHABLE[text].fashion)
    if is_idx_path(text):
        return load_idx(text, seed, val_size, test_size)
    suffix = Path(text).suffix.lower()
    if suffix in FILE_READERS:
        return load_file(text, seed, val_size, test_size, dtype)
    if suffix or "/" in text or "\\" in text:
        known = ", ".join(FILE_READERS)
        raise DatasetError(f"{text}: unsupported file type '{suffix}' (use {known})")
    raise DatasetError(f"unknown dataset '{text}' (built-ins: {', '.join(BUILTIN_DATASETS)}; "
                       f"{' and '.join(FETCHABLE)}, downloaded once; or a path to a .csv or "
                       f".npz file, or to MNIST's train-images-idx3-ubyte[.gz])")
