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
    """Dense layers and a loss over one flat float buffer. Inputs are batch-major
    (n, n_inputs), outputs (n, n_outputs). `params` and `grads` are flat (n_params,) buffers;
    `layers[i].W, .b, .dW, .db` are views into them, and `decay_mask` (n_params,) is 1 over
    the weights and 0 over the biases (L2 applies to weights only)."""

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
        self._bind()
        # 1 where a parameter is a weight (L2 applies), 0 where it is a bias. Only layer shapes
        # decide it and nothing writes it after this, so copies share it (see `copy`).
        self.decay_mask = np.concatenate([
            part for layer in self.layers for part in (
                np.ones(layer.n_in * layer.n_out, self.dtype), np.zeros(layer.n_out, self.dtype))])
        self.initialize()

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_spec(cls, spec: ModelSpec, n_inputs: int, seed: int = 0,
                  dtype: str = "float32") -> Self:
        """A network for inputs (n, n_inputs) with the spec's layers and loss, freshly
        initialised from `seed`; SpecError with the first reason it cannot work."""
        reasons = spec.validate(n_inputs)
        if reasons:
            raise SpecError(reasons[0])
        sizes = [n_inputs, *(layer.units for layer in spec.layers)]
        layers = [Dense(a, b, layer.activation)
                  for a, b, layer in zip(sizes, sizes[1:], spec.layers)]
        return cls(layers, loss=spec.loss, seed=seed, dtype=dtype)

    def _bind(self) -> None:
        """Points every layer's W (in, out), b (out,), dW, db at its slice of the flat buffers."""
        offset = 0
        for layer in self.layers:
            n_w = layer.n_in * layer.n_out
            shape = (layer.n_in, layer.n_out)
            layer.W = self.params[offset:offset + n_w].reshape(shape)
            layer.dW = self.grads[offset:offset + n_w].reshape(shape)
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
        """The frozen description of these layers and this loss (no weights)."""
        return ModelSpec(tuple(LayerSpec(layer.n_out, layer.activation) for layer in self.layers),
                         self.loss.name)

    @property
    def n_inputs(self) -> int:
        """Features per input row: X is (n, n_inputs)."""
        return self.layers[0].n_in

    @property
    def n_outputs(self) -> int:
        """Units of the output layer: outputs are (n, n_outputs)."""
        return self.layers[-1].n_out

    @property
    def n_params(self) -> int:
        """Weights and biases together: the length of `params` and `grads`."""
        return int(self.params.size)

    @property
    def is_classifier(self) -> bool:
        """Whether the outputs are class probabilities (a softmax or sigmoid output layer)."""
        return self.layers[-1].activation in CLASS_OUTPUTS

    # -- the one forward and the one backward -------------------------------------------------
    def _forward(self, X: np.ndarray, train: bool, stop_at_logits: bool = False) -> np.ndarray:
        """X (n, n_inputs) through every layer: the outputs (n, n_outputs), or the last layer's
        pre-activation z when `stop_at_logits`. Training keeps each layer's x, z, a in reused
        buffers for `_backward`; inference returns new arrays."""
        a = X
        for layer in self.layers[:-1]:
            a = layer.forward(a, train)
        return self.layers[-1].forward(a, train, activate=not stop_at_logits)

    def _backward(self, grad: np.ndarray, grad_is_dz: bool) -> None:
        """From dL/da of the outputs (n, n_outputs) (dL/dz when `grad_is_dz`) down through every
        layer of the last training pass, filling `grads`; the inputs get no gradient."""
        layers = self.layers
        for i in range(len(layers) - 1, -1, -1):
            dx = layers[i].backward(grad, i > 0, grad_is_dz)  # need_dx: not for the inputs
            if dx is None:
                return
            grad, grad_is_dz = dx, False

    # -- inference ----------------------------------------------------------------------------
    def _as_input(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise SpecError(f"expected inputs of shape (n, {self.n_inputs}), got {X.shape}")
        return X

    def forward(self, X: np.ndarray, train: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """X (n, n_inputs) -> the output layer's pre-activation z and activation a, both
        (n, n_outputs): new arrays, or with `train` (X already of the network's dtype) the
        layers' reused buffers, kept for the backward pass."""
        if not train:
            z = self._forward(self._as_input(X), train=False, stop_at_logits=True)
            return z, self.layers[-1].act.forward(z)
        z = self._forward(X, train=True, stop_at_logits=True)
        return z, self.layers[-1].activate(z)

    def logits(self, X: np.ndarray) -> np.ndarray:
        """The output layer's pre-activation z (n, n_outputs) for X (n, n_inputs); a new array."""
        return self._forward(self._as_input(X), train=False, stop_at_logits=True)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Output activations (n, n_outputs) for X (n, n_inputs); a new array the caller may
        keep (probabilities for a softmax or sigmoid output)."""
        return self._forward(self._as_input(X), train=False)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (n,) for a classifier (argmax, or > 0.5 for one sigmoid unit); else the
        outputs (n, n_outputs)."""
        return self.labels_from_outputs(self.predict_proba(X))

    def labels_from_outputs(self, out: np.ndarray) -> np.ndarray:
        """Outputs (n, n_outputs) -> class labels (n,) for a classifier; others pass through."""
        if not self.is_classifier:
            return out
        if out.shape[1] == 1:
            return (out[:, 0] > 0.5).astype(np.int64)
        labels: np.ndarray = out.argmax(axis=1)
        return labels

    # -- training -----------------------------------------------------------------------------
    def targets(self, y: np.ndarray) -> np.ndarray:
        """Labels (n,) or floats (n, n_outputs) -> the float target matrix (n, n_outputs) the
        loss expects (one-hot rows for labels)."""
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
        """Forward and backward on one batch X (n, n_inputs), T (n, n_outputs): fills `grads`
        (and leaves the outputs in `layers[-1].a`), returns the mean loss. `X` must already
        have the network's dtype and `T` come from `targets`."""
        z = self._forward(X, train=True, stop_at_logits=True)
        last, loss = self.layers[-1], self.loss
        if loss.from_logits is not None:  # activation, loss and dL/dz in one pass
            value, grad, last.a = loss.from_logits(z, T)
            grad_is_dz = True
        else:
            value, grad = loss.value_and_grad(z, last.activate(z), T)
            grad_is_dz = loss.fused_with is not None
        self._backward(grad, grad_is_dz)
        if l2:
            # Weight decay: the gradient of 0.5 * l2 * |W|^2; the loss reported stays the data loss.
            self.grads += (l2 * self.params) * self.decay_mask
        return value

    def loss_and_gradients(self, X: np.ndarray, y: np.ndarray,
                           l2: float = 0.0) -> tuple[float, list[tuple[np.ndarray, np.ndarray]]]:
        """Mean loss over the batch X (n, n_inputs), y (labels (n,) or (n, n_outputs)) and
        `(dW (in, out), db (out,))` per layer (copies, safe to keep)."""
        loss = self.train_step_gradients(self._as_input(X), self.targets(y), l2)
        return loss, [(layer.dW.copy(), layer.db.copy()) for layer in self.layers]

    def loss_value(self, X: np.ndarray, y: np.ndarray) -> float:
        """The mean loss over X (n, n_inputs), y (labels (n,) or (n, n_outputs)); no gradients."""
        z, a = self.forward(X)
        return self.loss.value(z, a, self.targets(y))

    # -- copies ---------------------------------------------------------------------------------
    def copy(self, read_only: bool = False, params: np.ndarray | None = None) -> Self:
        """An independent network with the same weights (or `params`, (n_params,)); read-only
        copies serve as snapshots that another thread can predict with while this one trains."""
        twin = type(self).__new__(type(self))
        twin.layers = [Dense(layer.n_in, layer.n_out, layer.activation) for layer in self.layers]
        twin.loss, twin.dtype, twin.seed = self.loss, self.dtype, self.seed
        twin.rng = np.random.default_rng(self.seed)
        source = self.params if params is None else params
        twin.params = source if (read_only and not source.flags.writeable) else source.copy()
        if read_only:  # before binding, so every layer's view is read-only too
            twin.params.flags.writeable = False
        # np.zeros (pages the system zeroes as they are first written), not zeros_like (which
        # writes every one): a snapshot never trains, so its gradients are never touched
        twin.grads = np.zeros(self.params.shape, self.params.dtype)
        twin.decay_mask = self.decay_mask  # the same shapes; never written after __init__
        twin._bind()
        return twin

    def snapshot(self) -> Self:
        """A read-only copy of the current weights (see `copy`)."""
        return self.copy(read_only=True)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}([{inner}], loss={self.loss.name!r}, params={self.n_params})"
