"""Fixtures every tier shares: the digits dataset and a small trained network (no Textual)."""

from __future__ import annotations

import gc
import os
import signal

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



def pytest_configure(config: pytest.Config) -> None:
    """A suite started in the background of a script (`make test &`, nohup) inherits SIGINT
    ignored, and so does every child it starts: the Ctrl+C tests' children (train, sweep) then
    never stop and time out. Python's own handler again here, so the children start with the
    default action, as under a terminal."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Moves what collection made (numba, scikit-learn, Textual, the test modules: some 300k
    objects that live to the end) out of the collector's sight: each full collection then walks
    only what the tests make. About 15% of an app test's CPU went to walking them again."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """pytest's unraisable-exception check ends each process with five full collections (for
    finalizers that make more garbage). Here one collection finds what there is to find (and
    its warnings still reach pytest), then everything left is frozen: the five walk nothing.
    Each of them walked some 400k objects, 1.1 s of CPU a worker in all."""
    gc.collect()
    gc.freeze()


# The tests that take longest by the clock (waiting on child processes, Dask, pip, a pty or
# Textual's idle checks), longest first: seconds of wall each in a loaded full run, 4 workers.
LONG_TESTS = (
    "tests/app/test_app_random_keys.py::",  # 51
    "tests/cli/test_sweep_cli.py::test_a_local_pool_and_a_dask_cluster",  # 44
    "tests/cli/test_install.py::test_the_wheel_holds_what_it_needs",  # 36
    "tests/app/test_race_app.py::",  # 32, 29
    "tests/engine/test_sweep_speed.py::test_a_dask_worker",  # 27
    "tests/cli/test_cli_process.py::test_interrupt_stops_cleanly",  # 27
    "tests/cli/test_cli_process.py::test_the_installed_nn_tui_script",  # 26
    "tests/cli/test_entry_fixes.py::test_the_app_without_a_terminal",  # 21, 14
    "tests/engine/test_sweep.py::test_building_the_jobs_imports_no_numba",  # 16
    "tests/engine/test_sweep.py::test_a_worker_that_dies",  # 14
    "tests/looks/test_signals_pty.py::",  # 9-13 each
)


def _long_rank(item: pytest.Item) -> int | None:
    return next((rank for rank, prefix in enumerate(LONG_TESTS)
                 if item.nodeid.startswith(prefix)), None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each xdist worker starts with its share of the long tests. `--dist worksteal` hands the
    workers contiguous, even slices of this list and steals from their ends, so a long test left
    in the middle may start last and hold the whole run; here the long ones, dealt in turn, head
    the slices and overlap with the others' work. The rest keep their order (module fixtures stay
    shared), and every worker computes the same order, as xdist requires."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    long = sorted((item for item in items if _long_rank(item) is not None), key=_long_rank)
    if not long:
        return
    rest = [item for item in items if _long_rank(item) is None]
    ordered: list[pytest.Item] = []
    remaining = len(items)
    for worker in range(workers):
        size = remaining // (workers - worker)  # worksteal's first slice for this worker
        remaining -= size
        head = long[worker::workers]
        ordered += head
        taken = max(0, size - len(head))
        ordered += rest[:taken]
        rest = rest[taken:]
    items[:] = ordered + rest
