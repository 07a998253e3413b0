"""The weights and biases of a small network by name, for editing by hand (as in the TensorFlow
Playground): the tutorial's w1..w6, b1..b3 for its 2-2-1 network, `W2[3,7]`/`b2[7]` for any other
(`engine.ParamNames`). Edits are applied to a copy with `engine.edit_param`; the model changes
only when the person adopts them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce

from rich.text import Text

from engine import Network, ParamNames, edit_param
from tui.inside.glyphs import Palette, plain
from tui.numbers import step_number

EDITABLE_LIMIT = 64  # parameters; beyond, a list to pick from is no help
ENTRY_WIDTH = 36  # columns per entry in the grid of parameters (W2[11,63] = -0.1234 * was ...)


@dataclass(frozen=True)
class Param:
    """One weight (`kind` "W": input i to unit j of `layer`) or bias (`kind` "b": unit j)."""

    name: str
    kind: str
    layer: int
    i: int
    j: int

    def value(self, network: Network) -> float:
        layer = network.layers[self.layer]
        return float(layer.b[self.j] if self.kind == "b" else layer.W[self.i, self.j])


def editable(network: Network) -> bool:
    return network.n_params <= EDITABLE_LIMIT


def param_list(network: Network) -> list[Param]:
    """Every weight and bias in the order a person reads them: the tutorial's w1..w6 then
    b1..b3; otherwise layer by layer, each unit's weights then the layer's biases."""
    names = ParamNames.of(network)
    weights, biases = [], []
    for index, layer in enumerate(network.layers):
        layer_weights = [Param(names.weight(index, i, j), "W", index, i, j)
                         for j in range(layer.n_out) for i in range(layer.n_in)]
        layer_biases = [Param(names.bias(index, j), "b", index, 0, j)
                        for j in range(layer.n_out)]
        if names.is_tutorial:
            weights += layer_weights
            biases += layer_biases
        else:
            weights += layer_weights + layer_biases
    return weights + biases


def with_edits(network: Network, edits: Mapping[str, float]) -> Network:
    """`network` with each named weight or bias set: a copy per edit (`edit_param`), so the
    original is untouched; `network` itself when there are no edits."""
    return reduce(lambda net, item: edit_param(net, *item), edits.items(), network)


def grid_rows(count: int, width: int, entry_width: int = ENTRY_WIDTH) -> int:
    """Rows of the grid of `count` entries, filled column by column, as wide as fits."""
    across = max(1, min(count, width // entry_width))
    return -(-count // across) if count else 0


def param_lines(params: Sequence[Param], shown: Network, model: Network,
                edits: Mapping[str, float], selected: int | None, width: int,
                palette: Palette = plain) -> list[Text]:
    """The grid: `▸` marks the selected entry, `*` an edited one (with the model's value).
    Its columns are as wide as the widest entry needs: a value is never cut (`was -0.123`)."""
    name_width = max((len(param.name) for param in params), default=0)
    entries = []
    for k, param in enumerate(params):
        mark = "▸" if k == selected else " "
        value = step_number(param.value(shown))
        entry = f"{mark} {param.name:>{name_width}} = {value:>9}"
        if param.name in edits:
            entry += f" * was {step_number(param.value(model))}"
        entries.append(entry)
    entry_width = max(ENTRY_WIDTH, *(len(entry) + 2 for entry in entries))
    rows = grid_rows(len(params), width, entry_width)
    lines = [Text(no_wrap=True, end="") for _ in range(rows)]
    for k, (param, entry) in enumerate(zip(params, entries)):
        role = "selected" if k == selected else ("edited" if param.name in edits else "")
        line = lines[k % rows]
        if k >= rows:
            line.append("  ")
        line.append(entry.ljust(entry_width - 2), palette(role) if role else None)
    return lines
