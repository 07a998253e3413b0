"""The real `nn-tui` in a pseudo-terminal: first frame, t trains (an epoch line appears), q
quits (confirming if training still runs), exit status 0, no traceback."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()=>][0-9A-Za-z]?")
COLUMNS, LINES = 120, 40


class Terminal:
    """The app on the far side of a pty; `screen` is everything it wrote, escapes removed."""

    def __init__(self, cwd: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS),
               "LINES": str(LINES), "PYTHONPATH": str(ROOT)}
        env.pop("TEXTUAL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from tui.cli.main import main; sys.exit(main([]))"],
            stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, start_new_session=True)
        os.close(slave)
        self.raw = b""

    @property
    def screen(self) -> str:
        return ANSI.sub("", self.raw.decode("utf-8", "replace"))

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.1))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the app closed the terminal
                    return
                if not chunk:
                    return
                self.raw += chunk

    def wait_for(self, pattern: str, timeout: float) -> float:
        """Seconds until `pattern` shows up; fails the test after `timeout`."""
        start = time.monotonic()
        while not re.search(pattern, self.screen):
            if time.monotonic() - start > timeout or self.process.poll() is not None:
                raise AssertionError(f"{pattern!r} not on screen after {timeout}s:\n"
                                     f"{self.screen[-2000:]}")
            self.read(0.1)
        return time.monotonic() - start

    def press(self, key: str) -> None:
        os.write(self.master, key.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        os.close(self.master)


def test_nn_tui_trains_and_quits_in_a_pty(tmp_path):
    terminal = Terminal(tmp_path)
    try:
        terminal.wait_for(r"architecture", timeout=15)
        terminal.wait_for(r"ready: press t to train", timeout=15)
        terminal.press("t")
        terminal.wait_for(r"epoch +\d+ +loss \d", timeout=15)
        terminal.press("q")  # asks first if the 60 epochs are not done yet
        asked = False
        deadline = time.monotonic() + 15
        while terminal.process.poll() is None and time.monotonic() < deadline:
            terminal.read(0.2)
            if not asked and "Stop it and quit?" in terminal.screen:
                terminal.press("y")
                asked = True
        assert terminal.process.wait(5) == 0
        assert "Traceback" not in terminal.screen
    finally:
        terminal.close()
