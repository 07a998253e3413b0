"""`nn-tui train` records its run; `nn-tui runs` lists, shows and removes them; a damaged store
is refused in one line and kept."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.cli.runner import NnTui

TINY = ("--dataset", "iris", "--layers", "16:relu,3:softmax", "--epochs", "5", "--lr", "0.05")
LIST_KEYS = {"id", "status", "dataset", "layers", "optimizer", "lr", "batch_size", "seed",
             "epochs_done", "best_val_loss", "test_accuracy", "seconds"}


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_train_records_its_run_and_runs_lists_shows_and_removes_it(nn_tui: NnTui,
                                                                   tmp_path: Path) -> None:
    trained = nn_tui("train", *TINY, "--json", "--save", "flowers")
    assert trained.code == 0
    epochs = [e for e in _json_lines(trained.out) if e["event"] == "epoch"]
    done = _json_lines(trained.out)[-1]
    assert (tmp_path / "runs" / "runs.sqlite").is_file()
    nn_tui("train", "--dataset", "diabetes", "--epochs", "2")
    listed = nn_tui("runs", "--json")
    assert listed.code == 0
    newest, run = _json_lines(listed.out)
    assert set(run) >= LIST_KEYS and newest["dataset"] == "diabetes" and newest["id"] > run["id"]
    assert (run["status"], run["dataset"], run["layers"], run["optimizer"], run["lr"],
            run["epochs_done"], run["seed"], run["source"]) == \
        ("finished", "iris", "4-16relu-3softmax", "adam", 0.05, 5, 0, "cli")
    assert run["test_accuracy"] == done["test_accuracy"] and run["seconds"] == done["seconds"]
    assert run["model_file"] == "saved_models/flowers.safetensors"
    assert run["best_val_loss"] == pytest.approx(min(e["val_loss"] for e in epochs))
    assert newest["is_regression"] and newest["test_accuracy"] is not None  # R²

    assert _json_lines(nn_tui("runs", "--json", "--dataset", "iris").out) == [run]
    shown = _json_lines(nn_tui("runs", "show", str(run["id"]), "--json").out)
    assert [e["epoch"] for e in shown] == [1, 2, 3, 4, 5]
    assert [e["val_loss"] for e in shown] == pytest.approx([e["val_loss"] for e in epochs])
    human = nn_tui("runs", "show", str(run["id"])).out
    assert "4-16relu-3softmax" in human and len(human.splitlines()) == 2 + 5

    table = nn_tui("runs").out
    assert "diabetes" in table and "4-16relu-3softmax" in table
    assert nn_tui("runs", "--csv", "all.csv").out == "wrote 2 runs to all.csv\n"
    with open(tmp_path / "all.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [int(r["id"]) for r in rows] == [newest["id"], run["id"]]

    assert nn_tui("runs", "rm", str(run["id"])).code == 0
    assert [r["id"] for r in _json_lines(nn_tui("runs", "--json").out)] == [newest["id"]]
    gone = nn_tui("runs", "show", str(run["id"]))
    assert gone.code == 2 and gone.err == f"nn-tui: error: runs/runs.sqlite: no run {run['id']}\n"


def _timeless(out: str) -> list[str]:
    """The lines without their timings: the speed of the epoch lines, the wall of the whole
    ("5 epochs in 0.04 s" differed between two runs on a loaded machine)."""
    return [re.sub(r" in \d+\.\d+ s$", " in - s", line.split("samples/s")[0].rsplit("lr", 1)[0])
            for line in out.splitlines()]


def test_recording_does_not_change_what_train_prints(nn_tui: NnTui, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    first = nn_tui("train", *TINY)
    monkeypatch.setenv("NN_TUI_RUNS", str(tmp_path / "elsewhere.sqlite"))
    second = nn_tui("train", *TINY)
    assert _timeless(first.out) == _timeless(second.out)
    assert first.err == second.err == ""
    assert "runs" not in first.out and "sqlite" not in first.out


def test_runs_and_the_environment_move_the_store(nn_tui: NnTui, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert nn_tui("train", *TINY, "--runs", "a/mine.sqlite").code == 0
    monkeypatch.setenv("NN_TUI_RUNS", str(tmp_path / "env.sqlite"))
    assert nn_tui("train", *TINY).code == 0
    assert nn_tui("--runs", "a/mine.sqlite", "train", *TINY).code == 0
    assert not (tmp_path / "runs").exists()
    assert len(_json_lines(nn_tui("runs", "--json", "--runs", "a/mine.sqlite").out)) == 2
    assert len(_json_lines(nn_tui("runs", "--json").out)) == 1
    empty = nn_tui("runs", "--runs", "none.sqlite")
    assert empty.code == 0 and "no runs recorded" in empty.out
    assert not (tmp_path / "none.sqlite").exists()  # reading makes no store


@pytest.mark.parametrize("args", [("train", *TINY), ("runs",), ("runs", "show", "1"),
                                  ("sweep", *TINY)])
def test_a_damaged_store_is_refused_in_one_line_and_kept(nn_tui: NnTui, tmp_path: Path,
                                                         args: tuple[str, ...]) -> None:
    store = tmp_path / "runs" / "runs.sqlite"
    store.parent.mkdir()
    store.write_bytes(b"SQLite format 3\0" + b"\x13" * 5000)
    result = nn_tui(*args)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("nn-tui: error: runs/runs.sqlite: ")
    assert result.err.count("\n") == 1
    assert store.read_bytes() == b"SQLite format 3\0" + b"\x13" * 5000


BAD_SWEEPS = {
    "unknown setting": (("--grid", "wobble=1,2"), "cannot vary 'wobble'"),
    "bad value": (("--grid", "lr=fast"), "'lr=fast'"),
    "bad lr": (("--grid", "lr=0.1,-1"), "learning rate"),
    "no equals": (("--grid", "lr"), "expected NAME=V1,V2"),
    "twice": (("--grid", "lr=0.1", "--grid", "lr=0.2"), "given twice"),
    "bad seeds": (("--seeds", "5-2"), "--seeds '5-2'"),
    "bad layers": (("--grid", "layers=8:relu,3:softmax;0:relu"), "at least 1 unit"),
    "zero workers": (("--workers", "0"), "--workers must be >= 1"),
}


@pytest.mark.parametrize("case", BAD_SWEEPS)
def test_a_bad_sweep_exits_2_in_one_line_and_records_nothing(nn_tui: NnTui, tmp_path: Path,
                                                             case: str) -> None:
    args, reason = BAD_SWEEPS[case]
    result = nn_tui("sweep", "--dataset", "iris", "--epochs", "1", *args)
    assert result.code == 2 and reason in result.err and result.err.count("\n") == 1
    assert not (tmp_path / "runs").exists()
