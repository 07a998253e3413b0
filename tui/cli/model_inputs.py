"""A saved model as `predict` and `inspect` meet it: the numbers a person types after `--input`
and `--target`, turned into what the network sees, and its outputs turned back into class names
or values in the dataset's own units.

`--input` takes raw feature values, as they are in the dataset (a digits pixel 0..16, iris
lengths in cm): the input scaling saved with the model (`metadata["dataset"]["scaling"]`, fitted
on the training split) is applied before the network sees them, exactly as in training, so a
person never has to standardise by hand. Every kind of scaling the datasets use is an affine map
per feature, `(x - shift) / scale`, so `SCALINGS` turns each kind into one `Affine` and nothing
else needs to know the kinds. A file saved with `Network.save` alone has no dataset metadata:
no scaling, and classes go by index.

Everything a person can get wrong is an `InputError` (or the engine's `ModelFileError` for a
file whose saved scaling is broken), one line that the CLI prints with status 2.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.errors import EngineError, ModelFileError
from engine.io.model_file import load_network
from engine.network import Network

Array = npt.NDArray[np.float64]
SHOWN = 40  # characters of a person's text echoed in a message


class InputError(EngineError):
    """A bad --input, --target, --sample or combination of them."""


def _shown(text: str) -> str:
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "...")


def parse_numbers(text: str, flag: str, expected: int, what: str = "input") -> Array:
    """`"2,3"` (or `"2 3"`) as `expected` finite float64 numbers; anything else is an
    InputError naming the flag, the text and what is wrong."""
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    if not parts:
        raise InputError(f"{flag} is empty (expected {expected} numbers, e.g. "
                         f"{','.join(['0'] * min(expected, 3))}{',...' if expected > 3 else ''})")
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise InputError(f"{flag} {_shown(text)}: {_shown(part)} is not a number") from None
        if not math.isfinite(value):
            raise InputError(f"{flag} {_shown(text)}: {_shown(part)} is not a finite number")
        values.append(value)
    if len(values) != expected:
        noun = what if expected == 1 else f"{what}s"
        raise InputError(f"{flag} {_shown(text)}: the model takes {expected} {noun}, got "
                         f"{len(values)}")
    return np.array(values, dtype=np.float64)


# ---------------------------------------------------------------- scalings


@dataclass(frozen=True, eq=False)
class Affine:
    """`(x - shift) / scale` per feature (or per output): what every saved scaling comes to."""

    shift: Array
    scale: Array

    @classmethod
    def identity(cls, n: int) -> Affine:
        return cls(np.zeros(n), np.ones(n))

    def apply(self, values: Array) -> Array:
        """Dataset units -> the network's: the same operations as `engine.data.split`."""
        return (values - self.shift) / self.scale

    def undo(self, values: Array) -> Array:
        """The network's units -> the dataset's (regression outputs)."""
        return values * self.scale + self.shift


def _numbers(settings: dict[str, Any], key: str, n: int) -> Array:
    """`settings[key]`: one finite number or a list of `n`, as float64 (n,)."""
    raw = settings.get(key)
    if not isinstance(raw, (int, float, list)) or isinstance(raw, bool):
        raise ValueError(f"'{key}' is missing or not numbers")
    values = np.asarray(raw, dtype=object)
    if values.ndim > 1 or (values.ndim == 1 and len(values) != n):
        raise ValueError(f"'{key}' has {values.size} numbers, the model {n}")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.flat):
        raise ValueError(f"'{key}' holds something that is not a number")
    out = np.broadcast_to(values.astype(np.float64), (n,)).copy()
    if not np.isfinite(out).all():
        raise ValueError(f"'{key}' is not finite")
    return out


def _nonzero(values: Array, key: str) -> Array:
    if (values == 0).any():
        raise ValueError(f"'{key}' holds a zero")
    return values


# kind -> how its saved settings become an Affine of n features. `engine.data` writes "none",
# "standard" (StandardScaler's mean and scale) and "divide" (digits: pixels / 16).
SCALINGS: dict[str, Callable[[dict[str, Any], int], Affine]] = {
    "none": lambda settings, n: Affine.identity(n),
    "standard": lambda settings, n: Affine(_numbers(settings, "mean", n),
                                           _nonzero(_numbers(settings, "scale", n), "scale")),
    "divide": lambda settings, n: Affine(np.zeros(n),
                                         _nonzero(_numbers(settings, "by", n), "by")),
}


def scaling_of(settings: object, n: int, path: str, what: str) -> Affine:
    """The saved scaling `settings` (None: none) for n features or outputs, or a
    ModelFileError naming the file and what is wrong with it."""
    if settings is None:
        return Affine.identity(n)
    kind = settings.get("kind") if isinstance(settings, dict) else None
    make = SCALINGS.get(kind) if isinstance(kind, str) else None
    if make is None or not isinstance(settings, dict):
        raise ModelFileError(f"{path}: unknown {what} scaling {kind!r} (known: "
                             f"{', '.join(SCALINGS)})")
    try:
        return make(settings, n)
    except ValueError as exc:
        raise ModelFileError(f"{path}: broken {what} scaling ({exc})") from None


# ---------------------------------------------------------------- the model


@dataclass(frozen=True, eq=False)
class SavedModel:
    """A model file opened for one sample at a time. `class_names` is None for a file that
    names no classes (they go by index then); `dataset` the set it was trained on, if said."""

    path: str
    network: Network
    meta: dict[str, Any]
    inputs: Affine
    targets: Affine
    is_classifier: bool
    class_names: tuple[str, ...] | None
    dataset: str | None

    @classmethod
    def open(cls, path: str) -> SavedModel:
        network, meta = load_network(path, Network)
        saved = meta.get("dataset")
        described: dict[str, Any] = saved if isinstance(saved, dict) else {}
        classifier = network.is_classifier and described.get("task") != "regression"
        n_out = network.n_outputs
        return cls(
            path=path, network=network, meta=meta,
            inputs=scaling_of(described.get("scaling"), network.n_inputs, path, "input"),
            targets=(Affine.identity(n_out) if classifier else
                     scaling_of(described.get("target_scaling"), n_out, path, "target")),
            is_classifier=classifier,
            class_names=_class_names(meta, described, _n_classes(network)) if classifier
            else None,
            dataset=described.get("name") if isinstance(described.get("name"), str) else None,
        )

    @property
    def n_classes(self) -> int:
        return _n_classes(self.network)

    def sample(self, text: str, flag: str = "--input") -> tuple[Array, Array]:
        """`text`'s raw values and the scaled row the network sees, (n_inputs,) each."""
        raw = parse_numbers(text, flag, self.network.n_inputs)
        with np.errstate(all="ignore"):
            seen = self.inputs.apply(raw)
            fits = np.isfinite(seen.astype(self.network.dtype)).all()
        if not fits:
            raise InputError(f"{flag} {_shown(text)}: too large for this "
                             f"{self.network.dtype.name} model once scaled")
        return raw, seen

    def target(self, text: str) -> npt.NDArray[Any]:
        """`--target` as the engine takes it: a class (name or index) as a label array (1,);
        regression values in the dataset's units, scaled, as a row (1, outputs)."""
        if not self.is_classifier:
            values = parse_numbers(text, "--target", self.network.n_outputs, "target value")
            with np.errstate(all="ignore"):
                row = self.targets.apply(values)
            if not np.isfinite(row.astype(self.network.dtype)).all():
                raise InputError(f"--target {_shown(text)}: too large for this model")
            return row.reshape(1, -1)
        return np.array([self.class_index(text)], dtype=np.int64)

    def class_index(self, text: str) -> int:
        """A class by its name, or by its index 0..classes-1."""
        names = self.class_names or ()
        if text.strip() in names:
            return names.index(text.strip())
        try:
            index = int(text.strip())
        except ValueError:
            index = -1
        if not 0 <= index < self.n_classes:
            choices = f"0..{self.n_classes - 1}"
            if names:
                choices += f" or one of {', '.join(names)}"
            raise InputError(f"--target {_shown(text)}: not a class of this model ({choices})")
        return index

    def class_name(self, index: int) -> str | int:
        """The class's name, or its index when the file names no classes."""
        return self.class_names[index] if self.class_names else index

    def predicted(self, output: Array) -> str | int | list[float]:
        """For one row of outputs: the class (name, else index) of a classifier; a regressor's
        values in the dataset's own units."""
        if self.is_classifier:
            label = int(self.network.labels_from_outputs(output.reshape(1, -1))[0])
            return self.class_name(label)
        return [float(v) for v in self.targets.undo(output.astype(np.float64))]


def _n_classes(network: Network) -> int:
    """One sigmoid unit is a two-class classifier (the unit says how likely class 1 is)."""
    return 2 if network.n_outputs == 1 else network.n_outputs


def _class_names(meta: dict[str, Any], described: dict[str, Any],
                 n: int) -> tuple[str, ...] | None:
    """The saved class names if there is one for each class, else None (classes by index)."""
    for names in (meta.get("class_names"), described.get("class_names")):
        if isinstance(names, list) and len(names) == n:
            return tuple(str(name) for name in names)
    return None


# ---------------------------------------------------------------- a dataset's sample


@dataclass(frozen=True, eq=False)
class Sample:
    """Row `index` of `dataset`'s test split: `x` (n_inputs,) scaled as the network sees it,
    `y` its label (1,) or targets (1, outputs) as the loss takes them."""

    dataset: str
    index: int
    x: npt.NDArray[Any]
    y: npt.NDArray[Any]


def dataset_sample(model: SavedModel, dataset: str | None, index: int) -> Sample:
    """Sample `index` (from 0) of the test split of `dataset` (default: the one the model was
    trained on), split exactly as in training when it is that one: the split `evaluate` scores.
    A dataset that does not fit the model is a SpecError, a bad index an InputError."""
    from engine.data.datasets import load_dataset
    from engine.errors import SpecError
    from engine.experiment import Experiment

    if dataset is None and model.dataset is None:
        raise InputError(f"{model.path} names no dataset (saved without one); choose one with "
                         "--dataset NAME")
    if isinstance(model.meta.get("dataset"), dict):  # the saved split, or another set that fits
        data = Experiment.load(model.path, dataset=dataset).dataset
    else:
        assert dataset is not None
        data = load_dataset(dataset, seed=int(model.meta.get("seed", 0) or 0))
        net = model.network
        reasons = ([f"the model takes {net.n_inputs} inputs but {data.name} has "
                    f"{data.n_features} features"] if data.n_features != net.n_inputs else [])
        reasons += net.spec.validate(data.n_features, data.n_outputs, data.task)
        if reasons:
            raise SpecError(f"{model.path} does not fit {data.name}: {reasons[0]}")
    n = len(data.X_test)
    if not 0 <= index < n:
        last = f"0..{n - 1}" if n else "none: the test split is empty"
        raise InputError(f"--sample {index}: {data.name}'s test split has {n} samples ({last})")
    return Sample(data.name, index, data.X_test[index], data.y_test[index:index + 1])
