"""What the architecture editor edits: a frozen `Design` (the dataset's shape, the model spec and
the training config) and the pure rules for changing it.

Every edit returns a new, valid `Design` or raises `SpecError` with the reason, so a bad value is
refused whole and never half-applied. `change_kind` says what an accepted change costs: applied
live at the next epoch, used by the next run, carried over with the weights kept, or a rebuild
with fresh weights.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from engine import (
    LIVE_SETTINGS,
    LayerSpec,
    ModelSpec,
    SpecError,
    TrainConfig,
    default_loss,
)

CLASS_OUTPUTS = ("softmax", "sigmoid")

# What a changed field costs, from the cheapest to the dearest (lr, momentum, l2 and batch size,
# the engine's LIVE_SETTINGS, are "live" whatever this table says).
KINDS = ("live", "next_run", "carry", "rebuild", "reload")
FIELD_KINDS: dict[str, str] = {
    "epochs": "next_run",
    "optimizer": "carry",
    "patience": "carry",
    "nesterov": "next_run",
    "schedule": "next_run",
    "schedule_options": "next_run",
    "dtype": "rebuild",
    "layers": "rebuild",
    "loss": "rebuild",
    "seed": "reload",
    "dataset": "reload",
}
# The config fields a run takes when it starts (the epochs are its argument): a change waits
# for the next run, which `Controller.train` hands them to.
NEXT_RUN_CONFIG = tuple(name for name, kind in FIELD_KINDS.items()
                        if kind == "next_run" and name != "epochs")


@dataclass(frozen=True)
class DataShape:
    """What the editor needs to know about a dataset."""

    name: str
    n_inputs: int
    n_outputs: int
    task: str
    n_train: int
    source: str  # what load_dataset takes to load it again: a built-in name or a file path
    # train, validation and test are the same rows (people and the gates: four rows are too
    # few to split), so "test acc" is the training score and the app says so
    same_rows: bool = False
    noise: float | None = None  # a generated set's noise (None: a fixed set or a file)
    features: tuple[str, ...] = ()  # Playground's extra inputs after x1, x2 (x1^2, sin x2...)

    @classmethod
    def of(cls, dataset: object) -> DataShape:
        source = dataset.name if dataset.source == "builtin" else dataset.source
        extras = tuple(getattr(dataset, "input_features", ())[2:])
        return cls(dataset.name, dataset.n_features, dataset.n_outputs, dataset.task,
                   len(dataset.X_train), source, splits_are_the_same_rows(dataset),
                   getattr(dataset, "noise", None), extras)

    @property
    def same_rows_note(self) -> str | None:
        """What to say about the splits when they are one and the same (else None)."""
        if not self.same_rows:
            return None
        return (f"{self.name}: train, validation and test are the same {self.n_train} rows, "
                "so the test score is the training score")

    @property
    def is_classification(self) -> bool:
        return self.task == "classification"

    @property
    def planar(self) -> bool:
        """Two base coordinates (before any extra inputs): Playground's extra inputs apply."""
        return self.n_inputs - len(self.features) == 2

    def with_features(self, extras: tuple[str, ...]) -> DataShape:
        """The same data with these extra inputs: the network's input size follows."""
        return replace(self, features=extras, n_inputs=self.n_inputs - len(self.features)
                       + len(extras))

    def load_options(self) -> dict[str, object]:
        """What `Experiment.create` needs to load this data again (with its noise and inputs)."""
        return {"noise": self.noise, "features": self.features}

    def options_text(self) -> str:
        """`noise 0.2, inputs x1 x2 x1^2`: the data options, as the log says them."""
        parts = [] if self.noise is None else [f"noise {self.noise:g}"]
        if self.planar:
            parts.append("inputs " + " ".join(("x1", "x2", *self.features)))
        return ", ".join(parts) or self.name


@dataclass(frozen=True)
class Design:
    data: DataShape
    spec: ModelSpec
    config: TrainConfig

    @classmethod
    def of(cls, session: object, config: TrainConfig | None = None) -> Design:
        return cls(DataShape.of(session.dataset), session.spec, config or session.config)

    @property
    def layers(self) -> tuple[LayerSpec, ...]:
        return self.spec.layers

    @property
    def output(self) -> str:
        """The output layer's activation ("" before there are layers)."""
        return self.layers[-1].activation if self.layers else ""

    @property
    def n_params(self) -> int:
        return self.spec.n_params(self.data.n_inputs)

    def layer_params(self, index: int) -> int:
        fan_in = self.data.n_inputs if index == 0 else self.layers[index - 1].units
        return fan_in * self.layers[index].units + self.layers[index].units

    def reasons(self) -> list[str]:
        data = self.data
        return (self.spec.validate(data.n_inputs, data.n_outputs, data.task)
                + self.config.validate())

    def checked(self) -> Design:
        reasons = self.reasons()
        if reasons:
            raise SpecError(reasons[0])
        return self

    # -- edits: each returns a valid Design or raises SpecError ------------------------------
    def with_layers(self, layers: tuple[LayerSpec, ...]) -> Design:
        """New layers; a new output activation brings the loss that suits it (`default_loss`):
        a loss picked for the old output seldom fits the new one, and mse on softmax trains
        badly without saying why."""
        loss = self.spec.loss
        if layers and layers[-1].activation != self.output:
            loss = default_loss(layers)
        return replace(self, spec=ModelSpec(tuple(layers), loss)).checked()

    def with_loss(self, loss: str) -> Design:
        return replace(self, spec=replace(self.spec, loss=loss)).checked()

    def with_config(self, **changes: object) -> Design:
        return replace(self, config=replace(self.config, **changes)).checked()

    def with_data(self, data: DataShape) -> Design:
        """Other data options (noise, extra inputs) for the same dataset."""
        return replace(self, data=data).checked()

    def for_dataset(self, data: DataShape) -> Design:
        """The same hidden layers on another dataset, the output layer refitted to it."""
        out = self.layers[-1] if self.layers else LayerSpec(data.n_outputs, "softmax")
        if data.is_classification:
            activation = out.activation if out.activation in CLASS_OUTPUTS else "softmax"
        else:
            activation = "linear"
        layers = (*self.layers[:-1], LayerSpec(data.n_outputs, activation))
        moved = replace(self, data=data)
        try:
            return moved.with_layers(layers)
        except SpecError:
            return replace(moved, spec=ModelSpec(layers, default_loss(layers))).checked()


# -- what a change costs ------------------------------------------------------------------
def splits_are_the_same_rows(dataset: object) -> bool:
    """Whether the training, validation and test splits hold the very same rows."""
    train, val, test = dataset.X_train, dataset.X_val, dataset.X_test
    return (len(train) > 0 and train.shape == val.shape == test.shape
            and np.array_equal(train, val) and np.array_equal(train, test)
            and np.array_equal(dataset.y_train, dataset.y_test))


def changed_fields(old: Design, new: Design) -> frozenset[str]:
    names = {f.name for f in fields(TrainConfig)
             if getattr(old.config, f.name) != getattr(new.config, f.name)}
    if old.data != new.data:
        names.add("dataset")
    if old.spec.layers != new.spec.layers:
        names.add("layers")
    if old.spec.loss != new.spec.loss:
        names.add("loss")
    return frozenset(names)


def change_kind(names: frozenset[str]) -> str:
    """The dearest kind among the changed fields ("live" when nothing changed)."""
    kinds = ["live" if name in LIVE_SETTINGS else FIELD_KINDS.get(name, "rebuild")
             for name in names]
    return max(kinds, key=KINDS.index, default="live")
