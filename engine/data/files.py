"""A user's own data from a .csv or .npz file (`FILE_READERS`, by suffix), read into `RawData`.

Reading a file is where most things go wrong, so this module is mostly checks: every problem is
one `DatasetError` line that names the file, and the line and column where a CSV goes wrong (the
row and column of an NPZ array). A file is untrusted input: nothing large is allocated before the
size it will take is known, and values that standardisation cannot handle are refused by place
rather than left to turn into inf/NaN during training.

CSV: `csv.reader` splits the lines (quoting, line numbers), and every `CSV_CHUNK_ROWS` rows are
turned into float64 arrays at once, so what stays in memory is 8 bytes a number (and a line
number a row), never a Python string per field. A chunk that does not convert cleanly is read
again field by field, which finds the first problem in file order, so the messages are those of
a plain row-by-row reader.

NPZ: each member's .npy header (shape, dtype) is read from the zip before its data; object arrays
are refused (their data is a pickle, which can run code), and so is anything over
`MAX_NPZ_BYTES`, before it is decompressed.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import numpy.lib.format as npy
import numpy.typing as npt

from engine.data.split import (
    CLASSIFICATION,
    MAX_ABS_VALUE,
    REGRESSION,
    Dataset,
    RawData,
    split_and_scale,
)
from engine.errors import DatasetError

if TYPE_CHECKING:
    from _csv import Reader  # what csv.reader returns (the csv module does not name it)

Array = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_NUMERIC_CLASSES = 50  # integer labels with more distinct values than this are a regression
MAX_CLASS_VALUE = 2.0**53  # integer labels beyond it are not exact in float64: not class names

# X and y of an .npz file together, counted as float64 (what they become): 2 GiB, 268 million
# numbers. A fixed cap rather than a share of free memory, so a file loads or not the same way
# on every machine and in the tests; it is far above what this app trains on interactively, and
# the split copies the data once more, so a dataset at the cap already needs ~5 GiB.
MAX_NPZ_BYTES = 2 * 1024**3
MAX_NPY_HEADER = 10_000  # bytes of .npy header text (numpy's own cap; its arrays use ~128)
NPY_HEADER_ROOM = 1 << 16  # room for the header when a member's whole size is checked
READ_BYTES = 1 << 18  # an .npz member is decompressed this much at a time into its array

CSV_CHUNK_ROWS = 4096  # rows converted at once: a chunk's strings are all that is kept as text
CSV_CHUNK_FIELDS = 1 << 17  # ... and at most this many fields, for very wide files
# Converted chunks are gathered in blocks this big: malloc maps blocks of 32 MiB and more on
# their own and gives them back when freed, where many small arrays would fragment the heap.
BLOCK_BYTES = 32 << 20


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _too_large(values: FloatArray) -> tuple[int, int] | None:
    """The first (row, column) in file order with |value| > MAX_ABS_VALUE, or None."""
    table = values.reshape(len(values), -1)
    if table.size == 0 or (float(table.max()) <= MAX_ABS_VALUE
                           and float(table.min()) >= -MAX_ABS_VALUE):
        return None  # max/min: no temporary copy of the data when all is well
    row, column = divmod(int(np.argmax(np.abs(table) > MAX_ABS_VALUE)), table.shape[1])
    return row, column


def _refuse_too_large(values: FloatArray, where: Callable[[int, int, float], str]) -> None:
    """`where(row, column, value)` begins the message: the file and the place."""
    found = _too_large(values)
    if found is not None:
        row, column = found
        value = float(values.reshape(len(values), -1)[row, column])
        raise DatasetError(f"{where(row, column, value)} is too large to scale "
                           f"(|x| > {MAX_ABS_VALUE:g})")


# ---------------------------------------------------------------- CSV


def _number(text: str, where: str) -> float:
    if not text:
        raise DatasetError(f"{where}: empty field")
    try:
        value = float(text)
    except ValueError:
        raise DatasetError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise DatasetError(f"{where}: {text!r} is not a finite number")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class _TextLabels(Exception):
    """A label that is not a number: every label is then a class name, text as written."""


class _CsvBody:
    """The data rows of one CSV, added a chunk at a time and kept as arrays.

    With `text_labels` False the labels are numbers (float64) and a word among them raises
    `_TextLabels`, to read the file again with `text_labels` True: labels are then codes into
    `index`, the distinct label texts in order of first appearance."""

    def __init__(self, shown: str, width: int, text_labels: bool) -> None:
        self.shown = shown
        self.width = width
        self.text_labels = text_labels
        self.index: dict[str, int] = {}
        self.X = _Blocks((width - 1,), np.float64)
        self.y = _Blocks((), np.int64 if text_labels else np.float64)
        self.lines = _Blocks((), np.int64)
        self.bad_label: tuple[int, str] | None = None  # the first non-finite number label

    def add(self, rows: list[list[str]], lines: list[int]) -> None:
        """Rows as csv.reader gives them (fields unstripped, blank ones included)."""
        if not rows:
            return
        fast = self._fast(rows, lines)
        X, y, kept = fast if fast is not None else self._slow(rows, lines)
        self.X.append(X)
        self.y.append(y)
        self.lines.append(np.asarray(kept, dtype=np.int64))

    def _fast(self, rows: list[list[str]], lines: list[int],
              ) -> tuple[FloatArray, Array, list[int]] | None:
        """The chunk converted at once, or None when a row needs a closer look (a wrong field
        count, a blank row, a field float() refuses, an empty label)."""
        width = self.width
        sizes = list(map(len, rows))
        if min(sizes) != width or max(sizes) != width:
            return None
        flat = list(chain.from_iterable(rows))
        labels = flat[width - 1::width]
        del flat[width - 1::width]
        try:  # float() takes the spaces around a number, as the stripped fields' float() did
            X = np.fromiter(map(float, flat), dtype=np.float64, count=len(flat))
        except ValueError:
            return None
        if not np.isfinite(X).all():
            return None
        y = self._labels(labels, lines)
        if y is None:
            return None
        return X.reshape(len(rows), width - 1), y, lines

    def _slow(self, rows: list[list[str]], lines: list[int],
              ) -> tuple[FloatArray, Array, list[int]]:
        """Field by field in file order: the first problem in the chunk is the one reported."""
        shown, width = self.shown, self.width
        values: list[list[float]] = []
        labels: list[str] = []
        kept: list[int] = []
        for line, row in zip(lines, rows):
            fields = [f.strip() for f in row]
            if not any(fields):
                continue
            if len(fields) != width:
                raise DatasetError(f"{shown} line {line}: expected {width} fields, got "
                                   f"{len(fields)}")
            values.append([_number(f, f"{shown} line {line}, column {c}")
                           for c, f in enumerate(fields[:-1], start=1)])
            if not fields[-1]:
                raise DatasetError(f"{shown} line {line}, column {width}: empty label")
            labels.append(fields[-1])
            kept.append(line)
        y = self._labels(labels, kept)
        if y is None:  # every empty label was reported above
            raise AssertionError("an empty label passed the row checks")
        X = np.array(values, dtype=np.float64).reshape(len(values), width - 1)
        return X, y, kept

    def _labels(self, labels: list[str], lines: list[int]) -> Array | None:
        """Codes (text labels) or float64 values; None if a label is empty."""
        if self.text_labels:
            texts = [label.strip() for label in labels]
            if "" in texts:
                return None
            index = self.index
            codes = (index.setdefault(text, len(index)) for text in texts)
            return np.fromiter(codes, dtype=np.int64, count=len(texts))
        try:
            values = np.fromiter(map(float, labels), dtype=np.float64, count=len(labels))
        except ValueError:
            if any(not label.strip() for label in labels):
                return None
            raise _TextLabels from None
        if self.bad_label is None and not np.isfinite(values).all():
            i = int(np.argmin(np.isfinite(values)))
            self.bad_label = (lines[i], labels[i].strip())
        return values

    def raw_data(self, names: tuple[str, ...]) -> RawData:
        shown, width = self.shown, self.width
        if self.X.rows == 0:
            raise DatasetError(f"{shown}: no data rows after the header")
        X, y, lines = self.X.stack(), self.y.stack(), self.lines.stack()
        if not self.text_labels and self.bad_label is not None:
            line, text = self.bad_label
            raise DatasetError(f"{shown} line {line}, column {width}: label {text!r} is not a "
                               f"finite number")
        _refuse_too_large(X, lambda r, c, v: f"{shown} line {lines[r]}, column {c + 1}: {v:g}")
        if not self.text_labels:
            return _labelled(X, y, names, shown,
                             lambda r, _, v: f"{shown} line {lines[r]}, column {width}: {v:g}")
        texts = sorted(self.index)  # code-point order, as numpy sorts text
        rank = np.empty(len(texts), dtype=np.int64)
        rank[[self.index[text] for text in texts]] = np.arange(len(texts))
        return _classes(X, rank[y], tuple(texts), names, shown)


class _Blocks:
    """Rows of one shape and dtype, appended a chunk at a time into blocks of ~`BLOCK_BYTES`."""

    def __init__(self, row_shape: tuple[int, ...], dtype: type[np.generic]) -> None:
        self.row_shape = row_shape
        self.dtype = np.dtype(dtype)
        row_bytes = max(1, math.prod(row_shape)) * self.dtype.itemsize
        self.block_rows = max(1, BLOCK_BYTES // row_bytes)
        self.blocks: list[Array] = []
        self.filled = 0  # rows used in the last block
        self.rows = 0

    def append(self, part: Array) -> None:
        start = 0
        while start < len(part):
            if not self.blocks or self.filled == len(self.blocks[-1]):
                self.blocks.append(np.empty((self.block_rows, *self.row_shape), self.dtype))
                self.filled = 0
            block = self.blocks[-1]
            n = min(len(part) - start, len(block) - self.filled)
            block[self.filled:self.filled + n] = part[start:start + n]
            self.filled += n
            start += n
        self.rows += len(part)

    def stack(self) -> Array:
        """All rows as one array; each block is freed once copied (peak: the result and one
        block). The accumulator is empty afterwards."""
        out = np.empty((self.rows, *self.row_shape), self.dtype)
        self.blocks.reverse()
        start = 0
        while self.blocks:
            block = self.blocks.pop()
            n = min(len(block), self.rows - start)
            out[start:start + n] = block[:n]
            start += n
            del block
        self.rows = self.filled = 0
        return out


def _parse_csv(path: Path, shown: str, text_labels: bool) -> RawData:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            try:
                return _parse_rows(reader, shown, text_labels)
            except csv.Error as exc:
                raise DatasetError(f"{shown} line {reader.line_num}: "
                                   f"{_one_line(str(exc))}") from None
    except UnicodeDecodeError:
        raise DatasetError(f"{shown}: not UTF-8 text") from None
    except OSError as exc:
        raise DatasetError(f"{shown}: cannot read ({exc.strerror or exc})") from None


def _parse_rows(reader: Reader, shown: str, text_labels: bool) -> RawData:
    first: list[str] = []
    for row in reader:
        first = [f.strip() for f in row]
        if any(first):
            break
    else:
        raise DatasetError(f"{shown}: empty file")
    width = len(first)
    if width < 2:
        raise DatasetError(f"{shown} line {reader.line_num}: need at least 2 columns (features, "
                           f"then the label), got {width}")
    has_header = not all(_is_number(f) for f in first[:-1])
    names = tuple(first[:-1]) if has_header else tuple(f"x{i}" for i in range(width - 1))
    body = _CsvBody(shown, width, text_labels)
    if not has_header:
        body.add([first], [reader.line_num])
    limit = max(1, min(CSV_CHUNK_ROWS, CSV_CHUNK_FIELDS // width))
    rows: list[list[str]] = []
    lines: list[int] = []
    for row in reader:
        if row:  # [] is an empty line; rows of blank fields are skipped by the slow path
            rows.append(row)
            lines.append(reader.line_num)
            if len(rows) >= limit:
                body.add(rows, lines)
                rows, lines = [], []
    body.add(rows, lines)
    return body.raw_data(names)


def _read_csv(path: Path, shown: str) -> RawData:
    """Features then a label in each row; a first row with a non-number feature is the header.
    Labels that are all numbers are classes (few integers) or regression targets, otherwise
    every label is a class name."""
    try:
        return _parse_csv(path, shown, text_labels=False)
    except _TextLabels:
        pass  # read again outside the handler: its traceback holds the first pass's arrays
    return _parse_csv(path, shown, text_labels=True)


def _labelled(X: FloatArray, values: FloatArray, names: tuple[str, ...], shown: str,
              where: Callable[[int, int, float], str]) -> RawData:
    """Integer-valued with few distinct values -> classes named by value; else regression
    (`where` names a target too large to standardise)."""
    distinct = np.unique(values)
    if (len(distinct) <= MAX_NUMERIC_CLASSES and np.all(np.abs(distinct) <= MAX_CLASS_VALUE)
            and np.all(distinct == np.round(distinct))):
        y = np.searchsorted(distinct, values)
        return _classes(X, y, tuple(str(int(v)) for v in distinct), names, shown)
    _refuse_too_large(values, where)
    return RawData(X=X, y=values.reshape(len(values), -1).astype(np.float64), task=REGRESSION,
                   feature_names=names, standardise_target=True, owned=True)


def _classes(X: FloatArray, y: Array, class_names: tuple[str, ...], names: tuple[str, ...],
             shown: str) -> RawData:
    if len(class_names) < 2:
        raise DatasetError(f"{shown}: only one class ({class_names[0]!r}); need at least 2")
    return RawData(X=X, y=y, task=CLASSIFICATION, feature_names=names, class_names=class_names,
                   owned=True)


# ---------------------------------------------------------------- NPZ


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
        found = ", ".join(_one_line(name.removesuffix(".npy")) for name in names) or "nothing"
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
                           f"({_one_line(str(exc)) or type(exc).__name__})") from None


def _read_npz(path: Path, shown: str) -> RawData:
    """Arrays X (n, f) and y: an integer/bool y (n,) is labels, a float y or any (n, k) y is
    regression targets (save y as float to force regression)."""
    if not zipfile.is_zipfile(path):
        raise DatasetError(f"{shown}: not a valid .npz archive (not a zip file)")
    try:
        with zipfile.ZipFile(path) as archive:
            X, used = _npz_array(archive, "X", shown, 0)
            y, _ = _npz_array(archive, "y", shown, used)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"{shown}: not a valid .npz archive ({_one_line(str(exc))})") from None
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
    _refuse_too_large(X, lambda r, c, v: f"{shown}: X[{r}, {c}] = {v:g}")
    names = tuple(f"x{i}" for i in range(X.shape[1]))

    def where_y(r: int, c: int, v: float) -> str:
        return f"{shown}: y[{r}] = {v:g}" if y.ndim == 1 else f"{shown}: y[{r}, {c}] = {v:g}"

    if y.ndim == 1 and y.dtype.kind in "biu":
        raw = _labelled(X, y.astype(np.float64), names, shown, where_y)
        return _as_images(raw, image_shape, pixels)
    values = y.reshape(len(y), -1).astype(np.float64)
    _refuse_too_large(values, where_y)
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


FILE_READERS: dict[str, Callable[[Path, str], RawData]] = {".csv": _read_csv, ".npz": _read_npz}


def load_file(text: str, seed: int, val_size: float, test_size: float,
              dtype: str = "float64") -> Dataset:
    """The file at `text` (its suffix one of `FILE_READERS`), split and scaled into X arrays of
    `dtype` (the network's: a float32 file then stays float32 from disk to the trainer)."""
    path = Path(text).expanduser()
    reader = FILE_READERS[path.suffix.lower()]
    if not path.is_file():
        raise DatasetError(f"{text}: no such file")
    return split_and_scale(path.stem, reader(path, text), text, seed=seed, val_size=val_size,
                           test_size=test_size, dtype=dtype)
