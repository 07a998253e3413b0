"""The forward pass written out layer by layer, keeping every `z` and `a` the views want to show.

`NetworkCore.predict_proba` returns only the output; the views need each layer's pre-activation
`z = a_prev @ W + b` and activation `a = f(z)` as well. Both are computed here the way the
tutorials write them, with `f` looked up by name in the engine's `ACTIVATIONS` registry, and the
same operations in the same order as the engine's inference path, so the output equals
`predict_proba` exactly (tests check it).

Also `layer_views`: a flat buffer laid out like the network's parameters (its `params`, its
`grads`, or a copy of `params` taken before a step), split into one `(W, b)` pair per layer. It
asks the network itself to do the split (`copy(read_only=True, params=flat)`), so this package
never depends on how the engine packs its buffers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.errors import SpecError
from engine.nn.activations import ACTIVATIONS
from engine.nn.network import NetworkCore

Array = npt.NDArray[Any]


@dataclass(frozen=True, eq=False)
class LayerPass:
    """One layer's part of a forward pass over n rows: `z` and `a`, both (n, n_out)."""

    z: Array
    a: Array


def as_batch(network: NetworkCore, X: npt.ArrayLike) -> Array:
    """`X` as an (n, n_inputs) array of the network's dtype; one sample (n_inputs,) becomes a
    batch of one row."""
    batch = np.asarray(X, dtype=network.dtype)
    if batch.ndim == 1:
        batch = batch.reshape(1, -1)
    if batch.ndim != 2 or batch.shape[1] != network.n_inputs:
        raise SpecError(f"expected inputs of shape (n, {network.n_inputs}), got {batch.shape}")
    return batch


def forward_layers(network: NetworkCore, X: npt.ArrayLike,
                   weights: list[tuple[Array, Array]] | None = None) -> tuple[LayerPass, ...]:
    """Every layer's `z` (n, n_out) and `a` (n, n_out) for inputs `X` (n, n_inputs); the last
    `a` is the network's output. `weights` replaces the network's `(W, b)` per layer (the step
    trace runs the pass again with the weights after its update). Results are read-only."""
    a = as_batch(network, X)
    pairs = weights if weights is not None else [(layer.W, layer.b) for layer in network.layers]
    passes = []
    for layer, (W, b) in zip(network.layers, pairs):
        z = a @ W
        z += b  # the engine's own order of operations: the output equals predict_proba exactly
        a = ACTIVATIONS[layer.activation].forward(z)
        passes.append(LayerPass(seal(z), seal(a)))
    return tuple(passes)


def layer_views(network: NetworkCore, flat: Array) -> list[tuple[Array, Array]]:
    """`flat` (n_params,), laid out like `network.params`, as read-only `(W (in, out), b (out,))`
    per layer; e.g. `layer_views(net, net.grads)` gives every layer's `(dW, db)`. Views where the
    layout allows (they follow later changes to `flat`: read them at once), else copies."""
    if flat.shape != network.params.shape:
        raise SpecError(f"expected a flat buffer of {network.params.size} numbers, "
                        f"got shape {flat.shape}")
    pairs = []
    for W_at, b_at in _layout(network):
        W, b = W_at.take(flat), b_at.take(flat)
        W.flags.writeable = b.flags.writeable = False  # the view's flag only, not flat's
        pairs.append((W, b))
    return pairs


@dataclass(frozen=True)
class _Place:
    """Where one array sits in a flat buffer: a slice and a shape when it is one contiguous run
    (the usual case: taking it is a view), else the index of every entry."""

    run: slice | None
    shape: tuple[int, ...]
    index: Array

    @classmethod
    def of(cls, numbered: Array) -> _Place:
        index = np.asarray(numbered, dtype=np.intp)
        flat = index.ravel()
        start = int(flat[0]) if flat.size else 0
        contiguous = np.array_equal(flat, np.arange(start, start + flat.size))
        return cls(slice(start, start + flat.size) if contiguous else None, index.shape, index)

    def take(self, flat: Array) -> Array:
        return flat[self.run].reshape(self.shape) if self.run is not None else flat[self.index]


_LAYOUTS: dict[tuple[int, ...], list[tuple[_Place, _Place]]] = {}


def _layout(network: NetworkCore) -> list[tuple[_Place, _Place]]:
    """Where each layer's W and b sit in the flat buffers, learnt once per architecture from the
    network itself: a copy whose parameters are 0, 1, 2, ... shows in each layer's W and b the
    positions they come from. No knowledge of the engine's packing is needed here."""
    key = (network.n_inputs, *(layer.n_out for layer in network.layers))
    layout = _LAYOUTS.get(key)
    if layout is None:
        numbered = network.copy(read_only=True,
                                params=np.arange(network.params.size, dtype=np.float64))
        layout = [(_Place.of(layer.W), _Place.of(layer.b)) for layer in numbered.layers]
        if len(_LAYOUTS) >= 16:
            _LAYOUTS.clear()
        _LAYOUTS[key] = layout
    return layout


def frozen(values: npt.ArrayLike, dtype: npt.DTypeLike | None = None) -> Array:
    """A read-only copy of `values`, safe to hand out while the original keeps changing."""
    out = np.array(values, dtype=dtype)
    out.flags.writeable = False
    return out


def seal(fresh: Array) -> Array:
    """Marks an array this package has just computed (nobody else holds it) read-only, without
    a copy. Never pass an array that belongs to a network or a caller."""
    fresh.flags.writeable = False
    return fresh
