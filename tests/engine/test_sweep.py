"""Sweeps in the engine: grids and seeds, the jobs' product, and a local pool whose worker dies
(that run is failed, the others finish)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine import RunStore, SpecError, TrainConfig
from engine.runs import executors, sweep, worker_processes
from engine.runs.executors import run_local
from engine.runs.grid import parse_grid, parse_seeds
from engine.runs.sweep import Job, make_jobs, record_result, train_job


def test_grids_and_seeds_read_as_written() -> None:
    assert parse_grid("lr=0.001, 0.01") == ("lr", (0.001, 0.01))
    assert parse_grid("batch-size=8,8,0") == ("batch_size", (8, 0))
    assert parse_grid("layers=8:relu,3:softmax;4:tanh,3:softmax") == \
        ("layers", ("8:relu,3:softmax", "4:tanh,3:softmax"))
    assert parse_grid("nesterov=on,off") == ("nesterov", (True, False))
    assert parse_seeds("0-4") == (0, 1, 2, 3, 4) and parse_seeds("7,1,7") == (7, 1)
    for bad in ("lr", "=1", "lr=", "lr=1,,2", "speed=1", "epochs=1.5"):
        with pytest.raises(SpecError):
            parse_grid(bad)
    for bad in ("", "a", "3-1", "-1"):
        with pytest.raises(SpecError):
            parse_seeds(bad)


def test_the_jobs_are_the_product_of_the_grids_and_the_seeds() -> None:
    jobs = make_jobs("iris", TrainConfig(epochs=3),
                     [parse_grid("lr=0.01,0.1"), parse_grid("optimizer=adam,sgd,momentum")],
                     (0, 1), layers="8:relu,3:softmax")
    assert len(jobs) == 12 and [j.index for j in jobs] == list(range(12))
    assert {(j.config["lr"], j.config["optimizer"], j.seed) for j in jobs} == \
        {(lr, opt, s) for lr in (0.01, 0.1) for opt in ("adam", "sgd", "momentum")
         for s in (0, 1)}
    assert all(j.config["epochs"] == 3 and j.spec["n_inputs"] == 4 for j in jobs)
    assert jobs[0].label == "lr=0.01 optimizer=adam"
    with pytest.raises(SpecError, match="needs 3"):  # the model checked against the data
        make_jobs("iris", TrainConfig(), [parse_grid("layers=8:relu,3:softmax;8:relu,2:softmax")],
                  (0,))


def crash_on_seed_1(job: Job) -> dict[str, Any]:
    """A job whose worker process dies (as a segfault or the OOM killer would end it)."""
    if job.seed == 1:
        os._exit(3)
    return train_job(job)


def test_a_worker_that_dies_fails_its_run_and_the_sweep_goes_on(tmp_path: Path) -> None:
    jobs = make_jobs("xor4", TrainConfig(epochs=3, batch_size=0), [], (0, 1, 2, 3),
                     layers="2:sigmoid,1:sigmoid")
    outcomes = {o.job.seed: o for o in run_local(jobs, 2, fn=crash_on_seed_1)}
    assert sorted(outcomes) == [0, 1, 2, 3]
    assert outcomes[1].result is None and outcomes[1].error == "its worker process died"
    for seed in (0, 2, 3):
        assert outcomes[seed].error is None and len(outcomes[seed].result["epochs"]) == 3
    with RunStore(tmp_path / "runs.sqlite") as store:
        for outcome in outcomes.values():
            record_result(store, outcome.job, outcome.result, outcome.error)
        statuses = {r.seed: (r.status, r.epochs_done, r.source) for r in store.runs()}
    assert statuses == {0: ("finished", 3, "sweep"), 1: ("failed", 0, "sweep"),
                        2: ("finished", 3, "sweep"), 3: ("finished", 3, "sweep")}


def what_the_worker_has(job: Job) -> dict[str, Any]:
    """Trains `job` and says whether it came with its dataset and what the worker imported."""
    result = train_job(job)
    return {**result, "handed": job.data is not None,
            "imported": [m for m in ("sklearn", "scipy.stats") if m in sys.modules]}


def test_a_local_pool_hands_each_job_its_dataset_and_never_imports_sklearn(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The forkserver's preload leaves scikit-learn (1.2 s of CPU) to the launcher, which
    sends digits' whole arrays to each worker once and loads no split itself: each worker
    splits them for its jobs, never imports scikit-learn, and trains what it would have."""
    jobs = make_jobs("digits", TrainConfig(epochs=2), [], (0, 1, 2, 3))
    monkeypatch.setattr(sweep.LoadedData, "load", lambda *a: pytest.fail("loaded here"))
    outcomes = sorted(run_local(jobs, 2, fn=what_the_worker_has), key=lambda o: o.job.index)
    assert [(o.error, o.result["handed"], o.result["imported"]) for o in outcomes] == \
        [(None, True, [])] * 4
    by_name = train_job(jobs[1])  # loaded by name here, as a Dask worker does
    figures = [{k: v for k, v in e.items() if k != "seconds"} for e in by_name["epochs"]]
    assert [{k: v for k, v in e.items() if k != "seconds"}
            for e in outcomes[1].result["epochs"]] == figures
    assert outcomes[1].result["test_score"] == by_name["test_score"]


def test_building_the_jobs_imports_no_numba() -> None:
    """The launcher checks the jobs without training: "auto" must not import numba for it."""
    code = ("import sys\nfrom engine import TrainConfig\nfrom engine.runs.sweep import "
            "make_jobs\nmake_jobs('iris', TrainConfig(), [], (0, 1))\n"
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "False"


def test_jobs_are_sent_a_few_ahead_of_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each job sent carries its dataset: a big sweep must not load them all before the first
    result comes back (memory, and the progress lines would wait)."""
    loaded: list[int] = []
    with_data = Job.with_data

    def counted(job: Job, data: sweep.LoadedData | None = None) -> Job:
        loaded.append(job.index)
        return with_data(job, data)

    monkeypatch.setattr(Job, "with_data", counted)
    jobs = make_jobs("xor4", TrainConfig(epochs=2, batch_size=0), [], tuple(range(12)),
                     layers="2:sigmoid,1:sigmoid")
    outcomes = run_local(jobs, 2)
    first = next(outcomes)
    assert first.error is None and len(loaded) <= 2 + executors.AHEAD
    assert len([first, *outcomes]) == 12 and sorted(loaded) == list(range(12))


def test_a_worker_started_with_one_blas_thread_skips_threadpoolctl(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    class Controller:
        def limit(self, limits: int) -> contextlib.nullcontext[None]:
            calls.append(limits)
            return contextlib.nullcontext()

    monkeypatch.setattr(sweep, "blas_controller", Controller)
    for name in sweep.ONE_THREAD_ENV:
        monkeypatch.setenv(name, "1")
    with sweep._one_blas_thread():
        pass
    assert calls == []  # the pool's workers: their BLAS started with one thread
    monkeypatch.delenv("OMP_NUM_THREADS")
    with sweep._one_blas_thread():
        pass
    assert calls == [1]  # a Dask worker, say: limited around the run


def test_a_dask_worker_scans_its_blas_libraries_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each run is limited to one BLAS thread through one controller a process: making one
    scans every loaded library, which `threadpool_limits` did again for every run."""
    import threadpoolctl

    made: list[int] = []

    class Counted(threadpoolctl.ThreadpoolController):
        def __init__(self) -> None:
            made.append(1)
            super().__init__()

    monkeypatch.setattr(threadpoolctl, "ThreadpoolController", Counted)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    sweep.blas_controller.cache_clear()
    try:
        for _ in range(3):
            with sweep._one_blas_thread():
                blas = sweep.blas_controller().select(user_api="blas").info()
                assert [lib["num_threads"] for lib in blas] == [1] * len(blas)
    finally:
        sweep.blas_controller.cache_clear()
    assert made == [1]


def test_a_big_dataset_is_left_for_each_worker_to_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over `HAND_OVER_BYTES` (known from the check's load) the launcher never loads it again:
    each worker loads it by name, as a cluster's workers do."""
    small = make_jobs("iris", TrainConfig(epochs=1), [], (0,))[0]
    assert small.hand_over and small.with_data().data is not None
    monkeypatch.setattr(sweep, "HAND_OVER_BYTES", 100)
    big = make_jobs("iris", TrainConfig(epochs=1), [], (0, 1))
    monkeypatch.setattr(sweep, "load_dataset", lambda *a, **k: pytest.fail("loaded again"))
    assert [(job.hand_over, job.with_data().data) for job in big] == [(False, None)] * 2


def test_the_jobs_of_a_grid_that_share_a_seed_share_one_load(
        monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[int] = []
    load_dataset = sweep.load_dataset

    def counted(*args: Any, **kwargs: Any) -> Any:
        loads.append(kwargs["seed"])
        return load_dataset(*args, **kwargs)

    jobs = make_jobs("xor4", TrainConfig(epochs=2, batch_size=0),
                     [parse_grid("lr=0.1,0.5,1.0")], (0, 1), layers="2:sigmoid,1:sigmoid")
    monkeypatch.setattr(sweep, "load_dataset", counted)
    outcomes = list(run_local(jobs, 2))
    assert len(outcomes) == 6 and all(o.error is None for o in outcomes)
    assert sorted(loads) == [0, 1]  # six jobs, two splits


def test_a_zombie_launcher_counts_as_gone() -> None:
    """A launcher that has exited but not been reaped (a zombie) still answers kill(pid, 0):
    its workers must stop all the same."""
    assert not worker_processes.launcher_gone(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, left unreaped
        assert worker_processes.launcher_gone(child.pid)
    finally:
        child.wait()
    assert worker_processes.launcher_gone(child.pid)  # reaped: no such process


def test_a_worker_splits_the_shipped_arrays_as_load_dataset_does() -> None:
    """Digits' whole arrays go to each worker once; the split a worker makes of them for a
    job is the one `load_dataset` makes (and so the one a Dask worker trains on)."""
    jobs = make_jobs("digits", TrainConfig(epochs=1, dtype="float32"), [], (0, 5, 123),
                     val_size=0.2, test_size=0.1)
    raw = sweep.shipped_raw(jobs[0])
    assert raw is not None
    for job in jobs:
        mine = job.split_from(raw).data
        theirs = sweep.load_dataset("digits", seed=job.seed, val_size=0.2, test_size=0.1,
                                    dtype="float32")
        assert mine is not None and mine.describe() == theirs.describe()
        for name in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
            a, b = getattr(mine, name), getattr(theirs, name)
            assert a.dtype == b.dtype and np.array_equal(a, b) and not a.flags.writeable
    iris = make_jobs("iris", TrainConfig(epochs=1), [], (0,))[0]
    assert sweep.shipped_raw(iris) is None  # its scaling is fitted by scikit-learn
