"""(g) What looking inside costs the training: epochs per second of digits (64-100-10, adam,
batch 32) at full pace in a headless app (120x40), with

- "figures off": the trainer measures no layer figures (the app before the inside view);
- "view closed": figures measured (the app's default: at most every 100 ms), main screen shown;
- "view open": the inside view on top, redrawing its tiles and table as the run goes.

One run of training; the three settings take turns in windows of a couple of seconds (in
alternating order), so that drift and other processes spread over all three; the medians and
their ratios are printed. The target: the view open keeps >= 95% of the speed with it closed.
Beside each, the share of a core the UI thread used (its own CPU time over the window): what
the view costs, in a unit that other processes on a shared machine disturb far less than
epochs per second.

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

from bench.common import wait_for_quiet
from tui.app import NNTuiApp
from tui.screens.inside import InsideScreen

LONG_RUN = 100_000  # epochs: the run outlasts the measurement, which then stops it
SETTINGS = ("figures off", "view closed", "view open")
Figures = dict[str, list[tuple[float, float]]]  # setting -> (epochs/s, UI CPU share) a window
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
                    first, since, cpu = trainer.epoch, time.perf_counter(), time.thread_time()
                    await asyncio.sleep(window)
                    wall = time.perf_counter() - since
                    rates[name].append(((trainer.epoch - first) / wall,
                                        (time.thread_time() - cpu) / wall))
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


def report(rounds: int = 6, window: float = 2.0) -> list[str]:
    busy = wait_for_quiet()
    rates = asyncio.run(measure(rounds, window))
    med = {name: statistics.median(rate for rate, _ in values)
           for name, values in rates.items()}
    ui = {name: statistics.median(share for _, share in values)
          for name, values in rates.items()}
    ratio = med["view open"] / med["view closed"]
    verdict = "PASS" if ratio >= TARGET else "MISS"
    lines = ["(g) the inside view: digits 64-100-10 at full pace in a headless app 120x40, "
             f"medians of {rounds} interleaved windows of {window:g} s"]
    for name in SETTINGS:
        values = ", ".join(f"{rate:.0f}" for rate, _ in rates[name])
        lines.append(f"    {name:<12} {med[name]:7.1f} epochs/s  UI thread {ui[name]:4.0%} of a "
                     f"core   ({values})")
    lines.append(f"    view open / view closed = {ratio:.3f} (target >= {TARGET}: {verdict}); "
                 f"figures measured / off = {med['view closed'] / med['figures off']:.3f}")
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
