"""MNIST and Fashion-MNIST by name (`FETCHABLE`): their four IDX files, downloaded once from their
usual home into the user's cache directory, then read from there offline like any IDX set.

The cache is `$NN_TUI_CACHE` when set, else platformdirs' user cache directory for nn-tui
(`~/.cache/nn-tui` on Linux), one folder a set. A file is downloaded to a temporary name, its
MD5 checked against the published one, then renamed into place, so a half-finished download is
never taken for the data. With no network the error is one line that says so and how to pass the
files instead. `progress(file, done, total)` reports each file's bytes as they come (the command
line draws a bar from it).
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from engine.errors import DatasetError

CACHE_ENV = "NN_TUI_CACHE"
CHUNK = 1 << 16
TIMEOUT = 30.0  # seconds without a byte before a download gives up

Progress = Callable[[str, int, int], None]  # (file name, bytes so far, bytes in all or 0)
Opener = Callable[[str, float], IO[bytes]]  # (url, timeout) -> a response to read


@dataclass(frozen=True)
class Source:
    """Where a set's four files live, and each file's MD5 as published."""

    name: str
    mirrors: tuple[str, ...]
    files: tuple[tuple[str, str], ...]  # (file name, md5)
    fashion: bool
    megabytes: float = 0.0  # the four files' download, roughly
    about: str = ""  # what it teaches, for `nn-tui datasets`


# Both sets alike, known without downloading them (`nn-tui datasets` lists them offline).
SAMPLES = 70_000  # 60,000 training images and 10,000 test images
SIDE = 28  # each image SIDE x SIDE grey levels: SIDE * SIDE features
CLASSES = 10


_NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
          "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

FETCHABLE: dict[str, Source] = {
    "mnist": Source(
        "mnist",
        ("https://ossci-datasets.s3.amazonaws.com/mnist/",
         "https://storage.googleapis.com/cvdf-datasets/mnist/"),
        tuple(zip(_NAMES, ("f68b3c2dcbeaaa9fbdd348bbdeb94873",
                           "d53e105ee54ea40749a09fcbcd1e9432",
                           "9fb629c4189551a2d022fa330f9573f3",
                           "ec29112dd5afa0611ce80d1b7f02629c"))),
        fashion=False,
        megabytes=11.6,
        about="handwritten digits 28x28: the classic benchmark, digits' big sibling",
    ),
    "fashion_mnist": Source(
        "fashion_mnist",
        ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
         "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"),
        tuple(zip(_NAMES, ("8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                           "25c81989df183df01b3e8a0aad5dffbe",
                           "bef4ecab320f06d8554ea6380940ec79",
                           "bb300cfdad3c16e7a12a480ee83cd310"))),
        fashion=True,
        megabytes=30.9,
        about="clothes 28x28 in 10 kinds: MNIST's shape, a harder task",
    ),
}


def cache_dir() -> Path:
    """Where fetched sets are kept: $NN_TUI_CACHE, else the user's cache directory."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("nn-tui"))


def cached_images(name: str) -> Path | None:
    """The set's images file in the cache when all four files are there, else None."""
    folder = cache_dir() / name
    if all((folder / file).is_file() for file, _ in FETCHABLE[name].files):
        return folder / FETCHABLE[name].files[0][0]
    return None


def _open_url(url: str, timeout: float) -> IO[bytes]:
    response: IO[bytes] = urllib.request.urlopen(url, timeout=timeout)
    return response


def _offline(source: Source, folder: Path, reason: str) -> DatasetError:
    files = ", ".join(file for file, _ in source.files)
    return DatasetError(
        f"{source.name}: not in the cache ({folder}) and cannot be downloaded ({reason}); "
        f"where there is a network, download {files} from {source.mirrors[0]} into one folder "
        f"and pass --dataset FOLDER/train-images-idx3-ubyte.gz")


def _download(url: str, target: Path, md5: str, file: str, progress: Progress | None,
              opener: Opener) -> None:
    partial = target.with_name(target.name + ".part")
    digest = hashlib.md5(usedforsecurity=False)
    with opener(url, TIMEOUT) as response, partial.open("wb") as out:
        total = int(getattr(response, "headers", {}).get("Content-Length") or 0)
        done = 0
        while chunk := response.read(CHUNK):
            out.write(chunk)
            digest.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(file, done, total)
    if digest.hexdigest() != md5:
        partial.unlink(missing_ok=True)
        raise DatasetError(f"{url}: the download's MD5 {digest.hexdigest()} is not the "
                           f"published {md5}")
    partial.replace(target)


def fetch(name: str, progress: Progress | None = None, opener: Opener | None = None) -> Path:
    """The images file of set `name` (a key of FETCHABLE), downloading what the cache lacks
    (with `opener`, urlopen by default)."""
    source = FETCHABLE[name]
    opener = opener or _open_url
    found = cached_images(name)
    if found is not None:
        return found
    folder = cache_dir() / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatasetError(f"{folder}: cannot make the cache folder "
                           f"({exc.strerror or exc})") from None
    for file, md5 in source.files:
        target = folder / file
        if target.is_file():
            continue
        reasons = []
        for mirror in source.mirrors:
            try:
                _download(mirror + file, target, md5, file, progress, opener)
                break
            except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
                reasons.append(_reason(exc))
            except DatasetError as exc:
                reasons.append(str(exc))
            except OSError as exc:
                raise DatasetError(f"{target}: cannot write ({exc.strerror or exc})") from None
        else:
            raise _offline(source, folder, reasons[0])
    images = cached_images(name)
    if images is None:  # every file was written above
        raise DatasetError(f"{folder}: the downloaded files are missing")
    return images


def _reason(exc: BaseException) -> str:
    """Why a download failed, in a few words."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"the server answered HTTP {exc.code}"
    inner = getattr(exc, "reason", exc)
    text = " ".join(str(inner).split()) or type(inner).__name__
    return f"no network: {text}"
