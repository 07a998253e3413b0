"""`nn-tui train` on a real terminal: the default verbosity is one live rich bar, redrawn in
place, and a thousand tiny epochs leave a handful of lines, not a thousand."""

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
PEOPLE = ("--dataset", "people", "--layers", "2:sigmoid,1:sigmoid", "--loss", "mse",
          "--optimizer", "sgd", "--lr", "0.1", "--batch-size", "1")


def run_in_pty(cwd: Path, *args: str, timeout: float = 60) -> tuple[int, bytes]:
    """Runs `nn-tui ARGS` with a pty as its terminal; returns its status and all it wrote."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES),
           "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "tui", *args], stdin=slave, stdout=slave,
                               stderr=slave, cwd=cwd, env=env, start_new_session=True)
    os.close(slave)
    raw = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                raw += chunk
            elif process.poll() is not None:
                break
        return process.wait(10), raw
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
        os.close(master)


def test_a_thousand_epochs_make_one_live_bar_and_a_final_line(tmp_path: Path) -> None:
    code, raw = run_in_pty(tmp_path, "train", *PEOPLE, "--epochs", "1000")
    text = ANSI.sub("", raw.decode("utf-8", "replace"))
    assert code == 0, text
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    assert lines[0].startswith("people: 4 train"), lines
    assert re.fullmatch(r"1000 epochs in \d+\.\d\d s", lines[-2]), lines
    assert re.fullmatch(r"test accuracy \d\.\d{4}  test loss \d\.\d{4}", lines[-1]), lines
    assert len(lines) == 4, lines  # header, the bar, the time, the scores: no line an epoch
    bar = lines[1].split("\r")[-1]  # the last drawing of the bar, redrawn in place
    assert re.match(r"epoch 1000/1000 ━+ \d+:\d\d:\d\d loss \d\.\d{4}  acc 1\.000  val_loss ",
                    bar), bar
    assert "Traceback" not in text


def test_verbose_2_on_a_terminal_is_one_line_an_epoch(tmp_path: Path) -> None:
    code, raw = run_in_pty(tmp_path, "train", *PEOPLE, "--epochs", "30", "--verbose", "2")
    text = ANSI.sub("", raw.decode("utf-8", "replace"))
    assert code == 0, text
    assert len(re.findall(r"^epoch +\d+/30  loss ", text, re.M)) == 30
    assert "━" not in text
