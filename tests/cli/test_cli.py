"""The `nn-tui` command, run as a user would (`python -m tui` in a subprocess, in a temporary
folder so saved_models/ lands there), plus its pure formatting helpers in-process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import types
from pathlib import Path

import numpy as np

from engine.train.events import EpochEnd
from tui.cli import main as cli
from tui.cli import output

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
TINY = ("--dataset", "iris", "--layers", "16:relu,3:softmax", "--epochs", "5", "--lr", "0.05")
DONE_KEYS = {"event", "test_accuracy", "test_loss", "epochs", "seconds", "params", "saved"}


def start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tui", *args], cwd=cwd, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def nn_tui(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=60)


def test_train_json_is_one_object_per_line(tmp_path: Path) -> None:
    result = nn_tui("train", *TINY, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]  # every line is JSON
    epochs = [o for o in objects if o["event"] == "epoch"]
    assert [o["epoch"] for o in epochs] == [1, 2, 3, 4, 5]
    assert {"train_loss", "val_loss", "train_acc", "val_acc", "lr"} <= set(epochs[0])
    done = objects[-1]
    assert set(done) == DONE_KEYS
    assert done["epochs"] == 5 and done["params"] == 4 * 16 + 16 + 16 * 3 + 3
    assert 0 <= done["test_accuracy"] <= 1 and done["test_loss"] > 0
    assert 0 < done["seconds"] < 30 and done["saved"] is None
    assert result.stderr == ""


def test_train_human_save_then_evaluate_and_info(tmp_path: Path) -> None:
    result = nn_tui("train", *TINY, "--save", "flowers", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("iris: 104 train, 23 val, 23 test, 4 features -> 3 classes")
    assert "4 -> 16 relu -> 3 softmax, 131 params, cross_entropy, adam lr 0.05" in lines[0]
    epoch_lines = [line for line in lines if re.match(r"epoch +\d/5  loss +\d\.\d{4}  acc ", line)]
    assert len(epoch_lines) == 5
    assert all("val_acc" in line and "samples/s" in line for line in epoch_lines)
    test_line = next(line for line in lines if line.startswith("test accuracy"))
    assert re.fullmatch(r"test accuracy \d\.\d{4}  test loss \d+\.\d{4}", test_line)
    saved = tmp_path / "saved_models" / "flowers.safetensors"
    assert lines[-1] == "saved saved_models/flowers.safetensors" and saved.is_file()

    evaluated = nn_tui("evaluate", "flowers", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert test_line in evaluated.stdout.splitlines()  # the same split, the same weights
    table = evaluated.stdout.splitlines()[-4:]
    assert table[0].split() == ["setosa", "versicolor", "virginica"]
    assert [row.split()[0] for row in table[1:]] == ["setosa", "versicolor", "virginica"]
    counts = np.array([[int(v) for v in row.split()[1:]] for row in table[1:]])
    assert counts.sum() == 23  # iris test split: 15% of 150

    as_json = json.loads(nn_tui("evaluate", str(saved), "--json", cwd=tmp_path).stdout)
    assert f"test accuracy {as_json['accuracy']:.4f}" in test_line
    assert np.array_equal(as_json["confusion"], counts)

    info = nn_tui("info", "flowers", cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    assert re.search(r"dense_0 \(Dense\) +\(None, 16\) +relu +80", info.stdout)
    assert re.search(r"dense_1 \(Dense\) +\(None, 3\) +softmax +51", info.stdout)
    assert "Total params: 131" in info.stdout and "Epochs trained: 5" in info.stdout
    assert "Optimizer: adam" in info.stdout and "Dataset: iris" in info.stdout
    summary = json.loads(nn_tui("info", "flowers", "--json", cwd=tmp_path).stdout)
    assert summary["total_params"] == 131 and summary["epochs_trained"] == 5
    assert [layer["output_shape"] for layer in summary["layers"]] == [[None, 16], [None, 3]]


def test_regression_reports_r2(tmp_path: Path) -> None:
    result = nn_tui("train", "--dataset", "sine", "--layers", "16:tanh,1:linear", "--loss", "mse",
                    "--epochs", "3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"epoch +1/3  loss +\d\.\d{4}  r2 +-?\d\.\d{3}  val_loss .* val_mae ",
                     result.stdout)
    assert re.search(r"^test r2 -?\d\.\d{4}  test mae \d\.\d{4}  test loss", result.stdout, re.M)
    done = json.loads(nn_tui("train", "--dataset", "sine", "--layers", "8:tanh,1:linear",
                             "--epochs", "2", "--json", cwd=tmp_path).stdout.splitlines()[-1])
    assert {"test_r2", "test_mae"} <= set(done) and "test_accuracy" not in done


def test_divergence_is_reported_and_still_saves(tmp_path: Path) -> None:
    result = nn_tui("train", "--dataset", "iris", "--optimizer", "sgd", "--lr", "10000",
                    "--epochs", "5", "--save", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "diverged at epoch" in result.stdout and "test accuracy" in result.stdout
    assert (tmp_path / "saved_models" / "iris-100relu-3softmax.safetensors").is_file()


BAD_INPUTS = {
    "unknown dataset": ("train", "--dataset", "nope"),
    "unknown activation": ("train", "--layers", "10:wobbly,10:softmax"),
    "zero units": ("train", "--layers", "0:relu"),
    "negative lr": ("train", "--lr", "-1"),
    "zero epochs": ("train", "--epochs", "0"),
    "not a number": ("train", "--epochs", "many"),
    "missing data file": ("train", "--dataset", "absent.csv"),
    "malformed data file": ("train", "--dataset", "bad.csv"),
    "output too small": ("train", "--layers", "100:relu,3:softmax"),
    "loss needs softmax": ("train", "--dataset", "iris", "--layers", "3:sigmoid",
                           "--loss", "cross_entropy"),
    "bad save name": ("train", "--dataset", "iris", "--save", "no way"),
    "missing model": ("evaluate", "ghost"),
    "corrupt model": ("evaluate", "corrupt.safetensors"),
    "corrupt model info": ("info", "corrupt.safetensors"),
    "app with missing model": ("--model", "ghost"),
    "app with bad lr": ("--lr", "-2"),
    "unknown command": ("fly",),
}


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("a,b,label\n1,2,x\n3,oops,y\n")
    (tmp_path / "corrupt.safetensors").write_bytes(b"\x40\0\0\0\0\0\0\0{\"__meta")
    running = {case: start(*args, cwd=tmp_path) for case, args in BAD_INPUTS.items()}
    for case, process in running.items():
        out, err = process.communicate(timeout=60)
        assert process.returncode == 2, (case, out, err)
        assert len(err.splitlines()) == 1, (case, err)
        assert err.startswith("nn-tui: error: ") and "Traceback" not in err, (case, err)
        assert out == "", (case, out)
    assert not (tmp_path / "saved_models").exists()


def test_interrupt_stops_cleanly(tmp_path: Path) -> None:
    process = start("train", "--dataset", "iris", "--epochs", "10000000", "--json", cwd=tmp_path)
    for _ in range(3):  # started, then epochs: training is under way
        assert process.stdout.readline()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert re.fullmatch(r"interrupted at epoch \d+\n", err)
    assert all(json.loads(line)["event"] == "epoch" for line in out.splitlines())


def test_headless_cli_imports_no_ui_library(tmp_path: Path) -> None:
    code = ("import sys, tui.cli.main, engine.io.model_file; "
            "print(sorted(m for m in ('textual', 'rich', 'plotext') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=ENV,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


# ---------------------------------------------------------------- in-process


def test_app_gets_the_options(monkeypatch) -> None:
    seen = []
    fake = types.ModuleType("tui.app")
    fake.run_app = lambda args: seen.append(args) or 7
    monkeypatch.setitem(sys.modules, "tui.app", fake)
    assert cli.main(["--dataset", "wine", "--lr", "0.01", "--epochs", "9"]) == 7
    args = seen[0]
    assert (args.dataset, args.lr, args.epochs, args.model) == ("wine", 0.01, 9, None)
    assert (args.optimizer, args.batch_size, args.val_size, args.layers) == ("adam", 32, 0.15,
                                                                             None)
    assert cli.main([]) == 7 and seen[1].dataset == "digits"


def test_options_before_or_after_train_mean_the_same() -> None:
    parser = cli.build_parser()
    before = parser.parse_args(["--lr", "0.5", "train"])
    after = parser.parse_args(["train", "--lr", "0.5"])
    default = parser.parse_args(["train"])
    assert before.lr == after.lr == 0.5 and default.lr == 0.001 and default.epochs == 60


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


def test_a_save_name_too_long_is_an_error_not_a_traceback(tmp_path):
    result = nn_tui("train", "--dataset", "people", "--epochs", "1", "--save", "y" * 300,
                    cwd=tmp_path)
    assert result.returncode == 2
    assert "too long" in result.stderr and "Traceback" not in result.stderr
