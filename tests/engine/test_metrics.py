"""Metrics agree with scikit-learn's definitions and give NaN, not warnings, where undefined."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data.metrics import accuracy, confusion, mae, r2

labels = st.lists(st.integers(0, 4), min_size=1, max_size=30)


def test_accuracy_counts_agreements() -> None:
    assert accuracy(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2])) == 0.75
    assert accuracy(np.array([3, 3]), np.array([3, 3])) == 1.0
    assert type(accuracy(np.array([1]), np.array([0]))) is float


@given(labels, st.randoms())
@settings(max_examples=50, deadline=None)
def test_accuracy_matches_sklearn(true: list[int], random) -> None:
    from sklearn.metrics import accuracy_score

    pred = [random.choice([t, (t + 1) % 5]) for t in true]
    assert accuracy(np.array(pred), np.array(true)) == pytest.approx(accuracy_score(true, pred))


def test_accuracy_of_nothing_is_nan_and_shapes_must_match() -> None:
    assert math.isnan(accuracy(np.array([], dtype=int), np.array([], dtype=int)))
    with pytest.raises(ValueError, match="shape"):
        accuracy(np.array([1, 2]), np.array([1, 2, 3]))


def test_r2_and_mae_on_known_values() -> None:
    true = np.array([[1.0], [2.0], [3.0], [4.0]])
    assert r2(true, true) == 1.0
    assert r2(np.full_like(true, 2.5), true) == 0.0  # predicting the mean scores zero
    assert mae(true + 0.5, true) == 0.5
    two = np.column_stack([true[:, 0], -true[:, 0]])
    assert mae(two + np.array([1.0, 3.0]), two) == 2.0  # averaged over both outputs
    assert r2(two, two) == 1.0
    assert type(r2(true, true)) is float and type(mae(true, true)) is float


def test_r2_below_two_rows_and_mae_of_nothing_are_nan_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(r2(np.array([[1.0]]), np.array([[2.0]])))
        assert math.isnan(r2(np.empty((0, 1)), np.empty((0, 1))))
        assert math.isnan(mae(np.empty((0, 2)), np.empty((0, 2))))
        assert mae(np.array([[1.0]]), np.array([[3.0]])) == 2.0
    with pytest.raises(ValueError, match="shape"):
        r2(np.zeros((3, 1)), np.zeros((3, 2)))


def test_confusion_rows_are_true_columns_predicted() -> None:
    pred = np.array([0, 1, 1, 2, 0])
    true = np.array([0, 1, 2, 2, 1])
    matrix = confusion(pred, true, 4)
    expected = np.zeros((4, 4), dtype=np.int64)
    for t, p in zip(true, pred, strict=True):
        expected[t, p] += 1
    np.testing.assert_array_equal(matrix, expected)
    assert matrix.dtype == np.int64 and matrix.shape == (4, 4)  # class 3 never seen, still a row
    assert matrix[2, 1] == 1 and matrix[1, 2] == 0


def test_confusion_of_an_empty_split_is_all_zeros() -> None:
    matrix = confusion(np.array([], dtype=int), np.array([], dtype=int), 3)
    np.testing.assert_array_equal(matrix, np.zeros((3, 3)))
    assert matrix.dtype == np.int64
