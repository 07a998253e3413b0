"""Saving and opening models as safetensors files: the weights, plus JSON metadata that rebuilds
the network and says how it was trained.

Tensors are named as PyTorch names an `nn.Linear` inside an `nn.Sequential` of only Linear
layers: our layer i is `layers.{i}.weight` with shape (out, in) (our `W` transposed) and
`layers.{i}.bias` with shape (out,). With the activations left out, `torch.nn.Sequential(*linears)`
wrapped in a module whose attribute is `layers` loads the file with `load_state_dict` as is.

Every problem with a file is a `ModelFileError` whose one line names the file. Opening checks, in
order and before anything large is allocated: that the path is a regular file (a FIFO would block,
a device could stream forever), the safetensors layout (`header`), the metadata's fields
(`metadata`), the architecture against the parameter ceiling (`ModelSpec.validate`), and every
tensor's name, dtype and shape against the architecture; only then is the network built.

Writes go to a temporary file `.NAME.nn-tui-PID-XXXXXXXX.tmp` in the same folder that replaces
the target only once it is complete; one left behind by a save that was killed is removed later
(`remove_stale_temps`). Names and the saved_models/ folder are `model_folder`'s.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import stat
import time
from collections.abc import Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, overload

import numpy as np

from engine.errors import EngineError
from engine.io.header import Header, PathLike, file_error, header_length, parse_header, quoted
from engine.io.metadata import metadata_problem
from engine.nn.layers import Dense
from engine.nn.network import NetworkCore
from engine.nn.spec import ModelSpec

FORMAT = "nn-tui/1"
META_KEY = "nn_tui"
FLOAT_DTYPES = {"F16": "<f2", "F32": "<f4", "F64": "<f8"}  # safetensors dtype -> NumPy's
STALE_TEMP_SECONDS = 15 * 60  # a temp file this old whose writer is gone is a killed save's
TEMP_MARK = "nn-tui"
# `.NAME.nn-tui-PID-XXXXXXXX.tmp`: NAME the target's file name, PID the writer's process id.
TEMP_NAME = re.compile(r"\.(?P<target>.+)\.nn-tui-(?P<pid>[1-9][0-9]{0,9})-[0-9a-f]{8}\.tmp")
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

Metadata = dict[str, Any]
N = TypeVar("N", bound=NetworkCore)


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


def save_network(net: NetworkCore, path: PathLike, metadata: Mapping[str, Any] | None = None,
                 overwrite: bool = False) -> str:
    """Writes `net` and `metadata` (plus the architecture, always) to `path`; returns the path.

    The file holds `layers.{i}.weight` (out, in) and `layers.{i}.bias` (out,) in the network's
    dtype, and the metadata as JSON: `metadata`'s keys, then `format`, `model`
    ({"layers": [{"units", "activation"}, ...], "loss"}), `n_inputs` and `dtype`, which always
    describe `net`. Refuses to replace an existing file unless `overwrite`, and to write a file
    `load_network` would refuse (non-finite weights, metadata of the wrong shape)."""
    import safetensors.numpy

    path = Path(path)
    if path.exists() and not overwrite:
        raise file_error(path, "already exists (choose another name or pass overwrite)")
    if not np.isfinite(net.params).all():
        raise file_error(path, "the weights are not finite (NaN or inf); nothing saved")
    full = dict(metadata or {})
    full.setdefault("created_at", time.strftime("%Y-%m-%dT%H:%M:%S"))
    full.update(format=FORMAT, model=net.spec.to_dict(), n_inputs=net.n_inputs,
                dtype=net.dtype.name)
    try:
        text = json.dumps(full, default=_jsonable)
        problem = metadata_problem(json.loads(text))
    except (TypeError, ValueError, RecursionError) as exc:
        raise file_error(path, f"metadata cannot be stored as JSON ({exc})") from None
    reasons = net.spec.validate(net.n_inputs)
    if problem or reasons:
        raise file_error(path, f"nothing saved: {problem or reasons[0]}")
    data = safetensors.numpy.save(_tensors(net), metadata={META_KEY: text})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(path.parent, target=path.name)
        _write_atomic(path, data, overwrite)
    except OSError as exc:
        raise file_error(path, f"cannot write ({exc.strerror or exc})") from None
    return str(path)


def _new_temp(path: Path) -> tuple[Path, int]:
    """A fresh temp file next to `path`, created here and nowhere else (O_EXCL), open for
    writing; its name says which process writes it."""
    for _ in range(16):
        name = f".{path.name}.{TEMP_MARK}-{os.getpid()}-{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(path.with_name(name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC,
                         0o666)  # the umask applies: a model is an ordinary file
        except FileExistsError:
            continue
        return path.with_name(name), fd
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path.parent))


def _write_atomic(path: Path, data: bytes, overwrite: bool) -> None:
    """Temp file in the same folder, fsync, then one rename: never a half-written model."""
    exists = file_error(path, "already exists (choose another name or pass overwrite)")
    tmp, fd = _new_temp(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
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


def _writer_alive(pid: int) -> bool:
    """False only when no process `pid` runs here; True when it does or when that cannot be
    told (another user's process, a system without signals)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):
        return True
    return True


def remove_stale_temps(folder: PathLike, target: str | None = None) -> list[Path]:
    """Removes the temp files that saves killed mid-write left in `folder`; returns them.

    A file is removed only if it is certainly one: its name is exactly ours,
    `.NAME.nn-tui-PID-XXXXXXXX.tmp` (with `target`, NAME is `target`; without, a model's
    `*.safetensors`), it is a regular file (not a link, folder or FIFO), it is at least
    `STALE_TEMP_SECONDS` old and no process PID runs here. Errors are ignored: cleaning is a
    courtesy, never a reason for a save or a listing to fail."""
    removed: list[Path] = []
    now = time.time()
    try:
        with os.scandir(folder) as entries:
            candidates = [entry for entry in entries if entry.name.endswith(".tmp")]
    except OSError:
        return removed
    for entry in candidates:
        match = TEMP_NAME.fullmatch(entry.name)
        if match is None:
            continue
        name = match["target"]
        if (name != target) if target is not None else not name.endswith(".safetensors"):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if (not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_TEMP_SECONDS
                or _writer_alive(int(match["pid"]))):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


# ---------------------------------------------------------------- reading


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
