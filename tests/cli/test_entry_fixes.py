"""The app's entry refuses what `nn-tui train` refuses, before Textual starts: bad options and
a missing terminal are one line and status 2; a value that begins with '-' is judged itself."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli.runner import NnTui

ONE_LINE_REFUSALS = [
    (["--dataset", "nosuch"], "unknown dataset 'nosuch'"),
    (["--val-size", "2"], "val_size must be a fraction in [0, 1)"),
    (["--loss", "nosuch"], "unknown loss 'nosuch'"),
    (["--dataset", "iris", "--layers", "10:relu,5:softmax"],
     "the output layer has 5 units but the dataset needs 3"),
    (["--dataset", "missing.csv"], "missing.csv: no such file"),
]


@pytest.mark.parametrize(("args", "reason"), ONE_LINE_REFUSALS)
def test_the_app_refuses_what_train_refuses_before_it_starts(nn_tui: NnTui, args, reason):
    for command in ([], ["train"]):  # the app (whose start would fail the test) and train
        result = nn_tui(*command, *args)
        assert result.code == 2, result
        assert result.err.count("\n") == 1 and result.err.startswith("nn-tui: error: "), result
        assert reason in result.err, result.err


def test_the_app_gets_the_experiment_it_checked(monkeypatch: pytest.MonkeyPatch):
    """Built once: the app opens the very experiment the entry built to check the options."""
    import types

    from tui.cli import main as cli

    seen = []
    fake = types.ModuleType("tui.app")
    fake.run_app = lambda args: seen.append(args) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tui.app", fake)
    assert cli.main(["--dataset", "iris", "--layers", "8:tanh,3:softmax"]) == 0
    first = seen[0].first
    assert first.dataset.name == "iris" and first.spec.layers_text == "8:tanh,3:softmax"


@pytest.mark.parametrize("stdin_is_terminal", [False, True])
def test_the_app_without_a_terminal_says_so_and_exits(tmp_path, stdin_is_terminal):
    """`echo | nn-tui` and `nn-tui > out.txt`: one line, status 2, no escape codes, no hang."""
    script = ("import sys; from tui.cli.main import main; "
              f"sys.stdin.isatty = lambda: {stdin_is_terminal}; "
              "raise SystemExit(main(['--dataset', 'xor']))")
    done = subprocess.run([sys.executable, "-c", script], stdin=subprocess.PIPE,
                          capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env={"NN_TUI_RUNS": str(tmp_path / "runs.sqlite"),
                               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 2, done
    assert done.stderr == ("nn-tui: error: nn-tui needs a terminal; for scripts use nn-tui "
                           "train ... (see nn-tui train --help)\n")
    assert done.stdout == ""


@pytest.mark.parametrize("form", [["--layers", "-5:relu"], ["--layers=-5:relu"]])
def test_a_negative_unit_count_is_named(nn_tui: NnTui, form):
    result = nn_tui("train", *form)
    assert (result.code, result.err) == (
        2, "nn-tui: error: '-5:relu': a layer needs at least 1 unit (got -5)\n")


def test_a_missing_layers_value_says_how_to_write_it(nn_tui: NnTui):
    result = nn_tui("train", "--layers")
    assert (result.code, result.err) == (
        2, "nn-tui: error: argument --layers: expected one argument, e.g. --layers "
           "100:relu,10:softmax (see nn-tui train --help)\n")


def test_the_apps_first_experiment_is_built_without_scikit_learn() -> None:
    """`nn-tui` builds its first experiment (digits) before Textual starts, so its first frame
    waits for it: scikit-learn's import (about 1.1 s) kept the frame past 1.5 s."""
    code = (
        "import sys\n"
        "from tui.cli.common import train_config\n"
        "from tui.cli.main import build_parser\n"
        "from tui.sessions import Preset\n"
        "args = build_parser().parse_args([])\n"
        "train_config(args)\n"
        "args.dataset = 'digits'\n"
        "Preset.from_namespace(args).build()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn')[:3])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stdout
