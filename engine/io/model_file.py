"""Saving and opening models as safetensors files: the weights, plus JSON metadata that rebuilds
the network and says how it was trained.

Tensors are named as PyTorch names an `nn.Linear` inside an `nn.Sequential` of only Linear
layers: our layer i is `layers.{i}.weight` with shape (out, in) (our `W` transposed) and
`layers.{i}.bias`. With the activations left out, `torch.nn.Sequential(*linears)` wrapped in a
module whose attribute is `layers` loads the file with `load_state_dict` as is.

Every problem with a file is a `ModelFileError` whose one line names the file; writes go to a
temporary file in the same folder that replaces the target only once it is complete. Names and
the saved_models/ folder are `model_folder`'s.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import TypeVar, overload

import numpy as np

from engine.errors import EngineError, ModelFileError
from engine.nn.layers import Dense
from engine.nn.network import NetworkCore
from engine.nn.spec import ModelSpec

FORMAT = "nn-tui/1"
META_KEY = "nn_tui"
MAX_HEADER = 100_000_000  # the limit safetensors itself enforces

PathLike = str | os.PathLike
N = TypeVar("N", bound=NetworkCore)


def _error(path: PathLike, problem: str) -> ModelFileError:
    return ModelFileError(f"{os.fspath(path)}: {problem}")


# ---------------------------------------------------------------- saving


def _tensors(net: NetworkCore) -> dict[str, np.ndarray]:
    tensors = {}
    for i, layer in enumerate(net.layers):
        tensors[f"layers.{i}.weight"] = np.ascontiguousarray(layer.W.T)
        tensors[f"layers.{i}.bias"] = np.array(layer.b)
    return tensors


def _jsonable(value: object) -> object:
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON-able")


def save_network(net: NetworkCore, path: PathLike, metadata: dict | None = None,
                 overwrite: bool = False) -> str:
    """Writes `net` and `metadata` (plus the architecture, always) to `path`; returns the path.
    Refuses to replace an existing file unless `overwrite`."""
    import safetensors.numpy

    path = Path(path)
    if path.exists() and not overwrite:
        raise _error(path, "already exists (choose another name or pass overwrite)")
    if not np.isfinite(net.params).all():
        raise _error(path, "the weights are not finite (NaN or inf); nothing saved")
    full = dict(metadata or {})
    full.setdefault("created_at", time.strftime("%Y-%m-%dT%H:%M:%S"))
    full.update(format=FORMAT, model=net.spec.to_dict(), n_inputs=net.n_inputs,
                dtype=net.dtype.name)
    try:
        header = {META_KEY: json.dumps(full, default=_jsonable)}
    except (TypeError, ValueError) as exc:
        raise _error(path, f"metadata cannot be stored as JSON ({exc})") from None
    data = safetensors.numpy.save(_tensors(net), metadata=header)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, data, overwrite)
    except OSError as exc:
        raise _error(path, f"cannot write ({exc.strerror or exc})") from None
    return str(path)


def _write_atomic(path: Path, data: bytes, overwrite: bool) -> None:
    """Temp file in the same folder, fsync, then one rename: never a half-written model."""
    exists = _error(path, "already exists (choose another name or pass overwrite)")
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                     delete=False) as handle:
        tmp = Path(handle.name)
        try:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    try:
        os.chmod(tmp, 0o644)  # temp files start private; a model is an ordinary file
        if overwrite:
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)  # fails if `path` appeared meanwhile, where replace would clobber
        except FileExistsError:
            raise exists from None
        except OSError:  # a file system without hard links: check, then rename
            if path.exists():
                raise exists from None
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------- reading


def _header(path: PathLike, head: bytes, size: int) -> dict:
    """The safetensors JSON header from the file's first bytes, with the file checked for size.
    Layout: 8-byte little-endian header length N, N bytes of JSON, then the tensor bytes."""
    if size == 0:
        raise _error(path, "empty file")
    if size < 9:
        raise _error(path, f"truncated or not a safetensors file (only {size} bytes)")
    n = int.from_bytes(head[:8], "little")
    if n < 2 or n > MAX_HEADER or head[8:9] != b"{":
        raise _error(path, "not a safetensors file")
    if len(head) < 8 + n:
        raise _error(path, f"truncated ({size} bytes; the header alone needs {8 + n})")
    try:
        header = json.loads(head[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _error(path, "not a safetensors file (its header is not JSON)") from None
    if not isinstance(header, dict):
        raise _error(path, "not a safetensors file (its header is not a JSON object)")
    try:
        end = max((int(info["data_offsets"][1]) for key, info in header.items()
                   if key != "__metadata__"), default=0)
    except (TypeError, KeyError, IndexError, ValueError):
        raise _error(path, "not a safetensors file (bad tensor entries)") from None
    if size < 8 + n + end:
        raise _error(path, f"truncated ({size} bytes; expected {8 + n + end})")
    if size > 8 + n + end:
        raise _error(path, f"not a valid safetensors file ({size - 8 - n - end} stray bytes "
                     "after the tensors)")
    return header


def _metadata(path: PathLike, header: dict) -> dict:
    extra = header.get("__metadata__")
    if not isinstance(extra, dict) or META_KEY not in extra:
        raise _error(path, f"not an nn-tui model (no {META_KEY} metadata)")
    try:
        meta = json.loads(extra[META_KEY])
    except (TypeError, ValueError) as exc:
        raise _error(path, f"broken {META_KEY} metadata ({exc})") from None
    if not isinstance(meta, dict):
        raise _error(path, f"broken {META_KEY} metadata (not a JSON object)")
    return meta


def _read_head(path: PathLike) -> tuple[dict, int]:
    """Reads only the header bytes; returns (header, file size)."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            head = handle.read(9)
            n = int.from_bytes(head[:8], "little")
            if len(head) == 9 and head[8:] == b"{" and n <= MAX_HEADER:
                head += handle.read(n - 1)
    except FileNotFoundError:
        raise _error(path, "no such file") from None
    except IsADirectoryError:
        raise _error(path, "is a folder, not a model file") from None
    except OSError as exc:
        raise _error(path, f"cannot read ({exc.strerror or exc})") from None
    return _header(path, head, size), size


def read_metadata(path: PathLike) -> dict:
    """The metadata dict, reading only the header: cheap enough for a listing."""
    header, _ = _read_head(path)
    return _metadata(path, header)


def _architecture(path: PathLike, meta: dict, network_type: type[N]) -> N:
    try:
        spec = ModelSpec.from_dict(meta["model"])
        sizes = [int(meta["n_inputs"]), *(layer.units for layer in spec.layers)]
        layers = [Dense(a, b, layer.activation)
                  for a, b, layer in zip(sizes[:-1], sizes[1:], spec.layers, strict=True)]
        return network_type(layers, loss=spec.loss, seed=int(meta.get("seed", 0)),
                       dtype=str(meta.get("dtype", "float32")))
    except EngineError as exc:
        raise _error(path, f"the metadata describes no valid network ({exc})") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _error(path, f"the metadata describes no network (bad or missing {exc})") from None


def _check_tensors(path: PathLike, header: dict, net: NetworkCore) -> None:
    found = {key: info for key, info in header.items() if key != "__metadata__"}
    expected = {}
    for i, layer in enumerate(net.layers):
        expected[f"layers.{i}.weight"] = [layer.n_out, layer.n_in]
        expected[f"layers.{i}.bias"] = [layer.n_out]
    for key, shape in expected.items():
        if key not in found:
            raise _error(path, f"tensor '{key}' is missing")
        if not isinstance(found[key], dict) or found[key].get("shape") != shape:
            got = found[key].get("shape") if isinstance(found[key], dict) else None
            raise _error(path, f"tensor '{key}' has shape {tuple(got or ())} but the "
                         f"architecture needs {tuple(shape)}")
        if found[key].get("dtype") not in ("F16", "F32", "F64"):
            raise _error(path, f"tensor '{key}' holds {found[key].get('dtype')}, not floats")
    extra = sorted(set(found) - set(expected))
    if extra:
        raise _error(path, f"unexpected tensor '{extra[0]}' for this architecture")


@overload
def load_network(path: PathLike) -> tuple[NetworkCore, dict]: ...
@overload
def load_network(path: PathLike, network_type: type[N]) -> tuple[N, dict]: ...
def load_network(path: PathLike, network_type: type[NetworkCore] = NetworkCore
                 ) -> tuple[NetworkCore, dict]:
    """Rebuilds the saved network and returns it with the full metadata dict."""
    import safetensors
    import safetensors.numpy

    header, size = _read_head(path)
    meta = _metadata(path, header)
    net = _architecture(path, meta, network_type)
    _check_tensors(path, header, net)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        if len(data) != size:
            raise _error(path, "changed while being read")
        tensors = safetensors.numpy.load(data)
    except OSError as exc:
        raise _error(path, f"cannot read ({exc.strerror or exc})") from None
    except (safetensors.SafetensorError, ValueError, TypeError) as exc:
        raise _error(path, f"not a valid safetensors file ({exc})") from None
    for i, layer in enumerate(net.layers):
        for name, target, arr in (("weight", layer.W, tensors[f"layers.{i}.weight"].T),
                                  ("bias", layer.b, tensors[f"layers.{i}.bias"])):
            if not np.isfinite(arr).all():
                raise _error(path, f"tensor 'layers.{i}.{name}' holds NaN or infinite values")
            target[...] = arr
    return net, meta

