"""Edits the architecture editor offers, as pure functions of a `Design`: typed values (parsed
with a reason when they are not numbers), and the layer list's add / delete / move / cycle.
Each returns a new valid Design or raises `SpecError` with the reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from engine import ACTIVATIONS, LOSSES, SCHEDULES, LayerSpec, SpecError, TrainConfig
from tui.design import Design

NEW_LAYER = LayerSpec(32, "relu")


# -- typed values ----------------------------------------------------------------------------
def _number(label: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SpecError(f"{label}: '{text}' is not a number") from None


def _whole(label: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SpecError(f"{label}: '{text}' is not a whole number") from None


def _seed(label: str, text: str) -> int:
    value = _whole(label, text)
    if not 0 <= value < 2**32:
        raise SpecError(f"{label} must be a whole number from 0 to {2**32 - 1} (got {value})")
    return value


@dataclass(frozen=True)
class ConfigField:
    """One typed training setting: the TrainConfig attribute, its label, its parser."""

    name: str
    label: str
    parse: Callable[[str, str], float | int]  # (label, text) -> value, or SpecError

    def format(self, config: TrainConfig) -> str:
        value = getattr(config, self.name)
        return f"{value:g}" if isinstance(value, float) else str(value)


CONFIG_FIELDS: dict[str, ConfigField] = {
    field.name: field for field in (
        ConfigField("lr", "learning rate", _number),
        ConfigField("momentum", "momentum", _number),
        ConfigField("batch_size", "batch size", _whole),
        ConfigField("epochs", "epochs", _whole),
        ConfigField("l2", "L2", _number),
        ConfigField("seed", "seed", _seed),
        ConfigField("patience", "patience", _whole),
    )
}


def with_typed_value(design: Design, name: str, text: str) -> Design:
    field = CONFIG_FIELDS[name]
    return design.with_config(**{name: field.parse(field.label, text.strip())})


def with_units(design: Design, index: int, text: str) -> Design:
    units = _whole(f"layer {index + 1} units", text.strip())
    if units < 1:
        raise SpecError(f"a layer needs at least 1 unit (got {units})")
    layers = list(design.layers)
    layers[index] = replace(layers[index], units=units)
    return design.with_layers(tuple(layers))



# -- choices of the next run: the lr schedule and nesterov ----------------------------------
def with_schedule_cycled(design: Design, step: int) -> Design:
    """The next learning-rate schedule (constant, step, cosine), with that schedule's default
    options (another schedule's options would not fit it)."""
    schedule = cycled(list(SCHEDULES), design.config.schedule, step)
    return design.with_config(schedule=schedule, schedule_options={})


def with_nesterov_toggled(design: Design) -> Design:
    """Nesterov momentum on or off; it is a variant of the momentum optimizer only."""
    optimizer = design.config.optimizer
    if optimizer != "momentum" and not design.config.nesterov:
        raise SpecError(f"nesterov applies to the momentum optimizer (this one is {optimizer})")
    return design.with_config(nesterov=not design.config.nesterov)


def nesterov_text(config: TrainConfig) -> str:
    """The nesterov choice as the editor shows it: on, off, or on but unused."""
    if not config.nesterov:
        return "off"
    return "on" if config.optimizer == "momentum" else "on (momentum only)"


# -- the layer list -----------------------------------------------------------------------
def with_layer_added(design: Design, index: int) -> Design:
    """A hidden layer after `index` (before the output layer when `index` is the output)."""
    at = min(index + 1, len(design.layers) - 1)
    return design.with_layers((*design.layers[:at], NEW_LAYER, *design.layers[at:]))


def with_layer_deleted(design: Design, index: int) -> Design:
    if len(design.layers) == 1:
        raise SpecError("the network needs at least one layer")
    if index == len(design.layers) - 1:
        raise SpecError("the output layer stays: it must fit the dataset")
    return design.with_layers(design.layers[:index] + design.layers[index + 1:])


def with_layer_moved(design: Design, index: int, step: int) -> Design:
    target = index + step
    if not 0 <= target < len(design.layers):
        raise SpecError("the layer is already at the " + ("top" if step < 0 else "bottom"))
    layers = list(design.layers)
    layers[index], layers[target] = layers[target], layers[index]
    return design.with_layers(tuple(layers))


def cycled(options: list[str], current: str, step: int) -> str:
    index = options.index(current) if current in options else -step
    return options[(index + step) % len(options)]


def with_activation_cycled(design: Design, index: int, step: int) -> Design:
    """The next activation that makes a valid design (softmax is skipped on a hidden layer,
    tanh on a classifier's output...)."""
    names = list(ACTIVATIONS)
    layer = design.layers[index]

    def attempt(activation: str) -> Design:
        layers = list(design.layers)
        layers[index] = replace(layer, activation=activation)
        return design.with_layers(tuple(layers))

    return _first_valid(names, layer.activation, step, attempt)


def with_loss_cycled(design: Design, step: int) -> Design:
    return _first_valid(list(LOSSES), design.spec.loss, step, design.with_loss)


def _first_valid(options: list[str], current: str, step: int,
                 attempt: Callable[[str], Design]) -> Design:
    first_reason = None
    index = options.index(current) if current in options else 0
    for offset in range(1, len(options)):
        try:
            return attempt(options[(index + step * offset) % len(options)])
        except SpecError as exc:
            first_reason = first_reason or str(exc)
    raise SpecError(first_reason or f"no other choice fits than {current}")
