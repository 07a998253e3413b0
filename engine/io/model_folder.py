"""The saved_models/ folder: what a model's name means as a path (`model_path`), a fresh name for
a new model (`suggest_name`) and the listing the app's Open dialog shows (`list_models`).

Apart from `model_file`, which reads and writes one file, because these are about names and a
folder, not the file format.
"""

from __future__ import annotations

import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ModelFileError
from engine.io.model_file import read_metadata

SUFFIX = ".safetensors"
MAX_FILE_NAME = 120  # bytes, suffix included; file systems stop at 255
MODELS_DIR = Path("saved_models")  # relative: the folder the command runs in
_NAME_OK = re.compile(r"[A-Za-z0-9_.-]+")

PathLike = str | os.PathLike


def model_path(name: str | os.PathLike, folder: PathLike = MODELS_DIR,
               allow_paths: bool = True) -> Path:
    """A bare name is `folder/NAME.safetensors`; with `allow_paths` (the CLI's `--save PATH`),
    anything with a slash is a path, given the suffix if it lacks it. The app allows names only,
    so a typed `../x` cannot land outside the models folder."""
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
    """`digits-100relu-10softmax`, then `-2`, `-3`, ...: a name no file in `folder` has yet."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{dataset_name}-{compact_layers(layers_text)}")
    stem = stem.lstrip(".")[: MAX_FILE_NAME - len(SUFFIX) - 8] or "model"  # room for "-N"
    name, n = stem, 1
    while model_path(name, folder).exists():
        n += 1
        name = f"{stem}-{n}"
    return name


@dataclass(frozen=True)
class ModelInfo:
    """One row of the models list; a file that cannot be read has `error` set instead."""

    name: str
    path: str
    layers: str  # "64-100relu-10softmax": the inputs, then each layer
    dataset: str
    accuracy: float | None
    created_at: str
    error: str | None = None
    r2: float | None = None  # regression models' test score, where accuracy is None


def _score(test: dict, key: str) -> float | None:
    value = test.get(key)
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _info(path: Path) -> ModelInfo:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(path.stat().st_mtime))
    try:
        meta = read_metadata(path)
        units = [f"{d['units']}{d['activation']}" for d in meta["model"]["layers"]]
        dataset = meta.get("dataset") or {}
        test = meta.get("test") or {}
        return ModelInfo(
            name=path.stem, path=str(path), layers="-".join([str(meta["n_inputs"]), *units]),
            dataset=str(dataset.get("name", "?")) if isinstance(dataset, dict) else "?",
            accuracy=_score(test, "accuracy"), created_at=str(meta.get("created_at", stamp)),
            r2=_score(test, "r2"),
        )
    except ModelFileError as exc:
        return ModelInfo(path.stem, str(path), "", "", None, stamp, error=str(exc))
    except (KeyError, TypeError, AttributeError) as exc:
        return ModelInfo(path.stem, str(path), "", "", None, stamp,
                         error=f"{path}: the metadata describes no network (missing {exc})")


def list_models(folder: PathLike = MODELS_DIR) -> list[ModelInfo]:
    """Every model file in `folder`, newest first; unreadable files are listed with an error."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    files = []
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            files.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue  # removed while listing
    files.sort(key=lambda item: (-item[0], item[1].name))
    return [_info(path) for _, path in files]
