"""`Dense`: a fully connected layer that owns `W (in, out)`, `b (out,)` and its activation.

The network re-points `W`, `b` and the gradients `dW`, `db` at views into its flat buffers, so an
optimizer updates every layer with a few whole-buffer operations. Caches (`x`, `z`, `a`) are plain
attributes overwritten by each training pass.
"""

from __future__ import annotations

import numpy as np

from engine.activations import Activation, get_activation
from engine.errors import SpecError


class Dense:
    def __init__(self, n_in: int, n_out: int, activation: str = "relu") -> None:
        if int(n_in) < 1 or int(n_out) < 1:
            raise SpecError(f"a layer needs at least 1 unit (got {n_in} -> {n_out})")
        self.n_in = int(n_in)
        self.n_out = int(n_out)
        self.act: Activation = get_activation(activation)
        self.W = np.zeros((self.n_in, self.n_out))
        self.b = np.zeros(self.n_out)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.x: np.ndarray | None = None
        self.z: np.ndarray | None = None
        self.a: np.ndarray | None = None

    @property
    def activation(self) -> str:
        return self.act.name

    @property
    def n_params(self) -> int:
        return self.n_in * self.n_out + self.n_out

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        z = x @ self.W
        z += self.b
        a = self.act.forward(z)
        if train:
            self.x, self.z, self.a = x, z, a
        return a

    def backward_from_z(self, dz: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """Fill `dW`, `db` from dL/dz and return dL/dx (the previous layer's dL/da)."""
        np.matmul(self.x.T, dz, out=self.dW)
        dz.sum(axis=0, out=self.db)
        return dz @ self.W.T if need_dx else None

    def backward(self, da: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        return self.backward_from_z(self.act.backward(self.z, self.a, da), need_dx)

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation!r})"
