"""Scores for the trainer and the CLI: accuracy in plain NumPy (it runs every epoch, where a
scikit-learn call's input checks would cost more than the sum), the rest from scikit-learn.

Scores that do not exist for the input (no rows; R² of one row; a NaN or infinite prediction
from a network that diverged) are NaN rather than a warning or an error, so the log shows "nan"
and training goes on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]


def _same_shape(pred: Array, true: Array) -> tuple[Array, Array]:
    pred, true = np.asarray(pred), np.asarray(true)
    if pred.shape != true.shape:
        raise ValueError(f"predictions have shape {pred.shape} but targets have {true.shape}")
    return pred, true


def accuracy(labels_pred: Array, labels_true: Array) -> float:
    """Fraction of labels that agree; NaN for no labels."""
    pred, true = _same_shape(labels_pred, labels_true)
    if pred.size == 0:
        return float("nan")
    return float(np.count_nonzero(pred == true) / pred.size)


def _columns(pred: Array, true: Array) -> tuple[Array, Array]:
    pred, true = _same_shape(pred, true)
    if pred.ndim == 1:  # one output given as a flat vector
        return pred[:, None], true[:, None]
    return pred, true


def _finite(*arrays: Array) -> bool:
    """scikit-learn raises on NaN/inf input: such a score is NaN instead."""
    return all(bool(np.isfinite(a).all()) for a in arrays)


def r2(pred: Array, true: Array) -> float:
    """Coefficient of determination averaged over output columns; NaN below 2 rows.
    `pred` and `true` are (n,) or (n, outputs)."""
    pred, true = _columns(pred, true)
    if len(pred) < 2 or not _finite(pred, true):
        return float("nan")
    from sklearn.metrics import r2_score  # imported here: scikit-learn takes ~1 s to import

    return float(r2_score(true, pred))


def mae(pred: Array, true: Array) -> float:
    """Mean absolute error over all outputs; NaN for no rows (one row is a fine mean)."""
    pred, true = _columns(pred, true)
    if len(pred) == 0 or not _finite(pred, true):
        return float("nan")
    from sklearn.metrics import mean_absolute_error

    return float(mean_absolute_error(true, pred))


def confusion(labels_pred: Array, labels_true: Array, n_classes: int) -> npt.NDArray[np.int64]:
    """Counts, int64 (k, k): rows are the true class, columns the predicted one."""
    pred, true = _same_shape(labels_pred, labels_true)
    if pred.size == 0:  # scikit-learn refuses empty input; an empty split has all-zero counts
        return np.zeros((n_classes, n_classes), dtype=np.int64)
    from sklearn.metrics import confusion_matrix

    counts: npt.NDArray[np.int64] = np.asarray(
        confusion_matrix(true, pred, labels=range(n_classes)), dtype=np.int64)
    return counts
