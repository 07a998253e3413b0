"""MNIST's IDX files (issue 13): read raw or gzipped with the test pair as the test split, the
image shape and class names kept; damaged, truncated or mismatched files refused with one line
naming the file before the array is allocated. NPZ images (n, h, w) keep their shape too."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from engine.data import idx
from engine.data.datasets import load_dataset
from engine.errors import DatasetError
from tests.idx_files import digit_set, enlarged_digits, idx_bytes, write_idx


@pytest.mark.parametrize("gz", [False, True])
def test_round_trip(tmp_path: Path, gz: bool) -> None:
    images = digit_set(tmp_path / "mnist", n_train=200, n_test=50, gz=gz)
    X, y = enlarged_digits(250)
    ds = load_dataset(str(images), val_size=0.1)
    assert ds.image_shape == (28, 28) and ds.n_features == 784
    assert ds.class_names == tuple(str(d) for d in range(10))
    assert (len(ds.X_train), len(ds.X_val), len(ds.X_test)) == (180, 20, 50)
    # the t10k pair is the test split, in its order, scaled once by 255
    np.testing.assert_allclose(ds.X_test, X[200:].reshape(50, 784) / 255.0, atol=1e-6)
    np.testing.assert_array_equal(ds.y_test, y[200:])
    assert ds.scaling == {"kind": "divide", "by": 255.0}
    assert ds.name == "mnist"


def test_a_folder_and_fashion_names(tmp_path: Path) -> None:
    digit_set(tmp_path / "Fashion-MNIST", gz=True)
    ds = load_dataset(str(tmp_path / "Fashion-MNIST"))
    assert ds.class_names[0] == "T-shirt/top" and ds.class_names[9] == "Ankle boot"
    assert ds.name == "fashion_mnist"


def test_without_the_test_pair_the_train_file_is_split(tmp_path: Path) -> None:
    images = digit_set(tmp_path, gz=False)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    ds = load_dataset(str(images), val_size=0.15, test_size=0.15)
    assert len(ds.X_train) + len(ds.X_val) + len(ds.X_test) == 200
    assert len(ds.X_test) == 30


def _broken(tmp_path: Path, images: bytes | None = None, labels: bytes | None = None,
            name: str = "train-images-idx3-ubyte") -> str:
    X, y = enlarged_digits(20)
    path = tmp_path / name
    data = idx_bytes(X) if images is None else images
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    labels_name = name.replace("images-idx3", "labels-idx1")
    (tmp_path / labels_name).write_bytes(idx_bytes(y) if labels is None else labels)
    return str(path)


X20, Y20 = enlarged_digits(20)


@pytest.mark.parametrize(("images", "labels", "name", "message"), [
    (idx_bytes(X20)[:-100], None, "train-images-idx3-ubyte",
     r"train-images-idx3-ubyte: truncated: its header's shape \(20, 28, 28\) needs 15,680 "
     r"bytes of data, the file holds 15,580"),
    (idx_bytes(X20)[:-100], None, "train-images-idx3-ubyte.gz",
     r"train-images-idx3-ubyte.gz: truncated or damaged: its gzip trailer records 15,580 "
     r"bytes of data, its header's shape \(20, 28, 28\) needs 15,680"),
    (idx_bytes(X20) + b"\0" * 7, None, "train-images-idx3-ubyte",
     r"7 bytes more than its header's shape"),
    (idx_bytes(X20) + b"\0", None, "train-images-idx3-ubyte.gz", r"gzip trailer records "
     r"15,681 bytes"),
    (b"\x1f\x8b\x08\x00" + idx_bytes(X20)[4:], None, "train-images-idx3-ubyte",
     r"train-images-idx3-ubyte: not an IDX file \(wrong magic number 0x1F8B0800\)"),
    (b"PK\x03\x04", None, "train-images-idx3-ubyte", r"wrong magic number"),
    (b"\0\0", None, "train-images-idx3-ubyte", r"not an IDX file \(only 2 bytes\)"),
    (bytes([0, 0, 8, 3]) + struct.pack(">I", 20), None, "train-images-idx3-ubyte",
     r"truncated IDX header \(3 sizes announced, 1 present\)"),
    (bytes([0, 0, 8, 3]) + struct.pack(">3I", 2**31, 2**16, 2**16), None,
     "train-images-idx3-ubyte", r"header claims shape \(2147483648, 65536, 65536\).*limit"),
    (idx_bytes(X20[:, :, 0]), None, "train-images-idx3-ubyte",
     r"images must be 3-D \(n, height, width\), got shape \(20, 28\)"),
    (None, idx_bytes(Y20[:19]), "train-images-idx3-ubyte",
     r"train-labels-idx1-ubyte: 19 labels for the 20 images of .*train-images-idx3-ubyte"),
    (None, idx_bytes(Y20.reshape(4, 5)), "train-images-idx3-ubyte",
     r"train-labels-idx1-ubyte: labels must be 1-D"),
    (None, b"not gzip at all", "train-images-idx3-ubyte.gz", r"train-labels-idx1-ubyte.gz: "
     r"cannot read"),
], ids=["truncated", "truncated-gz", "extra-bytes", "extra-bytes-gz", "gzip-magic", "zip-magic",
        "two-bytes", "short-header", "huge-header", "2-d-images", "label-count", "2-d-labels",
        "labels-not-gzip"])
def test_damaged_files_give_one_line(tmp_path: Path, images, labels, name, message) -> None:
    path = _broken(tmp_path, images, labels, name)
    with pytest.raises(DatasetError, match=message) as caught:
        load_dataset(path)
    assert "\n" not in str(caught.value)


def test_the_size_is_checked_before_the_array_is_allocated(tmp_path: Path, monkeypatch) -> None:
    """A header that claims more than the file holds is refused before np.empty runs."""
    path = _broken(tmp_path, idx_bytes(X20)[:-1])
    allocated: list[tuple[int, ...]] = []
    real_empty = np.empty
    monkeypatch.setattr(idx.np, "empty", lambda shape, *a, **k: (
        allocated.append(shape), real_empty(shape, *a, **k))[1])
    with pytest.raises(DatasetError, match="truncated"):
        load_dataset(path)
    assert allocated == []


def test_a_gzipped_file_is_checked_against_its_trailer_before_allocation(tmp_path: Path,
                                                                          monkeypatch) -> None:
    path = _broken(tmp_path, idx_bytes(X20)[:-100], name="train-images-idx3-ubyte.gz")
    allocated: list[tuple[int, ...]] = []
    real_empty = np.empty
    monkeypatch.setattr(idx.np, "empty", lambda shape, *a, **k: (
        allocated.append(shape), real_empty(shape, *a, **k))[1])
    with pytest.raises(DatasetError, match="its gzip trailer records 15,580"):
        load_dataset(path)
    assert allocated == []


def test_a_cut_gzip_stream_is_truncated(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte.gz"
    _broken(tmp_path, name=path.name)
    path.write_bytes(path.read_bytes()[:-300])
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.gz: truncated"):
        load_dataset(str(path))


def test_missing_labels_file(tmp_path: Path) -> None:
    write_idx(tmp_path / "train-images-idx3-ubyte", X20)
    with pytest.raises(DatasetError, match=r"its labels file train-labels-idx1-ubyte\[\.gz\] "
                                           r"is not beside it"):
        load_dataset(str(tmp_path / "train-images-idx3-ubyte"))


def test_test_pair_of_another_size(tmp_path: Path) -> None:
    digit_set(tmp_path, gz=False)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", enlarged_digits(50, side=20)[0])
    with pytest.raises(DatasetError, match=r"t10k-images-idx3-ubyte: 20x20 images; .* has 28x28"):
        load_dataset(str(tmp_path))


def test_npz_images_keep_their_shape(tmp_path: Path) -> None:
    X, y = enlarged_digits(100, side=12)
    np.savez(tmp_path / "small.npz", X=X, y=y.astype(np.int64))
    ds = load_dataset(str(tmp_path / "small.npz"))
    assert ds.image_shape == (12, 12) and ds.n_features == 144
    assert ds.scaling == {"kind": "divide", "by": 255.0}
    assert ds.X_train.min() >= 0.0 and ds.X_train.max() <= 1.0
    np.savez(tmp_path / "flat.npz", X=X.reshape(100, -1), y=y.astype(np.int64))
    assert load_dataset(str(tmp_path / "flat.npz")).image_shape is None
