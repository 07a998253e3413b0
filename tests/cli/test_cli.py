"""The `nn-tui` command. Every case runs `tui.cli.main.main([...])` in-process, in a temporary
folder so saved_models/ lands there, with the output captured: an interpreter per case would cost
a second or two and test nothing more. What needs a process of its own is in
`test_cli_process.py`."""

from __future__ import annotations

import errno
import json
import os
import re
import sys
import tempfile
import types
from pathlib import Path

import numpy as np
import pytest

from engine import Experiment, TrainConfig
from engine.io import model_file
from engine.train.events import EpochEnd
from tests.cli.runner import NnTui
from tui.cli import main as cli
from tui.cli import output

TINY = ("--dataset", "iris", "--layers", "16:relu,3:softmax", "--epochs", "5", "--lr", "0.05")
DONE_KEYS = {"event", "test_accuracy", "test_loss", "epochs", "seconds", "epoch_seconds",
             "params", "saved"}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# ---------------------------------------------------------------- bad input

# case -> (arguments, a piece of the one-line reason)
BAD_INPUTS = {
    "unknown dataset": (("train", "--dataset", "nope"), "unknown dataset 'nope'"),
    "unknown activation": (("train", "--layers", "10:wobbly,10:softmax"),
                           "unknown activation 'wobbly'"),
    "zero units": (("train", "--layers", "0:relu"), "at least 1 unit"),
    "negative lr": (("train", "--lr", "-1"), "learning rate"),
    "zero epochs": (("train", "--epochs", "0"), "epochs"),
    "negative threads": (("train", "--threads", "-1"), "threads must be 0 (automatic)"),
    "not a number": (("train", "--epochs", "many"), "invalid int value: 'many'"),
    "unknown schedule": (("train", "--schedule", "warm"), "unknown schedule 'warm'"),
    "missing data file": (("train", "--dataset", "absent.csv"), "absent.csv: no such file"),
    "malformed data file": (("train", "--dataset", "bad.csv"), "bad.csv line 3"),
    "output too small": (("train", "--layers", "100:relu,3:softmax"), "needs 10"),
    "loss needs softmax": (("train", "--dataset", "iris", "--layers", "3:sigmoid",
                            "--loss", "cross_entropy"), "softmax output"),
    "bad save name": (("train", "--dataset", "iris", "--save", "no way"), "'no way'"),
    "save name too long": (("train", "--dataset", "people", "--epochs", "1", "--save", "y" * 300),
                           "too long"),
    "save target exists": (("train", "--dataset", "iris", "--save", "taken"), "already exists"),
    "missing model": (("evaluate", "ghost"), "ghost.safetensors: no such file"),
    "corrupt model": (("evaluate", "corrupt.safetensors"), "corrupt.safetensors: truncated"),
    "corrupt model info": (("info", "corrupt.safetensors"), "corrupt.safetensors: truncated"),
    "missing model info": (("info", "ghost"), "ghost.safetensors: no such file"),
    "app with missing model": (("--model", "ghost"), "ghost.safetensors: no such file"),
    "app with bad lr": (("--lr", "-2"), "learning rate"),
    "unknown command": (("fly",), "invalid choice: 'fly'"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(nn_tui: NnTui, tmp_path: Path,
                                                            case: str) -> None:
    args, reason = BAD_INPUTS[case]
    (tmp_path / "bad.csv").write_text("a,b,label\n1,2,x\n3,oops,y\n")
    (tmp_path / "corrupt.safetensors").write_bytes(b"\x40\0\0\0\0\0\0\0{\"__meta")
    (tmp_path / "saved_models").mkdir()
    (tmp_path / "saved_models" / "taken.safetensors").write_bytes(b"someone's model")
    before = _files(tmp_path)
    result = nn_tui(*args)
    assert result.code == 2, result
    assert len(result.err.splitlines()) == 1 and result.err.endswith("\n"), result.err
    assert result.err.startswith("nn-tui: error: ") and "Traceback" not in result.err
    assert reason in result.err
    assert result.out == ""  # refused before the header: nothing was trained
    assert _files(tmp_path) == before


# ---------------------------------------------------------------- happy paths


def test_train_json_is_one_object_per_line(nn_tui: NnTui) -> None:
    result = nn_tui("train", *TINY, "--json")
    assert result.code == 0, result.err
    objects = [json.loads(line) for line in result.out.splitlines()]  # every line is JSON
    epochs = [o for o in objects if o["event"] == "epoch"]
    assert [o["epoch"] for o in epochs] == [1, 2, 3, 4, 5]
    assert {"train_loss", "val_loss", "train_acc", "val_acc", "lr"} <= set(epochs[0])
    done = objects[-1]
    assert set(done) == DONE_KEYS
    assert done["epochs"] == 5 and done["params"] == 4 * 16 + 16 + 16 * 3 + 3
    assert 0 <= done["test_accuracy"] <= 1 and done["test_loss"] > 0
    assert isinstance(done["seconds"], float) and done["seconds"] > 0
    # the wall time of the loop holds the epochs' own times, and the printing between them
    assert done["seconds"] >= done["epoch_seconds"] == pytest.approx(
        sum(o["seconds"] for o in epochs))
    assert done["saved"] is None
    assert result.err == ""


def test_train_human_save_then_evaluate_and_info(nn_tui: NnTui, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    scored: list[str] = []  # the split of each Experiment.evaluate call
    evaluate = Experiment.evaluate

    def counted(self: Experiment, split: str = "test", *args: object, **kwargs: object) -> object:
        scored.append(split)
        return evaluate(self, split, *args, **kwargs)

    monkeypatch.setattr(Experiment, "evaluate", counted)
    result = nn_tui("train", *TINY, "--save", "flowers")
    assert result.code == 0, result.err
    assert scored.count("test") == 1  # the summary's test scores go into the file as they are
    lines = result.out.splitlines()
    assert lines[0].startswith("iris: 104 train, 23 val, 23 test, 4 features -> 3 classes")
    assert "4 -> 16 relu -> 3 softmax, 131 params, cross_entropy, adam lr 0.05" in lines[0]
    epoch_lines = [line for line in lines if re.match(r"epoch +\d/5  loss +\d\.\d{4}  acc ", line)]
    assert len(epoch_lines) == 5
    assert all("val_acc" in line and "samples/s" in line for line in epoch_lines)
    test_line = next(line for line in lines if line.startswith("test accuracy"))
    assert re.fullmatch(r"test accuracy \d\.\d{4}  test loss \d+\.\d{4}", test_line)
    saved = tmp_path / "saved_models" / "flowers.safetensors"
    assert lines[-1] == "saved saved_models/flowers.safetensors" and saved.is_file()

    evaluated = nn_tui("evaluate", "flowers")
    assert evaluated.code == 0, evaluated.err
    assert test_line in evaluated.out.splitlines()  # the same split, the same weights
    table = evaluated.out.splitlines()[-4:]
    assert table[0].split() == ["setosa", "versicolor", "virginica"]
    assert [row.split()[0] for row in table[1:]] == ["setosa", "versicolor", "virginica"]
    counts = np.array([[int(v) for v in row.split()[1:]] for row in table[1:]])
    assert counts.sum() == 23  # iris test split: 15% of 150

    as_json = json.loads(nn_tui("evaluate", str(saved), "--json").out)
    assert f"test accuracy {as_json['accuracy']:.4f}" in test_line
    assert np.array_equal(as_json["confusion"], counts)

    misfit = nn_tui("evaluate", "flowers", "--dataset", "wine")  # 13 features, not 4
    assert misfit.code == 2 and misfit.out == ""
    assert misfit.err.startswith("nn-tui: error: ") and len(misfit.err.splitlines()) == 1

    info = nn_tui("info", "flowers")
    assert info.code == 0, info.err
    assert re.search(r"dense_0 \(Dense\) +\(None, 16\) +relu +80", info.out)
    assert re.search(r"dense_1 \(Dense\) +\(None, 3\) +softmax +51", info.out)
    assert "Total params: 131" in info.out and "Epochs trained: 5" in info.out
    assert "Optimizer: adam" in info.out and "Dataset: iris" in info.out
    summary = json.loads(nn_tui("info", "flowers", "--json").out)
    assert summary["total_params"] == 131 and summary["epochs_trained"] == 5
    assert [layer["output_shape"] for layer in summary["layers"]] == [[None, 16], [None, 3]]


def test_a_float32_file_with_threads_trains_saves_and_evaluates_the_same(
        nn_tui: NnTui, tmp_path: Path) -> None:
    """--threads is kept with the model; reopening the file for evaluate loads it in the
    model's dtype and gives the same split and scores."""
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "pts.npz", X=rng.normal(size=(120, 3)).astype(np.float32),
             y=rng.integers(0, 2, size=120))
    result = nn_tui("train", "--dataset", "pts.npz", "--layers", "4:relu,2:softmax", "--epochs",
                    "2", "--threads", "1", "--save", "pts", "--json")
    assert result.code == 0, result.err
    done = json.loads(result.out.splitlines()[-1])
    evaluated = json.loads(nn_tui("evaluate", "pts", "--json").out)
    assert evaluated["accuracy"] == done["test_accuracy"]
    assert evaluated["loss"] == pytest.approx(done["test_loss"], rel=1e-6)
    meta = json.loads(nn_tui("info", "pts", "--json").out)
    assert meta["train"]["threads"] == 1


def test_regression_reports_r2(nn_tui: NnTui) -> None:
    result = nn_tui("train", "--dataset", "sine", "--layers", "16:tanh,1:linear", "--loss", "mse",
                    "--epochs", "3")
    assert result.code == 0, result.err
    assert re.search(r"epoch +1/3  loss +\d\.\d{4}  r2 +-?\d\.\d{3}  val_loss .* val_mae ",
                     result.out)
    assert re.search(r"^test r2 -?\d\.\d{4}  test mae \d\.\d{4}  test loss", result.out, re.M)
    done = json.loads(nn_tui("train", "--dataset", "sine", "--layers", "8:tanh,1:linear",
                             "--epochs", "2", "--json").out.splitlines()[-1])
    assert {"test_r2", "test_mae"} <= set(done) and "test_accuracy" not in done


def test_divergence_is_reported_and_still_saves(nn_tui: NnTui, tmp_path: Path) -> None:
    result = nn_tui("train", "--dataset", "iris", "--optimizer", "sgd", "--lr", "10000",
                    "--epochs", "5", "--save")
    assert result.code == 0, result.err
    assert "diverged at epoch" in result.out and "test accuracy" in result.out
    assert (tmp_path / "saved_models" / "iris-100relu-3softmax.safetensors").is_file()


# ---------------------------------------------------------------- a save that fails


def test_a_failed_save_keeps_the_run_in_saved_models(nn_tui: NnTui, tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, so no folder can be made here")
    result = nn_tui("train", *TINY, "--save", "blocker/flowers")
    assert result.code == 1, result.err
    kept = Path("saved_models/flowers.safetensors")
    assert re.fullmatch(rf"nn-tui: error: blocker/flowers\.safetensors: cannot write \(.+\); "
                        rf"the model is kept in {re.escape(str(kept))} instead\n", result.err)
    assert result.out.splitlines()[-1] == f"saved {kept}"
    test_line = next(line for line in result.out.splitlines() if line.startswith("test "))
    assert test_line in nn_tui("evaluate", str(kept)).out.splitlines()  # the trained weights
    assert (tmp_path / "blocker").read_text().startswith("a file")


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every write under `tmp_path` fails with ENOSPC; the temp folder is `tmp_path/tmp`, which
    is still writable. Returns that temp folder."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    write = model_file._write_atomic

    def write_or_fail(path: Path, data: bytes, overwrite: bool) -> None:
        if path.resolve().parent != temp.resolve():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        write(path, data, overwrite)

    monkeypatch.setattr(model_file, "_write_atomic", write_or_fail)
    return temp


def test_a_save_on_a_full_disk_falls_back_to_the_temp_folder(nn_tui: NnTui, tmp_path: Path,
                                                             full_disk: Path) -> None:
    (full_disk / "flowers.safetensors").write_bytes(b"another run's model")
    result = nn_tui("train", *TINY, "--save", "flowers", "--json")
    assert result.code == 1
    kept = full_disk / "flowers-2.safetensors"  # a free name: the other run's file is left be
    assert result.err == (f"nn-tui: error: saved_models/flowers.safetensors: cannot write (No "
                          f"space left on device); the model is kept in {kept} instead\n")
    done = json.loads(result.out.splitlines()[-1])
    assert done["saved"] == str(kept) and "No space left" in done["save_error"]
    assert (full_disk / "flowers.safetensors").read_bytes() == b"another run's model"
    reopened = Experiment.load(str(kept))
    assert reopened.trainer.epoch == 5
    assert reopened.evaluate("test").accuracy == done["test_accuracy"]
    assert list((tmp_path / "saved_models").glob("*")) == []


def test_a_save_with_nowhere_to_go_says_so(nn_tui: NnTui, full_disk: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(full_disk / "gone"))  # unwritable too
    result = nn_tui("train", *TINY, "--save", "flowers")
    assert result.code == 1
    assert result.err == ("nn-tui: error: saved_models/flowers.safetensors: cannot write (No "
                          "space left on device); the model is not saved\n")
    assert "test accuracy" in result.out and "saved" not in result.out


# ---------------------------------------------------------------- the app's options


def test_app_gets_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    fake = types.ModuleType("tui.app")
    fake.run_app = lambda args: seen.append(args) or 7  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tui.app", fake)
    assert cli.main(["--dataset", "wine", "--lr", "0.01", "--epochs", "9"]) == 7
    args = seen[0]
    assert (args.dataset, args.lr, args.epochs, args.model) == ("wine", 0.01, 9, None)
    defaults = TrainConfig()
    assert (args.optimizer, args.batch_size, args.layers) == (defaults.optimizer,
                                                              defaults.batch_size, None)
    assert args.val_size == args.test_size == 0.15
    assert cli.main([]) == 7 and seen[1].dataset == "digits"


def test_options_before_or_after_train_mean_the_same() -> None:
    parser = cli.build_parser()
    before = parser.parse_args(["--lr", "0.5", "train"])
    after = parser.parse_args(["train", "--lr", "0.5"])
    default = parser.parse_args(["train"])
    assert before.lr == after.lr == 0.5
    assert (default.lr, default.epochs) == (TrainConfig().lr, TrainConfig().epochs)


# ---------------------------------------------------------------- formatting


def test_epoch_line_alignment() -> None:
    event = EpochEnd(7, 0.41234, None, 0.001, 0.01, 12_345.0, train_acc=0.9123)
    line = output.epoch_line(event, 60)
    assert line == ("epoch   7/60  loss  0.4123  acc 0.912  val_loss       -  val_acc     -  "
                    "lr 0.001     12.3k samples/s")
    later = EpochEnd(60, 1.5, 1.25, 0.0005, 0.01, 2e6, train_acc=1.0, val_acc=0.5)
    assert len(output.epoch_line(later, 60)) == len(line)


def test_confusion_table() -> None:
    table = output.confusion_table([[12, 0], [3, 100]], ["cat", "mouse"])
    assert table.splitlines() == ["       cat  mouse",
                                  "cat     12      0",
                                  "mouse    3    100"]
