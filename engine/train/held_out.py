"""The split a runner scores the weights on (`HeldOut`, the app's test split) and one scoring of
it (`evaluate`), published as an `Evaluated` event so that no view runs a forward pass over a
split on the UI thread."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data import metrics
from engine.data.dataset_types import Dataset
from engine.nn.network import NetworkCore
from engine.train.events import Evaluated


@dataclass(frozen=True)
class HeldOut:
    """The split the runner scores the weights on: X (n, features), y labels (n,) or targets
    (n, outputs); `n_classes` sizes the confusion matrix (classification only)."""

    X: np.ndarray
    y: np.ndarray
    classification: bool
    n_classes: int = 0

    @classmethod
    def test_split(cls, dataset: Dataset) -> HeldOut:
        """The test split of a `Dataset`."""
        classification = dataset.task == "classification"
        return cls(dataset.X_test, dataset.y_test, classification,
                   dataset.n_outputs if classification else 0)


def evaluate(network: NetworkCore, held_out: HeldOut, epoch: int) -> Evaluated:
    """One forward pass over the held-out split: the scores and the outputs, read-only."""
    probabilities = network.predict_proba(held_out.X)
    probabilities.flags.writeable = False
    n = len(held_out.X)
    if not held_out.classification:
        return Evaluated(epoch, n, None, metrics.r2(probabilities, held_out.y), None,
                         probabilities)
    labels = network.labels_from_outputs(probabilities)
    confusion = metrics.confusion(labels, held_out.y, held_out.n_classes)
    confusion.flags.writeable = False
    return Evaluated(epoch, n, metrics.accuracy(labels, held_out.y), None, confusion,
                     probabilities)
