"""The reference path: the engine's maths written the way the textbooks write it.

Why these files exist
---------------------
The fast path (`Network`, `Dense`, the losses and the optimizers elsewhere in the engine) is
tuned for speed: every parameter lives in one flat buffer, work arrays are reused between steps,
softmax is fused with its cross-entropy, and Adam folds its bias corrections into one scalar.
All of that is correct, and all of it hides the formulas. This module and the `reference_*`
modules beside it are the same maths said plainly, for two readers:

* a learner, who should recognise every line from Michael Nielsen's *Neural Networks and Deep
  Learning* (`network.py`) or Stanford's cs231n notes;
* the tests (`tests/engine/test_reference.py`), which use it as an oracle: hypothesis draws random
  small networks and checks that the fast path gives these numbers, to float64 round-off.

Nothing trains with these files. They import NumPy, the standard library and each other only,
never the rest of the engine, so a mistake in the fast path cannot be copied into its own check.

Conventions
-----------
* Batch-major: a batch of `n` examples with `d` features is an array `x` of shape `(n, d)`, one
  row per example.
* A layer is a tuple `(W, b, activation)`: `W` of shape `(n_in, n_out)`, `b` of shape `(n_out,)`
  and the activation's name. The layer computes `z = a_prev @ W + b` and `a = f(z)`.
* The loss of a batch is the mean over its examples of a per-example loss `ℓ_i`, so its gradient
  is the mean of the per-example gradients. The deltas below are per-example (`δ = p - y` for
  softmax with cross-entropy, not divided by `n`), and the `1/n` of the mean appears once, in
  `dW = a_prev.T @ δ / n` and `db = δ.sum(axis=0) / n`.

Where each part is
------------------
* `reference_activations`: sigmoid, tanh, relu, leaky_relu, linear and softmax, each with its
  derivative (softmax's Jacobian-vector product in `softmax_backward`);
* `reference_losses`: mse, softmax cross-entropy from the logits (its gradient `p - t`), binary
  cross-entropy, and `output_delta`, the output layer's delta for each loss;
* `reference_backprop`: the forward pass and the backward pass (`forward`, `backward`,
  `loss_and_gradients`);
* `reference_optimizers`: SGD, momentum, Nesterov, RMSProp and Adam, each formula spelled out;
* `reference_schedules`: constant, step and cosine learning rates;
* `reference_training`: a full-batch training loop that puts them together.

This module holds what they share: the shapes of an array, a layer and its gradients.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Layer = tuple[Array, Array, str]  # (W (n_in, n_out), b (n_out,), activation name)
Gradients = list[tuple[Array, Array]]  # (dW, db) per layer, shaped like (W, b)
