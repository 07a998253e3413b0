"""A race: variations of one design trained side by side in worker processes (forked by the
forkserver), their events read without blocking, each run recorded in the store by the parent,
source 'race'; a worker whose app is gone (killed) stops by itself."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine import (
    LayerSpec,
    ModelSpec,
    Race,
    RunStore,
    SpecError,
    TrainConfig,
    Variation,
)
from engine.runs.worker_processes import launcher_gone

TIMEOUT = 60.0
GATE = {"name_or_path": "and", "seed": 0, "val_size": 0.15, "test_size": 0.15}
SPEC = ModelSpec((LayerSpec(2, "tanh"), LayerSpec(1, "sigmoid")), "binary_cross_entropy")


def race_of(store, lrs=(0.1, 1.0), epochs=5, **options) -> Race:
    return Race(GATE, SPEC, [Variation(f"lr {lr}", TrainConfig(optimizer="sgd", lr=lr,
                                                                 epochs=epochs, batch_size=0))
                             for lr in lrs],
                dataset="and", n_inputs=2, is_regression=False, store=store, **options)


def run_out(race: Race) -> list:
    events, deadline = [], time.monotonic() + TIMEOUT
    while race.is_alive:
        assert time.monotonic() < deadline, "the race did not end"
        events += race.drain()
        time.sleep(0.02)
    return events + race.drain()


def test_a_race_of_two_runs_completes_and_both_are_in_the_store(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    race = race_of(store)
    race.start()
    events = run_out(race)
    race.close()
    for index in (0, 1):
        kinds = [e.event.kind for e in events if e.index == index]
        assert kinds[0] == "started" and kinds[-1] == "finished"
        assert kinds.count("epoch") == 5
    rows = {row.id: row for row in store.runs()}
    assert sorted(rows) == sorted(race.run_ids)
    for run_id, lr in zip(race.run_ids, (0.1, 1.0), strict=True):
        row = rows[run_id]
        assert (row.source, row.status, row.epochs_done, row.lr) == ("race", "finished", 5, lr)
        assert row.test_accuracy is not None
        assert [e.epoch for e in store.epochs(run_id)] == [1, 2, 3, 4, 5]
    assert all(not p.is_alive() for p in race._processes)


def test_stopping_a_race_ends_every_worker_and_records_them_stopped(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    race = race_of(store, epochs=100_000, epochs_per_second=20)
    race.start()
    deadline = time.monotonic() + TIMEOUT
    seen: list = []
    while sum(e.event.kind == "epoch" for e in seen) < 2:  # both are training
        assert time.monotonic() < deadline
        seen += race.drain()
        time.sleep(0.02)
    race.close()
    assert not race.is_alive and all(p.exitcode is not None for p in race._processes)
    assert {row.status for row in store.runs()} == {"stopped"}


def test_a_race_takes_two_to_six_runs():
    with pytest.raises(SpecError, match="2 to 6"):
        race_of(None, lrs=(0.1,))


# An app that races and is killed: the workers' parent is the forkserver, which outlives the app
# by a moment and does not stop its children.
KILLED_APP = """
import json, sys, time
from engine import LayerSpec, ModelSpec, Race, TrainConfig, Variation
load = {"name_or_path": "and", "seed": 0, "val_size": 0.15, "test_size": 0.15}
spec = ModelSpec((LayerSpec(2, "tanh"), LayerSpec(1, "sigmoid")), "binary_cross_entropy")
race = Race(load, spec, [Variation(str(lr), TrainConfig(optimizer="sgd", lr=lr, epochs=10**6,
                                                        batch_size=0)) for lr in (0.1, 1.0)],
            dataset="and", n_inputs=2, is_regression=False, epochs_per_second=50)
race.start()
seen = set()
while len(seen) < 2:  # both are training
    seen |= {e.index for e in race.drain() if e.event.kind == "epoch"}
    time.sleep(0.02)
print(json.dumps([p.pid for p in race._processes]), flush=True)
time.sleep(60)
"""


def test_the_workers_of_a_killed_app_stop_by_themselves() -> None:
    root = Path(__file__).resolve().parents[2]
    app = subprocess.Popen([sys.executable, "-c", KILLED_APP], cwd=root, text=True,
                           stdout=subprocess.PIPE)
    pids: list[int] = []
    try:
        assert app.stdout is not None
        pids = json.loads(app.stdout.readline())
        assert not any(launcher_gone(pid) for pid in pids)  # training
        os.kill(app.pid, signal.SIGKILL)
        app.wait(TIMEOUT)
        deadline = time.monotonic() + 10
        while not all(launcher_gone(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(launcher_gone(pid) for pid in pids)
    finally:
        app.kill()
        for pid in pids:  # a failed check leaves no worker training on
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
