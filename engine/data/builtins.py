"""The built-in datasets by name (`BUILTIN_DATASETS`): scikit-learn's small sets, generated 2-D
puzzles (moons, circles, xor, spiral), a sine curve, the four-person tutorial table and the
logic gates' truth tables (`and`, `or`, `xor4`).

Each generator returns `RawData`; its builder in the registry splits and scales it like any other
data. A separate module from `datasets` so the list of sets reads on its own. scikit-learn is
imported inside the generators: it takes about a second, and `import engine` should not wait.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from engine.data.dataset_types import CLASSIFICATION, REGRESSION, Dataset, RawData
from engine.data.split import NO_SCALING, read_only, split_and_scale
from engine.errors import DatasetError

Array = np.ndarray

PEOPLE_NAMES = ("Alice", "Bob", "Charlie", "Diana")
_PEOPLE_X = ((-2.0, -1.0), (25.0, 6.0), (17.0, 4.0), (-15.0, -6.0))
_PEOPLE_Y = (1, 0, 0, 1)  # 1 = female, as in the tutorial

# The truth tables: inputs (x1, x2) in the usual order, and each gate's output per row. `xor4` is
# XOR's four rows themselves (`xor` is the noisy 400-point puzzle): the classic set no network
# without a hidden layer can learn, because no single line separates its classes.
_GATE_X = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
GATES: dict[str, tuple[int, int, int, int]] = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor4": (0, 1, 1, 0),
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


def _fixed(make: Callable[[], RawData]) -> Callable[[_Options], RawData]:
    """A fixed set's loader, read once a process: scikit-learn parses digits' CSV on every
    call (20 ms of CPU), which a sweep's launcher paid for each run's split (5 ms). Its arrays
    are made read-only, as the split only reads them (`RawData.owned` is False)."""

    @cache
    def once() -> RawData:
        raw = make()
        for values in (raw.X, raw.y):
            values.setflags(write=False)
        return raw

    def load(_: _Options) -> RawData:
        return once()

    load.__doc__ = make.__doc__
    return load


def _sklearn_classes(loader_name: str) -> Callable[[_Options], RawData]:
    @_fixed
    def load() -> RawData:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, loader_name)()
        return RawData(
            X=bunch.data, y=bunch.target, task=CLASSIFICATION,
            feature_names=tuple(str(n) for n in bunch.feature_names),
            class_names=tuple(str(n) for n in bunch.target_names),
        )

    return load


@_fixed
def _digits() -> RawData:
    data = digits_rows()
    return RawData(
        X=data[:, :-1] / 16.0, y=data[:, -1].astype(int), task=CLASSIFICATION,
        feature_names=tuple(f"px{r}_{c}" for r in range(8) for c in range(8)),
        class_names=tuple(str(d) for d in range(10)),
        image_shape=(8, 8), prescaled={"kind": "divide", "by": 16.0},
    )


def digits_rows() -> Array:
    """digits as load_digits reads it, (1797, 65): 64 pixels (0-16) and the label a row."""
    path = digits_file()
    if path.is_file():
        return np.loadtxt(path, delimiter=",")
    from sklearn.datasets import load_digits  # a scikit-learn that keeps the file elsewhere

    bunch = load_digits()
    return np.column_stack([bunch.data, bunch.target])


def digits_file() -> Path:
    """scikit-learn's own digits file, found without importing scikit-learn: `load_digits`
    imports `sklearn.datasets` (about 1.1 s here), which held the app's first frame back (the
    app builds its first experiment before Textual starts). Same file, same parse: equal
    arrays (`tests/engine/test_digits_file.py`)."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise DatasetError("digits needs scikit-learn, which is not installed")
    return Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"


@_fixed
def _diabetes() -> RawData:
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(scaled=False)
    return RawData(
        X=bunch.data, y=bunch.target.reshape(-1, 1), task=REGRESSION,
        feature_names=tuple(bunch.feature_names), standardise_target=True,
    )


def _two_classes(X: Array, y: Array, noise: float, names: tuple[str, ...] = ("0", "1"),
                 ) -> RawData:
    # x1 and x2, as Playground names them (and its extra inputs, x1^2, sin x2...).
    return RawData(X=X, y=y, task=CLASSIFICATION, feature_names=("x1", "x2"), class_names=names,
                   prescaled=NO_SCALING, noise=noise)


def _moons(opt: _Options) -> RawData:
    from sklearn.datasets import make_moons

    noise, n = opt.pick(noise=0.1, n_samples=500)
    X, y = make_moons(n_samples=n, noise=noise, random_state=opt.seed)
    return _two_classes(X, y, noise)


def _circles(opt: _Options) -> RawData:
    from sklearn.datasets import make_circles

    noise, n = opt.pick(noise=0.08, n_samples=500)
    X, y = make_circles(n_samples=n, noise=noise, factor=0.5, random_state=opt.seed)
    return _two_classes(X, y, noise, ("outer", "inner"))


def _xor(opt: _Options) -> RawData:
    noise, n = opt.pick(noise=0.05, n_samples=400)
    rng = np.random.default_rng(opt.seed)
    clean = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (clean[:, 0] * clean[:, 1] > 0).astype(np.int64)  # labelled before the noise blurs it
    return _two_classes(clean + rng.normal(0.0, noise, size=(n, 2)), y, noise)


def _spiral(opt: _Options) -> RawData:
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
    return RawData(X=X, y=y, task=CLASSIFICATION, feature_names=("x1", "x2"),
                   class_names=tuple(str(j) for j in range(k)), prescaled=NO_SCALING,
                   noise=noise)


def _sine(opt: _Options) -> RawData:
    noise, n = opt.pick(noise=0.1, n_samples=400)
    rng = np.random.default_rng(opt.seed)
    x = rng.uniform(-3.0, 3.0, size=(n, 1))
    y = np.sin(x) + rng.normal(0.0, noise, size=(n, 1))
    return RawData(X=x, y=y, task=REGRESSION, feature_names=("x",), prescaled=NO_SCALING,
                   noise=noise)


def _whole_table(name: str, X_rows: tuple[tuple[float, float], ...], labels: tuple[int, ...],
                 feature_names: tuple[str, ...], class_names: tuple[str, ...]) -> Dataset:
    """Four rows are too few to split, so every split is the whole set (same order), unscaled:
    the numbers a learner types are the numbers the network sees."""
    X = read_only(np.array(X_rows), np.float64)
    y = read_only(np.array(labels), np.int64)
    return Dataset(
        name=name, task=CLASSIFICATION, X_train=X, y_train=y, X_val=X, y_val=y,
        X_test=X, y_test=y, feature_names=feature_names, class_names=class_names,
        scaling=dict(NO_SCALING), target_scaling=dict(NO_SCALING),
    )


def _people(**_: object) -> Dataset:
    """The `people` tutorial's four rows (weight and height offsets; 1 = female)."""
    return _whole_table("people", _PEOPLE_X, _PEOPLE_Y, ("weight", "height"), ("male", "female"))


def _gate(name: str) -> Callable[..., Dataset]:
    def build(**_: object) -> Dataset:
        return _whole_table(name, _GATE_X, GATES[name], ("x1", "x2"), ("0", "1"))

    build.__doc__ = f"The {name} gate's truth table: four rows, every split the whole table."
    return build


Builder = Callable[..., Dataset]


def _builder(name: str, make: Callable[[_Options], RawData]) -> Builder:
    def build(*, seed: int = 0, val_size: float = 0.15, test_size: float = 0.15,
              noise: float | None = None, n_samples: int | None = None) -> Dataset:
        raw = make(_Options(seed=seed, noise=noise, n_samples=n_samples))
        return split_and_scale(name, raw, "builtin", seed=seed, val_size=val_size,
                               test_size=test_size)

    build.__doc__ = make.__doc__
    return build


# The fixed sets: the same rows whatever the seed (read once a process; `fixed_raw`).
_FIXED: dict[str, Callable[[_Options], RawData]] = {
    "digits": _digits,
    "iris": _sklearn_classes("load_iris"),
    "wine": _sklearn_classes("load_wine"),
    "breast_cancer": _sklearn_classes("load_breast_cancer"),
    "diabetes": _diabetes,
}

BUILTIN_DATASETS: dict[str, Builder] = {
    **{name: _builder(name, make) for name, make in _FIXED.items()},
    "moons": _builder("moons", _moons),
    "circles": _builder("circles", _circles),
    "xor": _builder("xor", _xor),
    "spiral": _builder("spiral", _spiral),
    "sine": _builder("sine", _sine),
    "people": _people,
    **{name: _gate(name) for name in GATES},
}

def fixed_raw(name: str) -> RawData | None:
    """A fixed built-in's whole arrays before any split (None for any other name): what
    `BUILTIN_DATASETS[name]` splits, so that a sweep's launcher can hand them to its workers
    once and each worker split them for its runs (`split_and_scale`) as the builder does."""
    make = _FIXED.get(name)
    return None if make is None else make(_Options(seed=0, noise=None, n_samples=None))


# What each built-in set teaches, in one line (`nn-tui datasets`, the --dataset help).
ABOUT: dict[str, str] = {
    "digits": "8x8 handwritten digits: a real image task; 100 relu units reach about 97%",
    "iris": "three flowers from four measurements: the classic first classifier",
    "wine": "three cultivars from 13 chemical measures on scales 1000x apart: why inputs "
            "are standardised",
    "breast_cancer": "benign or malignant from 30 cell measures: a two-class medical task",
    "diabetes": "disease progression from 10 measures: regression, scored by R² and MAE",
    "moons": "two interleaved half-moons: the smallest set that needs a curved boundary",
    "circles": "a ring around a disc: no line separates them; a hidden layer bends the plane",
    "xor": "XOR of the quadrants, with noise: a hidden layer is needed, see the regions form",
    "spiral": "three interleaved arms (CS231n): a test of width and depth",
    "sine": "one input, one output: a network fitting a curve (regression)",
    "people": "the weight/height tutorial: a 2-2-1 sigmoid net with every weight named",
    "and": "AND's truth table: one neuron learns it (a line separates the classes)",
    "or": "OR's truth table: one neuron learns it too",
    "xor4": "XOR's truth table: one neuron never learns it; a 2-2-1 sigmoid network does",
}
