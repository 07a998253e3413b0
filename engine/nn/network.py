"""`NetworkCore`: the maths of a network, a stack of `Dense` layers and a loss with all
parameters in one flat buffer.

Each layer's `W` and `b` (and `dW`, `db`) are views into `params` (and `grads`), so optimizers and
snapshots work on whole buffers: fewer NumPy calls per step, and a snapshot is one copy.
`engine.network.Network` adds `fit`, `save` and `load` on top (they need training and files, which
sit above the maths).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np

from engine.errors import SpecError
from engine.nn.initializers import INITIALIZERS
from engine.nn.layers import Dense
from engine.nn.losses import Loss, get_loss
from engine.nn.spec import LayerSpec, ModelSpec

CLASS_OUTPUTS = ("softmax", "sigmoid")  # output activations whose outputs are probabilities


class NetworkCore:
    """Dense layers and a loss over one flat float buffer; inputs are batch-major (n, features)."""

    def __init__(
        self,
        layers: Sequence[Dense],
        loss: str = "cross_entropy",
        seed: int = 0,
        dtype: str = "float32",
        rng: np.random.Generator | None = None,
    ) -> None:
        self.layers: list[Dense] = list(layers)
        if not self.layers:
            raise SpecError("the network needs at least one layer")
        for before, after in zip(self.layers, self.layers[1:]):
            if before.n_out != after.n_in:
                raise SpecError(f"layer sizes do not chain: {before!r} then {after!r}")
        self.loss: Loss = get_loss(loss)
        reasons = self.spec.validate()
        if reasons:
            raise SpecError(reasons[0])
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise SpecError(f"dtype must be float32 or float64 (got {dtype})")
        self.seed = seed
        self.rng = rng if rng is not None else np.random.default_rng(seed)
        size = sum(layer.n_params for layer in self.layers)
        self.params = np.zeros(size, dtype=self.dtype)
        self.grads = np.zeros(size, dtype=self.dtype)
        # 1 where a parameter is a weight (L2 applies), 0 where it is a bias.
        self.decay_mask = np.zeros(size, dtype=self.dtype)
        self._bind()
        self.initialize()

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_spec(cls, spec: ModelSpec, n_inputs: int, seed: int = 0,
                  dtype: str = "float32") -> Self:
        reasons = spec.validate(n_inputs)
        if reasons:
            raise SpecError(reasons[0])
        sizes = [n_inputs, *(layer.units for layer in spec.layers)]
        layers = [Dense(a, b, layer.activation)
                  for a, b, layer in zip(sizes, sizes[1:], spec.layers)]
        return cls(layers, loss=spec.loss, seed=seed, dtype=dtype)

    def _bind(self) -> None:
        offset = 0
        for layer in self.layers:
            n_w = layer.n_in * layer.n_out
            shape = (layer.n_in, layer.n_out)
            layer.W = self.params[offset:offset + n_w].reshape(shape)
            layer.dW = self.grads[offset:offset + n_w].reshape(shape)
            self.decay_mask[offset:offset + n_w] = 1
            offset += n_w
            layer.b = self.params[offset:offset + layer.n_out]
            layer.db = self.grads[offset:offset + layer.n_out]
            offset += layer.n_out

    def initialize(self, rng: np.random.Generator | None = None) -> None:
        """(Re-)draws every weight from the initializer that suits its activation; biases 0."""
        rng = rng if rng is not None else self.rng
        for layer in self.layers:
            layer.W[...] = INITIALIZERS[layer.act.init](layer.n_in, layer.n_out, rng)
            layer.b[...] = 0

    # -- description --------------------------------------------------------------------------
    @property
    def spec(self) -> ModelSpec:
        return ModelSpec(tuple(LayerSpec(layer.n_out, layer.activation) for layer in self.layers),
                         self.loss.name)

    @property
    def n_inputs(self) -> int:
        return self.layers[0].n_in

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_out

    @property
    def n_params(self) -> int:
        return int(self.params.size)

    @property
    def is_classifier(self) -> bool:
        return self.layers[-1].activation in CLASS_OUTPUTS

    # -- inference ----------------------------------------------------------------------------
    def _as_input(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise SpecError(f"expected inputs of shape (n, {self.n_inputs}), got {X.shape}")
        return X

    def forward(self, X: np.ndarray, train: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Returns the output layer's pre-activation `z` and activation `a` (new arrays)."""
        a = self._as_input(X) if not train else X
        for layer in self.layers:
            a = layer.forward(a, train)
        last = self.layers[-1]
        return (last.z if train else a), a  # z only matters (and is only kept) when training

    def logits(self, X: np.ndarray) -> np.ndarray:
        a = self._as_input(X)
        for layer in self.layers[:-1]:
            a = layer.forward(a)
        last = self.layers[-1]
        z = a @ last.W
        z += last.b
        return z

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Output activations, shape (n, outputs); a fresh array the caller may keep."""
        a = self._as_input(X)
        for layer in self.layers:
            a = layer.forward(a)
        return a

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels for a classifier (argmax, or > 0.5 for one sigmoid unit); else outputs."""
        return self.labels_from_outputs(self.predict_proba(X))

    def labels_from_outputs(self, out: np.ndarray) -> np.ndarray:
        if not self.is_classifier:
            return out
        if out.shape[1] == 1:
            return (out[:, 0] > 0.5).astype(np.int64)
        return out.argmax(axis=1)

    # -- training -----------------------------------------------------------------------------
    def targets(self, y: np.ndarray) -> np.ndarray:
        """Labels (n,) or floats (n, outputs) -> the float target matrix the loss expects."""
        y = np.asarray(y)
        if y.ndim == 2:
            if y.shape[1] != self.n_outputs:
                raise SpecError(f"targets have {y.shape[1]} columns but the network has "
                                f"{self.n_outputs} outputs")
            return y.astype(self.dtype)
        if y.ndim != 1:
            raise SpecError(f"targets must be labels (n,) or a matrix (n, outputs), got {y.shape}")
        if self.n_outputs == 1:
            return y.astype(self.dtype).reshape(-1, 1)
        labels = y.astype(np.int64)
        if labels.size and (labels.min() < 0 or labels.max() >= self.n_outputs
                            or not np.array_equal(labels, y)):
            raise SpecError(f"labels must be whole numbers 0..{self.n_outputs - 1}")
        return np.eye(self.n_outputs, dtype=self.dtype)[labels]

    def train_step_gradients(self, X: np.ndarray, T: np.ndarray, l2: float = 0.0) -> float:
        """Forward and backward on one batch: fills `self.grads`, returns the mean loss.
        `X` must already have the network's dtype and `T` come from `targets`."""
        layers = self.layers
        last = layers[-1]
        a = X
        for layer in layers[:-1]:
            a = layer.forward(a, train=True)
        from_logits = self.loss.from_logits
        if from_logits is not None:
            z = last.forward(a, train=True, activate=False)
            loss, grad, last.a = from_logits(z, T)
            grad = last.backward_from_z(grad, need_dx=len(layers) > 1)
        else:
            a = last.forward(a, train=True)
            loss, grad = self.loss.value_and_grad(last.z, a, T)
            if self.loss.fused_with:  # the gradient is already dL/dz
                grad = last.backward_from_z(grad, need_dx=len(layers) > 1)
            else:
                grad = last.backward(grad, need_dx=len(layers) > 1)
        for i in range(len(layers) - 2, -1, -1):
            grad = layers[i].backward(grad, need_dx=i > 0)
        if l2:
            # Weight decay: the gradient of 0.5 * l2 * |W|^2; the loss reported stays the data loss.
            self.grads += (l2 * self.params) * self.decay_mask
        return loss

    def loss_and_gradients(self, X: np.ndarray, y: np.ndarray,
                           l2: float = 0.0) -> tuple[float, list[tuple[np.ndarray, np.ndarray]]]:
        """Mean loss over the batch and `(dW, db)` per layer (copies, safe to keep)."""
        loss = self.train_step_gradients(self._as_input(X), self.targets(y), l2)
        return loss, [(layer.dW.copy(), layer.db.copy()) for layer in self.layers]

    def loss_value(self, X: np.ndarray, y: np.ndarray) -> float:
        z = self.logits(X)
        a = self.layers[-1].act.forward(z)
        return self.loss.value(z, a, self.targets(y))

    # -- copies and files ---------------------------------------------------------------------
    def copy(self, read_only: bool = False, params: np.ndarray | None = None) -> Self:
        """An independent network with the same weights (or `params`); read-only copies serve
        as snapshots that another thread can predict with while this one trains."""
        twin = type(self).__new__(type(self))
        twin.layers = [Dense(layer.n_in, layer.n_out, layer.activation) for layer in self.layers]
        twin.loss, twin.dtype, twin.seed = self.loss, self.dtype, self.seed
        twin.rng = np.random.default_rng(self.seed)
        source = self.params if params is None else params
        twin.params = source if (read_only and not source.flags.writeable) else source.copy()
        if read_only:  # before binding, so every layer's view is read-only too
            twin.params.flags.writeable = False
        twin.grads = np.zeros_like(self.params)
        twin.decay_mask = np.zeros_like(self.params)
        twin._bind()
        return twin

    def snapshot(self) -> Self:
        return self.copy(read_only=True)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}([{inner}], loss={self.loss.name!r}, params={self.n_params})"
