"""Frozen descriptions of a model and a training run, the `"100:relu,10:softmax"` parser, and the
checks that say in one line why a setting cannot work (the CLI prints them, the editor shows them).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise
from typing import Any

from engine.errors import SpecError
from engine.nn.activations import ACTIVATIONS
from engine.nn.losses import LOSSES
from engine.nn.optimizers import OPTIMIZERS
from engine.nn.schedules import SCHEDULES

BACKEND_NAMES = ("auto", "numpy", "numba")  # `engine.nn.backends.BACKENDS`, and "auto"
MAX_PARAMS = 20_000_000  # with gradients and Adam's moments, about 400 MB in float32
MAX_THREADS = 256  # --threads beyond any machine this runs on is a typo


@dataclass(frozen=True)
class LayerSpec:
    """One layer after the input: `units` outputs, so the layer maps (n, fan_in) to (n, units)
    through the activation named."""

    units: int
    activation: str = "relu"

    def __str__(self) -> str:
        return f"{self.units}:{self.activation}"


@dataclass(frozen=True)
class ModelSpec:
    """The layers after the input, the last one the output layer, and the loss: a network built
    from it maps inputs (n, n_inputs) to outputs (n, layers[-1].units)."""

    layers: tuple[LayerSpec, ...]
    loss: str = "cross_entropy"

    @property
    def layers_text(self) -> str:
        return ",".join(str(layer) for layer in self.layers)

    def n_params(self, n_inputs: int) -> int:
        sizes = [n_inputs, *(layer.units for layer in self.layers)]
        return sum(a * b + b for a, b in pairwise(sizes))

    def validate(self, n_inputs: int | None = None, n_outputs: int | None = None,
                 task: str | None = None) -> list[str]:
        """Reasons this model cannot work (empty if it can); with a dataset's input size,
        output size (classes for classification) and task, also whether it fits that data."""
        reasons = [r for layer in self.layers for r in _layer_reasons(layer)]
        if not self.layers:
            reasons.append("the network needs at least one layer")
        if self.loss not in LOSSES:
            reasons.append(f"unknown loss '{self.loss}' (choose from {', '.join(LOSSES)})")
        if reasons:
            return reasons
        out = self.layers[-1]
        fused = LOSSES[self.loss].fused_with
        if fused and out.activation != fused:
            reasons.append(f"{self.loss} needs a {fused} output layer (the last layer is "
                           f"{out.activation})")
        if out.activation == "softmax" and out.units < 2:
            reasons.append("a softmax output needs at least 2 units")
        for layer in self.layers[:-1]:
            if layer.activation == "softmax":
                reasons.append("softmax belongs on the output layer only")
                break
        binary_sigmoid = (task == "classification" and n_outputs == 2 and out.units == 1
                          and out.activation == "sigmoid")
        if n_outputs is not None and out.units != n_outputs and not binary_sigmoid:
            reasons.append(f"the output layer has {out.units} units but the dataset needs "
                           f"{n_outputs}")
        if task == "classification" and out.activation not in ("softmax", "sigmoid"):
            reasons.append(f"a classification output layer needs softmax or sigmoid "
                           f"(not {out.activation})")
        if n_inputs is not None and n_inputs < 1:
            reasons.append("the dataset has no features")
        elif n_inputs is not None and self.n_params(n_inputs) > MAX_PARAMS:
            reasons.append(f"{self.n_params(n_inputs):,} parameters is more than this tool is "
                           f"made for (max {MAX_PARAMS:,})")
        return reasons

    def to_dict(self) -> dict[str, Any]:
        return {"layers": [asdict(layer) for layer in self.layers], "loss": self.loss}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        layers = tuple(LayerSpec(int(d["units"]), str(d["activation"])) for d in data["layers"])
        return cls(layers, str(data.get("loss", "cross_entropy")))


def _layer_reasons(layer: LayerSpec) -> list[str]:
    reasons = []
    if not isinstance(layer.units, int) or layer.units < 1:
        reasons.append(f"a layer needs at least 1 unit (got {layer.units})")
    elif layer.units > 100_000:
        reasons.append(f"{layer.units} units is more than this tool is made for (max 100000)")
    if layer.activation not in ACTIVATIONS:
        reasons.append(f"unknown activation '{layer.activation}' "
                       f"(choose from {', '.join(ACTIVATIONS)})")
    return reasons


def parse_layers(text: str) -> tuple[LayerSpec, ...]:
    """`"100:relu,10:softmax"` -> layer specs (a layer of 100 relu units, then 10 softmax
    outputs: (n, n_inputs) -> (n, 100) -> (n, 10)); raises SpecError with the reason."""
    if not text or not text.strip():
        raise SpecError("--layers is empty (expected e.g. 100:relu,10:softmax)")
    layers = []
    for part in text.split(","):
        units_text, _, activation = part.strip().partition(":")
        try:
            units = int(units_text)
        except ValueError:
            raise SpecError(f"'{part.strip()}': units must be a whole number "
                            "(expected e.g. 100:relu)") from None
        layer = LayerSpec(units, activation.strip() or "relu")
        reasons = _layer_reasons(layer)
        if reasons:
            raise SpecError(f"'{part.strip()}': {reasons[0]}")
        layers.append(layer)
    return tuple(layers)


@dataclass(frozen=True)
class TrainConfig:
    """How to train: optimizer and its settings, L2 on the weights, batches of `batch_size`
    rows of the (n, n_inputs) training inputs (0: all n at once), epochs, early-stopping
    patience, learning-rate schedule, seed, float dtype and BLAS threads (0: automatic)."""

    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9
    nesterov: bool = False
    l2: float = 0.0
    batch_size: int = 32  # 0 means the full batch
    epochs: int = 60
    patience: int = 0  # 0 turns early stopping off
    schedule: str = "constant"
    schedule_options: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    dtype: str = "float32"
    backend: str = "auto"  # who runs the steps: "numpy", "numba" or "auto" (numba if it imports)
    threads: int = 0  # BLAS threads; 0: chosen per workload and machine (engine.train.threads)

    def validate(self) -> list[str]:
        checks = [
            (self.optimizer in OPTIMIZERS,
             f"unknown optimizer '{self.optimizer}' (choose from {', '.join(OPTIMIZERS)})"),
            (_finite(self.lr) and self.lr > 0, f"learning rate must be > 0 (got {self.lr})"),
            (_finite(self.momentum) and 0 <= self.momentum < 1,
             f"momentum must be in [0, 1) (got {self.momentum})"),
            (_finite(self.l2) and self.l2 >= 0, f"L2 must be >= 0 (got {self.l2})"),
            (isinstance(self.batch_size, int) and self.batch_size >= 0,
             f"batch size must be >= 0, 0 meaning the full batch (got {self.batch_size})"),
            (isinstance(self.epochs, int) and self.epochs >= 1,
             f"epochs must be >= 1 (got {self.epochs})"),
            (isinstance(self.patience, int) and self.patience >= 0,
             f"patience must be >= 0 (got {self.patience})"),
            (self.schedule in SCHEDULES,
             f"unknown schedule '{self.schedule}' (choose from {', '.join(SCHEDULES)})"),
            (self.dtype in ("float32", "float64"),
             f"dtype must be float32 or float64 (got {self.dtype})"),
            (self.backend in BACKEND_NAMES,
             f"unknown backend '{self.backend}' (choose from {', '.join(BACKEND_NAMES)})"),
            (isinstance(self.threads, int) and 0 <= self.threads <= MAX_THREADS,
             f"threads must be 0 (automatic) to {MAX_THREADS} (got {self.threads})"),
        ]
        return [reason for ok, reason in checks if not ok]

    def checked(self) -> TrainConfig:
        reasons = self.validate()
        if reasons:
            raise SpecError(reasons[0])
        return self

    def with_changes(self, **changes: Any) -> TrainConfig:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
