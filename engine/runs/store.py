"""`RunStore`: every training run in one SQLite file (`runs/runs.sqlite`), written as it goes.

WAL mode and one short `BEGIN IMMEDIATE` transaction per write, so several processes (a sweep's
workers, the app and the CLI) write at once without losing a row, and a run killed with
`kill -9` keeps every epoch it committed. A `running` row remembers its process
(`engine.runs.processes`); when that process is gone the row reads as `interrupted`. The file's
schema and the check that it is ours live in `engine.runs.schema`; a file that is not ours, is
damaged or comes from a newer nn-tui raises `RunStoreError` and is never written to.
"""

from __future__ import annotations

import json
import math
import os
import socket
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.errors import RunStoreError
from engine.runs.processes import alive, process_started
from engine.runs.rows import STATUSES, EpochRow, RunRow, layers_text, now_utc, versions
from engine.runs.schema import BUSY_SECONDS, open_schema

RUNS_ENV = "NN_TUI_RUNS"
DEFAULT_PATH = Path("runs") / "runs.sqlite"


def _is_regression(spec: Mapping[str, Any]) -> bool:
    layers: Sequence[Mapping[str, Any]] = spec.get("layers") or []
    return bool(layers) and layers[-1].get("activation") not in ("softmax", "sigmoid")


def _finite(value: float | None) -> float | None:
    """SQLite stores NaN as NULL anyway; inf stays inf. Both read back as None."""
    return None if value is None or not math.isfinite(value) else float(value)


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown run status {status!r}")


class RunStore:
    """The run store at `path` (created, with its folder, when missing). Safe to share between
    threads (one connection behind a lock) and between processes (SQLite's locks)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None,
                                       check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise RunStoreError(f"{self.path}: cannot open the run store ({exc})") from None
        try:
            self._open()
        except BaseException:
            self._db.close()
            raise
        self._host = socket.gethostname()
        self._pid = os.getpid()
        self._pid_started = process_started(self._pid)

    @staticmethod
    def default_path() -> Path:
        """$NN_TUI_RUNS, else runs/runs.sqlite in the working directory."""
        return Path(os.environ.get(RUNS_ENV) or DEFAULT_PATH)

    # -- opening ------------------------------------------------------------------------------
    def _open(self) -> None:
        """The file checked and its schema brought up to date (`engine.runs.schema`)."""
        with self._errors():
            open_schema(self._db, self.path)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's errors as one line that names the file."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise RunStoreError(f"{self.path}: damaged or unreadable run store ({exc}); "
                                "left as it is") from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken at once (BEGIN IMMEDIATE) so SQLite's busy wait applies."""
        with self._lock, self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- writing ------------------------------------------------------------------------------
    def start_run(self, *, dataset: str, spec: Mapping[str, Any], config: Mapping[str, Any],
                  seed: int, source: str, started: str | None = None,
                  is_regression: bool | None = None,
                  versions_used: tuple[str, str] | None = None) -> int:
        """A new `running` row, owned by this process (if it dies, the run reads as
        interrupted); returns its id. `spec` is a `ModelSpec.to_dict()` (with `n_inputs` for
        the layers text), `config` a `TrainConfig.to_dict()`; `started` and `versions_used`
        default to now and this process's (a sweep passes its worker's)."""
        with self._write() as db:
            return self._insert_run(db, dataset=dataset, spec=spec, config=config, seed=seed,
                                    source=source, started=started, is_regression=is_regression,
                                    versions_used=versions_used)

    def record_run(self, *, dataset: str, spec: Mapping[str, Any], config: Mapping[str, Any],
                   seed: int, source: str, epochs: Sequence[EpochRow], status: str,
                   test_accuracy: float | None, seconds: float, started: str | None = None,
                   is_regression: bool | None = None,
                   versions_used: tuple[str, str] | None = None) -> int:
        """A whole run trained elsewhere (a sweep's worker), written in one transaction: its
        row, epochs and end at once, so it costs one commit and is never seen half-written.
        The arguments are `start_run`'s, `add_epochs`' and `finish_run`'s; returns its id."""
        _check_status(status)
        with self._write() as db:
            run_id = self._insert_run(db, dataset=dataset, spec=spec, config=config, seed=seed,
                                      source=source, started=started,
                                      is_regression=is_regression, versions_used=versions_used)
            self._add_epochs(db, run_id, epochs)
            self._finish(db, run_id, status, test_accuracy, seconds, None)
        return run_id

    def _insert_run(self, db: sqlite3.Connection, *, dataset: str, spec: Mapping[str, Any],
                    config: Mapping[str, Any], seed: int, source: str, started: str | None,
                    is_regression: bool | None, versions_used: tuple[str, str] | None) -> int:
        ours, numpy_version = versions_used or versions()
        regression = _is_regression(spec) if is_regression is None else is_regression
        cursor = db.execute(
            "INSERT INTO runs (started, status, dataset, layers, optimizer, lr, batch_size,"
            " seed, is_regression, source, spec, config, nn_tui_version, numpy_version,"
            " host, pid, pid_started) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?)",
            (started or now_utc(), dataset, layers_text(spec),
             str(config.get("optimizer", "")), float(config.get("lr", 0.0)),
             int(config.get("batch_size", 0)), int(seed), int(regression), source,
             json.dumps(dict(spec)), json.dumps(dict(config)), ours, numpy_version,
             self._host, self._pid, self._pid_started))
        run_id = cursor.lastrowid
        assert run_id is not None
        return run_id

    def add_epochs(self, run_id: int, epochs: Sequence[EpochRow]) -> None:
        """Appends epochs (a repeated epoch number replaces the earlier one) and updates the
        run's running figures, in one transaction."""
        if epochs:
            with self._write() as db:
                self._add_epochs(db, run_id, epochs)

    @staticmethod
    def _add_epochs(db: sqlite3.Connection, run_id: int, epochs: Sequence[EpochRow]) -> None:
        if not epochs:
            return
        rows = [(run_id, e.epoch, e.train_loss, _finite(e.train_score), _finite(e.val_loss),
                 _finite(e.val_score), e.lr, e.seconds) for e in epochs]
        last = epochs[-1]
        val_losses = [v for e in epochs if (v := _finite(e.val_loss)) is not None]
        best = min(val_losses) if val_losses else None
        db.executemany("INSERT OR REPLACE INTO epochs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.execute(
            "UPDATE runs SET epochs_done = ?, final_train_loss = ?, final_val_loss = ?,"
            " final_val_score = ?, best_val_loss = CASE WHEN ? IS NULL THEN best_val_loss"
            " WHEN best_val_loss IS NULL OR ? < best_val_loss THEN ? ELSE best_val_loss END"
            " WHERE id = ?",
            (last.epoch, _finite(last.train_loss), _finite(last.val_loss),
             _finite(last.val_score), best, best, best, run_id))

    def finish_run(self, run_id: int, *, status: str, test_accuracy: float | None,
                   seconds: float, model_file: str | None = None,
                   epochs: Sequence[EpochRow] = ()) -> None:
        """The run's end: its status, test score (accuracy or R²), seconds and model file,
        with its last `epochs` not yet written (one transaction for both). May be called
        again (a run trained on, a model saved later)."""
        _check_status(status)
        with self._write() as db:
            self._add_epochs(db, run_id, epochs)
            self._finish(db, run_id, status, test_accuracy, seconds, model_file)

    @staticmethod
    def _finish(db: sqlite3.Connection, run_id: int, status: str, test_accuracy: float | None,
                seconds: float, model_file: str | None) -> None:
        db.execute("UPDATE runs SET status = ?, test_accuracy = ?, seconds = ?,"
                   " model_file = coalesce(?, model_file) WHERE id = ?",
                   (status, _finite(test_accuracy), float(seconds), model_file, run_id))

    def set_model_file(self, run_id: int, path: str) -> None:
        """The run's model was saved (later, or again) to `path`: its row says so. An unknown
        id raises RunStoreError."""
        with self._write() as db:
            if db.execute("UPDATE runs SET model_file = ? WHERE id = ?",
                          (str(path), run_id)).rowcount == 0:
                raise RunStoreError(f"{self.path}: no run {run_id}")

    def set_status(self, run_id: int, status: str) -> None:
        """A run trained on after its end is `running` again (owned by this process)."""
        with self._write() as db:
            db.execute("UPDATE runs SET status = ?, host = ?, pid = ?, pid_started = ?"
                       " WHERE id = ?",
                       (status, self._host, self._pid, self._pid_started, run_id))

    def delete(self, run_id: int) -> None:
        """Removes the run and its epochs; an unknown id raises RunStoreError."""
        with self._write() as db:
            db.execute("DELETE FROM epochs WHERE run_id = ?", (run_id,))
            if db.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount == 0:
                raise RunStoreError(f"{self.path}: no run {run_id}")

    # -- reading ------------------------------------------------------------------------------
    def runs(self, dataset: str | None = None) -> list[RunRow]:
        """Every run (of `dataset`), newest first; a `running` row whose process is gone from
        this host is marked `interrupted` first."""
        self._mark_interrupted()
        where, args = ("WHERE dataset = ?", (dataset,)) if dataset is not None else ("", ())
        with self._lock, self._errors():
            rows = self._db.execute(f"SELECT * FROM runs {where} ORDER BY id DESC",
                                    args).fetchall()
            names = [d[0] for d in self._db.execute("SELECT * FROM runs LIMIT 0").description]
        return [self._row(dict(zip(names, row, strict=True))) for row in rows]

    def run(self, run_id: int) -> RunRow:
        self._mark_interrupted()
        with self._lock, self._errors():
            cursor = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,))
            row = cursor.fetchone()
            names = [d[0] for d in cursor.description]
        if row is None:
            raise RunStoreError(f"{self.path}: no run {run_id}")
        return self._row(dict(zip(names, row, strict=True)))

    def epochs(self, run_id: int) -> list[EpochRow]:
        with self._lock, self._errors():
            rows = self._db.execute(
                "SELECT epoch, train_loss, train_score, val_loss, val_score, lr, seconds"
                " FROM epochs WHERE run_id = ? ORDER BY epoch", (run_id,)).fetchall()
        return [EpochRow(*row) for row in rows]

    def _mark_interrupted(self) -> None:
        with self._lock, self._errors():
            running = self._db.execute(
                "SELECT id, pid, pid_started FROM runs WHERE status = 'running' AND host = ?",
                (self._host,)).fetchall()
        gone = [run_id for run_id, pid, started in running
                if pid is not None and not alive(pid, started)]
        if gone:
            with self._write() as db:
                db.executemany("UPDATE runs SET status = 'interrupted' WHERE id = ? AND"
                               " status = 'running'", [(run_id,) for run_id in gone])

    def _row(self, row: dict[str, Any]) -> RunRow:
        try:
            return RunRow(
                id=row["id"], started=row["started"], status=row["status"],
                dataset=row["dataset"], layers=row["layers"], optimizer=row["optimizer"],
                lr=row["lr"], batch_size=row["batch_size"], seed=row["seed"],
                epochs_done=row["epochs_done"], best_val_loss=row["best_val_loss"],
                test_accuracy=row["test_accuracy"], is_regression=bool(row["is_regression"]),
                seconds=row["seconds"], model_file=row["model_file"], source=row["source"],
                spec=json.loads(row["spec"]), config=json.loads(row["config"]),
                final_train_loss=row["final_train_loss"], final_val_loss=row["final_val_loss"],
                final_val_score=row["final_val_score"], nn_tui_version=row["nn_tui_version"],
                numpy_version=row["numpy_version"])
        except (ValueError, TypeError) as exc:
            raise RunStoreError(f"{self.path}: run {row.get('id')} is damaged ({exc})") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
