"""MNIST's own file format, IDX, as MNIST and Fashion-MNIST ship it: an images file
(`train-images-idx3-ubyte`, optionally `.gz`) with its labels file beside it, and the `t10k` pair
beside those used as the test split. Each file is read and checked by `idx_file`.

Images are kept as they come (uint8) until they are scaled once, x / 255, into float32: the
dataset keeps its image shape (28, 28) and, for Fashion-MNIST, its class names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.data.dataset_types import CLASSIFICATION, Dataset, RawData
from engine.data.idx_file import read_images, read_labels
from engine.data.split import split_and_scale
from engine.errors import DatasetError

Array = npt.NDArray[Any]

SCALE = 255.0  # uint8 pixels -> [0, 1]

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")

# `train-images-idx3-ubyte`, `t10k-images-idx3-ubyte.gz`, Kaggle's `train-images.idx3-ubyte`:
# the images file's name, with the parts that name its labels and its test pair.
IDX_NAME = re.compile(r"^(?P<split>train|t10k)-images(?P<sep>[-.])idx3-ubyte(?P<gz>\.gz)?$",
                      re.IGNORECASE)


def is_idx_path(text: str) -> bool:
    """A path this module reads: an images file as MNIST names it, or a folder holding one."""
    path = Path(text).expanduser()
    return bool(IDX_NAME.match(path.name)) or (path.is_dir() and _images_in(path) is not None)


def _images_in(folder: Path) -> Path | None:
    for name in ("train-images-idx3-ubyte", "train-images-idx3-ubyte.gz",
                 "train-images.idx3-ubyte"):
        if (folder / name).is_file():
            return folder / name
    return None


@dataclass(frozen=True)
class IdxFiles:
    """The four files of a set (the test pair may be missing)."""

    train_images: Path
    train_labels: Path
    test_images: Path | None
    test_labels: Path | None


def companions(images: Path, shown: str) -> IdxFiles:
    """The labels file beside `images`, and the test pair (`t10k-...`) when both are there."""
    match = IDX_NAME.match(images.name)
    if match is None:
        raise DatasetError(f"{shown}: not named like MNIST's images file "
                           f"(train-images-idx3-ubyte[.gz])")

    def named(split: str, kind: str, rank: str) -> Path | None:
        stem = f"{split}-{kind}{match['sep']}idx{rank}-ubyte"
        for name in (stem, f"{stem}.gz"):
            for candidate in (images.with_name(name), images.with_name(name.upper())):
                if candidate.is_file():
                    return candidate
        return None

    split = match["split"].lower()
    labels = named(split, "labels", "1")
    if labels is None:
        want = f"{split}-labels{match['sep']}idx1-ubyte[.gz]"
        raise DatasetError(f"{shown}: its labels file {want} is not beside it")
    test_images = named("t10k", "images", "3") if split == "train" else None
    test_labels = named("t10k", "labels", "1") if split == "train" else None
    if test_images is None or test_labels is None:
        test_images = test_labels = None
    return IdxFiles(images, labels, test_images, test_labels)


def _class_names(labels: Array, fashion: bool, shown: str) -> tuple[str, ...]:
    top = int(labels.max())
    if int(labels.min()) < 0:
        raise DatasetError(f"{shown}: negative label {int(labels.min())}")
    if top > 255:
        raise DatasetError(f"{shown}: label {top} (at most 256 classes)")
    if fashion and top < len(FASHION_CLASSES):
        return FASHION_CLASSES
    return tuple(str(c) for c in range(max(top + 1, 2)))


def read_idx(images: Path, shown: str, *, fashion: bool | None = None) -> RawData:
    """The images (and their test pair, appended last as `test_rows`) as float32 in [0, 1]."""
    files = companions(images, shown)
    X = read_images(files.train_images, shown)
    y = read_labels(files.train_labels, str(files.train_labels), len(X), shown)
    test_rows = 0
    if files.test_images is not None and files.test_labels is not None:
        X_test = read_images(files.test_images, str(files.test_images))
        if X_test.shape[1:] != X.shape[1:]:
            raise DatasetError(f"{files.test_images}: {X_test.shape[1]}x{X_test.shape[2]} "
                               f"images; {shown} has {X.shape[1]}x{X.shape[2]}")
        y_test = read_labels(files.test_labels, str(files.test_labels), len(X_test),
                             str(files.test_images))
        X, y, test_rows = np.concatenate([X, X_test]), np.concatenate([y, y_test]), len(X_test)
    n, h, w = X.shape
    if fashion is None:
        fashion = "fashion" in str(images.resolve()).lower()
    class_names = _class_names(y, fashion, shown)
    pixels = _scaled(X.reshape(n, h * w))
    return RawData(X=pixels, y=y.astype(np.int64), task=CLASSIFICATION,
                   feature_names=tuple(f"px{r}_{c}" for r in range(h) for c in range(w)),
                   class_names=class_names, image_shape=(h, w),
                   prescaled={"kind": "divide", "by": SCALE} if X.dtype == np.uint8 else None,
                   test_rows=test_rows, owned=True)


def _scaled(values: Array) -> Array:
    """uint8 pixels as float32 x / 255, scaled once; other types as float32, left to the
    standardisation fitted on the training split."""
    out = values.astype(np.float32)
    if values.dtype == np.uint8:
        out *= np.float32(1.0 / SCALE)
    return out


def load_idx(text: str, seed: int, val_size: float, test_size: float, *,
             name: str | None = None, fashion: bool | None = None) -> Dataset:
    """The IDX set at `text` (an images file, or a folder holding `train-images-idx3-ubyte`),
    split and scaled; with its test pair beside it, that pair is the test split and
    `test_size` is not used."""
    path = Path(text).expanduser()
    if path.is_dir():
        found = _images_in(path)
        if found is None:
            raise DatasetError(f"{text}: no train-images-idx3-ubyte[.gz] in this folder")
        path = found
    elif not path.is_file():
        raise DatasetError(f"{text}: no such file")
    raw = read_idx(path, text, fashion=fashion)
    label = name or ("fashion_mnist" if raw.class_names == FASHION_CLASSES else
                     path.resolve().parent.name or "idx")
    return split_and_scale(label, raw, text, seed=seed, val_size=val_size, test_size=test_size)
