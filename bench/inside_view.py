"""(g) What looking inside costs the training: epochs per second of digits (64-100-10, adam,
batch 32) at full pace in a headless app (120x40), with

- "figures off": the trainer measures no layer figures (the app before the inside view);
- "view closed": figures measured (the app's default: at most every 100 ms), main screen shown;
- "view open": the inside view on top, redrawing its tiles and table as the run goes.

One run of training; the three settings take turns in windows of a couple of seconds (in
alternating order), so that drift and other processes spread over all three. Printed: each
setting's median, and the median over the rounds of the ratio of two settings' windows in the
same round (neighbours in time share the machine's load, so this ratio is the steadier figure
on a busy machine). The target: the view open keeps >= 95% of the speed with it closed.
Beside each, the share of a core the UI thread used (its own CPU time over the window): what
the view costs, in a unit that other processes on a shared machine disturb far less than
epochs per second; and the share of the window the training thread was blocked, neither
running nor waiting for a core (Linux schedstat; at full pace: waiting for the GIL while the UI
thread drew in Python), the view's cost to training itself, nearly free of that noise too.

    python bench/inside_view.py [--rounds 6] [--window 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.app_responsiveness import app_window
from bench.common import wait_for_quiet
from engine.train.trainer import INSIDE_SECONDS
from tui.app import NNTuiApp
from tui.screens.inside import InsideScreen

LONG_RUN = 100_000  # epochs: the run outlasts the measurement, which then stops it
SETTINGS = ("figures off", "view closed", "view open")
# setting -> (epochs/s, UI CPU share, trainer blocked share) a window
Figures = dict[str, list[tuple[float, float, float]]]
TARGET = 0.95  # view open / view closed


async def measure(rounds: int = 6, window: float = 2.0,
                  size: tuple[int, int] = (120, 40)) -> Figures:
    """Epochs per second and the UI thread's CPU share in each setting, a pair per round.
    This coroutine runs on the UI thread, so `time.thread_time()` here is the UI's CPU time."""
    rates: Figures = {name: [] for name in SETTINGS}
    with tempfile.TemporaryDirectory() as models:
        app = NNTuiApp(models_dir=models, pace=None, epochs=LONG_RUN)
        async with app.run_test(size=size):
            await _wait_for(lambda: app.controller.experiment is not None, 60)
            experiment = app.controller.experiment
            trainer, runner = experiment.trainer, experiment.runner
            tracker = trainer.watch_inside()
            app.controller.train()
            await _wait_for(lambda: trainer.epoch > 0, 10)
            await asyncio.sleep(0.5)  # past the first epochs and redraws
            for round_ in range(rounds):
                order = SETTINGS if round_ % 2 == 0 else tuple(reversed(SETTINGS))
                for name in order:
                    trainer.inside = None if name == "figures off" else tracker
                    await _show_inside(app, name == "view open")
                    await asyncio.sleep(0.3)  # the screen switched, its first drawing done
                    cpu, since = time.thread_time(), time.perf_counter()
                    rate, blocked = await app_window(runner, window)
                    ui = (time.thread_time() - cpu) / (time.perf_counter() - since)
                    rates[name].append((rate, ui, blocked))
            if not runner.is_alive:
                raise RuntimeError(f"training ended during the measurement ({runner.state})")
            runner.stop(wait=True)
    return rates


async def _show_inside(app: NNTuiApp, shown: bool) -> None:
    if shown and not isinstance(app.screen, InsideScreen):
        await app.push_screen(InsideScreen(app.inside))
    elif not shown and isinstance(app.screen, InsideScreen):
        await app.pop_screen()


async def _wait_for(condition: object, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"waited {timeout:g} s")
        await asyncio.sleep(0.01)


def paired(rates: Figures, top: str, bottom: str) -> float:
    """The median over the rounds of `top`'s epochs/s over `bottom`'s in the same round."""
    return statistics.median(a[0] / b[0] for a, b in zip(rates[top], rates[bottom]) if b[0])


def gil_paired(rates: Figures, top: str, bottom: str) -> float:
    """The median over the rounds of (1 - `top`'s blocked share) / (1 - `bottom`'s)."""
    return statistics.median((1 - a[2]) / (1 - b[2]) for a, b in zip(rates[top], rates[bottom]))


def measurement_cost(repeats: int = 30) -> tuple[float, float]:
    """(best ms of one layer-figures measurement, best ms of one epoch) for the default digits
    model, in this thread: the figures' share of training, free of the UI and its noise."""
    from engine import Experiment

    experiment = Experiment.create("digits")
    trainer = experiment.trainer
    tracker = trainer.watch_inside()
    trainer.inside_seconds = INSIDE_SECONDS
    run = trainer.run(epochs=repeats + 1)
    next(run)  # Started
    epochs = []
    for _ in range(repeats):
        start = time.perf_counter()
        next(run)
        epochs.append(time.perf_counter() - start)
    run.close()
    params = trainer.network.params.copy()
    records = []
    for _ in range(repeats):
        start = time.perf_counter()
        tracker.record(trainer.network, trainer.epoch, params)
        records.append(time.perf_counter() - start)
    return min(records) * 1000, min(epochs) * 1000


def report(rounds: int = 6, window: float = 2.0) -> list[str]:
    record_ms, epoch_ms = measurement_cost()
    busy = wait_for_quiet()
    rates = asyncio.run(measure(rounds, window))
    med, ui, blocked = ({name: statistics.median(window[k] for window in values)
                         for name, values in rates.items()} for k in range(3))
    ratio = paired(rates, "view open", "view closed")
    verdict = "PASS" if ratio >= TARGET else "MISS"
    lines = ["(g) the inside view: digits 64-100-10 at full pace in a headless app 120x40, "
             f"medians of {rounds} interleaved windows of {window:g} s"]
    for name in SETTINGS:
        values = ", ".join(f"{window[0]:.0f}" for window in rates[name])
        lines.append(f"    {name:<12} {med[name]:7.1f} epochs/s  UI thread {ui[name]:4.1%} of a "
                     f"core, trainer blocked {blocked[name]:4.1%}   ({values})")
    lines.append(f"    view open / view closed = {ratio:.3f} (target >= {TARGET}: {verdict}); "
                 f"figures measured / off = {paired(rates, 'view closed', 'figures off'):.3f}"
                 "   (medians of the rounds' ratios)")
    lines.append(f"    the same from the GIL alone, (1 - blocked open) / (1 - blocked closed) = "
                 f"{gil_paired(rates, 'view open', 'view closed'):.3f}: the ratio where the UI "
                 "thread has a core of its own (other processes move it less than epochs/s)")
    every_ms = INSIDE_SECONDS * 1000
    lines.append(f"    one measurement of the figures {record_ms:.2f} ms, one epoch "
                 f"{epoch_ms:.1f} ms (best of 30): at most one each {every_ms:.0f} ms and at a "
                 f"run's end, <= {record_ms / max(every_ms, epoch_ms):.2%} of training")
    if busy >= 0.15 or os.getloadavg()[0] > 1.5:
        lines.append(f"    (CPU contended: other processes used {busy:.0%} of it before, load "
                     f"average {os.getloadavg()[0]:.1f}; the ratios are noisy beyond ±10%)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--window", type=float, default=2.0)
    args = parser.parse_args(argv)
    for line in report(args.rounds, args.window):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
