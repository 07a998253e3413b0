"""The 2-D PCA view: fitted on the training split only, equal to scikit-learn's own transform,
the same on every fit, read-only."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from engine.errors import DatasetError
from engine.inside.projection import Projection


def test_projection_equals_sklearns_pca_fitted_on_the_training_split(digits):
    projection = Projection.of(digits)
    reference = PCA(n_components=2, svd_solver="full").fit(digits.X_train)
    for X in (digits.X_train, digits.X_test):
        P = projection.transform(X)
        assert P.shape == (len(X), 2) and not P.flags.writeable
        np.testing.assert_allclose(P, reference.transform(X), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(projection.mean, digits.X_train.mean(axis=0))  # not the test's
    assert projection.explained_variance_ratio[0] >= projection.explained_variance_ratio[1] > 0


def test_the_same_data_gives_the_same_picture(digits):
    first, second = Projection.of(digits), Projection.of(digits)
    np.testing.assert_array_equal(first.transform(digits.X_val), second.transform(digits.X_val))


def test_one_sample_and_lifting_back():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4)) * [3.0, 1.0, 0.1, 0.1]
    projection = Projection.fit(X)
    assert projection.transform(X[0]).shape == (1, 2)
    P = projection.transform(X)
    # Lifting the picture back lands on the plane; projecting again gives the same picture.
    np.testing.assert_allclose(projection.transform(projection.lift(P)), P, atol=1e-12)
    for array in (projection.mean, projection.components, projection.lift(P)):
        assert not array.flags.writeable


def test_data_that_cannot_be_projected_is_refused():
    with pytest.raises(DatasetError):
        Projection.fit(np.ones((10, 1)))
    with pytest.raises(DatasetError, match="3 features"):
        Projection.fit(np.random.default_rng(0).normal(size=(5, 3))).transform(np.ones((2, 4)))
