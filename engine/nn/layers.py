"""`Dense`: a fully connected layer that owns `W (in, out)`, `b (out,)` and its activation.

The network re-points `W`, `b` and the gradients `dW`, `db` at views into its flat buffers, so an
optimizer updates every layer with a few whole-buffer operations. Caches (`x`, `z`, `a`) are plain
attributes overwritten by each training pass.
"""

from __future__ import annotations

import numpy as np

from engine.errors import SpecError
from engine.nn.activations import Activation, get_activation


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
        self._work: dict[tuple[int, np.dtype], _Workspace] = {}

    @property
    def activation(self) -> str:
        return self.act.name

    @property
    def n_params(self) -> int:
        return self.n_in * self.n_out + self.n_out

    def forward(self, x: np.ndarray, train: bool = False, activate: bool = True) -> np.ndarray:
        """`activate=False` (training only) stops at z, for a loss that applies the output
        activation itself (softmax with cross-entropy)."""
        if not train:  # fresh arrays the caller may keep
            z = x @ self.W
            z += self.b
            return self.act.forward(z)
        work = self._workspace(x)
        z = np.matmul(x, self.W, out=work.z)
        z += self.b
        self.x, self.z, self._current = x, z, work
        if not activate:
            return z
        forward_into = self.act.forward_into
        a = self.a = forward_into(z, work.a) if forward_into else self.act.forward(z)
        return a

    def backward_from_z(self, dz: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """Fill `dW`, `db` from dL/dz and return dL/dx (the previous layer's dL/da)."""
        work = self._current
        np.matmul(self.x.T, dz, out=self.dW)
        np.matmul(work.ones, dz, out=self.db)  # column sums as a product: 5x faster than sum
        return np.matmul(dz, self.W.T, out=work.dx) if need_dx else None

    def backward(self, da: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        backward_into = self.act.backward_into
        if backward_into:
            dz = backward_into(self.z, self.a, da, self._current.dz)
        else:
            dz = self.act.backward(self.z, self.a, da)
        return self.backward_from_z(dz, need_dx)

    def _workspace(self, x: np.ndarray) -> _Workspace:
        """Buffers for a training pass over `len(x)` rows, reused by every later pass of that
        size: fresh (n, units) arrays each step cost page faults, and with 2 BLAS threads they
        made `x @ W` three times slower (1257x64 @ 64x100: 278 us fresh, 90 us into a buffer)."""
        key = (len(x), x.dtype)
        work = self._work.get(key)
        if work is None:
            if len(self._work) >= 4:  # the batch size changed mid-run; drop the old ones
                self._work.clear()
            work = self._work[key] = _Workspace(len(x), self.n_in, self.n_out, x.dtype)
        return work

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation!r})"


class _Workspace:
    """One batch size's reused arrays: z and a (rows, out), dz (rows, out), dx (rows, in)."""

    def __init__(self, rows: int, n_in: int, n_out: int, dtype: np.dtype) -> None:
        self.z = np.empty((rows, n_out), dtype=dtype)
        self.a = np.empty((rows, n_out), dtype=dtype)
        self.dz = np.empty((rows, n_out), dtype=dtype)
        self.dx = np.empty((rows, n_in), dtype=dtype)
        self.ones = np.ones(rows, dtype=dtype)
