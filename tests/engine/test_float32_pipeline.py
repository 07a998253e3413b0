"""The float32 data pipeline: a file is loaded, split and scaled in the network's dtype, with no
float64 copy of X, and the numbers equal those of the float64 road rounded once."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from engine.data import split
from engine.data.dataset_types import Dataset
from engine.data.datasets import load_dataset
from engine.data.split import permute_rows
from engine.experiment import Experiment
from engine.nn.spec import TrainConfig

# X float32: 28.8 MB, big enough that a copy of it shows; its training split (about 20 MB)
# is above the trainer's SHUFFLE_COPY_BYTES (16 MB), below which it copies X on purpose.
ROWS, FEATURES = 72_000, 100


def _write_npz(path: Path, dtype: type[np.generic], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(ROWS, FEATURES)) * 30 + 100).astype(dtype)
    np.savez(path, X=X, y=rng.integers(0, 5, size=ROWS))
    return X


@pytest.fixture(scope="module")
def npz32(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("f32") / "big32.npz"
    _write_npz(path, np.float32)
    return path


def _X(ds: Dataset) -> list[np.ndarray]:
    return [ds.X_train, ds.X_val, ds.X_test]


@pytest.mark.parametrize("permutation", [[], [0], [1, 0], [2, 0, 1], [0, 1, 2, 3], "random"])
def test_permute_rows_equals_fancy_indexing(permutation: list[int] | str) -> None:
    rng = np.random.default_rng(3)
    order = rng.permutation(500) if permutation == "random" else np.array(permutation, dtype=int)
    X = rng.normal(size=(len(order), 7)).astype(np.float32)
    expected = X[order]
    permute_rows(X, order)
    assert np.array_equal(X, expected)


def test_a_float32_file_stays_float32_and_equals_the_float64_road_rounded(npz32: Path) -> None:
    f32 = load_dataset(str(npz32), dtype="float32")
    f64 = load_dataset(str(npz32), dtype="float64")
    for a32, a64 in zip(_X(f32), _X(f64)):
        assert a32.dtype == np.float32 and a64.dtype == np.float64
        assert not a32.flags.writeable and a32.flags.c_contiguous
        # Scaled in float64 a chunk at a time, rounded once: the same bits as before.
        assert np.array_equal(a32, a64.astype(np.float32))
    assert all(np.array_equal(a, b) for a, b in zip((f32.y_train, f32.y_val, f32.y_test),
                                                    (f64.y_train, f64.y_val, f64.y_test)))
    assert f32.scaling == f64.scaling
    assert abs(float(f32.X_train.mean())) < 0.01  # standardised on the training split


@pytest.mark.parametrize("suffix", [".csv", ".npz"])
def test_other_sources_go_through_one_float32_copy_with_the_same_numbers(
        tmp_path: Path, suffix: str) -> None:
    """A CSV (parsed as float64) and a float64 .npz: not the in-place road, the same result."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 4)) * 5 + 2
    y = rng.integers(0, 3, size=300)
    path = tmp_path / f"small{suffix}"
    if suffix == ".npz":
        np.savez(path, X=X, y=y)
    else:
        np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.17g")
    f32 = load_dataset(str(path), dtype="float32", val_size=0.2)
    f64 = load_dataset(str(path), dtype="float64", val_size=0.2)
    for a32, a64 in zip(_X(f32), _X(f64)):
        assert a32.dtype == np.float32
        assert np.array_equal(a32, a64.astype(np.float32))


def test_training_on_a_float32_file_allocates_no_float64_copy_of_x(
        npz32: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Load, split, scale and build the trainer under tracemalloc (NumPy reports its buffers):
    the peak stays near one copy of X, where a float64 copy alone would be 2x. The scaler's
    chunks (a fixed ~10 MB, small beside a big file) are made small for this mid-size one."""
    monkeypatch.setattr(split, "FIT_CHUNK_VALUES", 1 << 14)
    data_bytes = ROWS * FEATURES * 4
    Experiment.create("iris", config=TrainConfig(epochs=1))  # imports and first-call caches
    tracemalloc.start()
    try:
        session = Experiment.create(str(npz32), "8:relu,5:softmax",
                                    config=TrainConfig(epochs=1, dtype="float32"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1.3 * data_bytes, f"peak {peak / data_bytes:.2f}x the data"
    trainer = session.trainer
    assert trainer._X.dtype == np.float32 and trainer._X_val.dtype == np.float32
    # The trainer learns from the dataset's own array: no copy in between.
    assert np.shares_memory(trainer._X, session.dataset.X_train)


def test_float64_is_still_there_when_asked_for(npz32: Path) -> None:
    session = Experiment.create(str(npz32), "8:relu,5:softmax",
                                config=TrainConfig(epochs=1, dtype="float64"))
    assert session.dataset.X_train.dtype == np.float64
    assert session.trainer._X.dtype == np.float64
