"""Names for every weight, bias and unit, as the tutorials write them.

For the 2-2-1 network of the `people` tutorial the names are the tutorial's own:

    h1 = f(w1*x1 + w2*x2 + b1)
    h2 = f(w3*x1 + w4*x2 + b2)
    o1 = f(w5*h1 + w6*h2 + b3)

The engine stores W with shape (in, out), so `W[i, j]` is the weight from input i to unit j:
w1 = layer 0 W[0, 0], w2 = W[1, 0], w3 = W[0, 1], w4 = W[1, 1]; w5 = layer 1 W[0, 0], w6 = W[1, 0].
Any other network gets matrix names: `W2[3,7]` (layer 2 counted from 1), `b2[7]`, `a2[7]`.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import SpecError
from engine.nn.network import NetworkCore

TUTORIAL_SIZES = (2, 2, 1)


@dataclass(frozen=True)
class ParamNames:
    """Names for a network with these layer sizes (inputs first): `(2, 2, 1)` for the tutorial.
    Layers are 0-based here, like `network.layers`; i indexes a layer's inputs, j its units."""

    sizes: tuple[int, ...]

    @classmethod
    def of(cls, network: NetworkCore) -> ParamNames:
        return cls((network.n_inputs, *(layer.n_out for layer in network.layers)))

    @property
    def is_tutorial(self) -> bool:
        return self.sizes == TUTORIAL_SIZES

    def weight(self, layer: int, i: int, j: int) -> str:
        """The weight from input `i` to unit `j` of `layer`: w1..w6 for the tutorial."""
        self._check(layer, i, j)
        if self.is_tutorial:
            return f"w{1 + 2 * j + i}" if layer == 0 else f"w{5 + i}"
        return f"W{layer + 1}[{i},{j}]"

    def bias(self, layer: int, j: int) -> str:
        """The bias of unit `j` of `layer`: b1, b2 (hidden), b3 (output) for the tutorial."""
        self._check(layer, 0, j)
        if self.is_tutorial:
            return f"b{1 + j}" if layer == 0 else "b3"
        return f"b{layer + 1}[{j}]"

    def unit(self, layer: int, j: int) -> str:
        """Unit `j` of `layer`: h1, h2 and o1 for the tutorial."""
        self._check(layer, 0, j)
        if self.is_tutorial:
            return f"h{1 + j}" if layer == 0 else "o1"
        return f"a{layer + 1}[{j}]"

    def input(self, i: int) -> str:
        """Input `i`: x1, x2, ... (counted from 1, as the tutorials do)."""
        if not 0 <= i < self.sizes[0]:
            raise SpecError(f"input {i} does not exist (the network has {self.sizes[0]})")
        return f"x{i + 1}"

    @staticmethod
    def partial(name: str) -> str:
        """The name of the loss's partial derivative with respect to `name`: dL/dw1."""
        return f"dL/d{name}"

    def find(self, name: str) -> tuple[str, int, int, int]:
        """Where a weight or bias called `name` lives: ("W", layer, i, j) or ("b", layer, 0, j)."""
        for layer, (n_in, n_out) in enumerate(zip(self.sizes, self.sizes[1:])):
            for j in range(n_out):
                if self.bias(layer, j) == name:
                    return "b", layer, 0, j
                for i in range(n_in):
                    if self.weight(layer, i, j) == name:
                        return "W", layer, i, j
        raise SpecError(f"no weight or bias is called '{name}'")

    def _check(self, layer: int, i: int, j: int) -> None:
        if not 0 <= layer < len(self.sizes) - 1:
            raise SpecError(f"layer {layer} does not exist (the network has "
                            f"{len(self.sizes) - 1}, counted from 0)")
        n_in, n_out = self.sizes[layer], self.sizes[layer + 1]
        if not (0 <= i < n_in and 0 <= j < n_out):
            raise SpecError(f"layer {layer} has weights [0..{n_in - 1}, 0..{n_out - 1}] "
                            f"(got [{i}, {j}])")
