"""A user's own data from a .csv or .npz file (`FILE_READERS`, by suffix), read into `RawData`.

Reading a file is where most things go wrong, so this module is mostly checks: every problem is
one `DatasetError` line that names the file, and the line and column where a CSV goes wrong.
It lives apart from the built-ins so the parsing rules read in one place.
"""

from __future__ import annotations

import csv
import math
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from engine.data.split import CLASSIFICATION, REGRESSION, Dataset, RawData, split_and_scale
from engine.errors import DatasetError

Array = np.ndarray

MAX_NUMERIC_CLASSES = 50  # integer labels with more distinct values than this are a regression


def _number(text: str, where: str) -> float:
    if not text:
        raise DatasetError(f"{where}: empty field")
    try:
        value = float(text)
    except ValueError:
        raise DatasetError(f"{where}: '{text}' is not a number") from None
    if not math.isfinite(value):
        raise DatasetError(f"{where}: '{text}' is not a finite number")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_rows(path: Path, shown: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with their line numbers, fields stripped."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            rows = []
            for row in reader:
                fields = [f.strip() for f in row]
                if any(fields):
                    rows.append((reader.line_num, fields))
            return rows
    except UnicodeDecodeError:
        raise DatasetError(f"{shown}: not UTF-8 text") from None
    except csv.Error as exc:
        raise DatasetError(f"{shown} line {reader.line_num}: {exc}") from None
    except OSError as exc:
        raise DatasetError(f"{shown}: cannot read ({exc.strerror or exc})") from None


def _read_csv(path: Path, shown: str) -> RawData:
    rows = _csv_rows(path, shown)
    if not rows:
        raise DatasetError(f"{shown}: empty file")
    width = len(rows[0][1])
    if width < 2:
        raise DatasetError(f"{shown} line {rows[0][0]}: need at least 2 columns (features, then "
                           f"the label), got {width}")
    first = rows[0][1]
    has_header = not all(_is_number(f) for f in first[:-1])
    names = tuple(first[:-1]) if has_header else tuple(f"x{i}" for i in range(width - 1))
    body = rows[1:] if has_header else rows
    if not body:
        raise DatasetError(f"{shown}: no data rows after the header")
    X = np.empty((len(body), width - 1))
    labels = []
    for i, (line, fields) in enumerate(body):
        if len(fields) != width:
            raise DatasetError(f"{shown} line {line}: expected {width} fields, got {len(fields)}")
        X[i] = [_number(f, f"{shown} line {line}, column {c}")
                for c, f in enumerate(fields[:-1], start=1)]
        if not fields[-1]:
            raise DatasetError(f"{shown} line {line}, column {width}: empty label")
        labels.append(fields[-1])
    if all(_is_number(label) for label in labels):
        values = np.array([float(label) for label in labels])
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            line = body[bad[0]][0]
            raise DatasetError(f"{shown} line {line}, column {width}: label "
                               f"'{labels[bad[0]]}' is not a finite number")
        return _labelled(X, values, names, shown)
    class_names, y = np.unique(np.array(labels), return_inverse=True)
    return _classes(X, y, tuple(str(c) for c in class_names), names, shown)


def _labelled(X: Array, values: Array, names: tuple[str, ...], shown: str) -> RawData:
    """Integer-valued with few distinct values -> classes named by value; else regression."""
    distinct = np.unique(values)
    if np.all(distinct == np.round(distinct)) and len(distinct) <= MAX_NUMERIC_CLASSES:
        y = np.searchsorted(distinct, values)
        return _classes(X, y, tuple(str(int(v)) for v in distinct), names, shown)
    return RawData(X=X, y=values.reshape(len(values), -1).astype(np.float64), task=REGRESSION,
                   feature_names=names, standardise_target=True)


def _classes(X: Array, y: Array, class_names: tuple[str, ...], names: tuple[str, ...],
             shown: str) -> RawData:
    if len(class_names) < 2:
        raise DatasetError(f"{shown}: only one class ('{class_names[0]}'); need at least 2")
    return RawData(X=X, y=y, task=CLASSIFICATION, feature_names=names, class_names=class_names)


def _npz_array(archive: np.lib.npyio.NpzFile, key: str, shown: str) -> Array:
    if key not in archive.files:
        found = ", ".join(archive.files) or "nothing"
        raise DatasetError(f"{shown}: missing array '{key}' (found: {found})")
    try:
        array = archive[key]
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        # Object arrays land here too: allow_pickle=False refuses to run their pickles.
        raise DatasetError(f"{shown}: cannot read array '{key}' ({exc})") from None
    if not isinstance(array, np.ndarray):  # NpzFile hands back raw bytes for a non-.npy member
        raise DatasetError(f"{shown}: cannot read array '{key}' (not a .npy array)")
    if array.dtype.kind not in "biuf":
        raise DatasetError(f"{shown}: array '{key}' is not numeric (dtype {array.dtype})")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise DatasetError(f"{shown}: array '{key}' has NaN or infinite values")
    return array


def _read_npz(path: Path, shown: str) -> RawData:
    """Arrays X (n, f) and y: an integer/bool y (n,) is labels, a float y or any (n, k) y is
    regression targets (save y as float to force regression)."""
    if not zipfile.is_zipfile(path):
        raise DatasetError(f"{shown}: not a valid .npz archive (not a zip file)")
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"{shown}: not a valid .npz archive ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DatasetError(f"{shown}: not a valid .npz archive (a single .npy array)")
    with archive:
        X = _npz_array(archive, "X", shown)
        y = _npz_array(archive, "y", shown)
    if X.ndim != 2 or X.shape[1] == 0:
        raise DatasetError(f"{shown}: X must be 2-D (samples, features), got shape {X.shape}")
    if y.ndim not in (1, 2):
        raise DatasetError(f"{shown}: y must be (samples,) or (samples, outputs), got shape "
                           f"{y.shape}")
    if len(y) != len(X):
        raise DatasetError(f"{shown}: X has {len(X)} rows but y has {len(y)}")
    X = X.astype(np.float64)
    names = tuple(f"x{i}" for i in range(X.shape[1]))
    if y.ndim == 1 and y.dtype.kind in "biu":
        return _labelled(X, y.astype(np.float64), names, shown)
    return RawData(X=X, y=y.reshape(len(y), -1).astype(np.float64), task=REGRESSION,
                   feature_names=names, standardise_target=True)


FILE_READERS: dict[str, Callable[[Path, str], RawData]] = {".csv": _read_csv, ".npz": _read_npz}


def load_file(text: str, seed: int, val_size: float, test_size: float) -> Dataset:
    """The file at `text` (its suffix one of `FILE_READERS`), split and scaled."""
    path = Path(text).expanduser()
    reader = FILE_READERS[path.suffix.lower()]
    if not path.is_file():
        raise DatasetError(f"{text}: no such file")
    return split_and_scale(path.stem, reader(path, text), text, seed=seed, val_size=val_size,
                           test_size=test_size)
