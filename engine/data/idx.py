"""MNIST's own file format, IDX, as MNIST and Fashion-MNIST ship it: an images file
(`train-images-idx3-ubyte`, optionally `.gz`) with its labels file beside it, and the `t10k` pair
beside those used as the test split.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions),
one big-endian 32-bit size per dimension, then the values, row-major. The header is read and
checked first (magic, type, dimensions, the bytes the sizes need against `MAX_IDX_BYTES` and
against what the file holds) before the array is allocated; a gzipped file is decompressed
straight into that array, a chunk at a time (its size checked first against the one its gzip
trailer records), and refused if it ends early or runs on. Every
problem is one `DatasetError` line naming the file.

Images are kept as they come (uint8) until they are scaled once, x / 255, into float32: the
dataset keeps its image shape (28, 28) and, for Fashion-MNIST, its class names.
"""

from __future__ import annotations

import gzip
import io
import math
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.data.split import CLASSIFICATION, Dataset, RawData, split_and_scale
from engine.errors import DatasetError

Array = npt.NDArray[Any]

# The type codes of the format, big-endian as stored. Only unsigned bytes are images a person
# draws and MNIST's labels; the others are read too, and must hold whole numbers for labels.
IDX_TYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
# Values in one file: MNIST's 70,000 images are 55 million. The cap is the NPZ reader's (2 GiB
# counted as float64, what the values become), so a header that claims 2^32 x 2^32 images is
# refused before anything is allocated.
MAX_IDX_VALUES = (2 * 1024**3) // 8
MAX_IMAGE_SIDE = 4096
READ_BYTES = 1 << 20  # a gzipped file is decompressed this much at a time into its array
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
class IdxHeader:
    dtype: np.dtype[Any]
    shape: tuple[int, ...]
    offset: int  # where the values start

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def _open(path: Path) -> io.BufferedIOBase:
    if path.suffix.lower() == ".gz":
        return gzip.GzipFile(path, "rb")
    return path.open("rb")


def _exactly(stream: io.BufferedIOBase, count: int) -> bytes:
    data = stream.read(count)
    while len(data) < count:
        more = stream.read(count - len(data))
        if not more:
            break
        data += more
    return data


def read_header(stream: io.BufferedIOBase, shown: str) -> IdxHeader:
    """The magic number and the sizes, checked; nothing is allocated for the data."""
    magic = _exactly(stream, 4)
    if len(magic) < 4:
        raise DatasetError(f"{shown}: not an IDX file (only {len(magic)} bytes)")
    if magic[0] != 0 or magic[1] != 0 or magic[2] not in IDX_TYPES or magic[3] == 0:
        raise DatasetError(f"{shown}: not an IDX file (wrong magic number "
                           f"0x{magic.hex().upper()})")
    ndim = magic[3]
    sizes = _exactly(stream, 4 * ndim)
    if len(sizes) < 4 * ndim:
        raise DatasetError(f"{shown}: truncated IDX header ({ndim} sizes announced, "
                           f"{len(sizes) // 4} present)")
    shape = tuple(int(v) for v in np.frombuffer(sizes, dtype=">u4"))
    header = IdxHeader(IDX_TYPES[magic[2]], shape, 4 + 4 * ndim)
    count = math.prod(shape)
    if count > MAX_IDX_VALUES:
        raise DatasetError(f"{shown}: its header claims shape {shape}, {count:,} values; the "
                           f"limit is {MAX_IDX_VALUES:,}")
    return header


def _held(path: Path, header: IdxHeader) -> int:
    """The bytes of data the file holds after its header: its size, or for a gzipped file the
    size its gzip trailer records (modulo 2^32, as gzip keeps it), read without decompressing."""
    size = path.stat().st_size
    if path.suffix.lower() != ".gz":
        return size - header.offset
    with path.open("rb") as raw:
        raw.seek(max(size - 4, 0))
        isize = int.from_bytes(raw.read(4), "little")
    expected = header.offset + header.nbytes
    if isize == expected % 2**32:
        return header.nbytes
    return max(isize - header.offset, 0)


def _read_values(path: Path, shown: str) -> Array:
    """The whole array of one IDX file, in its own dtype and shape."""
    try:
        with _open(path) as stream:
            header = read_header(stream, shown)
            need = header.nbytes
            held = _held(path, header)
            if held != need and path.suffix.lower() == ".gz":
                raise DatasetError(f"{shown}: truncated or damaged: its gzip trailer records "
                                   f"{held:,} bytes of data, its header's shape {header.shape} "
                                   f"needs {need:,}")
            if held != need:
                raise _size_error(shown, header, held)
            values = np.empty(header.shape, dtype=header.dtype)
            into = values.reshape(-1).view(np.uint8)
            start = 0
            while start < need:
                got = stream.readinto(into[start:start + READ_BYTES].data)
                if not got:
                    raise _size_error(shown, header, start)
                start += got
            extra = len(stream.read(1))
            if extra:
                raise DatasetError(f"{shown}: more data than its header's shape {header.shape} "
                                   f"({need:,} bytes) holds")
    except EOFError:  # gzip: the compressed stream stops before its end marker
        raise DatasetError(f"{shown}: truncated (the gzip stream ends early)") from None
    except (OSError, zlib.error) as exc:  # gzip's BadGzipFile is an OSError
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DatasetError(f"{shown}: cannot read ({reason})") from None
    return values


def _size_error(shown: str, header: IdxHeader, held: int) -> DatasetError:
    if held < header.nbytes:
        return DatasetError(f"{shown}: truncated: its header's shape {header.shape} needs "
                            f"{header.nbytes:,} bytes of data, the file holds {held:,}")
    extra = held - header.nbytes
    return DatasetError(f"{shown}: {extra:,} byte{'s' if extra != 1 else ''} more than its "
                        f"header's shape {header.shape} holds")


def read_images(path: Path, shown: str) -> Array:
    """(n, h, w) as stored; any other shape is refused."""
    images = _read_values(path, shown)
    if images.ndim != 3:
        raise DatasetError(f"{shown}: images must be 3-D (n, height, width), got shape "
                           f"{images.shape}")
    n, h, w = images.shape
    if not (0 < h <= MAX_IMAGE_SIDE and 0 < w <= MAX_IMAGE_SIDE):
        raise DatasetError(f"{shown}: images of {h}x{w} pixels (each side 1 to "
                           f"{MAX_IMAGE_SIDE})")
    if n == 0:
        raise DatasetError(f"{shown}: no images (shape {images.shape})")
    if images.dtype.kind == "f" and not np.isfinite(images).all():
        raise DatasetError(f"{shown}: NaN or infinite pixel values")
    return images


def read_labels(path: Path, shown: str, count: int, images_shown: str) -> Array:
    """(count,) whole numbers."""
    labels = _read_values(path, shown)
    if labels.ndim != 1:
        raise DatasetError(f"{shown}: labels must be 1-D (n,), got shape {labels.shape}")
    if len(labels) != count:
        raise DatasetError(f"{shown}: {len(labels):,} labels for the {count:,} images of "
                           f"{images_shown}")
    if labels.dtype.kind == "f" and not (np.isfinite(labels).all()
                                         and (labels == np.round(labels)).all()):
        raise DatasetError(f"{shown}: labels must be whole numbers")
    return labels


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
