"""The run store's file format: its SQLite schema, stepped forward by `MIGRATIONS` and versioned
with `PRAGMA user_version`, and the check that a file is ours (`APPLICATION_ID`) and not from a
newer nn-tui before anything is written to it."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from engine.errors import RunStoreError

APPLICATION_ID = 0x6E6E7475  # "nntu": tells our file from any other SQLite database
SCHEMA_VERSION = 1
BUSY_SECONDS = 60.0  # how long a writer waits for another process's transaction

_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    status TEXT NOT NULL,
    dataset TEXT NOT NULL,
    layers TEXT NOT NULL,
    optimizer TEXT NOT NULL,
    lr REAL NOT NULL,
    batch_size INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    epochs_done INTEGER NOT NULL DEFAULT 0,
    best_val_loss REAL,
    final_train_loss REAL,
    final_val_loss REAL,
    final_val_score REAL,
    test_accuracy REAL,
    is_regression INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0,
    model_file TEXT,
    source TEXT NOT NULL,
    spec TEXT NOT NULL,
    config TEXT NOT NULL,
    nn_tui_version TEXT NOT NULL,
    numpy_version TEXT NOT NULL,
    host TEXT,
    pid INTEGER,
    pid_started TEXT
);
CREATE INDEX runs_by_dataset ON runs (dataset, id);
CREATE TABLE epochs (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    train_loss REAL NOT NULL,
    train_score REAL,
    val_loss REAL,
    val_score REAL,
    lr REAL NOT NULL,
    seconds REAL NOT NULL,
    PRIMARY KEY (run_id, epoch)
) WITHOUT ROWID;
"""


def _create_v1(db: sqlite3.Connection) -> None:
    for statement in _V1.split(";"):
        if statement.strip():
            db.execute(statement)


# version -> the step from the version before it; a new schema adds a step, never edits one.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _create_v1}


def open_schema(db: sqlite3.Connection, path: Path) -> None:
    """Checks the file at `path` is ours and not from the future before anything is written to
    it, then brings its schema up to date (one transaction; a racing process waits)."""
    version = _check(db, path)
    # Ours (or empty): WAL first, so that even the schema is written without a journal
    # file's fsyncs; synchronous NORMAL is safe against kill -9 in WAL mode.
    _to_wal(db)
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    if version < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = _check(db, path)  # another process may have done it meanwhile
            for step in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[step](db)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _to_wal(db: sqlite3.Connection) -> None:
    """WAL mode, once per file. The switch needs the file to itself, and SQLite refuses it
    at once (no busy wait) while another process's switch holds a lock: so retry briefly."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _check(db: sqlite3.Connection, path: Path) -> int:
    # One statement, so one read snapshot: three separate reads could see a racing
    # process's schema land between them (no id yet, then its tables).
    app_id, version, tables = db.execute(
        "SELECT (SELECT application_id FROM pragma_application_id),"
        " (SELECT user_version FROM pragma_user_version),"
        " (SELECT count(*) FROM sqlite_master)").fetchone()
    version = int(version)
    if app_id != APPLICATION_ID and (tables or version):
        raise RunStoreError(f"{path}: not an nn-tui run store (another SQLite "
                            "database); left as it is")
    if version > SCHEMA_VERSION:
        raise RunStoreError(f"{path}: written by a newer nn-tui (schema {version}, "
                            f"this one reads up to {SCHEMA_VERSION}); left as it is")
    return version
