"""A race: variations of one design trained side by side in worker processes (spawned), their
events read without blocking, each run recorded in the store by the parent, source 'race'."""

from __future__ import annotations

import time

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
