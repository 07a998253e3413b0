"""`Trainer`: the epoch loop as a generator of events (`run`), early stopping, divergence, live
setting changes, and after each epoch a read-only copy of the weights that `snapshot()` hands
out. `TrainingRunner` runs the loop in a background thread; `TrainData` holds the arrays;
`live_settings` the changes asked for mid-run; `epoch_scores` the figures an epoch ends with.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator, Iterable
from typing import Any, Unpack

import numpy as np
import numpy.typing as npt

from engine.errors import SpecError
from engine.inside.layer_stats import PROBE_SIZE, LayerStatsTracker, probe_batch
from engine.nn.backends import TrainStep, backend
from engine.nn.network import NetworkCore
from engine.nn.optimizers import make_optimizer
from engine.nn.schedules import SCHEDULES
from engine.nn.spec import TrainConfig
from engine.train.epoch_scores import epoch_scores
from engine.train.events import (
    Diverged,
    EarlyStopped,
    EpochEnd,
    Event,
    Finished,
    Started,
)
from engine.train.history import EpochHistory
from engine.train.live_settings import LiveChanges, PendingChanges
from engine.train.threads import BlasThreads
from engine.train.train_data import TrainData

SHUFFLE_COPY_BYTES = 16 << 20  # below this, shuffle by copying X each epoch; above, per batch
# A batch loss this many times the run's first one (or 1.0, if larger) counts as divergence: the
# fused losses never overflow, so a run with lr 50 blows up to losses of 1e4 rather than nan.
DIVERGENCE_FACTOR = 100.0
# Per-layer figures (`watch_inside`) cost about 0.2 ms for digits 64-100-10, a tenth of an
# epoch: measured at most this often (and on a run's last epoch), they cost under 1% at full
# speed, and every epoch of a run paced for a person to watch.
INSIDE_SECONDS = 0.1

Array = npt.NDArray[Any]


class Trainer:
    """The epoch loop over one network and its data. `run()` is the loop itself, for the CLI,
    `fit` and tests; `TrainingRunner` runs it in a background thread for the app.

    It trains `network` in place on copies of `data`'s arrays in the network's dtype: X (n,
    features) and the targets (n, outputs) that `NetworkCore.targets` makes of y.
    """

    def __init__(self, network: NetworkCore, data: TrainData, config: TrainConfig) -> None:
        self.network = network
        self.config = config.checked()
        if len(data.X_train) == 0:
            raise SpecError("there are no training samples")
        self.data = data
        net = network
        self._X = np.ascontiguousarray(data.X_train, dtype=net.dtype)
        self._T = np.ascontiguousarray(net.targets(data.y_train))
        self._labels = net.labels_from_outputs(self._T) if data.classification else None
        self._X_val = np.ascontiguousarray(data.X_val, dtype=net.dtype)
        self._T_val = net.targets(data.y_val)
        self.optimizer = make_optimizer(config.optimizer, config.momentum, config.nesterov)
        # The step itself (`TrainStep`), from the backend the config names ("auto": numba if it
        # imports); the epoch loop hands it its batches.
        self.step: TrainStep = backend(self.config.backend).make_step(network, self.optimizer)
        if (self.step.wants_writeable and not self._X.flags.writeable
                and self._X.nbytes <= SHUFFLE_COPY_BYTES):
            self._X = self._X.copy()  # once, rather than the step copying each call
        # Cores the automatic BLAS thread count leaves to the process's other threads (the
        # background runner sets 1: the app's UI thread needs a core to answer keys).
        self.reserved_cores = 0
        self.rng = np.random.default_rng(config.seed)
        self.epoch = 0
        self.history = EpochHistory()
        self._pending = PendingChanges()  # live changes from other threads, for the next epoch
        self._best: tuple[float, int, Array] | None = None  # (loss, epoch, params (n_params,))
        # The current run's first epoch and length: the schedule is followed over each run, so
        # a continued run ("train more") restarts it (a warm restart) instead of staying at its
        # end (cosine's lr 0).
        self._run_start, self._run_length = 0, config.epochs
        self._snap_params = network.params.copy()
        # A fresh token each time weights are set by hand (None: none since the last reset):
        # `Experiment.unsaved` compares it with the one its last save held.
        self.edit_mark: object | None = None
        self._snap_params.flags.writeable = False
        self._snap_epoch = 0
        self.inside: LayerStatsTracker | None = None  # per-layer figures, see `watch_inside`
        self.inside_seconds = INSIDE_SECONDS
        self._inside_at = -math.inf  # perf_counter() of the last measurement
        self._target = 0  # the epoch the current run trains to
        self.blas_threads = 0  # the BLAS threads of the epoch going on (0: none yet)

    @property
    def history(self) -> EpochHistory:
        """The run's epochs, within a fixed budget however long it goes on (`EpochHistory`)."""
        return self._history

    @history.setter
    def history(self, epochs: Iterable[EpochEnd]) -> None:
        """Any list of epochs handed in (a loaded model's) is kept within the budget too."""
        self._history = epochs if isinstance(epochs, EpochHistory) else EpochHistory(epochs)

    # -- live settings ------------------------------------------------------------------------
    def update(self, **changes: Unpack[LiveChanges]) -> None:
        """Changes lr, momentum, l2, batch size or patience from any thread; applied at the next
        epoch. Any other name raises `SpecError` (at run time too, for untyped callers)."""
        self._pending.add(self.config, changes)

    def _apply_pending(self) -> None:
        changes = self._pending.take()
        if changes:
            self.config = self.config.with_changes(**changes)
            if "momentum" in changes and hasattr(self.optimizer, "momentum"):
                self.optimizer.momentum = self.config.momentum

    # -- the loop -----------------------------------------------------------------------------
    def run(self, epochs: int | None = None) -> Generator[Event, None, None]:
        """Trains `epochs` more epochs (default: the config's), yielding events as it goes: a
        generator, so that `TrainingRunner` can `close()` it when it stops early. The lr
        schedule spans this run: epoch 0 of the schedule is the run's first epoch."""
        length = epochs if epochs is not None else self.config.epochs
        target = self.epoch + length
        self._run_start, self._run_length = self.epoch, length
        self._target = target
        self._best = None
        self._loss_limit = math.inf
        self.step.prepare()  # numba: compiled or loaded from its cache before the first epoch
        yield Started(self.epoch, target, len(self._X), self._batch_size())
        widths = [self.network.n_inputs, *(layer.n_out for layer in self.network.layers)]
        with BlasThreads(self.config.threads, widths, self.reserved_cores) as threads:
            while self.epoch < target:
                self._apply_pending()
                self.blas_threads = threads.apply(self._batch_size())
                event = self._run_epoch()
                yield event
                if isinstance(event, Diverged):
                    return
                stop = self._early_stop(event)
                if stop is not None:
                    yield stop
                    return
        yield Finished(self.epoch)

    def _batch_size(self) -> int:
        n = len(self._X)
        size = self.config.batch_size
        return n if size <= 0 or size >= n else size

    def _run_epoch(self) -> EpochEnd | Diverged:
        net, cfg = self.network, self.config
        start = time.perf_counter()
        lr = SCHEDULES[cfg.schedule](cfg.lr, self.epoch - self._run_start, self._run_length,
                                     **cfg.schedule_options)
        n = len(self._X)
        size = self._batch_size()
        X, T, labels = self._X, self._T, self._labels
        order = self.rng.permutation(n) if size < n else None
        if order is not None and X.nbytes <= SHUFFLE_COPY_BYTES and not self.step.gathers_batches:
            # Small data: one shuffled copy per epoch, then each batch is a cheap slice (a step
            # that gathers a batch as cheaply as it slices one gets `order` instead).
            X, T = X[order], T[order]
            labels = labels[order] if labels is not None else None
            order = None
        before = net.params.copy()
        # Measuring this epoch: the weights before its last step too, for the update ratio.
        watch_at = self._inside_batch(start, n, size)
        step_before = before
        total_loss = 0.0
        correct = 0
        # The backend runs the batches (big data: gathering each one by `order`); measured,
        # the epoch stops before its last batch to keep the weights before that step. Overflow
        # here is divergence, which the loss checks report as an event.
        spans = ((0, watch_at), (watch_at, n)) if watch_at >= 0 else ((0, n),)
        with np.errstate(over="ignore", invalid="ignore"):
            for lo, hi in spans:
                if lo == watch_at:
                    step_before = net.params.copy()
                loss_sum, right, bad, self._loss_limit = self.step.run_batches(
                    X, T, labels, order, size, lo, hi, lr, cfg.l2, self._loss_limit,
                    DIVERGENCE_FACTOR)
                if bad is not None:
                    return self._diverged(before, bad)
                total_loss += loss_sum
                correct += right
        if not np.isfinite(net.params).all():
            return self._diverged(before, math.inf)
        self.epoch += 1
        event = self._epoch_event(total_loss / n, correct / n, lr, start)
        self.history.append(event)
        if watch_at >= 0 and self.inside is not None:
            self.inside.record(net, self.epoch, step_before)
            self._inside_at = time.perf_counter()
        return event

    # -- looking inside -----------------------------------------------------------------------
    def watch_inside(self, probe_rows: int = PROBE_SIZE) -> LayerStatsTracker:
        """Starts measuring every layer's health (`engine.inside.layer_stats`: weights, the
        activations over a fixed probe batch of training rows, |dW| and the update ratio of
        the epoch's last step) in the loop itself, on the training network: at most every
        `inside_seconds` and on each run's last epoch. Read the figures through the returned
        tracker (also `self.inside`) from any thread."""
        if self.inside is None:
            self.inside = LayerStatsTracker(probe_batch(self._X, probe_rows))
        return self.inside

    def _inside_batch(self, start: float, n: int, size: int) -> int:
        """Where this epoch's last batch starts if the epoch is to be measured, else -1."""
        if self.inside is None or (start - self._inside_at < self.inside_seconds
                                    and self.epoch + 1 < self._target):
            return -1
        return (n - 1) // size * size

    def set_params(self, params: npt.ArrayLike) -> None:
        """Makes `params` (n_params,) the weights, e.g. weights a person edited by hand; the
        optimizer's state starts afresh. Never while the loop runs (the runner sees to it)."""
        values = np.asarray(params, dtype=self.network.dtype)
        if values.shape != self.network.params.shape:
            raise SpecError(f"expected {self.network.params.size} weights and biases, got "
                            f"shape {values.shape}")
        if not np.isfinite(values).all():
            raise SpecError("weights and biases must be finite numbers")
        self.network.params[...] = values
        self.optimizer.reset()
        self.edit_mark = object()
        self._publish_snapshot()

    def _diverged(self, before: Array, loss: float) -> Diverged:
        self.network.params[...] = before  # the weights at the start of the epoch, all finite
        self.optimizer.reset()
        return Diverged(self.epoch + 1, f"{loss:.4g}")

    def _epoch_event(self, train_loss: float, train_acc: float, lr: float,
                     start: float) -> EpochEnd:
        val_loss, figures = epoch_scores(self.network, self.data, train_acc, self._X, self._T,
                                         self._X_val, self._T_val)
        self._publish_snapshot()
        seconds = time.perf_counter() - start
        return EpochEnd(self.epoch, float(train_loss), val_loss, float(lr), seconds,
                        len(self._X) / max(seconds, 1e-9), **figures)

    def _early_stop(self, event: EpochEnd) -> EarlyStopped | None:
        patience = self.config.patience
        if patience <= 0:
            return None
        watched = event.val_loss if event.val_loss is not None else event.train_loss
        if self._best is None or watched < self._best[0]:
            self._best = (watched, event.epoch, self.network.params.copy())
            return None
        best_loss, best_epoch, best_params = self._best
        if event.epoch - best_epoch < patience:
            return None
        self.network.params[...] = best_params
        self._publish_snapshot()
        return EarlyStopped(event.epoch, best_epoch, best_loss)

    # -- snapshots ----------------------------------------------------------------------------
    def _publish_snapshot(self) -> None:
        params = self.network.params.copy()
        params.flags.writeable = False
        self._snap_params, self._snap_epoch = params, self.epoch  # swapping references is atomic

    def snapshot(self) -> NetworkCore:
        """A read-only network with the weights as they were at the end of the latest epoch."""
        return self.network.copy(read_only=True, params=self._snap_params)

    # -- reset ------------------------------------------------------------------------------
    def reset(self) -> None:
        """Re-draws the weights from the seed and forgets the run: epoch 0 (not while running)."""
        self.network.initialize(np.random.default_rng(self.network.seed))
        self.optimizer.reset()
        self.rng = np.random.default_rng(self.config.seed)
        self.epoch = 0
        self.history = []
        self.edit_mark = None
        self._publish_snapshot()
        self._inside_at = -math.inf
        if self.inside is not None:
            self.inside.clear()

