"""`RunRecorder`: feeds a `RunStore` from a run's stream of training events, so the CLI and the
app record a run by handing it the events they already read.

Epochs are written in batches: a transaction when at least `FLUSH_SECONDS` have passed since the
last one (a slow run writes every epoch, a fast one a group of them), and at the run's end, in
the same transaction as the end itself. A run killed in between loses at most the epochs of the
last `FLUSH_SECONDS`. A short run therefore costs two commits: its row, and its end.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.runs.rows import EpochRow
from engine.runs.store import RunStore
from engine.train.events import EpochEnd, Evaluated, Event, Started

if TYPE_CHECKING:
    from engine.experiment import Experiment

FLUSH_SECONDS = 0.5

# The event that ends a run -> the run's status in the store.
END_STATUS: dict[str, str] = {
    "finished": "finished",
    "stopped": "stopped",
    "early_stopped": "early_stopped",
    "diverged": "diverged",
    "failed": "failed",
}


def epoch_row(event: EpochEnd) -> EpochRow:
    return EpochRow(event.epoch, event.train_loss, event.train_score, event.val_loss,
                    event.val_score, event.lr, event.seconds)


class RunRecorder:
    """One run's row in `store`, kept up to date from its events (`on_event`). `close` ends it;
    a recorder closed without an end event marks the run `stopped` (or the status given)."""

    def __init__(self, store: RunStore, *, dataset: str, spec: Mapping[str, Any],
                 config: Mapping[str, Any], seed: int, source: str,
                 is_regression: bool | None = None) -> None:
        self.store = store
        self._run_id = store.start_run(dataset=dataset, spec=spec, config=config, seed=seed,
                                       source=source, is_regression=is_regression)
        self._pending: list[EpochRow] = []
        self._flushed_at = time.perf_counter()
        self._seconds = 0.0  # training time: the sum of the epochs' own seconds
        self._test_score: float | None = None
        self._status: str | None = None  # set once the run has ended
        self._closed = False

    @classmethod
    def for_experiment(cls, store: RunStore, experiment: Experiment, *,
                       source: str) -> RunRecorder:
        """A recorder for `experiment`'s next run: its dataset, spec (with the input size),
        config and seed."""
        spec = {**experiment.spec.to_dict(), "n_inputs": experiment.network.n_inputs}
        config = experiment.config
        return cls(store, dataset=experiment.dataset.name, spec=spec, config=config.to_dict(),
                   seed=config.seed, source=source,
                   is_regression=not experiment.dataset.is_classification)

    @property
    def run_id(self) -> int:
        return self._run_id

    @property
    def status(self) -> str:
        """'running' until the run's end event, then the status it was recorded with."""
        return self._status or "running"

    def on_event(self, event: Event) -> None:
        """Takes any event; cheap (a list append) except when a batch of epochs is written."""
        if isinstance(event, EpochEnd):
            self._pending.append(epoch_row(event))
            self._seconds += event.seconds
            if time.perf_counter() - self._flushed_at >= FLUSH_SECONDS:
                self.flush()
        elif isinstance(event, Evaluated):
            self._test_score = event.accuracy if event.accuracy is not None else event.r2
            if self._status is not None:  # scored after the end: the row follows
                self._finish(self._status, None)
        elif isinstance(event, Started):
            if self._status is not None:  # trained on after its end: running again
                self._status = None
                self.store.set_status(self._run_id, "running")
        elif event.kind in END_STATUS:
            self._status = END_STATUS[event.kind]
            self._finish(self._status, None)

    def flush(self) -> None:
        """Writes the epochs not yet written, in one transaction."""
        if self._pending:
            pending, self._pending = self._pending, []
            self.store.add_epochs(self._run_id, pending)
        self._flushed_at = time.perf_counter()

    def _finish(self, status: str, model_file: str | None) -> None:
        """The end, with the epochs not yet written, in one transaction."""
        pending, self._pending = self._pending, []
        self.store.finish_run(self._run_id, status=status, test_accuracy=self._test_score,
                              seconds=self._seconds, model_file=model_file, epochs=pending)
        self._flushed_at = time.perf_counter()

    def close(self, status: str | None = None, model_file: str | None = None, *,
              test_accuracy: float | None = None, seconds: float | None = None) -> None:
        """Writes what is pending and ends the row: `status` (default: the end event's, else
        'stopped'), the test score (accuracy or R²) and seconds if the caller measured them,
        and the model file if one was saved. Closing twice does nothing more."""
        if self._closed:
            return
        self._closed = True
        if test_accuracy is not None:
            self._test_score = test_accuracy
        if seconds is not None:
            self._seconds = seconds
        self._status = status or self._status or "stopped"
        self._finish(self._status, model_file)
