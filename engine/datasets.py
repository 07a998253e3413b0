"""Datasets by name (`BUILTIN_DATASETS`) or from a .csv/.npz file, split and scaled the same way.

Every loader returns a `_Raw` (whole arrays plus names); `_finish` then splits it (seeded,
stratified for classes), fits any standardisation on the training split only and freezes the
result into a `Dataset` whose arrays are read-only, so a viewer can never see them change.

scikit-learn is imported inside the functions that use it: it takes about a second to import, and
`import engine` (the CLI's `--help`, the app's first frame) should not wait for that.
"""

from __future__ import annotations

import csv
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path

import numpy as np

from engine.errors import DatasetError

Array = np.ndarray

CLASSIFICATION = "classification"
REGRESSION = "regression"
MAX_NUMERIC_CLASSES = 50  # integer labels with more distinct values than this are a regression
MAX_SAMPLES = 1_000_000  # generated sets only; keeps a typo from filling the memory

PEOPLE_NAMES = ("Alice", "Bob", "Charlie", "Diana")
_PEOPLE_X = ((-2.0, -1.0), (25.0, 6.0), (17.0, 4.0), (-15.0, -6.0))
_PEOPLE_Y = (1, 0, 0, 1)  # 1 = female, as in the tutorial


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


@dataclass(frozen=True)
class _Options:
    """What the generated sets may vary; the fixed sets ignore it."""

    seed: int
    noise: float | None
    n_samples: int | None

    def pick(self, noise: float, n_samples: int) -> tuple[float, int]:
        return (
            noise if self.noise is None else self.noise,
            n_samples if self.n_samples is None else self.n_samples,
        )


@dataclass(frozen=True, eq=False)
class _Raw:
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


NO_SCALING = {"kind": "none"}


# ---------------------------------------------------------------- built-ins


def _sklearn_classes(loader_name: str) -> Callable[[_Options], _Raw]:
    def load(_: _Options) -> _Raw:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, loader_name)()
        return _Raw(
            X=bunch.data, y=bunch.target, task=CLASSIFICATION,
            feature_names=tuple(str(n) for n in bunch.feature_names),
            class_names=tuple(str(n) for n in bunch.target_names),
        )

    return load


def _digits(_: _Options) -> _Raw:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return _Raw(
        X=bunch.data / 16.0, y=bunch.target, task=CLASSIFICATION,
        feature_names=tuple(f"px{r}_{c}" for r in range(8) for c in range(8)),
        class_names=tuple(str(d) for d in range(10)),
        image_shape=(8, 8), prescaled={"kind": "divide", "by": 16.0},
    )


def _diabetes(_: _Options) -> _Raw:
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(scaled=False)
    return _Raw(
        X=bunch.data, y=bunch.target.reshape(-1, 1), task=REGRESSION,
        feature_names=tuple(bunch.feature_names), standardise_target=True,
    )


def _two_classes(X: Array, y: Array, names: tuple[str, ...] = ("0", "1")) -> _Raw:
    return _Raw(X=X, y=y, task=CLASSIFICATION, feature_names=("x0", "x1"), class_names=names,
                prescaled=NO_SCALING)


def _moons(opt: _Options) -> _Raw:
    from sklearn.datasets import make_moons

    noise, n = opt.pick(noise=0.1, n_samples=500)
    return _two_classes(*make_moons(n_samples=n, noise=noise, random_state=opt.seed))


def _circles(opt: _Options) -> _Raw:
    from sklearn.datasets import make_circles

    noise, n = opt.pick(noise=0.08, n_samples=500)
    X, y = make_circles(n_samples=n, noise=noise, factor=0.5, random_state=opt.seed)
    return _two_classes(X, y, ("outer", "inner"))


def _xor(opt: _Options) -> _Raw:
    noise, n = opt.pick(noise=0.05, n_samples=400)
    rng = np.random.default_rng(opt.seed)
    clean = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (clean[:, 0] * clean[:, 1] > 0).astype(np.int64)  # labelled before the noise blurs it
    return _two_classes(clean + rng.normal(0.0, noise, size=(n, 2)), y)


def _spiral(opt: _Options) -> _Raw:
    """CS231n's three interleaved arms: radius grows 0 -> 1 while the angle turns 4 radians."""
    noise, n = opt.pick(noise=0.2, n_samples=300)
    rng = np.random.default_rng(opt.seed)
    k = 3
    y = np.repeat(np.arange(k), [n // k + (j < n % k) for j in range(k)])
    # Position of each point along its own arm, 0..1.
    counts = np.bincount(y, minlength=k)
    along = np.concatenate([np.linspace(0.0, 1.0, c) for c in counts])
    t = (y + along) * 4.0 + rng.normal(0.0, noise, size=n)
    X = np.column_stack([along * np.sin(t), along * np.cos(t)])
    return _Raw(X=X, y=y, task=CLASSIFICATION, feature_names=("x0", "x1"),
                class_names=tuple(str(j) for j in range(k)), prescaled=NO_SCALING)


def _sine(opt: _Options) -> _Raw:
    noise, n = opt.pick(noise=0.1, n_samples=400)
    rng = np.random.default_rng(opt.seed)
    x = rng.uniform(-3.0, 3.0, size=(n, 1))
    y = np.sin(x) + rng.normal(0.0, noise, size=(n, 1))
    return _Raw(X=x, y=y, task=REGRESSION, feature_names=("x",), prescaled=NO_SCALING)


def _people(**_: object) -> Dataset:
    """Four rows are too few to split, so every split is the whole set (same order)."""
    X = _frozen(np.array(_PEOPLE_X), np.float64)
    y = _frozen(np.array(_PEOPLE_Y), np.int64)
    return Dataset(
        name="people", task=CLASSIFICATION, X_train=X, y_train=y, X_val=X, y_val=y,
        X_test=X, y_test=y, feature_names=("weight", "height"), class_names=("male", "female"),
        scaling=dict(NO_SCALING), target_scaling=dict(NO_SCALING),
    )


Builder = Callable[..., Dataset]


def _builder(name: str, make: Callable[[_Options], _Raw]) -> Builder:
    def build(*, seed: int = 0, val_size: float = 0.15, test_size: float = 0.15,
              noise: float | None = None, n_samples: int | None = None) -> Dataset:
        raw = make(_Options(seed=seed, noise=noise, n_samples=n_samples))
        return _finish(name, raw, "builtin", seed=seed, val_size=val_size, test_size=test_size)

    build.__doc__ = make.__doc__
    return build


BUILTIN_DATASETS: dict[str, Builder] = {
    "digits": _builder("digits", _digits),
    "iris": _builder("iris", _sklearn_classes("load_iris")),
    "wine": _builder("wine", _sklearn_classes("load_wine")),
    "breast_cancer": _builder("breast_cancer", _sklearn_classes("load_breast_cancer")),
    "diabetes": _builder("diabetes", _diabetes),
    "moons": _builder("moons", _moons),
    "circles": _builder("circles", _circles),
    "xor": _builder("xor", _xor),
    "spiral": _builder("spiral", _spiral),
    "sine": _builder("sine", _sine),
    "people": _people,
}


def dataset_names() -> list[str]:
    return list(BUILTIN_DATASETS)


# ---------------------------------------------------------------- user files


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


def _read_csv(path: Path, shown: str) -> _Raw:
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


def _labelled(X: Array, values: Array, names: tuple[str, ...], shown: str) -> _Raw:
    """Integer-valued with few distinct values -> classes named by value; else regression."""
    distinct = np.unique(values)
    if np.all(distinct == np.round(distinct)) and len(distinct) <= MAX_NUMERIC_CLASSES:
        y = np.searchsorted(distinct, values)
        return _classes(X, y, tuple(str(int(v)) for v in distinct), names, shown)
    return _Raw(X=X, y=values.reshape(len(values), -1).astype(np.float64), task=REGRESSION,
                feature_names=names, standardise_target=True)


def _classes(X: Array, y: Array, class_names: tuple[str, ...], names: tuple[str, ...],
             shown: str) -> _Raw:
    if len(class_names) < 2:
        raise DatasetError(f"{shown}: only one class ('{class_names[0]}'); need at least 2")
    return _Raw(X=X, y=y, task=CLASSIFICATION, feature_names=names, class_names=class_names)


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


def _read_npz(path: Path, shown: str) -> _Raw:
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
    return _Raw(X=X, y=y.reshape(len(y), -1).astype(np.float64), task=REGRESSION,
                feature_names=names, standardise_target=True)


FILE_READERS: dict[str, Callable[[Path, str], _Raw]] = {".csv": _read_csv, ".npz": _read_npz}


def _load_file(text: str, seed: int, val_size: float, test_size: float) -> Dataset:
    path = Path(text).expanduser()
    reader = FILE_READERS[path.suffix.lower()]
    if not path.is_file():
        raise DatasetError(f"{text}: no such file")
    return _finish(path.stem, reader(path, text), text, seed=seed, val_size=val_size,
                   test_size=test_size)


# ---------------------------------------------------------------- split and scale


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


def _frozen(values: Array, dtype: type) -> Array:
    """Takes ownership: callers pass arrays nobody else holds (fresh copies from indexing)."""
    out = np.ascontiguousarray(values, dtype=dtype)
    out.setflags(write=False)
    return out


def _finish(name: str, raw: _Raw, source: str, *, seed: int, val_size: float, test_size: float,
            ) -> Dataset:
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
        X_train=_frozen(X[train], x_type), y_train=_frozen(y[train], y_type),
        X_val=_frozen(X[val], x_type), y_val=_frozen(y[val], y_type),
        X_test=_frozen(X[test], x_type), y_test=_frozen(y[test], y_type),
        feature_names=raw.feature_names, class_names=raw.class_names if classes else (),
        image_shape=raw.image_shape, scaling=dict(scaling), target_scaling=target_scaling,
        source=source,
    )


# ---------------------------------------------------------------- entry point


def _is(value: object, kind: type, low: float, high: float) -> bool:
    """A number of that kind (bool excluded) with low <= value < high."""
    return isinstance(value, kind) and not isinstance(value, bool) and low <= value < high


def _check_options(seed: int, val_size: float, test_size: float, noise: float | None,
                   n_samples: int | None) -> None:
    if not _is(seed, Integral, 0, 2**32):
        raise DatasetError(f"seed must be a whole number from 0 to {2**32 - 1}, got {seed!r}")
    for label, size in (("val_size", val_size), ("test_size", test_size)):
        if not _is(size, Real, 0, 1):
            raise DatasetError(f"{label} must be a fraction in [0, 1), got {size!r}")
    if val_size + test_size >= 1:
        raise DatasetError(f"val_size + test_size must be below 1 to leave a training split, got "
                           f"{val_size} + {test_size}")
    if noise is not None and not _is(noise, Real, 0, math.inf):
        raise DatasetError(f"noise must be a finite number >= 0, got {noise!r}")
    if n_samples is not None and not _is(n_samples, Integral, 1, MAX_SAMPLES + 1):
        raise DatasetError(f"n_samples must be a whole number from 1 to {MAX_SAMPLES}, got "
                           f"{n_samples!r}")


def load_dataset(name_or_path: str, *, seed: int = 0, val_size: float = 0.15,
                 test_size: float = 0.15, noise: float | None = None,
                 n_samples: int | None = None) -> Dataset:
    """A built-in by name, or a .csv/.npz file by path; the same seed gives the same arrays.
    `noise` and `n_samples` shape the generated sets and are ignored by the fixed ones."""
    _check_options(seed, val_size, test_size, noise, n_samples)
    text = str(name_or_path)
    if text in BUILTIN_DATASETS:
        return BUILTIN_DATASETS[text](seed=seed, val_size=val_size, test_size=test_size,
                                      noise=noise, n_samples=n_samples)
    suffix = Path(text).suffix.lower()
    if suffix in FILE_READERS:
        return _load_file(text, seed, val_size, test_size)
    if suffix or "/" in text or "\\" in text:
        known = ", ".join(FILE_READERS)
        raise DatasetError(f"{text}: unsupported file type '{suffix}' (use {known})")
    raise DatasetError(f"unknown dataset '{text}' (built-ins: {', '.join(BUILTIN_DATASETS)}; "
                       f"or a path to a .csv or .npz file)")
