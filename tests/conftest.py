"""Fixtures every tier shares: the digits dataset and a small trained network (no Textual)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from engine import LayerSpec, ModelSpec, Network, load_dataset


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


@pytest.fixture(scope="session", autouse=True)
def _runs_stay_in_a_temp_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every run a test trains is recorded (app, CLI, sweeps): into a store of the test
    session's own, never into runs/ of the folder the tests run from (or $NN_TUI_RUNS)."""
    before = os.environ.get("NN_TUI_RUNS")
    os.environ["NN_TUI_RUNS"] = str(tmp_path_factory.mktemp("runs") / "runs.sqlite")
    yield
    if before is None:
        os.environ.pop("NN_TUI_RUNS", None)
    else:
        os.environ["NN_TUI_RUNS"] = before
