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

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.io.model_reader import load_network
from engine.network import Network
from tui.model_inputs import (  # shared with the app's inside view
    SCALINGS,
    Affine,
    Array,
    InputError,
    parse_numbers,
    quoted,
    scaling_of,
)

__all__ = [
    "SCALINGS",
    "Affine",
    "InputError",
    "Sample",
    "SavedModel",
    "dataset_sample",
    "parse_numbers",
    "scaling_of",
]

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
            raise InputError(f"{flag} {quoted(text)}: too large for this "
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
                raise InputError(f"--target {quoted(text)}: too large for this model")
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
            raise InputError(f"--target {quoted(text)}: not a class of this model ({choices})")
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
    """Row `index` (from 0) of `dataset`'s test split, sample `number` (from 1, as the app's
    viewer counts) of `count`: `x` (n_inputs,) scaled as the network sees it, `y` its label
    (1,) or targets (1, outputs) as the loss takes them."""

    dataset: str
    index: int
    x: npt.NDArray[Any]
    y: npt.NDArray[Any]


def dataset_sample(model: SavedModel, dataset: str | None, number: int) -> Sample:
    """Sample `number` (from 1, as the app's viewer counts: "sample 1/270") of the test split
    of `dataset` (default: the one the model was trained on), split exactly as in training
    when it is that one: the split `evaluate` scores. A dataset that does not fit the model is
    a SpecError, a bad number an InputError."""
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
    if not 1 <= number <= n:
        which = f"1..{n}, counted from 1" if n else "none: the test split is empty"
        raise InputError(f"--sample {number}: {data.name}'s test split has {n} samples "
                         f"({which})")
    index = number - 1
    return Sample(data.name, index, data.X_test[index], data.y_test[index:index + 1])
