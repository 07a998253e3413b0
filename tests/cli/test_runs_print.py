"""What `nn-tui runs --csv` and the sweep's summary print: with --csv one line saying where the
table went (not the table again); a setting run with one seed shows its mean without a ±."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engine import RunRow
from tests.cli.runner import NnTui
from tui.cli.sweep import Group, Progress


def test_runs_csv_prints_only_where_the_table_went(nn_tui: NnTui, tmp_path: Path) -> None:
    assert nn_tui("train", "--dataset", "and", "--epochs", "2").code == 0
    done = nn_tui("runs", "--csv", "all.csv")
    assert done.code == 0 and done.err == ""
    assert done.out == "wrote 1 run to all.csv\n"
    with open(tmp_path / "all.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["dataset"], r["epochs_done"]) for r in rows] == [("and", "2")]
    assert "and" in nn_tui("runs").out  # without --csv the table is printed as before


def _row(run_id: int, seed: int, test: float) -> RunRow:
    return RunRow(run_id, "2026-01-01T00:00:00+00:00", "finished", "iris", "4-8relu-3softmax",
                  "adam", 0.01, 32, seed, 4, 0.5 + seed / 10, test, False, 1.0, None, "sweep",
                  {}, {})


def test_the_sweep_summary_shows_no_spread_for_one_seed(capsys: pytest.CaptureFixture[str]) \
        -> None:
    progress = Progress(3, as_json=False)
    progress.groups = {(("lr", 0.01),): Group("lr=0.01", {"lr": 0.01}, [_row(1, 0, 0.9)]),
                       (("lr", 0.1),): Group("lr=0.1", {"lr": 0.1},
                                             [_row(2, 0, 0.8), _row(3, 1, 0.6)])}
    progress.done = 3
    progress.summary(1.0)
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()
             if line.startswith("lr=")}
    assert "±" not in lines["lr=0.01"] and "0.900" in lines["lr=0.01"]
    assert "0.700 ± 0.100" in lines["lr=0.1"]  # two seeds: mean ± std as before
