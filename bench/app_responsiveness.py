"""The app's responsiveness (issue 3, "Responsiveness"), measured headless and in a terminal:

1. key latency while digits trains at full speed: a harmless key (`n`, next sample) is posted to
   the app as a key event (not with `pilot.press`, which waits for the whole process to go
   idle), and the app's action method, wrapped, notes when it starts and when it returns;
2. epochs per second inside the app at full pace, against `nn-tui train` on the same settings,
   in interleaved rounds (a window in the app, its run paused while `nn-tui train` runs, in
   alternating order): medians and the median of the rounds' ratios; beside them the share of
   time the app's training thread was blocked (Linux schedstat: neither running nor waiting
   for a core, i.e. waiting for the GIL), which other processes' load barely moves;
3. the time from launching `python -m tui` in a pseudo-terminal to its first full frame
   (`bench.app_startup`).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import events

from bench.app_startup import measure_startup
from engine.train.runner import TrainingRunner
from tui.app import NNTuiApp

ROOT = Path(__file__).resolve().parent.parent
KEY, ACTION = "n", "next_sample"
LONG_RUN = 100_000  # epochs: training outlasts the measurement, which then stops it
CLI_EPOCHS = 600
TARGET_P95_MS = 50.0
TARGET_PACE_RATIO = 0.9
TARGET_START_S = 1.5
PACE_ROUNDS = 5


@dataclass(frozen=True)
class Round:
    """One round of the pace comparison: epochs/s in the app (full pace, no keys pressed), of
    `nn-tui train` right before or after it (the app's run paused meanwhile), and the share of
    the app's window the training thread spent blocked, neither running nor waiting for a core
    (at full pace: waiting for the GIL, which the UI thread held)."""

    app: float
    headless: float
    blocked: float


@dataclass(frozen=True)
class InApp:
    started_ms: list[float]  # key posted -> action method entered
    returned_ms: list[float]  # key posted -> action method returned
    missed: int  # keys whose action never ran within a second
    epochs_per_s: float  # full pace, no keys pressed (the median of the rounds' windows)
    epochs_per_s_keys: float  # full pace while the keys were pressed
    rounds: list[Round]  # the pace, interleaved with headless runs (none asked: [])


def pace_medians(rounds: list[Round]) -> tuple[float, float, float, float]:
    return (statistics.median(r.app for r in rounds),
            statistics.median(r.headless for r in rounds),
            statistics.median(r.app / r.headless for r in rounds),
            statistics.median(r.blocked for r in rounds))


def thread_times(native_id: int | None) -> tuple[float, float]:
    """(seconds on a CPU, seconds runnable but waiting for one) of a thread of this process,
    from Linux's schedstat; (nan, nan) elsewhere. What is left of the wall time the thread
    was blocked: for the training thread at full pace, waiting for the GIL."""
    try:
        with open(f"/proc/self/task/{native_id}/schedstat") as stat:
            ran, waited = stat.read().split()[:2]
    except (OSError, ValueError):
        return math.nan, math.nan
    return int(ran) / 1e9, int(waited) / 1e9


async def app_window(runner: TrainingRunner, seconds: float) -> tuple[float, float]:
    """(epochs/s, blocked share) of the app's training thread over `seconds`."""
    native_id = getattr(runner._thread, "native_id", None)
    first, since, (ran, waited) = runner.epoch, time.perf_counter(), thread_times(native_id)
    await asyncio.sleep(seconds)
    wall = time.perf_counter() - since
    ran_after, waited_after = thread_times(native_id)
    blocked = 1 - (ran_after - ran + waited_after - waited) / wall
    return (runner.epoch - first) / wall, blocked


async def interleaved_pace(app: NNTuiApp, cli: Callable[[], float], rounds: int,
                           window: float) -> list[Round]:
    """`rounds` pairs of an app window at full pace and one headless run (in a thread, the
    app's run paused meanwhile so that the two never share the cores), in alternating order:
    drift and other processes spread over both, and each round's ratio compares neighbours
    in time."""
    runner = app.controller.experiment.runner
    out = []
    for round_ in range(rounds):
        figures: dict[str, float] = {}
        for who in ("app", "headless") if round_ % 2 == 0 else ("headless", "app"):
            if who == "app":
                figures["app"], figures["blocked"] = await app_window(runner, window)
                continue
            runner.pause()
            await _wait_for(lambda: runner.state == "paused", 10, "the run to pause")
            figures["headless"] = await asyncio.to_thread(cli)
            runner.resume()
            await _wait_for(lambda: runner.state == "running", 10, "the run to resume")
            await asyncio.sleep(0.5)  # past the redraws that follow a resume
        out.append(Round(figures["app"], figures["headless"], figures["blocked"]))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def measure_in_app(window: float = 2.0, rounds: int = 0, presses: int = 60,
                         size: tuple[int, int] = (120, 40)) -> InApp:
    """Key latency and the pace in the app; with `rounds`, the pace interleaved with as many
    `nn-tui train` runs (the default app's settings), else the better of two windows."""
    with tempfile.TemporaryDirectory() as models:
        app = NNTuiApp(models_dir=models, pace=None, epochs=LONG_RUN)
        started: list[float] = []
        returned: list[float] = []
        handled = asyncio.Event()
        sent_at = [0.0]
        original = getattr(app, f"action_{ACTION}")

        def timed() -> None:
            entered = time.perf_counter()
            started.append((entered - sent_at[0]) * 1000)
            original()
            returned.append((time.perf_counter() - sent_at[0]) * 1000)
            handled.set()

        setattr(app, f"action_{ACTION}", timed)  # Textual looks actions up on the instance
        async with app.run_test(size=size):
            await _wait_for(lambda: app.controller.experiment is not None, 60, "the default model")
            trainer = app.controller.experiment.runner
            _post_key(app, "t")
            await _wait_for(lambda: trainer.epoch > 0, 10, "training to start")
            await asyncio.sleep(0.5)  # past the first epochs and the first redraws
            if rounds:
                paced = await interleaved_pace(app, cli_epochs_per_s, rounds, window)
                epochs_per_s = statistics.median(r.app for r in paced)
            else:  # the better of two: another process taking a core only slows one
                paced = []
                epochs_per_s = max([(await app_window(trainer, window))[0] for _ in range(2)])

            missed = 0
            first, since = trainer.epoch, time.perf_counter()
            rng = random.Random(0)
            for _ in range(presses):
                handled.clear()
                sent_at[0] = time.perf_counter()
                _post_key(app, KEY)
                try:
                    await asyncio.wait_for(handled.wait(), 1.0)
                except TimeoutError:
                    missed += 1
                await asyncio.sleep(rng.uniform(0.03, 0.12))  # not in step with the app's tick
            epochs_per_s_keys = (trainer.epoch - first) / (time.perf_counter() - since)
            if not trainer.is_alive:
                raise RuntimeError(f"training ended during the measurement ({trainer.state})")
            trainer.stop(wait=True)
    return InApp(started, returned, missed, epochs_per_s, epochs_per_s_keys, paced)


def _post_key(app: NNTuiApp, key: str) -> None:
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app.post_message(event)


async def _wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"waited {timeout:g} s for {what}")
        await asyncio.sleep(0.01)


def cli_epochs_per_s(epochs: int = CLI_EPOCHS) -> float:
    """`nn-tui train` on the app's default settings (digits, 64-100-10, adam, batch 32, with its
    validation split), from the `seconds` it reports for its training loop."""
    done = subprocess.run(
        [sys.executable, "-m", "tui", "train", "--epochs", str(epochs), "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    final = json.loads(done.stdout.strip().splitlines()[-1])
    return final["epochs"] / final["seconds"]


def pace_lines(rounds: list[Round], headless: str, while_keys: float) -> list[str]:
    """The pace comparison's lines: medians, the paired ratio against its target, the rounds."""
    app, cli, ratio, blocked = pace_medians(rounds)
    each = ", ".join(f"{r.app:.0f}/{r.headless:.0f}" for r in rounds)
    return [f"  epochs/s, medians of {len(rounds)} interleaved rounds: in app {app:.0f} (while "
            f"keys pressed {while_keys:.0f}), headless {headless} {cli:.0f}; in app / "
            f"headless {ratio:.0%} (median of the rounds' ratios)   target >= "
            f"{TARGET_PACE_RATIO:.0%}: {'PASS' if ratio >= TARGET_PACE_RATIO else 'MISS'}",
            f"    rounds (app/headless): {each}; the app's training thread blocked (waiting "
            f"for the GIL) {blocked:.1%} of its time"]


def report() -> list[str]:
    """The responsiveness lines for `make bench` (each figure against its target)."""
    lines = ["app responsiveness (Textual headless, 120x40; digits, default model, full pace):"]
    measured = asyncio.run(measure_in_app(rounds=PACE_ROUNDS))
    p50, p95 = percentile(measured.started_ms, 50), percentile(measured.started_ms, 95)
    verdict = "PASS" if p95 <= TARGET_P95_MS and not measured.missed else "MISS"
    lines.append(f"  key '{KEY}' -> handler: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max "
                 f"{max(measured.started_ms, default=float('nan')):.1f} ms over "
                 f"{len(measured.started_ms)} presses ({measured.missed} missed); handler done "
                 f"p95 {percentile(measured.returned_ms, 95):.1f} ms   target p95 <= "
                 f"{TARGET_P95_MS:g} ms: {verdict}")
    lines += pace_lines(measured.rounds, "`nn-tui train`", measured.epochs_per_s_keys)
    start = min((measure_startup() for _ in range(2)), key=lambda s: s.first_frame_s)
    ready = "not seen" if start.ready_s is None else f"{start.ready_s:.2f} s"
    lines.append(f"  `python -m tui` in a pty -> first full frame {start.first_frame_s:.2f} s "
                 f"(best of 2; default model loaded {ready})   target < {TARGET_START_S:g} s: "
                 f"{'PASS' if start.first_frame_s < TARGET_START_S else 'MISS'}")
    return lines


if __name__ == "__main__":
    for line in report():
        print(line)
