"""The run store: round trips, the recorder fed by a real trainer, a run killed with SIGKILL,
four processes writing at once, damaged, foreign and future files (refused and left as they
were) and the schema's migration path."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from engine import EpochRow, Experiment, RunRecorder, RunStore, RunStoreError, TrainConfig
from engine.runs import schema

ROOT = Path(__file__).resolve().parents[2]
SPEC = {"layers": [{"units": 8, "activation": "relu"}, {"units": 3, "activation": "softmax"}],
        "loss": "cross_entropy", "n_inputs": 4}
CONFIG = TrainConfig(lr=0.05, epochs=6).to_dict()


def _epoch(n: int, val_loss: float | None = 1.0) -> EpochRow:
    return EpochRow(n, 1.0 / n, 0.5, val_loss, 0.6, 0.05, 0.01)


def _start(store: RunStore, dataset: str = "iris", source: str = "cli") -> int:
    return store.start_run(dataset=dataset, spec=SPEC, config=CONFIG, seed=3, source=source)


def test_a_run_round_trips(tmp_path: Path) -> None:
    with RunStore(tmp_path / "deep" / "runs.sqlite") as store:
        run_id = _start(store)
        store.add_epochs(run_id, [_epoch(1, 0.9), _epoch(2, 0.4)])
        store.add_epochs(run_id, [_epoch(3, 0.7)])
        store.finish_run(run_id, status="finished", test_accuracy=0.93, seconds=1.5,
                         model_file="saved_models/m.safetensors")
        other = _start(store, dataset="digits")
        row = store.run(run_id)
        assert (row.status, row.dataset, row.layers, row.optimizer, row.lr, row.seed) == \
            ("finished", "iris", "4-8relu-3softmax", "adam", 0.05, 3)
        assert (row.epochs_done, row.best_val_loss, row.test_accuracy, row.seconds) == \
            (3, 0.4, 0.93, 1.5)
        assert row.model_file == "saved_models/m.safetensors" and not row.is_regression
        assert row.spec == SPEC and row.config == CONFIG and row.numpy_version
        assert [e.epoch for e in store.epochs(run_id)] == [1, 2, 3]
        assert store.epochs(run_id)[1] == _epoch(2, 0.4)
        assert [r.id for r in store.runs()] == [other, run_id]  # newest first
        assert [r.id for r in store.runs("iris")] == [run_id]
        store.delete(run_id)
        assert [r.id for r in store.runs()] == [other] and store.epochs(run_id) == []
        with pytest.raises(RunStoreError, match="no run"):
            store.delete(run_id)


def test_a_model_saved_later_is_written_onto_its_row_and_kept(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        run_id, other = _start(store), _start(store)
        store.finish_run(run_id, status="finished", test_accuracy=0.9, seconds=1.0)
        assert store.run(run_id).model_file is None
        store.set_model_file(run_id, "saved_models/a.safetensors")
        assert store.run(run_id).model_file == "saved_models/a.safetensors"
        assert store.run(other).model_file is None  # only that row
        row = store.run(run_id)
        assert (row.status, row.test_accuracy, row.seconds) == ("finished", 0.9, 1.0)
        store.finish_run(run_id, status="finished", test_accuracy=0.95, seconds=2.0)
        assert store.run(run_id).model_file == "saved_models/a.safetensors"  # not forgotten
        store.set_model_file(run_id, "saved_models/b.safetensors")  # saved again: the newest
        assert store.run(run_id).model_file == "saved_models/b.safetensors"
        with pytest.raises(RunStoreError, match="no run"):
            store.set_model_file(run_id + 99, "saved_models/c.safetensors")


def test_the_recorder_keeps_every_epoch_of_a_real_run(tmp_path: Path) -> None:
    session = Experiment.create("iris", "8:relu,3:softmax", config=TrainConfig(lr=0.05,
                                                                               epochs=7))
    with RunStore(tmp_path / "runs.sqlite") as store:
        recorder = RunRecorder.for_experiment(store, session, source="cli")
        history = []
        for event in session.trainer.run():
            recorder.on_event(event)
            if event.kind == "epoch":
                history.append(event)
        recorder.close(test_accuracy=0.9, model_file="m.safetensors")
        row, epochs = store.run(recorder.run_id), store.epochs(recorder.run_id)
    assert (row.status, row.epochs_done, row.layers, row.test_accuracy) == \
        ("finished", 7, "4-8relu-3softmax", 0.9)
    assert [e.val_loss for e in epochs] == pytest.approx([e.val_loss for e in history])
    assert [e.train_score for e in epochs] == pytest.approx([e.train_acc for e in history])
    assert row.best_val_loss == pytest.approx(min(e.val_loss for e in history))
    assert row.seconds == pytest.approx(sum(e.seconds for e in history))


# A run that records every epoch, says how many it reached, then waits to be killed.
KILLED_RUN = """
import sys
from engine import Experiment, RunRecorder, RunStore, TrainConfig
from engine.runs import recorder as rec
rec.FLUSH_SECONDS = 0.0
session = Experiment.create("iris", "8:relu,3:softmax", config=TrainConfig(epochs=50))
recorder = RunRecorder.for_experiment(RunStore(sys.argv[1]), session, source="cli")
for event in session.trainer.run():
    recorder.on_event(event)
    if event.epoch == 5:
        print(recorder.run_id, flush=True)
        sys.stdin.readline()  # blocks: the test kills us here
"""


def test_a_run_killed_with_sigkill_is_interrupted_with_its_epochs(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    child = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(path)], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout is not None
    run_id = int(child.stdout.readline())
    with RunStore(path) as store:
        assert store.run(run_id).status == "running"  # its process is alive
        child.send_signal(signal.SIGKILL)
        child.wait()
        row = store.run(run_id)
        assert (row.status, row.epochs_done) == ("interrupted", 5)
        assert [e.epoch for e in store.epochs(run_id)] == [1, 2, 3, 4, 5]
    with RunStore(path) as again:  # and so it stays, for any reader
        assert again.runs()[0].status == "interrupted"


def _write_runs(path: str, worker: int, barrier: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    store = RunStore(path)  # all four create the file at once, too
    for run in range(5):
        run_id = _start(store, dataset=f"w{worker}", source="sweep")
        for epoch in range(1, 11):
            store.add_epochs(run_id, [_epoch(epoch)])
        store.finish_run(run_id, status="finished", test_accuracy=float(run), seconds=0.1)
    store.close()


def test_four_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "runs" / "runs.sqlite")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    workers = [context.Process(target=_write_runs, args=(path, w, barrier)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    with RunStore(path) as store:
        runs = store.runs()
        assert len(runs) == 20 and {r.status for r in runs} == {"finished"}
        for w in range(4):
            assert sorted(r.test_accuracy for r in store.runs(f"w{w}")) == [0, 1, 2, 3, 4]
        assert all(len(store.epochs(r.id)) == 10 for r in runs)


def _real_store(path: Path) -> bytes:
    with RunStore(path) as store:
        for _ in range(30):
            run_id = _start(store)
            store.add_epochs(run_id, [_epoch(n) for n in range(1, 40)])
    with sqlite3.connect(path) as db:  # fold the WAL into the file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.read_bytes()


def _foreign(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (name TEXT)")


def _future(path: Path) -> None:
    _real_store(path)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")


DAMAGED = {
    "not a database": (lambda p: p.write_bytes(b"this is not SQLite at all" * 100),
                       "damaged or unreadable"),
    "truncated": (lambda p: p.write_bytes(_real_store(p)[:6000]), "damaged or unreadable"),
    "garbled pages": (lambda p: p.write_bytes(_real_store(p)[:4096] + b"\xff" * 20000),
                      "damaged or unreadable"),
    "foreign database": (_foreign, "not an nn-tui run store"),
    "from the future": (_future, "newer nn-tui"),
}


@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_or_foreign_file_is_refused_and_kept(tmp_path: Path, case: str) -> None:
    path = tmp_path / "runs.sqlite"
    make, reason = DAMAGED[case]
    make(path)
    before = path.read_bytes()
    with pytest.raises(RunStoreError) as error:
        store = RunStore(path)
        store.runs()  # a damaged page may show only when read
        store.epochs(1)
    message = str(error.value)
    assert str(path) in message and reason in message and "\n" not in message
    assert path.read_bytes() == before
    # nothing beside it but SQLite's own WAL files
    assert {p.name for p in tmp_path.iterdir()} <= {"runs.sqlite", "runs.sqlite-wal",
                                                     "runs.sqlite-shm"}


def test_the_schema_steps_forward_and_keeps_the_runs(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        run_id = _start(store)
        store.add_epochs(run_id, [_epoch(1)])

    def add_notes(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE runs ADD COLUMN notes TEXT")

    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(schema.MIGRATIONS, 2, add_notes)
    with RunStore(path) as store:
        assert store.run(run_id).epochs_done == 1 and len(store.epochs(run_id)) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        assert "notes" in [row[1] for row in db.execute("PRAGMA table_info(runs)")]


def test_default_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NN_TUI_RUNS", raising=False)
    assert RunStore.default_path() == Path("runs/runs.sqlite")
    monkeypatch.setenv("NN_TUI_RUNS", "/elsewhere/r.sqlite")
    assert RunStore.default_path() == Path("/elsewhere/r.sqlite")


class _CountingStore(RunStore):
    """A store that counts its write transactions (each one a commit)."""

    commits = 0

    def _write(self):  # type: ignore[no-untyped-def]
        self.commits += 1
        return super()._write()


def test_a_short_run_writes_its_epochs_with_its_end(tmp_path: Path) -> None:
    with _CountingStore(tmp_path / "runs.sqlite") as store:
        session = Experiment.create("iris", "8:relu,3:softmax", config=TrainConfig(epochs=5))
        recorder = RunRecorder.for_experiment(store, session, source="cli")
        for event in session.trainer.run():  # five epochs well within FLUSH_SECONDS
            recorder.on_event(event)
        assert store.commits == 2  # the row, then the epochs and the end together
        recorder.close(test_accuracy=0.5)  # the test score, known after the end
        assert store.commits == 3
        assert [e.epoch for e in store.epochs(recorder.run_id)] == [1, 2, 3, 4, 5]
        assert store.run(recorder.run_id).status == "finished"


def test_a_whole_run_is_recorded_in_one_commit(tmp_path: Path) -> None:
    with _CountingStore(tmp_path / "runs.sqlite") as store:
        run_id = store.record_run(dataset="iris", spec=SPEC, config=CONFIG, seed=3,
                                  source="sweep", epochs=[_epoch(1, 0.8), _epoch(2, 0.5)],
                                  status="early_stopped", test_accuracy=0.9, seconds=1.25)
        assert store.commits == 1
        row = store.run(run_id)
        assert (row.status, row.epochs_done, row.best_val_loss, row.test_accuracy,
                row.seconds, row.source) == ("early_stopped", 2, 0.5, 0.9, 1.25, "sweep")
        assert [e.val_loss for e in store.epochs(run_id)] == [0.8, 0.5]
        with pytest.raises(ValueError, match="unknown run status"):
            store.record_run(dataset="iris", spec=SPEC, config=CONFIG, seed=3, source="sweep",
                             epochs=[], status="done", test_accuracy=None, seconds=0.0)
        assert len(store.runs()) == 1
