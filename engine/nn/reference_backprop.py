"""The reference forward and backward passes (see `engine.nn.reference`): Nielsen's
`feedforward` and `backprop`, batch-major, and the loss with its gradients in one call."""

from __future__ import annotations

from collections.abc import Sequence

from engine.nn.reference import Array, Gradients, Layer
from engine.nn.reference_activations import ACTIVATIONS, activate
from engine.nn.reference_losses import output_delta


def forward(x: Array, layers: Sequence[Layer]) -> tuple[list[Array], list[Array]]:
    """Feeds the batch `x` (n, d) through the layers.

    Returns `(zs, activations)` as in Nielsen's `backprop`: `zs[l]` is layer l's weighted input
    z = a_prev @ W + b, shape (n, n_out), and `activations[l]` is the input to layer l, so
    `activations[0]` is `x` and `activations[-1]` is the network's output.
    """
    activation = x
    activations = [x]
    zs = []
    for W, b, name in layers:
        z = activation @ W + b
        zs.append(z)
        activation = activate(name, z)
        activations.append(activation)
    return zs, activations


# -- backpropagation --------------------------------------------------------------------------


def backward(layers: Sequence[Layer], zs: Sequence[Array], activations: Sequence[Array],
             delta: Array) -> Gradients:
    """Backpropagation: `(dW, db)` per layer from the output layer's per-example delta.

    `zs` and `activations` come from `forward`; `delta` is δ^L (n, k) from `output_delta`. Going
    back from the last layer, with n the batch size:

        dW_l = a_{l-1}ᵀ δ_l / n                       (n_in, n_out)
        db_l = Σ_i δ_l,i / n                          (n_out,)
        δ_{l-1} = (δ_l W_lᵀ) * f'_{l-1}(z_{l-1})      (n, n_in)
    """
    n = activations[0].shape[0]
    grads: Gradients = []
    for l in range(len(layers) - 1, -1, -1):  # noqa: E741 (l for layer, as in the textbooks)
        if l < len(layers) - 1:
            W_next = layers[l + 1][0]
            name = layers[l][2]
            if name not in ACTIVATIONS:
                raise ValueError(f"{name} belongs on the output layer only")
            _, f_prime = ACTIVATIONS[name]
            delta = (delta @ W_next.T) * f_prime(zs[l])
        dW = activations[l].T @ delta / n
        db = delta.sum(axis=0) / n
        grads.insert(0, (dW, db))
    return grads


def loss_and_gradients(layers: Sequence[Layer], x: Array, t: Array, loss: str,
                       l2: float = 0.0) -> tuple[float, Gradients]:
    """The batch loss and `(dW, db)` per layer, for inputs x (n, d) and targets t (n, k).

    With `l2 > 0` the objective gains the weight-decay penalty (l2 / 2) Σ_l ||W_l||², whose
    gradient l2 W_l is added to each dW_l (biases are not decayed). The loss returned is the data
    loss alone, without the penalty.
    """
    zs, activations = forward(x, layers)
    value, delta = output_delta(loss, layers[-1][2], zs[-1], t)
    grads = backward(layers, zs, activations, delta)
    if l2:
        grads = [(dW + l2 * W, db) for (dW, db), (W, _, _) in zip(grads, layers)]
    return value, grads


def parameters(layers: Sequence[Layer]) -> list[Array]:
    """The trainable arrays in order, `[W_0, b_0, W_1, b_1, ...]` (the layers' own arrays)."""
    return [array for W, b, _ in layers for array in (W, b)]


def flatten(grads: Gradients) -> list[Array]:
    """`[(dW_0, db_0), ...]` -> `[dW_0, db_0, ...]`, matching `parameters`."""
    return [array for pair in grads for array in pair]
