"""The app's start in a terminal (part 3 of `bench.app_responsiveness`): `python -m tui` launched
in a pseudo-terminal, the time to its first full frame (every panel's title drawn) and to the
default session loaded, read from the bytes it draws.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tui.panels_app import PANEL_TITLES

ROOT = Path(__file__).resolve().parent.parent
FIRST_FRAME = tuple(PANEL_TITLES.values())  # every panel's title drawn: the first full frame
READY_TEXT = "press t to train"  # the default session is loaded (its log line)


@dataclass(frozen=True)
class Startup:
    first_frame_s: float  # launch -> every panel title on the screen
    ready_s: float | None  # launch -> the default session loaded (None: not seen in time)


_ESCAPES = re.compile(r"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78NOM]")


def measure_startup(size: tuple[int, int] = (120, 40), timeout: float = 15.0) -> Startup:
    """Launches `python -m tui` (what `nn-tui` runs) in a pseudo-terminal and watches the
    bytes it draws; quits it with `q` afterwards."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    cols, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)}
    launched = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tui"], cwd=ROOT, env=env,
                            stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    screen = ""
    first_frame = ready = None
    try:
        while time.perf_counter() - launched < timeout and ready is None:
            if not select.select([master], [], [], 0.05)[0]:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            screen += _ESCAPES.sub("", chunk.decode("utf-8", "replace"))
            now = time.perf_counter() - launched
            if first_frame is None and all(title in screen for title in FIRST_FRAME):
                first_frame = now
            if READY_TEXT in screen:
                ready = now
    finally:
        _quit(proc, master)
    if first_frame is None:
        raise RuntimeError(f"no full frame within {timeout:g} s; the screen so far ends: "
                           f"{screen[-200:]!r}")
    return Startup(first_frame, ready)


def _quit(proc: subprocess.Popen, master: int) -> None:
    try:
        os.write(master, b"q")
        deadline = time.perf_counter() + 5
        while proc.poll() is None and time.perf_counter() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 65536)  # keep draining: a full pty would block its writes
                except OSError:
                    break
    finally:
        if proc.poll() is None:
            proc.terminate()  # only the process started here, by its handle
            proc.wait(5)
        os.close(master)
