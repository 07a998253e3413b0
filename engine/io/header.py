"""The safetensors layout, checked before anything is built from it.

A safetensors file is an 8-byte little-endian length N, N bytes of JSON (the header), then the
tensor bytes. The header maps each tensor name to `{"dtype": "F32", "shape": [out, in],
"data_offsets": [begin, end]}` (byte offsets into the data after the header) and may hold
`"__metadata__"`, a map of strings to strings.

`header_length` and `parse_header` accept only a header whose every tensor's byte span matches its
shape and dtype, whose spans tile the data with no gap or overlap, and whose data ends exactly
where the file does; so the sizes a file claims are known to be true before any of it is read.
No file access here: `model_reader` reads the bytes and hands them over.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from typing import Any

from engine.errors import ModelFileError

MAX_HEADER = 100_000_000  # bytes: the limit safetensors itself enforces
MAX_PROBLEM = 240  # characters of a problem shown in an error (a file's names can be huge)

# Bytes per element of each safetensors dtype.
DTYPE_SIZES: dict[str, int] = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1,
    "U16": 2, "I16": 2, "F16": 2, "BF16": 2,
    "U32": 4, "I32": 4, "F32": 4,
    "U64": 8, "I64": 8, "F64": 8,
}

PathLike = str | os.PathLike[str]


def file_error(path: PathLike, problem: str) -> ModelFileError:
    """`ModelFileError("PATH: problem")`, the problem made one printable line of bounded length
    (names and values from a hostile file can hold newlines or run to megabytes)."""
    line = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in problem)
    if len(line) > MAX_PROBLEM:
        line = line[:MAX_PROBLEM - 3] + "..."
    return ModelFileError(f"{os.fspath(path)}: {line}")


def quoted(name: str, limit: int = 60) -> str:
    """`'layers.0.weight'`, shortened if long: a name from a file, for a message."""
    return f"'{name}'" if len(name) <= limit else f"'{name[:limit]}...'"


def is_int(value: object) -> bool:
    """A JSON whole number (`true` is no number, and `1e400` parses as the float inf)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class TensorEntry:
    """One tensor: its safetensors `dtype` ("F32"...), `shape` and its bytes `begin`..`end`,
    counted from the start of the data (just after the header)."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    begin: int
    end: int

    @property
    def count(self) -> int:
        """Elements: the product of the shape (1 for a scalar's shape ())."""
        return math.prod(self.shape)


@dataclass(frozen=True)
class Header:
    """A checked header: its `length` N in bytes, the tensors by name and the `__metadata__`
    strings. The data runs from byte `data_start` for `data_size` bytes, to the end of the file."""

    length: int
    tensors: dict[str, TensorEntry]
    metadata: dict[str, str]

    @property
    def data_start(self) -> int:
        return 8 + self.length

    @property
    def data_size(self) -> int:
        return max((entry.end for entry in self.tensors.values()), default=0)


def header_length(path: PathLike, first: bytes, file_size: int) -> int:
    """N, from the file's first 9 bytes (`first`, fewer if the file is shorter), checked against
    the file size: the caller then reads the other N - 1 header bytes."""
    if file_size == 0:
        raise file_error(path, "empty file")
    if file_size < 9 or len(first) < 9:
        raise file_error(path, f"truncated or not a safetensors file (only {file_size} bytes)")
    n = int.from_bytes(first[:8], "little")
    if n < 2 or n > MAX_HEADER or first[8:9] != b"{":
        raise file_error(path, "not a safetensors file")
    if file_size < 8 + n:
        raise file_error(path, f"truncated ({file_size} bytes; the header alone needs {8 + n})")
    return n


def parse_header(path: PathLike, raw: bytes, file_size: int) -> Header:
    """The header from its N bytes `raw`, every tensor entry checked, and the tensor data checked
    to fill the rest of the file (`file_size` bytes in all) exactly."""
    try:
        tree = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise file_error(path, "not a safetensors file (its header is nested too deeply)"
                         ) from None
    except MemoryError:
        raise file_error(path, "its header is too large to read") from None
    except (UnicodeDecodeError, ValueError):
        raise file_error(path, "not a safetensors file (its header is not JSON)") from None
    if not isinstance(tree, dict):
        raise file_error(path, "not a safetensors file (its header is not a JSON object)")
    metadata = tree.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise file_error(path, "not a safetensors file (its __metadata__ is not a map of "
                         "strings)")
    tensors = {name: _entry(path, name, info) for name, info in tree.items()}
    end = _check_tiling(path, tensors)
    expected = 8 + len(raw) + end
    if file_size < expected:
        raise file_error(path, f"truncated ({file_size} bytes; expected {expected})")
    if file_size > expected:
        raise file_error(path, f"not a valid safetensors file ({file_size - expected} stray "
                         "bytes after the tensors)")
    return Header(len(raw), tensors, metadata)


def _entry(path: PathLike, name: str, info: Any) -> TensorEntry:
    def bad(what: str) -> ModelFileError:
        return file_error(path, f"not a valid safetensors file (tensor {quoted(name)} {what})")

    if not isinstance(info, dict):
        raise bad("is not a JSON object")
    dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in DTYPE_SIZES:
        raise bad(f"has an unknown dtype {quoted(str(dtype), 20)}")
    if not isinstance(shape, list) or not all(is_int(d) and d >= 0 for d in shape):
        raise bad("has a shape that is not a list of whole numbers >= 0")
    if (not isinstance(offsets, list) or len(offsets) != 2 or not all(map(is_int, offsets))
            or not 0 <= offsets[0] <= offsets[1]):
        raise bad("has data_offsets that are not two whole numbers 0 <= begin <= end")
    entry = TensorEntry(name, dtype, tuple(shape), offsets[0], offsets[1])
    needed = entry.count * DTYPE_SIZES[dtype]
    if entry.end - entry.begin != needed:
        raise bad(f"has data_offsets spanning {entry.end - entry.begin} bytes, but shape "
                  f"{entry.shape} of {dtype} takes {needed}")
    return entry


def _check_tiling(path: PathLike, tensors: dict[str, TensorEntry]) -> int:
    """The tensors' byte spans must follow one another from 0 with no gap and no overlap;
    returns where the last one ends."""
    position = 0
    for entry in sorted(tensors.values(), key=lambda e: (e.begin, e.end)):
        if entry.begin != position:
            raise file_error(path, f"not a valid safetensors file (the data_offsets of tensor "
                             f"{quoted(entry.name)} overlap another tensor or leave a gap)")
        position = entry.end
    return position
