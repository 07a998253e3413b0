"""What a newcomer can find without the source: `nn-tui datasets`, the choices in every
`--help`, `nn-tui --version`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

import engine.version
import tui
from engine.data import datasets as datasets_module
from engine.data import fetch
from engine.data.builtins import ABOUT, BUILTIN_DATASETS
from engine.nn.activations import ACTIVATIONS
from engine.nn.losses import LOSSES
from engine.nn.optimizers import OPTIMIZERS
from engine.nn.schedules import SCHEDULES
from tests.cli.runner import NnTui

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_builtin_dataset_says_what_it_teaches() -> None:
    assert list(ABOUT) == list(BUILTIN_DATASETS)
    assert all(10 < len(text) < 100 and "\n" not in text for text in ABOUT.values())


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache of fetched sets of the test's own, and no network: a download fails."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(fetch.CACHE_ENV, str(folder))

    def no_network(url: str, timeout: float) -> None:
        raise AssertionError(f"nn-tui datasets downloaded {url}")

    monkeypatch.setattr(fetch, "_open_url", no_network)
    return folder


def test_datasets_lists_every_builtin_with_its_shape(nn_tui: NnTui, cache: Path) -> None:
    result = nn_tui("datasets", "--json")
    assert result.code == 0 and result.err == ""
    rows = {row["name"]: row for row in map(json.loads, result.out.splitlines())}
    assert list(rows) == [*BUILTIN_DATASETS, *fetch.FETCHABLE]
    assert {k: rows["digits"][k] for k in ("samples", "features", "classes")} == {
        "samples": 1797, "features": 64, "classes": 10}
    assert rows["diabetes"]["task"] == "regression" and rows["diabetes"]["targets"] == 1
    assert "classes" not in rows["diabetes"]
    assert rows["people"]["samples"] == 4 and rows["people"]["class_names"] == ["male", "female"]
    assert all(row["about"] == ABOUT[name] for name, row in rows.items() if name in ABOUT)

    table = nn_tui("datasets").out.splitlines()
    assert table[0].split()[:4] == ["name", "samples", "features", "predicts"]
    by_name = {line.split()[0]: line for line in table[1:] if line}
    assert "1797" in by_name["digits"] and "10 classes" in by_name["digits"]
    assert "regression" in by_name["sine"] and ABOUT["xor4"] in by_name["xor4"]
    assert set(BUILTIN_DATASETS) <= set(by_name)


def test_datasets_lists_mnist_and_fashion_mnist_without_fetching_them(
        nn_tui: NnTui, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_loading(*args: object, **kwargs: object) -> None:
        raise AssertionError("nn-tui datasets loaded an IDX set")

    monkeypatch.setattr(datasets_module, "load_idx", no_loading)
    result = nn_tui("datasets", "--json")
    assert result.code == 0 and result.err == ""
    rows = {row["name"]: row for row in map(json.loads, result.out.splitlines())}
    for name in ("mnist", "fashion_mnist"):
        assert {k: rows[name][k] for k in ("task", "samples", "features", "classes",
                                           "fetched")} == {
            "task": "classification", "samples": 70_000, "features": 784, "classes": 10,
            "fetched": False}
        assert rows[name]["download_mb"] > 1 and rows[name]["about"]
    assert rows["fashion_mnist"]["class_names"][:2] == ["T-shirt/top", "Trouser"]
    assert rows["mnist"]["class_names"] == [str(d) for d in range(10)]
    table = {line.split()[0]: line for line in nn_tui("datasets").out.splitlines() if line}
    assert "70000" in table["mnist"] and "784" in table["mnist"]
    assert "10 classes" in table["fashion_mnist"]
    assert "downloads once, ~12 MB" in table["mnist"] and "cached" not in table["mnist"]
    assert not cache.exists() or not any(cache.iterdir())  # nothing downloaded

    folder = cache / "mnist"  # the four files in the cache: mnist reads as fetched
    folder.mkdir(parents=True)
    for file, _ in fetch.FETCHABLE["mnist"].files:
        (folder / file).write_bytes(b"")
    rows = {row["name"]: row for row in map(json.loads, nn_tui("datasets", "--json")
                                            .out.splitlines())}
    assert (rows["mnist"]["fetched"], rows["fashion_mnist"]["fetched"]) == (True, False)
    table = {line.split()[0]: line for line in nn_tui("datasets").out.splitlines() if line}
    assert table["mnist"].endswith("(cached)") and "downloads once" in table["fashion_mnist"]


CHOICES = {"datasets": list(BUILTIN_DATASETS), "activations": list(ACTIVATIONS),
           "losses": list(LOSSES), "optimizers": list(OPTIMIZERS),
           "schedules": list(SCHEDULES)}
HELPS = {
    (): ("datasets", "activations", "losses", "optimizers"),
    ("train",): ("datasets", "activations", "losses", "optimizers", "schedules"),
    ("evaluate",): ("datasets",),
    ("inspect",): ("datasets",),
}


@pytest.mark.parametrize("command", HELPS)
def test_help_names_the_choices(nn_tui: NnTui, command: tuple[str, ...]) -> None:
    result = nn_tui(*command, "--help")
    assert result.code == 0
    flat = " ".join(result.out.split()).replace("- ", "-")  # argparse wraps at hyphens
    for kind in HELPS[command]:
        missing = [name for name in CHOICES[kind] if name not in flat]
        assert not missing, f"{command} --help lacks the {kind} {missing}"
    if not command:
        assert "datasets" in flat and "--version" in flat


def test_version(nn_tui: NnTui) -> None:
    result = nn_tui("--version")
    assert result.code == 0
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "engine.version.__version__"}  # one home for the version
    assert result.out == f"nn-tui {engine.version.__version__}\n"
    assert tui.__version__ == engine.version.__version__  # the fallback
