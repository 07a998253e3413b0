"""Fixtures every tier shares: the digits dataset and a small trained network (no Textual)."""

from __future__ import annotations

import gc

import pytest

from engine import LayerSpec, ModelSpec, Network, load_dataset
from engine.runs.store import RUNS_ENV


@pytest.fixture(autouse=True)
def runs_store(tmp_path, monkeypatch):
    """Every test records its runs in a store of its own, never in ./runs (the app and the
    command line read $NN_TUI_RUNS; subprocesses inherit it)."""
    path = tmp_path / "runs" / "runs.sqlite"
    monkeypatch.setenv(RUNS_ENV, str(path))
    return path


@pytest.fixture(scope="module")
def digits():
    """The digits dataset, loaded once per test module."""
    return load_dataset("digits")


@pytest.fixture(scope="module")
def network(digits) -> Network:
    """A read-only softmax-regression snapshot trained 3 epochs on digits: some right, some
    wrong, which the viewer tests need."""
    net = Network.from_spec(ModelSpec((LayerSpec(10, "softmax"),)), 64, seed=0)
    net.fit(digits.X_train, digits.y_train, epochs=3, lr=0.01)
    return net.snapshot()


@pytest.fixture(autouse=True)
def _own_config_file(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real ~/.config/nn-tui: NN_TUI_CONFIG points at a file that
    does not exist (subprocesses inherit it)."""
    monkeypatch.setenv("NN_TUI_CONFIG", str(tmp_path_factory.mktemp("config") / "config.toml"))



def pytest_collection_finish(session: pytest.Session) -> None:
    """Moves what collection made (numba, scikit-learn, Textual, the test modules: some 300k
    objects that live to the end) out of the collector's sight: each full collection then walks
    only what the tests make. About 15% of an app test's CPU went to walking them again."""
    gc.collect()
    gc.freeze()
