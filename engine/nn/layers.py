"""`Dense`: a fully connected layer that owns `W (in, out)`, `b (out,)` and its activation.

    forward:   z = x @ W + b          a = f(z)
    backward:  dz = f'(z) * da        dW = x.T @ dz      db = dz.sum(0)      dx = dz @ W.T

The network re-points `W`, `b` and the gradients `dW`, `db` at views into its flat buffers, so an
optimizer updates every layer with a few whole-buffer operations. A training pass keeps `x`, `z`
and `a` for the backward pass and writes into reused buffers (`kernels.Workspace`); inference
returns fresh arrays the caller may keep.
"""

from __future__ import annotations

import numpy as np

from engine.errors import SpecError
from engine.nn import kernels
from engine.nn.activations import Activation, get_activation


class Dense:
    """A layer of `n_out` units over `n_in` inputs: x (n, n_in) -> a (n, n_out), with
    W (n_in, n_out), b (n_out,) and their gradients dW, db of the same shapes."""

    def __init__(self, n_in: int, n_out: int, activation: str = "relu") -> None:
        if int(n_in) < 1 or int(n_out) < 1:
            raise SpecError(f"a layer needs at least 1 unit (got {n_in} -> {n_out})")
        self.n_in = int(n_in)
        self.n_out = int(n_out)
        self.act: Activation = get_activation(activation)
        # np.zeros, not zeros_like: its pages are the system's zeroed ones, untouched until
        # written (a network binds these names to its flat buffers, so most never are)
        self.W = np.zeros((self.n_in, self.n_out))
        self.b = np.zeros(self.n_out)
        self.dW = np.zeros(self.W.shape)
        self.db = np.zeros(self.b.shape)
        # The last training pass's input (n, in), pre-activation and activation (n, out).
        self.x = np.empty((0, self.n_in))
        self.z = np.empty((0, self.n_out))
        self.a = np.empty((0, self.n_out))
        self._forward_into = kernels.forward_into(self.act)
        self._workspaces: dict[tuple[int, np.dtype], kernels.Workspace] = {}
        self._work = kernels.Workspace(0, self.n_in, self.n_out, np.dtype(np.float64))

    @property
    def activation(self) -> str:
        """The activation's name, as in `ACTIVATIONS`."""
        return self.act.name

    @property
    def n_params(self) -> int:
        """n_in * n_out weights and n_out biases: this layer's length in the flat buffer."""
        return self.n_in * self.n_out + self.n_out

    def forward(self, x: np.ndarray, train: bool = False, activate: bool = True) -> np.ndarray:
        """x (n, n_in) -> a = f(x @ W + b), (n, n_out); with `activate=False`, z = x @ W + b.
        Training keeps x, z, a for `backward` in reused buffers; inference returns new arrays."""
        if not train:
            z = x @ self.W
            z += self.b
            return self.act.forward(z) if activate else z
        work = self._work = kernels.workspace(self._workspaces, len(x), self.n_in, self.n_out,
                                              x.dtype)
        self.x = x
        z = self.z = np.matmul(x, self.W, out=work.z)  # z = x @ W + b
        z += self.b
        if not activate:
            return z
        a = self.a = self._forward_into(z, work.a)  # a = f(z)
        return a

    def activate(self, z: np.ndarray) -> np.ndarray:
        """a = f(z) for this training pass's z (n, n_out), kept as `self.a`."""
        self.a = self._forward_into(z, self._work.a)
        return self.a

    def backward(self, grad: np.ndarray, need_dx: bool = True,
                 grad_is_dz: bool = False) -> np.ndarray | None:
        """Fills dW (n_in, n_out) and db (n_out,) from `grad` = dL/da (n, n_out) of the last
        training pass (dL/dz when `grad_is_dz`: the loss already went through the activation)
        and returns dL/dx (n, n_in), the layer below's dL/da, or None without `need_dx`."""
        work = self._work
        dz = grad if grad_is_dz else self.act.backward(self.z, self.a, grad)  # dz = f'(z) * da
        np.matmul(self.x.T, dz, out=self.dW)  # dW = x.T @ dz
        kernels.column_sum_into(dz, work.ones, out=self.db)  # db = dz.sum(0)
        return np.matmul(dz, self.W.T, out=work.dx) if need_dx else None  # dx = dz @ W.T

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation!r})"
