"""The saved_models/ folder: what a model's name means as a path (`model_path`), a fresh name for
a new model (`suggest_name`) and the listing the app's Open dialog shows (`list_models`).

Apart from `model_file` and `model_reader`, which write and read one file, because these are
about names and a folder, not the file format.
"""

from __future__ import annotations

import math
import os
import re
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import ModelFileError
from engine.io.header import PathLike
from engine.io.model_file import remove_stale_temps
from engine.io.model_reader import read_metadata

SUFFIX = ".safetensors"
MAX_FILE_NAME = 120  # bytes, suffix included; file systems stop at 255
MODELS_DIR = Path("saved_models")
"""Where models are saved and listed: `saved_models/`, relative, so in the folder the command
runs in; `model_path("x")` is `MODELS_DIR / "x.safetensors"`."""
_NAME_OK = re.compile(r"[A-Za-z0-9_.-]+")


def model_path(name: PathLike, folder: PathLike = MODELS_DIR, allow_paths: bool = True) -> Path:
    """The file a model name means: `"digits-1"` -> `folder/digits-1.safetensors`.

    With `allow_paths` (the CLI's `--save PATH`), anything with a slash, or ending in
    `.safetensors`, is a path, given the suffix if it lacks it: `"some/x"` ->
    `some/x.safetensors`. The app allows names only, so a typed `../x` cannot land outside the
    models folder. A bare name holds only letters, digits, '-', '_' and '.', does not start with
    '.', and the file name stays within `MAX_FILE_NAME` bytes; else `ModelFileError`."""
    text = os.fspath(name).strip()
    if not text:
        raise ModelFileError("the model name is empty")
    is_path = "/" in text or os.sep in text
    if is_path and not allow_paths:
        raise ModelFileError(f"'{text}': a model name may not hold '/' (models are saved in "
                             f"{folder}/; `nn-tui train --save PATH` saves elsewhere)")
    if is_path or text.endswith(SUFFIX):
        path = Path(text).expanduser()
        if not path.name or path.name == SUFFIX:
            raise ModelFileError(f"{text}: not a file name")
        if not path.name.endswith(SUFFIX):
            path = path.with_name(path.name + SUFFIX)
        _check_length(path.name)
        return path
    if not _NAME_OK.fullmatch(text):
        raise ModelFileError(f"'{text}': a model name may hold only letters, digits, '-', '_' "
                             "and '.'")
    if text.startswith("."):
        raise ModelFileError(f"'{text}': a model name may not start with '.'")
    _check_length(text + SUFFIX)
    return Path(folder) / f"{text}{SUFFIX}"


def _check_length(file_name: str) -> None:
    if len(file_name.encode()) > MAX_FILE_NAME:
        raise ModelFileError(f"'{file_name[:40]}...': the name is too long "
                             f"(at most {MAX_FILE_NAME - len(SUFFIX)} characters)")


def compact_layers(layers_text: str) -> str:
    """`"100:relu,10:softmax"` -> `"100relu-10softmax"`, for file names and listings."""
    return "-".join(part.replace(":", "").strip() for part in layers_text.split(","))


def suggest_name(dataset_name: str, layers_text: str, folder: PathLike = MODELS_DIR) -> str:
    """A bare name (for `model_path`) no file in `folder` has yet, from the dataset name and the
    layers text: `("digits", "100:relu,10:softmax")` -> `"digits-100relu-10softmax"`, then
    `"...-2"`, `"...-3"`. Characters a name may not hold become '_'."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{dataset_name}-{compact_layers(layers_text)}")
    stem = stem.lstrip(".")[: MAX_FILE_NAME - len(SUFFIX) - 8] or "model"  # room for "-N"
    name, n = stem, 1
    while model_path(name, folder).exists():
        n += 1
        name = f"{stem}-{n}"
    return name


@dataclass(frozen=True)
class ModelInfo:
    """One row of the models list, from the file's metadata alone.

    `name` is the file name without `.safetensors`, `path` the file; `layers` reads
    `"64-100relu-10softmax"` (the inputs, then each layer's units and activation); `accuracy`
    (classifiers) or `r2` (regression) is the test score saved with the model, None if unknown.
    A file that cannot be opened has `error` set (its one-line `ModelFileError`), `layers` and
    `dataset` empty and `created_at` the file's modification time."""

    name: str
    path: str
    layers: str  # "64-100relu-10softmax": the inputs, then each layer
    dataset: str
    accuracy: float | None
    created_at: str
    error: str | None = None
    r2: float | None = None  # regression models' test score, where accuracy is None


def _score(test: Mapping[str, Any], key: str) -> float | None:
    value = test.get(key)
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _info(path: Path, modified: float) -> ModelInfo:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(modified))
    try:
        meta = read_metadata(path)  # every field used below is checked there
    except ModelFileError as exc:
        return ModelInfo(path.stem, str(path), "", "", None, stamp, error=str(exc))
    units = [f"{d['units']}{d['activation']}" for d in meta["model"]["layers"]]
    dataset = meta.get("dataset") or {}
    test = meta.get("test") or {}
    return ModelInfo(
        name=path.stem, path=str(path), layers="-".join([str(meta["n_inputs"]), *units]),
        dataset=str(dataset.get("name", "?")), accuracy=_score(test, "accuracy"),
        created_at=str(meta.get("created_at", stamp)), r2=_score(test, "r2"),
    )


def list_models(folder: PathLike = MODELS_DIR) -> list[ModelInfo]:
    """Every model file in `folder` (`*.safetensors`), newest first, one `ModelInfo` each; a file
    that cannot be opened is listed with its error. Only regular files (or links to them) are
    read: a FIFO, a folder or a device with a model's name is left out, never opened. Temp files
    of saves killed mid-write are removed on the way (`remove_stale_temps`)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    remove_stale_temps(folder)
    found: list[tuple[int, str, Path, float]] = []
    try:
        with os.scandir(folder) as entries:
            named = [entry for entry in entries if entry.name.endswith(SUFFIX)]
    except OSError:
        return []
    for entry in named:
        try:
            info = entry.stat()  # links followed: a link to a model is a model
        except OSError:
            continue  # a dangling link, or removed while listing
        if stat.S_ISREG(info.st_mode):
            found.append((-info.st_mtime_ns, entry.name, Path(entry.path), info.st_mtime))
    found.sort(key=lambda item: item[:2])
    return [_info(path, modified) for _, _, path, modified in found]
