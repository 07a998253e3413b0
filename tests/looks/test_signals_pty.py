"""The real `nn-tui` in a pseudo-terminal, as an SSH user meets it: a `t` pressed the moment the
first frame shows trains once the model is loaded, and a hang-up (SIGHUP) or a SIGTERM stops the
training, keeps the trained model in an autosave file, puts the terminal back (main screen,
cursor shown) and exits cleanly, in bounded time."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from engine import list_models
from tests.looks.test_e2e_pty import Terminal

EXIT_SECONDS = 15.0


def exited(terminal: Terminal, seconds: float = EXIT_SECONDS) -> int | None:
    """Reads what the app writes until it exits (or `seconds` pass); its exit status."""
    deadline = time.monotonic() + seconds
    while terminal.process.poll() is None and time.monotonic() < deadline:
        terminal.read(0.2)
    terminal.read(0.3)  # what it wrote on the way out
    return terminal.process.poll()


def left_the_terminal_as_found(raw: bytes) -> bool:
    """The last word on the alternate screen is leaving it, and on the cursor showing it."""
    return raw.rfind(b"\x1b[?1049l") > raw.rfind(b"\x1b[?1049h") >= 0 \
        and raw.rfind(b"\x1b[?25h") > raw.rfind(b"\x1b[?25l")


def autosaves(folder: Path) -> list[Path]:
    return sorted((folder / "saved_models").glob("autosave-*.safetensors"))


# Each case is a whole app process (about 3.5 s of CPU), so the SIGTERM case also presses `t`
# the moment the first frame shows, most likely before the model has loaded: the press must
# still train once it has.
@pytest.mark.parametrize(("signum", "press_t_at"), [(signal.SIGHUP, r"ready: press t to train"),
                                                    (signal.SIGTERM, r"architecture")])
def test_a_signal_mid_training_restores_the_terminal_and_autosaves(tmp_path, signum, press_t_at):
    terminal = Terminal(tmp_path)
    try:
        terminal.wait_for(press_t_at, timeout=20)
        terminal.press("t")
        terminal.wait_for(r"epoch +\d+ +loss \d", timeout=20)
        terminal.process.send_signal(signum)
        assert exited(terminal) == 0
        assert left_the_terminal_as_found(terminal.raw)
        assert "Traceback" not in terminal.screen
        saved = autosaves(tmp_path)
        assert len(saved) == 1 and saved[0].name.startswith("autosave-digits-")
        assert str(saved[0].name) in terminal.screen  # it says where the model went
        (info,) = list_models(tmp_path / "saved_models")
        assert info.error is None and info.layers == "64-100relu-10softmax"
    finally:
        terminal.close()


def test_a_signal_before_any_training_saves_nothing(tmp_path):
    terminal = Terminal(tmp_path)
    try:
        terminal.wait_for(r"ready: press t to train", timeout=20)
        terminal.process.send_signal(signal.SIGTERM)
        assert exited(terminal) == 0
        assert left_the_terminal_as_found(terminal.raw)
        assert autosaves(tmp_path) == []
    finally:
        terminal.close()
