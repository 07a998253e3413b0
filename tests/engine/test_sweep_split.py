"""The NumPy split a sweep's runs use (`data.shuffle_split`) against scikit-learn's
`train_test_split`, its oracle: the same rows in the same order, and ValueError in the same
cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from engine.data.shuffle_split import train_test_rows


def _both(idx: np.ndarray, fraction: float, seed: int, y: np.ndarray | None) -> list[Any]:
    """Each side's (kept, taken), or the type of what it raised."""
    out: list[Any] = []
    for split in (lambda: train_test_split(idx, test_size=fraction, random_state=seed,
                                           stratify=y),
                  lambda: train_test_rows(idx, fraction, seed, y)):
        try:
            out.append([np.asarray(part).tolist() for part in split()])
        except ValueError:
            out.append(ValueError)
    return out


def test_the_numpy_split_is_scikit_learns() -> None:
    gen = np.random.default_rng(0)
    cases = 0
    for n in (2, 3, 4, 5, 7, 10, 30, 150, 178, 569, 1797):
        for n_classes in (1, 2, 3, 10):
            weights = gen.dirichlet(np.ones(n_classes))
            y = gen.choice(n_classes, size=n, p=weights)
            idx = np.arange(n) if n % 2 else np.arange(100, 100 + 2 * n, 2)  # positions, or not
            for fraction in (0.1, 0.15, 0.15 / 0.85, 0.2, 0.5, 0.9):
                for seed in (0, 1, 7, 12345):
                    for stratify in (y, None):
                        expected, got = _both(idx, fraction, seed, stratify)
                        assert got == expected, (n, n_classes, fraction, seed)
                        cases += expected is not ValueError
    assert cases > 1000  # most cases split (the rest raise on both sides)


@pytest.mark.parametrize("counts", [(1, 5), (2, 2, 2, 1), (3, 3), (50, 50, 50), (5, 1000)])
def test_small_classes_raise_or_split_the_same(counts: tuple[int, ...]) -> None:
    y = np.repeat(np.arange(len(counts)), counts)
    idx = np.arange(len(y))
    for fraction in (0.15, 0.3):
        for seed in range(5):
            expected, got = _both(idx, fraction, seed, y)
            assert got == expected
