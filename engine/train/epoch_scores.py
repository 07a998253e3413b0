"""`epoch_scores`: the figures an epoch ends with besides its training loss (the validation loss,
accuracy for classification, R² and the MAE in the target's units for regression), measured on
the network as the epoch left it.
"""

from __future__ import annotations

from typing import Any, SupportsFloat

import numpy.typing as npt

from engine.data import metrics
from engine.nn.network import NetworkCore
from engine.train.train_data import TrainData

Array = npt.NDArray[Any]


def epoch_scores(net: NetworkCore, data: TrainData, train_acc: float, X: Array, T: Array,
                 X_val: Array, T_val: Array) -> tuple[float | None, dict[str, float | None]]:
    """(validation loss or None, the `EpochEnd` figures by name) for an epoch trained on X (n,
    features), T (n, outputs), scored on X_val, T_val; plain floats (events hold no NumPy
    scalars)."""
    figures: dict[str, float | None] = {}
    val_loss = None
    has_val = len(X_val) > 0
    if has_val:
        z = net.logits(X_val)
        a = net.layers[-1].act.forward(z)
        val_loss = net.loss.value(z, a, T_val)
    if data.classification:
        figures["train_acc"] = train_acc
        if has_val:
            figures["val_acc"] = metrics.accuracy(net.labels_from_outputs(a),
                                                  net.labels_from_outputs(T_val))
    else:
        figures["train_r2"] = metrics.r2(net.predict_proba(X), T)
        if has_val:
            figures["val_r2"] = metrics.r2(a, T_val)
            figures["val_mae"] = metrics.mae(a * data.target_scale, T_val * data.target_scale)
    return _float(val_loss), {k: _float(v) for k, v in figures.items()}


def _float(value: SupportsFloat | None) -> float | None:
    """A plain float (events hold no NumPy scalars), or None."""
    return None if value is None else float(value)
