"""What keeps a sweep's per-run work small, so that 2 workers run it in about half the time of
1: the launcher splits a fixed dataset for each run without reading its file again, and each
worker starts with what every first run would otherwise set up for itself."""

from __future__ import annotations

import os
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine import TrainConfig, load_dataset
from engine.runs.executors import CLOSING_THREAD, DASK_PRELOAD, run_dask, run_local
from engine.runs.sweep import Job, blas_controller, make_jobs, train_job
from engine.runs.worker_processes import launcher_gone
from engine.train import threads


def test_a_fixed_builtin_is_read_once_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """digits' CSV took the launcher 20 ms of CPU a run to parse again; each seed still gets
    its own split, and the same seed the same arrays."""
    import sklearn.datasets

    reads: list[int] = []
    original = sklearn.datasets.load_digits

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(sklearn.datasets, "load_digits", counted)
    first, second, again = (load_dataset("digits", seed=s) for s in (3, 4, 3))
    assert len(reads) <= 1  # none when an earlier test in this process read it already
    assert np.array_equal(first.X_train, again.X_train)
    assert np.array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.X_train, second.X_train)
    assert len(first.X_train) + len(first.X_val) + len(first.X_test) == 1797


def blas_controller_at_start(job: Job) -> dict[str, Any]:
    """Says whether the worker had threadpoolctl's controller before its first run."""
    made = threads._Shared.controller is not None
    return {**train_job(job), "made": made}


def test_a_worker_starts_with_the_blas_controller_made() -> None:
    """Its scan of the loaded libraries (about 6 ms of CPU) is done once in the forkserver,
    not by every worker's first run."""
    jobs = make_jobs("xor4", TrainConfig(epochs=2, batch_size=0), [], (0, 1),
                     layers="2:sigmoid,1:sigmoid")
    outcomes = list(run_local(jobs, 2, fn=blas_controller_at_start))
    assert [(o.error, o.result and o.result["made"]) for o in outcomes] == [(None, True)] * 2


def worker_pid(job: Job) -> dict[str, Any]:
    return {**train_job(job), "pid": os.getpid()}


def test_a_worker_skips_the_launchers_main_script_and_exits_on_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """multiprocessing runs the launcher's main script again in each worker it starts (the
    `nn-tui` script: 30 ms of imports a worker); the jobs need nothing from it. And the sweep
    returns without waiting for its workers to exit (7-11 ms), which they do by themselves."""
    script = tmp_path / "launcher.py"
    ran = tmp_path / "ran"
    script.write_text(f"open({str(ran)!r}, 'a').write(__name__ + '\\n')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)  # a launcher started as `python launcher.py`, or as nn-tui
    main.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", main)
    jobs = make_jobs("xor4", TrainConfig(epochs=2, batch_size=0), [], (0, 1, 2),
                     layers="2:sigmoid,1:sigmoid")
    outcomes = list(run_local(jobs, 2, fn=worker_pid))
    assert [o.error for o in outcomes] == [None] * 3
    assert not ran.exists()  # with "__mp_main__" in it, a worker ran the script
    assert main.__spec__ is None  # as it was
    pids = {o.result["pid"] for o in outcomes if o.result}
    deadline = time.monotonic() + 10
    while not all(launcher_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert all(launcher_gone(pid) for pid in pids)


def one_thread_controller_at_start(job: Job) -> dict[str, Any]:
    """Says whether the Dask worker had the controller that limits its runs before its first,
    and how many pages a 1 MB NumPy temporary, made and freed 20 times, faulted in."""
    made = blas_controller.cache_info().currsize == 1
    return {**train_job(job), "made": made, "faults": temporary_faults()}


def temporary_faults(times: int = 20) -> int:
    """Page faults of `times` 1 MB temporaries, each freed before the next: about 256 each
    where freed memory goes straight back to the system, none where the heap keeps it."""
    import resource

    values = np.ones((1250, 100))
    first = values * 2.0  # the first one may grow the heap
    del first
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(times):
        temporary = values * 2.0
        del temporary
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_a_dask_worker_starts_with_its_blas_controller_made() -> None:
    """`DASK_PRELOAD` readies a worker as the forkserver readies the pool's, and it also makes
    the controller that keeps each run to one BLAS thread (the pool's workers start with one).
    It also undoes the nanny's `MALLOC_TRIM_THRESHOLD_` (`engine.runs.heap`), under which every
    NumPy temporary over 128 KiB was faulted in afresh: 15-25% more CPU a digits run."""
    from distributed import LocalCluster

    jobs = make_jobs("xor4", TrainConfig(epochs=2, batch_size=0), [], (0, 1),
                     layers="2:sigmoid,1:sigmoid")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None, preload=DASK_PRELOAD) as cluster:
        outcomes = list(run_dask(jobs, cluster.scheduler_address,
                                 fn=one_thread_controller_at_start))
        # The client closes after the last result, in a thread of its own.
        for thread in threading.enumerate():
            if thread.name == CLOSING_THREAD:
                thread.join(timeout=30)
        deadline = time.monotonic() + 10  # the scheduler drops it as its own loop gets to it
        while set(cluster.scheduler.clients) != {"fire-and-forget"} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert set(cluster.scheduler.clients) == {"fire-and-forget"}  # ours has gone
    assert [(o.error, o.result and o.result["made"]) for o in outcomes] == [(None, True)] * 2
    assert [o.result and o.result["faults"] < 20 * 256 // 10 for o in outcomes] == [True] * 2
