"""Running `nn-tui` in-process for the CLI tests: `nn_tui("train", ...)` calls
`tui.cli.main.main([...])` in a temporary folder (so saved_models/ lands there) and returns its
status and captured output. An interpreter per case would cost a second or two and test nothing
more."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.cli import main as cli


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


NnTui = Callable[..., Run]


@pytest.fixture
def nn_tui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]) -> NnTui:
    """`nn_tui("train", ...)` runs the command in `tmp_path` and returns its status and output.
    The app itself is replaced by one that fails the test: no case here may open it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NN_TUI_RUNS", raising=False)  # the default store: runs/ in tmp_path
    fake_app = types.ModuleType("tui.app")

    def run_app(args: object) -> int:
        raise AssertionError(f"the app was started with {args}")

    fake_app.run_app = run_app  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tui.app", fake_app)

    def run(*args: str) -> Run:
        capsys.readouterr()  # only this command's output
        try:
            code = cli.main(list(args))
        except SystemExit as exc:  # argparse's usage errors leave through SystemExit
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run
