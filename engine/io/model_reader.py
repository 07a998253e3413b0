"""Opening models saved by `model_file`: every check first, then the network.

Every problem with a file is a `ModelFileError` whose one line names the file. Opening checks, in
order and before anything large is allocated: that the path is a regular file (a FIFO would block,
a device could stream forever), the safetensors layout (`header`), the metadata's fields
(`metadata`), the architecture against the parameter ceiling (`ModelSpec.validate`), and every
tensor's name, dtype and shape against the architecture; only then is the network built.
"""

from __future__ import annotations

import json
import os
import stat
from itertools import pairwise
from typing import Any, BinaryIO, TypeVar, overload

import numpy as np

from engine.errors import EngineError
from engine.io.header import Header, PathLike, file_error, header_length, parse_header, quoted
from engine.io.metadata import metadata_problem
from engine.io.model_file import FLOAT_DTYPES, META_KEY
from engine.nn.layers import Dense
from engine.nn.network import NetworkCore
from engine.nn.spec import ModelSpec

_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

Metadata = dict[str, Any]
N = TypeVar("N", bound=NetworkCore)


def _not_regular(mode: int) -> str | None:
    """Why a file of this `st_mode` is no model file, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a model file"
    kinds = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    kind = next((name for test, name in kinds if test(mode)), "not a file")
    return f"not a regular file ({kind})"


def _open_regular(path: PathLike) -> tuple[BinaryIO, int]:
    """`path` open for reading, and its size, if it is a regular file (links followed).

    Checked before opening, since opening a FIFO blocks until someone writes to it; then opened
    non-blocking and checked again on the open descriptor, so a FIFO swapped in between cannot
    block either."""
    try:
        problem = _not_regular(os.stat(path).st_mode)
        fd = os.open(path, os.O_RDONLY | _O_NONBLOCK | _O_CLOEXEC) if problem is None else -1
    except FileNotFoundError:
        raise file_error(path, "no such file") from None
    except OSError as exc:
        raise file_error(path, f"cannot read ({exc.strerror or exc})") from None
    except ValueError:  # a NUL byte in the name
        raise file_error(path, "cannot read (not a valid file name)") from None
    if problem is not None:
        raise file_error(path, problem)
    try:
        info = os.fstat(fd)
        problem = _not_regular(info.st_mode)
        if problem is not None:
            raise file_error(path, problem)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def _read_header(handle: BinaryIO, path: PathLike, size: int) -> Header:
    """The checked header, reading only its bytes: the handle is left where the data starts."""
    first = handle.read(9)
    n = header_length(path, first, size)
    raw = first[8:] + handle.read(n - 1)
    if len(raw) != n:
        raise file_error(path, "changed while being read")
    return parse_header(path, raw, size)


def _metadata(path: PathLike, header: Header) -> Metadata:
    text = header.metadata.get(META_KEY)
    if text is None:
        raise file_error(path, f"not an nn-tui model (no {META_KEY} metadata)")
    try:
        meta = json.loads(text)
    except RecursionError:
        raise file_error(path, f"broken {META_KEY} metadata (nested too deeply)") from None
    except ValueError as exc:
        raise file_error(path, f"broken {META_KEY} metadata ({exc})") from None
    if not isinstance(meta, dict):
        raise file_error(path, f"broken {META_KEY} metadata (not a JSON object)")
    problem = metadata_problem(meta)
    if problem:
        raise file_error(path, f"broken {META_KEY} metadata: {problem}")
    return meta


def _architecture(path: PathLike, meta: Metadata, header: Header) -> tuple[ModelSpec, int]:
    """The spec and input count the metadata describes, checked against the parameter ceiling
    and against the tensors the header lists, without building anything."""
    try:
        spec = ModelSpec.from_dict(meta["model"])
    except EngineError as exc:
        raise file_error(path, f"the metadata describes no valid network ({exc})") from None
    n_inputs: int = meta["n_inputs"]
    reasons = spec.validate(n_inputs)
    if reasons:
        raise file_error(path, f"the metadata describes no valid network ({reasons[0]})")
    _check_tensors(path, header, spec, n_inputs)
    return spec, n_inputs


def _check_tensors(path: PathLike, header: Header, spec: ModelSpec, n_inputs: int) -> None:
    sizes = [n_inputs, *(layer.units for layer in spec.layers)]
    expected: dict[str, tuple[int, ...]] = {}
    for i, (n_in, n_out) in enumerate(pairwise(sizes)):
        expected[f"layers.{i}.weight"] = (n_out, n_in)
        expected[f"layers.{i}.bias"] = (n_out,)
    for key, shape in expected.items():
        found = header.tensors.get(key)
        if found is None:
            raise file_error(path, f"tensor '{key}' is missing")
        if found.shape != shape:
            raise file_error(path, f"tensor '{key}' has shape {found.shape} but the "
                             f"architecture needs {shape}")
        if found.dtype not in FLOAT_DTYPES:
            raise file_error(path, f"tensor '{key}' holds {found.dtype}, not floats")
    extra = sorted(set(header.tensors) - set(expected))
    if extra:
        raise file_error(path, f"unexpected tensor {quoted(extra[0])} for this architecture")


def _read(path: PathLike, with_data: bool) -> tuple[Header, Metadata, ModelSpec, int, bytes]:
    """Everything `read_metadata` and `load_network` check, from one open descriptor; with
    `with_data`, the tensor bytes too (only once every check has passed)."""
    handle, size = _open_regular(path)
    try:
        with handle:
            header = _read_header(handle, path, size)
            meta = _metadata(path, header)
            spec, n_inputs = _architecture(path, meta, header)
            data = handle.read(header.data_size) if with_data else b""
    except OSError as exc:
        raise file_error(path, f"cannot read ({exc.strerror or exc})") from None
    except MemoryError:
        raise file_error(path, "not enough memory to read it") from None
    if with_data and len(data) != header.data_size:
        raise file_error(path, "changed while being read")
    return header, meta, spec, n_inputs, data


def read_metadata(path: PathLike) -> Metadata:
    """The metadata dict (see `engine.io.metadata` for its fields), reading only the header:
    cheap enough for a listing. Checks everything `load_network` checks but the tensor values,
    so a file it returns for opens unless its weights are NaN or inf."""
    return _read(path, with_data=False)[1]


def _build(path: PathLike, spec: ModelSpec, n_inputs: int, meta: Metadata,
           network_type: type[N]) -> N:
    sizes = [n_inputs, *(layer.units for layer in spec.layers)]
    try:
        layers = [Dense(a, b, layer.activation)
                  for (a, b), layer in zip(pairwise(sizes), spec.layers, strict=True)]
        return network_type(layers, loss=spec.loss, seed=meta.get("seed", 0),
                            dtype=meta.get("dtype", "float32"))
    except EngineError as exc:
        raise file_error(path, f"the metadata describes no valid network ({exc})") from None


@overload
def load_network(path: PathLike) -> tuple[NetworkCore, Metadata]: ...
@overload
def load_network(path: PathLike, network_type: type[N]) -> tuple[N, Metadata]: ...
def load_network(path: PathLike, network_type: type[NetworkCore] = NetworkCore
                 ) -> tuple[NetworkCore, Metadata]:
    """Rebuilds the saved network (an instance of `network_type`) and returns it with the full
    metadata dict. Its layer i gets `W` (in, out) from `layers.{i}.weight` (out, in) transposed
    and `b` (out,) from `layers.{i}.bias`, cast to the network's dtype."""
    header, meta, spec, n_inputs, data = _read(path, with_data=True)
    net = _build(path, spec, n_inputs, meta, network_type)
    for i, layer in enumerate(net.layers):
        for name, target, transpose in (("weight", layer.W, True), ("bias", layer.b, False)):
            entry = header.tensors[f"layers.{i}.{name}"]
            array = np.frombuffer(data, dtype=FLOAT_DTYPES[entry.dtype], count=entry.count,
                                  offset=entry.begin).reshape(entry.shape)
            if not np.isfinite(array).all():
                raise file_error(path, f"tensor 'layers.{i}.{name}' holds NaN or infinite "
                                 "values")
            target[...] = array.T if transpose else array
    return net, meta
