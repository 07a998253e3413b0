"""`nn-tui sweep`: the same runs from a local pool and from a Dask `LocalCluster` for the same
seeds, every run in the store, the summary best first; Ctrl+C keeps the finished runs."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from engine import RunStore
from tests.cli.runner import NnTui

ROOT = Path(__file__).resolve().parents[2]
SWEEP = ("sweep", "--dataset", "digits", "--layers", "8:relu,10:softmax", "--epochs", "4",
         "--grid", "lr=0.01,0.1", "--seeds", "0-1", "--json")


def _runs(path: Path) -> dict[tuple[float, int], tuple[str, list[tuple]]]:
    """(lr, seed) -> (status, every epoch's figures but its seconds)."""
    with RunStore(path) as store:
        return {(run.lr, run.seed): (run.status, [(e.epoch, e.train_loss, e.train_score,
                                                    e.val_loss, e.val_score, e.lr)
                                                   for e in store.epochs(run.id)])
                for run in store.runs()}


def test_a_local_pool_and_a_dask_cluster_give_the_same_runs(nn_tui: NnTui,
                                                            tmp_path: Path) -> None:
    from distributed import LocalCluster  # here: 0.7 s to import, on the one worker that runs this

    local = nn_tui(*SWEEP, "--workers", "2", "--runs", "local.sqlite")
    assert local.code == 0, local.err
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        remote = nn_tui(*SWEEP, "--scheduler", cluster.scheduler_address,
                        "--runs", "dask.sqlite")
    assert remote.code == 0, remote.err
    runs = _runs(tmp_path / "local.sqlite")
    assert sorted(runs) == [(0.01, 0), (0.01, 1), (0.1, 0), (0.1, 1)]
    assert all(status == "finished" and len(epochs) == 4 for status, epochs in runs.values())
    assert runs == _runs(tmp_path / "dask.sqlite")

    lines = [json.loads(line) for line in local.out.splitlines()]
    assert [line["event"] for line in lines] == ["run"] * 4 + ["summary"] * 2 + ["done"]
    assert {line["source"] for line in lines[:4]} == {"sweep"}
    summaries = lines[4:6]
    assert summaries[0]["test_accuracy_mean"] >= summaries[1]["test_accuracy_mean"]
    assert {s["runs"] for s in summaries} == {2}
    human = nn_tui(*SWEEP[:-1], "--workers", "1", "--runs", "human.sqlite").out.splitlines()
    assert human[0].startswith("[1/4] run 1  lr=")
    assert human[6].split()[:2] == ["setting", "runs"] and "±" in human[7]


def test_ctrl_c_stops_the_sweep_and_keeps_the_finished_runs(tmp_path: Path) -> None:
    """Two short runs finish, two endless ones are running when Ctrl+C comes."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "sweep", "--dataset", "xor4", "--layers",
         "2:sigmoid,1:sigmoid", "--batch-size", "0", "--grid", "epochs=3,100000000",
         "--seeds", "0-1", "--workers", "2"],
        cwd=tmp_path, env={**{k: v for k, v in os.environ.items() if k != "NN_TUI_RUNS"},
                           "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert process.stdout is not None
        finished = [process.stdout.readline(), process.stdout.readline()]
        assert all("epochs=3 " in line and "finished" in line for line in finished)
        process.send_signal(signal.SIGINT)
        # The output ends when the launcher and every worker are gone (they all hold the pipes).
        out, err = process.communicate(timeout=60)
    finally:
        # A failed check never leaves an endless sweep running: the launcher, its forkserver
        # and the workers are one process group. Killed and reaped at once: a killed launcher
        # left a zombie, whose pid the workers' orphan watch saw as alive, and they (holding
        # the pipes) kept a second communicate() waiting for ever and trained on for nobody.
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130
    assert err == "interrupted: 2 of 4 runs finished and recorded\n"
    assert "epochs=3" in out and "epochs=100000000" not in out  # the summary of what finished
    with RunStore(tmp_path / "runs" / "runs.sqlite") as store:
        assert [(r.status, r.epochs_done) for r in store.runs()] == [("finished", 3)] * 2
