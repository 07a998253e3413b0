"""Changing weights, always on a copy of the network (the original is never touched): a weight or
bias set by hand (`edit_param` by its tutorial name, `edit_weight`, `edit_bias`), or a traced step's
weights after it (`apply_step`) for stepping again.
"""

from __future__ import annotations

from engine.inside.names import ParamNames
from engine.inside.step_trace import StepTrace
from engine.nn.network import NetworkCore


def apply_step(network: NetworkCore, trace: StepTrace) -> NetworkCore:
    """A copy of `network` with the trace's weights after the step (for stepping again)."""
    twin = network.copy()
    for layer, traced in zip(twin.layers, trace.layers):
        layer.W[...] = traced.W_after
        layer.b[...] = traced.b_after
    return twin


def edit_weight(network: NetworkCore, layer: int, i: int, j: int, value: float) -> NetworkCore:
    """A copy of `network` whose weight from input `i` to unit `j` of `layer` (0-based) is
    `value`; the "edit a weight by hand" view. The original is not changed."""
    ParamNames.of(network).weight(layer, i, j)  # checks the indices, with a readable error
    twin = network.copy()
    twin.layers[layer].W[i, j] = value
    return twin


def edit_bias(network: NetworkCore, layer: int, j: int, value: float) -> NetworkCore:
    """A copy of `network` whose bias of unit `j` of `layer` is `value`."""
    ParamNames.of(network).bias(layer, j)
    twin = network.copy()
    twin.layers[layer].b[j] = value
    return twin


def edit_param(network: NetworkCore, name: str, value: float) -> NetworkCore:
    """A copy with the weight or bias called `name` ("w3", "b1", "W2[0,4]") set to `value`."""
    kind, layer, i, j = ParamNames.of(network).find(name)
    if kind == "b":
        return edit_bias(network, layer, j, value)
    return edit_weight(network, layer, i, j, value)
