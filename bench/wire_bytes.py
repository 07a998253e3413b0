"""Light on the wire (issue 11, outcome 5): the bytes a real `nn-tui` writes to its terminal.

Over SSH every byte the app writes crosses the link. This runs `python -m tui` (what `nn-tui`
runs) in a pseudo-terminal at 120x40 and 80x24, waits for the first full frame and the default
model, then presses `t` and reads everything the app writes while digits trains, at the default
pace and at full speed (`]` pressed up to it before `t`). It reports the start-up bytes and the
bytes per second while training (median of a few runs), the frames per second (bursts of
writes) and the CPU the app used meanwhile (all its threads, the trainer's included). Each run
has as many epochs as outlast the warm-up and the measurement at its speed by `OUTLAST`: 15 a
second at the default pace, and at full speed the rate of the same run headless (`nn-tui train
--json`, measured first on each tree), so its curves cross most of the charts' width while
they are measured (the x axis spans the run), as a person's run does. `--rows`
adds, for one run, which screen rows the bytes went to (the row of the last cursor move before
each byte), to find the widget that costs them.

    python bench/wire_bytes.py [--seconds 10] [--repeats 3] [--rows] [--base PATH]
                               [--sizes 120x40,80x24] [--paces default,full]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import math
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ((120, 40), (80, 24))
PACES = {"default pace": 0, "full speed": 4}  # `]` presses from the default (15/s) to full
DEFAULT_RATE = 15.0  # epochs a second at the default pace (tui.pace.DEFAULT_PACE)
# A run's epochs: this many times what the warm-up and the measurement take at its speed (at
# 1.5 the curves cross two thirds of the charts while they are measured). A fixed 4000 epochs
# at full speed stopped outlasting the measurement once the compiled step got fast.
OUTLAST = 1.5
PROBE_EPOCHS = 300  # the headless run that measures the full speed (about a second of training)
FINISHED_TEXT = "finished at epoch"
BURST_GAP_S = 0.02  # writes closer together than this are one frame
WARM_UP_S = 1.0  # after `t`: the first epochs, the panels switching to training
TARGETS = {"default pace": 24_000, "full speed": 10_000}  # bytes per second at 120x40
READY_TEXT = "press t to train"
TITLES = ("architecture", "training curves", "confusion matrix", "training log")
_ESCAPES = re.compile(r"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78NOM]")
_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


class RunEnded(RuntimeError):
    """The run finished within the measurement: the screen went quiet, the figure is no rate."""


def full_speed(root: Path) -> float:
    """Epochs a second of the app's default digits run at full speed, trained headless by
    `root`'s `nn-tui train --json` (the epochs' own time, no printing), in a folder of its own
    (its run store too)."""
    with tempfile.TemporaryDirectory() as cwd:
        env = {**os.environ, "PYTHONPATH": str(root),
               "NN_TUI_RUNS": str(Path(cwd) / "runs.sqlite")}
        done = subprocess.run(
            [sys.executable, "-m", "tui", "train", "--dataset", "digits", "--epochs",
             str(PROBE_EPOCHS), "--json"], cwd=cwd, env=env, capture_output=True, text=True,
            check=False)
    try:
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        return float(summary["epochs"]) / float(summary["epoch_seconds"])
    except (IndexError, KeyError, TypeError, ValueError, ZeroDivisionError):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the full-speed probe failed: {tail}") from None


def run_epochs(rate: float, seconds: float) -> int:
    """Epochs that outlast the warm-up and `seconds` of measurement at `rate` epochs a second."""
    return math.ceil(OUTLAST * rate * (WARM_UP_S + seconds))


@dataclass(frozen=True)
class Wire:
    startup_bytes: int  # launch -> the default model ready and the screen quiet
    bytes_per_s: float  # while training, after the warm-up
    frames_per_s: float
    cpu: float  # the app's CPU seconds per second while training (all its threads)
    rows: dict[int, int]  # screen row (1-based) -> bytes written on it while training


class Pty:
    """`python -m tui` on the far side of a pseudo-terminal of `size` (columns, rows)."""

    def __init__(self, size: tuple[int, int], root: Path, cwd: str, epochs: int) -> None:
        cols, rows = size
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows),
               "PYTHONPATH": str(root)}
        env.pop("TEXTUAL", None)
        env.pop("NO_COLOR", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui", "--epochs", str(epochs)], cwd=cwd, env=env,
            stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        self.raw = bytearray()
        self.bursts = 0  # frames: writes separated by at least BURST_GAP_S of quiet

    def read(self, seconds: float) -> bytes:
        """Everything written in the next `seconds`."""
        got = bytearray()
        deadline = time.monotonic() + seconds
        last = 0.0
        while (left := deadline - time.monotonic()) > 0:
            if select.select([self.master], [], [], min(left, 0.05))[0]:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                now = time.monotonic()
                self.bursts += now - last >= BURST_GAP_S
                last = now
                got += chunk
        self.raw += got
        return bytes(got)

    def wait_for(self, texts: tuple[str, ...], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not all(t in _ESCAPES.sub("", self.raw.decode("utf-8", "replace")) for t in texts):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"{texts} not on screen within {timeout:g} s")
            self.read(0.1)

    def settle(self, quiet: float = 0.5, timeout: float = 5.0) -> None:
        """Reads until nothing came for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while self.read(quiet) and time.monotonic() < deadline:
            pass

    def press(self, key: str) -> None:
        os.write(self.master, key.encode())

    def close(self) -> None:
        """SIGTERM (the app autosaves and exits), draining the pty meanwhile: a full pty would
        block its writes."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # only the process started here
            deadline = time.monotonic() + 5
            while self.process.poll() is None and time.monotonic() < deadline:
                self.read(0.05)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(5)
        os.close(self.master)


def rows_of(data: bytes) -> Counter[int]:
    """Bytes per screen row: each byte counts for the row of the cursor move before it."""
    counts: Counter[int] = Counter()
    row, at = 0, 0
    for move in _MOVE.finditer(data):
        counts[row] += move.start() - at
        row, at = int(move.group(1)), move.start()
    counts[row] += len(data) - at
    return counts


def measure(size: tuple[int, int], pace: str, epochs: int, seconds: float = 10.0,
            root: Path = ROOT) -> Wire:
    """One run of `epochs` at `pace`; RunEnded if it finished within the measurement."""
    with tempfile.TemporaryDirectory() as cwd:  # the autosave on SIGTERM lands here
        term = Pty(size, root, cwd, epochs)
        try:
            term.wait_for(TITLES, 30)
            term.wait_for((READY_TEXT,), 60)
            term.settle()
            startup = len(term.raw)
            for _ in range(PACES[pace]):
                term.press("]")
            term.settle(0.3)
            term.press("t")
            term.read(WARM_UP_S)
            began, term.bursts, cpu = time.monotonic(), 0, process_cpu(term.process.pid)
            data = term.read(seconds)
            elapsed = time.monotonic() - began
            cpu = (process_cpu(term.process.pid) - cpu) / elapsed
            if term.process.poll() is not None:
                raise RuntimeError("the app exited while training")
            if FINISHED_TEXT in _ESCAPES.sub("", data.decode("utf-8", "replace")):
                raise RunEnded(f"the {epochs}-epoch run ended within the measurement at the "
                               f"{pace}")
        finally:
            term.close()
    return Wire(startup, len(data) / elapsed, term.bursts / elapsed, cpu, dict(rows_of(data)))


def _measure_outlasting(size: tuple[int, int], pace: str, epochs: dict[tuple[str, str], int],
                        label: str, seconds: float, root: Path) -> Wire:
    """`measure`, and once more with twice the epochs if the run ended within it (the app ran
    faster than its probe said: a busy machine during the probe); the longer run is kept for
    the runs after. A run that still ends is an error: the figure would be no rate."""
    try:
        return measure(size, pace, epochs[label, pace], seconds, root)
    except RunEnded:
        epochs[label, pace] *= 2
        return measure(size, pace, epochs[label, pace], seconds, root)


def process_cpu(pid: int) -> float:
    """CPU seconds a process used so far, user and system (nan without /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(seconds: float = 10.0, repeats: int = 3, roots: dict[str, Path] | None = None,
           show_rows: bool = False, sizes: tuple[tuple[int, int], ...] = SIZES,
           paces: tuple[str, ...] = tuple(PACES)) -> list[str]:
    """Median of `repeats` runs per tree, size and pace, the runs interleaved (on a shared
    machine the load changes from minute to minute; two trees compared run turn about)."""
    roots = roots or {"": ROOT}
    epochs = {(label, pace): run_epochs(DEFAULT_RATE if pace == "default pace"
                                        else full_speed(root), seconds)
              for label, root in roots.items() for pace in paces}
    runs: dict[tuple[str, tuple[int, int], str], list[Wire]] = {}
    for _ in range(repeats):
        for size in sizes:
            for pace in paces:
                for label, root in roots.items():
                    runs.setdefault((label, size, pace), []).append(
                        _measure_outlasting(size, pace, epochs, label, seconds, root))
    lines = [f"(m) bytes on the wire: `python -m tui` in a pty, digits training ({seconds:g} s "
             f"after a {WARM_UP_S:g} s warm-up; median of {repeats}); runs of "
             + ", ".join(f"{n} epochs ({label + ' ' if label else ''}{pace})"
                         for (label, pace), n in epochs.items()) + ":"]
    for (label, size, pace), wires in runs.items():
        rate = statistics.median(w.bytes_per_s for w in wires)
        start = statistics.median(w.startup_bytes for w in wires)
        frames = statistics.median(w.frames_per_s for w in wires)
        cpu = statistics.median(w.cpu for w in wires)
        target = ""
        if size == SIZES[0]:
            ok = rate <= TARGETS[pace]
            target = f"   target <= {TARGETS[pace] / 1000:g} KB/s: {'PASS' if ok else 'MISS'}"
        lines.append(f"  {label + ' ' if label else ''}{size[0]}x{size[1]} {pace:>12}: "
                     f"{rate / 1000:5.1f} KB/s, {frames:4.1f} frames/s, app CPU {cpu:.0%} "
                     f"(start-up {start / 1000:.0f} KB){target}")
        if show_rows:
            rows = wires[0].rows
            total = sum(rows.values()) or 1
            top = sorted(rows.items(), key=lambda kv: -kv[1])[:12]
            lines.append("      by row: " + ", ".join(f"{r}:{b * 100 / total:.0f}%"
                                                     for r, b in sorted(top)))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", action="store_true", help="bytes per screen row, one run")
    parser.add_argument("--base", type=Path, help="another tree to run turn about (a baseline)")
    parser.add_argument("--sizes", default="120x40,80x24")
    parser.add_argument("--paces", default="default,full")
    args = parser.parse_args(argv)
    sizes = tuple((int(w), int(h)) for w, h in (s.split("x") for s in args.sizes.split(",")))
    paces = tuple(pace for pace in PACES if pace.split()[0] in args.paces.split(","))
    roots = {"base": args.base, "this": ROOT} if args.base else None
    for line in report(args.seconds, args.repeats, roots, args.rows, sizes, paces):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
