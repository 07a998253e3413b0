"""A sweep: the product of grids of settings (`lr=0.001,0.01`) and seeds, one `Job` a run.

A `Job` is plain data (picklable by any executor, including Dask's transport) and `train_job` a
top-level function that trains it wherever it lands and returns plain dicts: the store is written
only in the launching process (`record_result`), so a cluster's workers need no shared disk.
A local pool's workers never import scikit-learn: for digits the launcher sends each worker
the whole arrays once (`shipped_raw`) and the worker splits them for each of its runs
(`split_from`), in parallel with the others; any other small dataset the launcher loads and
hands over with each job (`with_data`). A cluster's workers load it by name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import os
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from engine.data import metrics
from engine.data.builtins import fixed_raw
from engine.data.dataset_types import Dataset, RawData
from engine.data.datasets import load_dataset
from engine.data.split import split_and_scale
from engine.errors import EngineError, SpecError
from engine.experiment import Experiment
from engine.nn.spec import TrainConfig
from engine.runs.grid import MAX_JOBS
from engine.runs.recorder import END_STATUS, epoch_row
from engine.runs.rows import EpochRow, now_utc, versions
from engine.runs.store import RunStore
from engine.train.events import EpochEnd

# A dataset up to this size is loaded by the launcher and handed to a local worker with its job
# (about 1 MB for digits: a millisecond to pass); a larger one each worker loads itself.
HAND_OVER_BYTES = 32 * 2**20
# Set for the local pool's workers before their BLAS loads (`executors.ONE_THREAD`): a worker
# that sees them all at "1" already runs one BLAS thread and skips threadpoolctl's per-run scan
# of the loaded libraries (3 to 25 ms a run here).
ONE_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                  "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@dataclass(frozen=True)
class Job:
    """One run of a sweep, as plain data. `point` is its grid values (what its seeds share),
    `spec` the resolved ModelSpec dict (with `n_inputs`), `config` a TrainConfig dict."""

    index: int
    dataset: str  # the name or path the worker loads
    dataset_name: str  # as the store records it
    spec: dict[str, Any]
    config: dict[str, Any]
    val_size: float
    test_size: float
    point: tuple[tuple[str, Any], ...]
    # Whether a local launcher loads the dataset for the worker (`with_data`): it is small
    # (`HAND_OVER_BYTES`; known from the check's load, so a big one is never loaded twice).
    hand_over: bool = False
    # The split dataset itself, once handed over; else the worker loads `dataset` by name (the
    # same arrays: the same loader, seed and sizes).
    data: Dataset | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def seed(self) -> int:
        return int(self.config["seed"])

    @property
    def label(self) -> str:
        return " ".join(f"{key}={value}" for key, value in self.point) or "(base)"

    def with_data(self, loaded: LoadedData | None = None) -> Job:
        """This job with its dataset loaded here (through `loaded`, which keeps the last few),
        as its worker would load it, when it is small (`hand_over`); else this job as it is."""
        if self.data is not None or not self.hand_over:
            return self
        try:
            data = (loaded or LoadedData(0)).load(self)
        except EngineError:  # the worker meets it too, and fails that run with the reason
            return self
        return dataclasses.replace(self, data=data)

    def split_from(self, raw: RawData) -> Job:
        """This job with its dataset split from `raw`, its built-in's whole arrays
        (`shipped_raw`), as `load_dataset` splits them: in the worker, not the launcher."""
        return dataclasses.replace(self, data=split_and_scale(
            self.dataset, raw, "builtin", seed=self.seed, val_size=self.val_size,
            test_size=self.test_size))


def shipped_raw(job: Job) -> RawData | None:
    """The whole arrays of `job`'s dataset when a local worker can split them itself without
    scikit-learn (a small fixed built-in whose loader scaled it: digits), else None. The
    launcher then sends them once a worker and each job bare, and its per-run split, scaling
    and 1 MB of pickling (5 ms of CPU a run, taken from 2 workers on 2 cores) are the
    workers' own, done in parallel."""
    raw = fixed_raw(job.dataset) if job.hand_over else None
    if raw is None or raw.prescaled is None or raw.standardise_target:
        return None
    return raw


class LoadedData:
    """The datasets a launcher loaded for its jobs, by what makes one (name, seed, split sizes,
    dtype): the jobs of a grid that share a seed share its split, loaded once. Keeps the last
    `size` (a sweep's jobs run through every seed of one setting, then the next's)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[Any, ...], Dataset] = OrderedDict()

    def load(self, job: Job) -> Dataset:
        dtype = str(job.config["dtype"])
        key = (job.dataset, job.seed, job.val_size, job.test_size, dtype)
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        data = load_dataset(job.dataset, seed=job.seed, val_size=job.val_size,
                            test_size=job.test_size, dtype=dtype)
        self._kept[key] = data
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return data


def _nbytes(data: Dataset) -> int:
    return sum(getattr(data, f"{a}_{s}").nbytes for a in "Xy" for s in ("train", "val", "test"))


def make_jobs(dataset: str, base: TrainConfig, grids: Sequence[tuple[str, Sequence[Any]]],
              seeds: Sequence[int], layers: str | None = None, loss: str | None = None,
              val_size: float = 0.15, test_size: float = 0.15) -> list[Job]:
    """Every combination of the grids' values, times every seed, each checked here (settings,
    layers, and that the model fits the dataset) so that a bad one fails before any run."""
    if Path(dataset).is_file():  # workers elsewhere (another folder, host) find it too
        dataset = str(Path(dataset).resolve())
    keys = [key for key, _ in grids]
    if len(set(keys)) != len(keys):
        raise SpecError("--grid: a setting is given twice")
    points = list(itertools.product(*(values for _, values in grids)))
    if len(points) * len(seeds) > MAX_JOBS:
        raise SpecError(f"the sweep has {len(points) * len(seeds)} runs (max {MAX_JOBS})")
    # The trial never trains: "auto" need not import numba here (0.2 s of CPU) to pick a step.
    trial_config = base.with_changes(epochs=1, backend="numpy" if base.backend == "auto"
                                     else base.backend)
    specs: dict[tuple[Any, Any], tuple[dict[str, Any], str, bool]] = {}
    jobs: list[Job] = []
    known = {f.name for f in fields(TrainConfig)}
    for point in points:
        settings = dict(zip(keys, point, strict=True))
        model = (settings.get("layers", layers), settings.get("loss", loss))
        if model not in specs:  # the model and the dataset checked once per distinct model
            trial = Experiment.create(dataset, model[0], model[1], trial_config,
                                      val_size=val_size, test_size=test_size)
            specs[model] = ({**trial.spec.to_dict(), "n_inputs": trial.network.n_inputs},
                            trial.dataset.name, _nbytes(trial.dataset) <= HAND_OVER_BYTES)
        spec, name, small = specs[model]
        changes = {k: v for k, v in settings.items() if k in known}
        for seed in seeds:
            config = base.with_changes(**changes, seed=seed).checked()
            jobs.append(Job(len(jobs), dataset, name, spec, config.to_dict(), val_size,
                            test_size, tuple(settings.items()), hand_over=small))
    return jobs


def train_job(job: Job) -> dict[str, Any]:
    """Trains one job (in a worker, one BLAS thread) and returns plain data: the epochs, the
    end status, the test score, seconds, versions."""
    with _one_blas_thread():
        started = now_utc()
        config = TrainConfig(**job.config)
        layers = ",".join(f"{d['units']}:{d['activation']}" for d in job.spec["layers"])
        session = Experiment.create(job.dataset if job.data is None else job.data, layers,
                                    job.spec["loss"], config, val_size=job.val_size,
                                    test_size=job.test_size)
        epochs: list[dict[str, Any]] = []
        status = "finished"
        begin = time.perf_counter()
        for event in session.trainer.run():
            if isinstance(event, EpochEnd):
                epochs.append(epoch_row(event).to_dict())
            elif event.kind in END_STATUS:
                status = END_STATUS[event.kind]
        seconds = time.perf_counter() - begin
        test_score = _test_score(session)
    return {"index": job.index, "started": started, "status": status, "epochs": epochs,
            "test_score": test_score, "is_regression": not session.dataset.is_classification,
            "seconds": seconds, "versions": list(versions())}


def _test_score(session: Experiment) -> float | None:
    """Accuracy (or R²) on the test split: `Experiment.evaluate`'s figure without its
    confusion matrix, whose scikit-learn import would cost each worker 1.2 s of CPU."""
    data, net = session.dataset, session.network
    if len(data.X_test) == 0:
        return None
    out = net.predict_proba(data.X_test)
    if not data.is_classification:
        return metrics.r2(out, data.y_test)
    return metrics.accuracy(net.labels_from_outputs(out), data.y_test)


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Runs share the machine's cores: each one keeps to one BLAS thread (threadpoolctl comes
    with scikit-learn), unless the process started with one already (the pool's workers)."""
    if all(os.environ.get(name) == "1" for name in ONE_THREAD_ENV):
        yield
        return
    controller = blas_controller()
    if controller is None:  # pragma: no cover - scikit-learn brings threadpoolctl
        yield
        return
    with controller.limit(limits=1):
        yield


@functools.cache
def blas_controller() -> Any:
    """threadpoolctl's view of the loaded BLAS libraries, made once a process: making it scans
    every shared library (about 6 ms of CPU here, which `threadpool_limits` paid for each run
    of a Dask worker). None without threadpoolctl."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover
        return None
    return ThreadpoolController()


def record_result(store: RunStore, job: Job, result: Mapping[str, Any] | None,
                  error: str | None = None) -> int:
    """Writes one finished job (or, with `error`, a failed one) to the store in one transaction
    (the run is whole when it comes back); returns its id."""
    result = result or {}
    ours, numpy_version = result.get("versions") or versions()
    return store.record_run(dataset=job.dataset_name, spec=job.spec, config=job.config,
                            seed=job.seed, source="sweep", started=result.get("started"),
                            is_regression=result.get("is_regression"),
                            versions_used=(str(ours), str(numpy_version)),
                            epochs=[EpochRow(**e) for e in result.get("epochs", ())],
                            status="failed" if error else str(result["status"]),
                            test_accuracy=result.get("test_score"),
                            seconds=float(result.get("seconds", 0.0)))
