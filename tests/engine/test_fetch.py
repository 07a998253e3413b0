"""MNIST and Fashion-MNIST by name (issue 13): fetched once into the cache, then read offline.
No test touches the network: the opener is replaced by one that raises what urlopen raises with
no network, or serves bytes the test wrote."""

from __future__ import annotations

import gzip
import hashlib
import io
import urllib.error
from pathlib import Path

import pytest

from engine.data import fetch
from engine.data.datasets import load_dataset
from engine.errors import DatasetError
from tests.idx_files import digit_set, enlarged_digits, idx_bytes
from tui.cli.main import main


def no_network(url: str, timeout: float):
    raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(fetch.CACHE_ENV, str(folder))
    return folder


def test_offline_with_an_empty_cache_says_so_in_one_line(cache: Path, monkeypatch) -> None:
    monkeypatch.setattr(fetch, "_open_url", no_network)
    with pytest.raises(DatasetError) as caught:
        load_dataset("mnist")
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(f"mnist: not in the cache ({cache / 'mnist'}) and cannot be "
                           "downloaded (no network: ")
    assert "--dataset FOLDER/train-images-idx3-ubyte.gz" in text
    assert not list((cache / "mnist").glob("*.gz"))  # nothing half-written is kept


def test_offline_from_the_command_line(cache: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(fetch, "_open_url", no_network)
    assert main(["train", "--dataset", "fashion_mnist", "--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "fashion_mnist: not in the cache" in err[0]
    assert "no network" in err[0]


def test_a_filled_cache_needs_no_network(cache: Path, monkeypatch) -> None:
    digit_set(cache / "fashion_mnist", gz=True)
    monkeypatch.setattr(fetch, "_open_url", no_network)
    ds = load_dataset("fashion_mnist")
    assert ds.name == "fashion_mnist" and ds.class_names[9] == "Ankle boot"
    assert ds.image_shape == (28, 28) and len(ds.X_test) == 50


def _served(files: dict[str, bytes]):
    def opener(url: str, timeout: float):
        name = url.rsplit("/", 1)[1]
        response = io.BytesIO(files[name])
        response.headers = {"Content-Length": str(len(files[name]))}  # type: ignore[attr-defined]
        return response

    return opener


def _four_files() -> dict[str, bytes]:
    X, y = enlarged_digits(60)
    return {"train-images-idx3-ubyte.gz": gzip.compress(idx_bytes(X[:40])),
            "train-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(y[:40])),
            "t10k-images-idx3-ubyte.gz": gzip.compress(idx_bytes(X[40:])),
            "t10k-labels-idx1-ubyte.gz": gzip.compress(idx_bytes(y[40:]))}


def _source(files: dict[str, bytes], wrong: str = "") -> fetch.Source:
    sums = tuple((name, "0" * 32 if name == wrong else hashlib.md5(data).hexdigest())
                 for name, data in files.items())
    return fetch.Source("mnist", ("https://example.invalid/",), sums, fashion=False)


def test_a_download_is_checked_kept_and_reported(cache: Path, monkeypatch) -> None:
    files = _four_files()
    monkeypatch.setitem(fetch.FETCHABLE, "mnist", _source(files))
    seen: list[tuple[str, int, int]] = []
    path = fetch.fetch("mnist", lambda *a: seen.append(a), _served(files))
    assert path == cache / "mnist" / "train-images-idx3-ubyte.gz"
    assert sorted(p.name for p in (cache / "mnist").iterdir()) == sorted(files)
    assert seen[-1] == ("t10k-labels-idx1-ubyte.gz", len(files["t10k-labels-idx1-ubyte.gz"]),
                        len(files["t10k-labels-idx1-ubyte.gz"]))
    # the second time, from the cache alone
    assert fetch.fetch("mnist", None, no_network) == path


def test_a_download_with_the_wrong_checksum_is_not_kept(cache: Path, monkeypatch) -> None:
    files = _four_files()
    monkeypatch.setitem(fetch.FETCHABLE, "mnist",
                        _source(files, wrong="train-labels-idx1-ubyte.gz"))
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte.gz: the download's MD5 "):
        fetch.fetch("mnist", None, _served(files))
    kept = sorted(p.name for p in (cache / "mnist").iterdir())
    assert kept == ["train-images-idx3-ubyte.gz"]  # the bad one is gone, no .part either
    assert fetch.cached_images("mnist") is None
