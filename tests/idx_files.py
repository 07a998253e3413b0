"""Small IDX files written by the tests themselves (no test downloads anything): `write_idx`
writes any array in MNIST's format, `digit_set` a folder of the four files with images that look
like digits (sklearn's 8x8 digits, enlarged), `blobs` a readable pattern per class."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

TYPE_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B,
              np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file's bytes: the magic number, the sizes (big-endian), the values."""
    code = TYPE_CODES[array.dtype]
    head = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return head + np.ascontiguousarray(array).tobytes()


def write_idx(path: Path, array: np.ndarray) -> Path:
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data, compresslevel=1) if path.suffix == ".gz" else data)
    return path


def enlarged_digits(n: int, side: int = 28, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` of sklearn's 8x8 digits enlarged to side x side uint8 images (nearest pixel, a
    little smoothed), and their labels: pictures a person reads as digits."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    rows = np.random.default_rng(seed).permutation(len(bunch.data))[:n]
    small = bunch.images[rows] / 16.0
    at = (np.arange(side) * 8 // side)
    big = small[:, at][:, :, at]
    smooth = (big + np.roll(big, 1, 1) + np.roll(big, 1, 2) + np.roll(big, (1, 1), (1, 2))) / 4
    return (smooth * 255).round().astype(np.uint8), bunch.target[rows].astype(np.uint8)


def digit_set(folder: Path, n_train: int = 200, n_test: int = 50, gz: bool = True,
              side: int = 28) -> Path:
    """The four MNIST files in `folder`; returns the train images file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    X, y = enlarged_digits(n_train + n_test, side)
    end = ".gz" if gz else ""
    write_idx(folder / f"train-images-idx3-ubyte{end}", X[:n_train])
    write_idx(folder / f"train-labels-idx1-ubyte{end}", y[:n_train])
    write_idx(folder / f"t10k-images-idx3-ubyte{end}", X[n_train:])
    write_idx(folder / f"t10k-labels-idx1-ubyte{end}", y[n_train:])
    return folder / f"train-images-idx3-ubyte{end}"
