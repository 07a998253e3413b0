"""A user's .npz file read into `RawData`: arrays X (n, f) or images (n, h, w), and y.

Each member's .npy header (shape, dtype) is read from the zip before its data; object arrays
are refused (their data is a pickle, which can run code), and so is anything over
`MAX_NPZ_BYTES`, before it is decompressed. Every problem is one `DatasetError` line that names
the file (and the row and column of an array).
"""

from __future__ import annotations

import io
import math
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.lib.format as npy
import numpy.typing as npt

from engine.data.dataset_types import REGRESSION, RawData
from engine.data.file_checks import labelled, one_line, refuse_too_large
from engine.errors import DatasetError

Array = npt.NDArray[Any]

# X and y of an .npz file together, counted as float64 (what they become): 2 GiB, 268 million
# numbers. A fixed cap rather than a share of free memory, so a file loads or not the same way
# on every machine and in the tests; it is far above what this app trains on interactively, and
# the split copies the data once more, so a dataset at the cap already needs ~5 GiB.
MAX_NPZ_BYTES = 2 * 1024**3
MAX_NPY_HEADER = 10_000  # bytes of .npy header text (numpy's own cap; its arrays use ~128)
NPY_HEADER_ROOM = 1 << 16  # room for the header when a member's whole size is checked
READ_BYTES = 1 << 18  # an .npz member is decompressed this much at a time into its array


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit}"


def _npy_array(stream: IO[bytes], held: int, key: str, shown: str, used: int,
               ) -> tuple[Array, int]:
    """The array of one .npy member and what it counts against the cap; `held` is the member's
    size once decompressed, `used` what the arrays before it counted. Only the header is read
    before the size is checked."""
    magic = stream.read(len(npy.MAGIC_PREFIX) + 2)
    if len(magic) < len(npy.MAGIC_PREFIX) + 2 or not magic.startswith(npy.MAGIC_PREFIX):
        raise DatasetError(f"{shown}: cannot read array '{key}' (not a .npy array)")
    version = (magic[-2], magic[-1])
    if version not in ((1, 0), (2, 0)):  # 3.0 is for non-Latin-1 field names: never numeric
        raise DatasetError(f"{shown}: cannot read array '{key}' (.npy format version "
                           f"{version[0]}.{version[1]} is not supported)")
    # The header's length is read and bounded here: numpy would read all it claims (up to 4 GiB
    # in a 2.0 header) before checking it.
    length = stream.read(2 if version == (1, 0) else 4)
    header_bytes = int.from_bytes(length, "little")
    if header_bytes > MAX_NPY_HEADER:
        raise DatasetError(f"{shown}: cannot read array '{key}' (its .npy header claims "
                           f"{header_bytes} bytes; at most {MAX_NPY_HEADER} are allowed)")
    header = io.BytesIO(length + stream.read(header_bytes))
    read_header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
    shape, fortran, dtype = read_header(header)
    held -= len(magic) + len(header.getvalue())
    if dtype.hasobject:
        raise DatasetError(f"{shown}: cannot read array '{key}' (object arrays are refused: "
                           f"reading one runs the pickled code inside it)")
    if dtype.kind not in "biuf":
        raise DatasetError(f"{shown}: array '{key}' is not numeric (dtype {dtype})")
    count = math.prod(shape)
    cost = count * max(dtype.itemsize, 8)  # what it takes as float64 (or int64 labels)
    if used + cost > MAX_NPZ_BYTES:
        if used:
            raise DatasetError(f"{shown}: arrays X and y would take {_size(used + cost)} "
                               f"together; the limit is {_size(MAX_NPZ_BYTES)}")
        raise DatasetError(f"{shown}: array '{key}' would take {_size(cost)} (shape {shape}, "
                           f"{dtype.name}); the limit is {_size(MAX_NPZ_BYTES)}")
    nbytes = count * dtype.itemsize
    if nbytes > held:
        raise DatasetError(f"{shown}: array '{key}' is truncated (its header needs {nbytes} "
                           f"bytes, the archive holds {held})")
    array = np.empty(shape[::-1] if fortran else shape, dtype=dtype)
    into = array.reshape(-1).view(np.uint8)  # the array's own bytes (a view)
    start = 0
    while start < nbytes:
        data = stream.read(min(READ_BYTES, nbytes - start))
        if not data:
            raise EOFError("the data ends early")
        into[start:start + len(data)] = np.frombuffer(data, dtype=np.uint8)
        start += len(data)
    return (array.T if fortran else array), cost


def _npz_array(archive: zipfile.ZipFile, key: str, shown: str, used: int) -> tuple[Array, int]:
    """Array `key` ('X' or 'y') as np.load would find it: member `key`, else `key`.npy."""
    names = archive.namelist()
    member = key if key in names else f"{key}.npy"
    if member not in names:
        found = ", ".join(one_line(name.removesuffix(".npy")) for name in names) or "nothing"
        raise DatasetError(f"{shown}: missing array '{key}' (found: {found})")
    info = archive.getinfo(member)
    if used + info.file_size > MAX_NPZ_BYTES + NPY_HEADER_ROOM:
        raise DatasetError(f"{shown}: array '{key}' decompresses to {_size(info.file_size)}; "
                           f"the limit is {_size(MAX_NPZ_BYTES)}")
    try:
        with archive.open(info) as stream:
            return _npy_array(stream, info.file_size, key, shown, used)
    except DatasetError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError,
            RuntimeError) as exc:  # a damaged header or stream; encrypted; unknown compression
        raise DatasetError(f"{shown}: cannot read array '{key}' "
                           f"({one_line(str(exc)) or type(exc).__name__})") from None


def read_npz(path: Path, shown: str) -> RawData:
    """Arrays X (n, f) and y: an integer/bool y (n,) is labels, a float y or any (n, k) y is
    regression targets (save y as float to force regression)."""
    if not zipfile.is_zipfile(path):
        raise DatasetError(f"{shown}: not a valid .npz archive (not a zip file)")
    try:
        with zipfile.ZipFile(path) as archive:
            X, used = _npz_array(archive, "X", shown, 0)
            y, _ = _npz_array(archive, "y", shown, used)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"{shown}: not a valid .npz archive ({one_line(str(exc))})") from None
    image_shape = None
    if X.ndim == 3 and X.shape[1] and X.shape[2]:  # (samples, height, width): images
        image_shape = (int(X.shape[1]), int(X.shape[2]))
        X = X.reshape(len(X), -1)
    if X.ndim != 2 or X.shape[1] == 0:
        raise DatasetError(f"{shown}: X must be (samples, features) or (samples, height, "
                           f"width), got shape {X.shape}")
    if y.ndim not in (1, 2):
        raise DatasetError(f"{shown}: y must be (samples,) or (samples, outputs), got shape "
                           f"{y.shape}")
    if len(y) != len(X):
        raise DatasetError(f"{shown}: X has {len(X)} rows but y has {len(y)}")
    if len(X) == 0:
        raise DatasetError(f"{shown}: no rows (X has shape {X.shape})")
    if y.ndim == 2 and y.shape[1] == 0:
        raise DatasetError(f"{shown}: y has no output columns (shape {y.shape})")
    for key, array in (("X", X), ("y", y)):
        if array.dtype.kind == "f" and not _all_finite(array):
            raise DatasetError(f"{shown}: array '{key}' has NaN or infinite values")
    pixels = X.dtype
    if image_shape is not None and X.dtype.kind != "f":  # pixels: scaled in place below
        X = X.astype(np.float32)
    refuse_too_large(X, lambda r, c, v: f"{shown}: X[{r}, {c}] = {v:g}")
    names = tuple(f"x{i}" for i in range(X.shape[1]))

    def where_y(r: int, c: int, v: float) -> str:
        return f"{shown}: y[{r}] = {v:g}" if y.ndim == 1 else f"{shown}: y[{r}, {c}] = {v:g}"

    if y.ndim == 1 and y.dtype.kind in "biu":
        raw = labelled(X, y.astype(np.float64), names, shown, where_y)
        return _as_images(raw, image_shape, pixels)
    values = y.reshape(len(y), -1).astype(np.float64)
    refuse_too_large(values, where_y)
    return _as_images(RawData(X=X, y=values, task=REGRESSION, feature_names=names,
                              standardise_target=True, owned=True),
                      image_shape, pixels)


def _as_images(raw: RawData, image_shape: tuple[int, int] | None, pixels: np.dtype[Any],
               ) -> RawData:
    """Images keep their shape and are scaled as pictures, into [0, 1] when they can be:
    uint8 by 255, values already in [0, 1] as they are, others by their largest |x|."""
    if image_shape is None:
        return raw
    X = raw.X
    if pixels == np.uint8:
        X /= 255.0
        scaling: dict[str, Any] = {"kind": "divide", "by": 255.0}
    elif X.size == 0 or (X.min() >= 0 and X.max() <= 1):
        scaling = {"kind": "none"}
    else:
        top = float(np.abs(X).max())
        X /= top
        scaling = {"kind": "divide", "by": top}
    return replace(raw, X=X, image_shape=image_shape, prescaled=scaling)


def _all_finite(values: Array) -> bool:
    """np.isfinite(values).all() a chunk at a time: no boolean array the size of the data."""
    flat = values.ravel(order="K")  # a view: the reader's arrays are C or Fortran contiguous
    step = 1 << 16
    return all(bool(np.isfinite(flat[i:i + step]).all()) for i in range(0, len(flat), step))
