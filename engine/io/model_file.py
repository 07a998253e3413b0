"""Saving models as safetensors files: the weights, plus JSON metadata that rebuilds the network
and says how it was trained (opening one is `model_reader`'s).

Tensors are named as PyTorch names an `nn.Linear` inside an `nn.Sequential` of only Linear
layers: our layer i is `layers.{i}.weight` with shape (out, in) (our `W` transposed) and
`layers.{i}.bias` with shape (out,). With the activations left out, `torch.nn.Sequential(*linears)`
wrapped in a module whose attribute is `layers` loads the file with `load_state_dict` as is.

Every problem with a file is a `ModelFileError` whose one line names the file. Writes go to a
temporary file `.NAME.nn-tui-PID-XXXXXXXX.tmp` in the same folder that replaces the target only
once it is complete; one left behind by a save that was killed is removed later
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
from pathlib import Path
from typing import Any

import numpy as np

from engine.io.header import PathLike, file_error
from engine.io.metadata import metadata_problem
from engine.nn.network import NetworkCore

FORMAT = "nn-tui/1"
META_KEY = "nn_tui"
FLOAT_DTYPES = {"F16": "<f2", "F32": "<f4", "F64": "<f8"}  # safetensors dtype -> NumPy's
STALE_TEMP_SECONDS = 15 * 60  # a temp file this old whose writer is gone is a killed save's
TEMP_MARK = "nn-tui"
# `.NAME.nn-tui-PID-XXXXXXXX.tmp`: NAME the target's file name, PID the writer's process id.
TEMP_NAME = re.compile(r"\.(?P<target>.+)\.nn-tui-(?P<pid>[1-9][0-9]{0,9})-[0-9a-f]{8}\.tmp")
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


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
