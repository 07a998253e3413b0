"""digits, read from scikit-learn's own data file without importing scikit-learn (the app builds
its first experiment before Textual starts, and that import held the first frame back)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


def test_digits_are_scikit_learns_own_read_without_importing_it() -> None:
    """The built-in reads load_digits' file itself (importing scikit-learn held the app's first
    frame back a second): the same pixels (scaled by 1/16 as before) and labels, in order."""
    from sklearn.datasets import load_digits

    from engine.data.builtins import fixed_raw

    bunch = load_digits()
    raw = fixed_raw("digits")
    assert raw is not None
    np.testing.assert_array_equal(raw.X, bunch.data / 16.0)
    np.testing.assert_array_equal(raw.y, bunch.target)
    assert (raw.X.dtype, raw.y.dtype) == (bunch.data.dtype, bunch.target.dtype)


def test_digits_come_from_scikit_learns_loader_where_its_file_is_elsewhere(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A scikit-learn that moves its data file still gives the same rows, through its loader."""
    from engine.data import builtins

    read = builtins.digits_rows()
    monkeypatch.setattr(builtins, "digits_file", lambda: tmp_path / "moved.csv.gz")
    np.testing.assert_array_equal(builtins.digits_rows(), read)
