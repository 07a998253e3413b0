"""A flat picture of data with more than two features: the plane of its two principal components.

PCA (scikit-learn, `svd_solver="full"`: exact and the same on every run) is fitted once, on the
training split only, like the scaling; after that a projection is plain NumPy,

    P = (X - mean) @ components.T          (n, features) -> (n, 2)

so projecting the validation and test splits, or a single sample, never refits. `lift` goes the
other way, P @ components + mean: the points of the plane as inputs (the slice of input space
through the data's mean that the plane shows), for drawing the network's decision over it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.data.dataset_types import Dataset
from engine.errors import DatasetError
from engine.inside.forward import Array, frozen, seal


@dataclass(frozen=True, eq=False)
class Projection:
    """A fitted 2-D PCA projection; arrays read-only."""

    mean: Array  # (features,) the training split's mean
    components: Array  # (2, features) unit vectors, the first explaining the most variance
    explained_variance_ratio: Array  # (2,) share of the variance each component explains

    @classmethod
    def fit(cls, X_train: npt.ArrayLike) -> Projection:
        """Fits PCA with 2 components on the training rows X_train (n, features)."""
        X = np.asarray(X_train, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] < 2 or X.shape[0] < 2:
            raise DatasetError(f"a 2-D projection needs at least 2 rows and 2 features "
                               f"(got shape {X.shape})")
        from sklearn.decomposition import PCA  # about a second to import: only when used

        pca = PCA(n_components=2, svd_solver="full").fit(X)
        return cls(frozen(pca.mean_, np.float64), frozen(pca.components_, np.float64),
                   frozen(pca.explained_variance_ratio_, np.float64))

    @classmethod
    def of(cls, dataset: Dataset) -> Projection:
        """Fitted on the dataset's training split."""
        return cls.fit(dataset.X_train)

    @property
    def n_features(self) -> int:
        return int(self.mean.shape[0])

    def transform(self, X: npt.ArrayLike) -> Array:
        """X (n, features), or one sample (features,), -> (n, 2) coordinates in the plane."""
        rows = np.asarray(X, dtype=np.float64)
        if rows.ndim == 1:
            rows = rows.reshape(1, -1)
        if rows.ndim != 2 or rows.shape[1] != self.n_features:
            raise DatasetError(f"expected rows of {self.n_features} features, got {rows.shape}")
        return seal((rows - self.mean) @ self.components.T)

    def lift(self, P: npt.ArrayLike) -> Array:
        """Points of the plane P (n, 2) -> inputs (n, features) on the plane through the mean."""
        points = np.asarray(P, dtype=np.float64).reshape(-1, 2)
        return seal(points @ self.components + self.mean)
