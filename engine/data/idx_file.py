"""One IDX file, MNIST's own format, read and checked: a 4-byte magic number (two zero bytes, a
type code, the number of dimensions), one big-endian 32-bit size per dimension, then the values,
row-major. The header is read and checked first (magic, type, dimensions, the bytes the sizes
need against `MAX_IDX_VALUES` and against what the file holds) before the array is allocated; a
gzipped file is decompressed straight into that array, a chunk at a time (its size checked first
against the one its gzip trailer records), and refused if it ends early or runs on. Every
problem is one `DatasetError` line naming the file.
"""

from __future__ import annotations

import gzip
import io
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

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
