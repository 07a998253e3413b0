"""Where a sweep's jobs run: a local pool of worker processes, or a Dask distributed cluster.

Both are generators of `Outcome`s in the order runs finish. A job whose worker dies comes back
with an error, and the others go on; closing the generator (Ctrl+C in the launcher) cancels what
has not finished and stops the workers.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
import signal
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.data.dataset_types import RawData
from engine.errors import EngineError
from engine.runs.sweep import Job, LoadedData, shipped_raw, train_job
from engine.runs.worker_processes import (
    exit_when_launcher_gone,
    start_workers_early,
    workers_skip_main,
)

# A Dask worker loads each job's dataset by name: `dask worker --preload` these.
DASK_PRELOAD = ["engine.runs.sweep", "sklearn.datasets", "engine.runs.warm_worker"]
JobFn = Callable[[Job], dict[str, Any]]
AHEAD = 2  # jobs submitted beyond one a worker
CLOSING_THREAD = "nn-tui-dask-close"  # closes a sweep's Dask client after its last result
# A pool worker's: the whole arrays its launcher sent once, by dataset (`sweep.shipped_raw`).
_SHIPPED: dict[str, RawData] = {}


@dataclass(frozen=True)
class _Shipped:
    """A dataset's whole arrays for a pool's workers: `raw` without them, and the .npy files
    that hold them, beside the marks. Each worker reads them (1 MB from the page cache) as it
    starts; in the pool's start-up arguments instead, they made the launcher wait for each
    worker in turn to read them before it started the next."""

    raw: RawData
    X: str
    y: str

    @classmethod
    def write(cls, raw: RawData, folder: Path) -> _Shipped:
        paths = [folder / f"{name}.npy" for name in ("X", "y")]
        for path, values in zip(paths, (raw.X, raw.y), strict=True):
            np.save(path, values, allow_pickle=False)
        empty = dataclasses.replace(raw, X=raw.X[:0], y=raw.y[:0])
        return cls(empty, str(paths[0]), str(paths[1]))

    def read(self) -> RawData:
        X, y = (np.load(path, allow_pickle=False) for path in (self.X, self.y))
        for values in (X, y):
            values.setflags(write=False)
        return dataclasses.replace(self.raw, X=X, y=y)


class SweepError(EngineError):
    """A sweep that cannot start (no cluster at the address, the extra not installed)."""


@dataclass(frozen=True)
class Outcome:
    job: Job
    result: dict[str, Any] | None  # train_job's, or None when the run failed
    error: str | None = None


def _worker_init(launcher: int, shipped: dict[str, _Shipped]) -> None:
    """Keeps the datasets the launcher `shipped` for the jobs to split. Ctrl+C is the
    launcher's to handle: it stops the workers itself. A worker whose launcher is gone (killed,
    even by SIGKILL: the forkserver outlives it) stops too, within a second, instead of
    training on for nobody."""
    _SHIPPED.update({name: files.read() for name, files in shipped.items()})
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_when_launcher_gone(launcher)


def _tracked(fn: JobFn, job: Job, marks: str) -> dict[str, Any]:
    """Runs `fn(job)` with a mark on disk while it runs, so that when a worker dies the
    launcher knows which jobs were running (and which had not started). A job sent bare
    gets its split of the arrays shipped to this worker first."""
    mark = Path(marks) / str(job.index)
    mark.touch()
    try:
        raw = _SHIPPED.get(job.dataset)
        return fn(job.split_from(raw) if raw is not None and job.data is None else job)
    finally:  # not reached when the process dies: then the mark stays
        mark.unlink()


def run_local(jobs: Sequence[Job], workers: int, fn: JobFn = train_job) -> Iterator[Outcome]:
    """Runs `jobs` in `workers` processes (forked by a forkserver, one BLAS thread each). A dead
    worker breaks the whole pool: the jobs that had not started go on in a new pool, and each
    job that was running is a suspect, run again alone; a suspect whose worker dies again is
    the culprit, and that run is failed."""
    start_workers_early()
    loaded = LoadedData()
    by_dataset = {job.dataset: job for job in jobs}  # a sweep has one dataset
    pending: list[Job] = list(jobs)
    suspects: list[Job] = []
    with tempfile.TemporaryDirectory(prefix="nn-tui-sweep-") as marks:
        shipped: dict[str, _Shipped] = {}
        for number, (name, job) in enumerate(by_dataset.items()):
            raw = shipped_raw(job)
            if raw is not None:
                folder = Path(marks) / f"data-{number}"
                folder.mkdir()
                shipped[name] = _Shipped.write(raw, folder)
        while pending or suspects:
            alone = bool(suspects)
            batch = [suspects.pop(0)] if alone else pending
            running: list[Job] = []
            waiting: list[Job] = []
            yield from _one_pool(batch, 1 if alone else workers, fn, marks, running, waiting,
                                 loaded, shipped)
            if alone:
                yield from (Outcome(job, None, "its worker process died") for job in running)
            else:
                suspects += running
                pending = waiting


def _one_pool(jobs: list[Job], workers: int, fn: JobFn, marks: str, running: list[Job],
              waiting: list[Job], loaded: LoadedData, shipped: dict[str, _Shipped],
              ) -> Iterator[Outcome]:
    """`jobs` in one pool, whose workers get the `shipped` arrays once; a job of another
    dataset is handed its dataset as it is submitted (the first ones train while the launcher
    loads the next). If a worker dies, the jobs the broken pool gives back
    are sorted into those that were `running` (their mark is on disk) and those still
    `waiting`."""
    pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))),
                               mp_context=multiprocessing.get_context("forkserver"),
                               initializer=_worker_init, initargs=(os.getpid(), shipped))
    futures: dict[Future[dict[str, Any]], Job] = {}
    unsent = iter(jobs)
    broken = False
    clean = False

    def send(count: int) -> None:
        nonlocal broken
        for job in itertools.islice(unsent, 0 if broken else count):
            try:
                sent = job if job.dataset in shipped else job.with_data(loaded)
                with workers_skip_main(fn):  # a submit starts a worker, while there are few
                    futures[pool.submit(_tracked, fn, sent, marks)] = job
            except BrokenProcessPool:
                broken = True
                waiting.append(job)

    try:
        # A few jobs ahead of the workers, not all: each carries its dataset (memory), and
        # the launcher loads the next ones while the first train and come back.
        send(workers + AHEAD)
        while futures:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: futures[f].index):
                job = futures.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True
                    mark = Path(marks) / str(job.index)
                    (running if mark.exists() else waiting).append(job)
                    mark.unlink(missing_ok=True)
                    continue
                except Exception as exc:  # the job's own error: that run failed, the rest go on
                    yield Outcome(job, None, _reason(exc))
                else:
                    yield Outcome(job, result)
                send(1)
        waiting.extend(unsent)  # not sent: the pool broke first
        clean = True
    finally:
        if clean:  # every result is in: the workers exit while the launcher goes on (it
            # would wait 7-11 ms for them); the interpreter joins them before it exits
            pool.shutdown(wait=False)
        else:  # Ctrl+C or the caller stopped reading: drop what is queued, stop the workers
            processes = list((getattr(pool, "_processes", None) or {}).values())  # before
            pool.shutdown(wait=False, cancel_futures=True)  # shutdown forgets them
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=5)


def run_dask(jobs: Sequence[Job], address: str, fn: JobFn = train_job) -> Iterator[Outcome]:
    """Runs `jobs` on the Dask cluster whose scheduler is at `address`; results come back here.
    Dask retries a job whose worker died on another worker, then reports it (KilledWorker):
    that run is failed."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise SweepError("--scheduler needs Dask's distributed: pip install 'nn-tui[cluster]'"
                         ) from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise SweepError(f"cannot reach the Dask scheduler at {address} ({_reason(exc)})"
                         ) from None
    sweep = uuid.uuid4().hex[:8]
    futures: dict[Any, Job] = {}
    every_result_in = False
    try:
        futures = {client.submit(fn, job, key=f"nn-tui-{sweep}-{job.index}", pure=False): job
                   for job in jobs}
        for future in dask_completed(list(futures)):
            job = futures[future]
            try:
                yield Outcome(job, future.result())
            except Exception as exc:  # the job's error, or KilledWorker
                yield Outcome(job, None, _reason(exc))
        every_result_in = True
    finally:
        if every_result_in:
            # Nothing left to cancel, and the summary need not wait for the connection's
            # tear-down (round trips to the scheduler: 5-15 ms). Not a daemon: the process
            # still closes it before it exits.
            threading.Thread(target=client.close, name=CLOSING_THREAD).start()
        else:  # Ctrl+C, or the caller stopped reading: cancel what is left, now
            if futures:
                client.cancel(list(futures))
            client.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
