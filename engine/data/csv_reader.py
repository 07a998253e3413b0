"""A user's .csv file read into `RawData`: features then a label in each row.

`csv.reader` splits the lines (quoting, line numbers), and every `CSV_CHUNK_ROWS` rows are
turned into float64 arrays at once, so what stays in memory is 8 bytes a number (and a line
number a row), never a Python string per field. A chunk that does not convert cleanly is read
again field by field, which finds the first problem in file order, so the messages are those of
a plain row-by-row reader: one `DatasetError` line naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import math
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from engine.data.dataset_types import RawData
from engine.data.file_checks import classes, labelled, one_line, refuse_too_large
from engine.errors import DatasetError
from engine.numbers import NumberError, finite_number

if TYPE_CHECKING:
    from _csv import Reader  # what csv.reader returns (the csv module does not name it)

Array = npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]

CSV_CHUNK_ROWS = 4096  # rows converted at once: a chunk's strings are all that is kept as text
CSV_CHUNK_FIELDS = 1 << 17  # ... and at most this many fields, for very wide files
# Converted chunks are gathered in blocks this big: malloc maps blocks of 32 MiB and more on
# their own and gives them back when freed, where many small arrays would fragment the heap.
BLOCK_BYTES = 32 << 20


def _number(text: str, where: str) -> float:
    if not text:
        raise DatasetError(f"{where}: empty field")
    try:
        return finite_number(text)
    except NumberError as exc:
        raise DatasetError(f"{where}: {text!r} {exc}") from None


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
        refuse_too_large(X, lambda r, c, v: f"{shown} line {lines[r]}, column {c + 1}: {v:g}")
        if not self.text_labels:
            return labelled(X, y, names, shown,
                             lambda r, _, v: f"{shown} line {lines[r]}, column {width}: {v:g}")
        texts = sorted(self.index)  # code-point order, as numpy sorts text
        rank = np.empty(len(texts), dtype=np.int64)
        rank[[self.index[text] for text in texts]] = np.arange(len(texts))
        return classes(X, rank[y], tuple(texts), names, shown)


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
                                   f"{one_line(str(exc))}") from None
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


def read_csv(path: Path, shown: str) -> RawData:
    """Features then a label in each row; a first row with a non-number feature is the header.
    Labels that are all numbers are classes (few integers) or regression targets, otherwise
    every label is a class name."""
    try:
        return _parse_csv(path, shown, text_labels=False)
    except _TextLabels:
        pass  # read again outside the handler: its traceback holds the first pass's arrays
    return _parse_csv(path, shown, text_labels=True)
