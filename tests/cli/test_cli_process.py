"""The `nn-tui` command in a process of its own, for the three things an in-process run
(`test_cli.py`) cannot show: the installed `nn-tui` script, a real Ctrl-C (`python -m tui`) and
what `train` imports, which needs a fresh interpreter."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def test_the_installed_nn_tui_script_trains_and_saves(tmp_path: Path) -> None:
    """The console script pyproject declares, as a user runs it: it starts, trains and saves."""
    script = Path(sys.executable).parent / "nn-tui"
    result = subprocess.run([str(script), "train", "--dataset", "digits", "--layers",
                             "4:relu,10:softmax", "--epochs", "1", "--save", "smoke"],
                            cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "saved saved_models/smoke.safetensors"
    assert (tmp_path / "saved_models" / "smoke.safetensors").is_file()
    assert result.stderr == ""


def test_interrupt_stops_cleanly(tmp_path: Path) -> None:
    """A real Ctrl-C lands wherever training is, so it takes a real process (`python -m tui`)."""
    process = subprocess.Popen([sys.executable, "-m", "tui", "train", "--dataset", "digits",
                                "--epochs", "10000000", "--json"], cwd=tmp_path, env=ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        for _ in range(3):  # started, then epochs: training is under way
            assert process.stdout.readline()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:  # a failed check never leaves ten million epochs training for the rest of the suite
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130
    assert re.fullmatch(r"interrupted at epoch \d+\n", err)
    *epochs, last = [json.loads(line) for line in out.splitlines()]
    assert all(o["event"] == "epoch" for o in epochs)
    assert last == {"event": "interrupted", "epoch": int(err.split()[-1])}


def test_headless_train_imports_no_ui_library_and_nothing_it_does_not_use(tmp_path: Path) -> None:
    """No UI library, and no scikit-learn for data that needs none of it: its import alone
    (with SciPy's) cost `train` 1.2 s of CPU, for confusion counts it never printed."""
    code = ("import sys, contextlib, io, tui.cli.main, engine.io.model_file\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    code = tui.cli.main.main(['train', '--dataset', 'digits', '--epochs', '1',\n"
            "                              '--quiet', '--backend', 'numpy', '--save', 'm'])\n"
            "print(code, sorted(m for m in sys.modules if m.split('.')[0] in\n"
            "                   ('textual', 'rich', 'plotext', 'textual_plotext', 'sklearn')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=ENV,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "0 []", result.stderr
    assert (tmp_path / "saved_models" / "m.safetensors").is_file()
