"""Numbers a person types for a model, and the input scaling that turns them into what the
network sees: shared by the command line (`nn-tui predict` and `inspect`, `tui.cli.model_inputs`)
and the app's inside view, which types a sample's raw feature values the same way.

Raw values are as they are in the dataset (a digits pixel 0..16, iris lengths in cm); the input
scaling (a `Dataset.scaling`, or the one saved with a model, fitted on the training split) is
applied before the network sees them, exactly as in training. Every kind of scaling the datasets
use is an affine map per feature, `(x - shift) / scale`, so `SCALINGS` turns each kind into one
`Affine` and nothing else needs to know the kinds. What a person gets wrong is an `InputError`,
one line to show.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from engine import EngineError, ModelFileError, NumberError, finite_number

Array = npt.NDArray[np.float64]
SHOWN = 40  # characters of a person's text echoed in a message


class InputError(EngineError):
    """Numbers a person typed that cannot be used (the CLI's --input, --target, --sample, or the
    app's own-input field)."""


def quoted(text: str) -> str:
    """`text` in quotes for a message, cut to SHOWN characters (a pasted essay stays short)."""
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
            values.append(finite_number(part))
        except NumberError as exc:
            raise InputError(f"{flag} {quoted(text)}: {quoted(part)} {exc}") from None
    if len(values) != expected:
        noun = what if expected == 1 else f"{what}s"
        raise InputError(f"{flag} {quoted(text)}: the model takes {expected} {noun}, got "
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
