"""The app's responsiveness with a live map (issue 8), measured headless (`make bench`, key `h`):
moons trains at full pace while the sample panel draws its decision regions, redrawn from the
runner's snapshots off the UI thread as the scores arrive.

1. key latency: a harmless key (`n`, next sample, which also moves the highlighted point on the
   map) posted as a key event, timed from posting to the action method's start and end;
2. epochs per second in the app (map visible) against `nn-tui train` on the same settings, in
   interleaved rounds as in `bench.app_responsiveness` (and the app with the map hidden);
3. how many maps were drawn, how long the forward pass over the map's grid took, and the CPU
   time each thread used (Linux /proc): on a shared machine the epoch rates follow the other
   processes' load, while the UI thread's own CPU, with the map and without, is the map's cost.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from textual import events

from bench.app_responsiveness import (
    PACE_ROUNDS,
    TARGET_P95_MS,
    Round,
    app_window,
    interleaved_pace,
    pace_lines,
    pace_medians,
    percentile,
)
from bench.common import wait_for_quiet
from tui import map_jobs
from tui.app import NNTuiApp

ROOT = Path(__file__).resolve().parent.parent
DATASET = "moons"
KEY, ACTION = "n", "next_sample"
LONG_RUN = 1_000_000  # epochs: training outlasts the measurement, which then stops it
CLI_EPOCHS = 1500


@dataclass(frozen=True)
class WithMap:
    started_ms: list[float]
    returned_ms: list[float]
    missed: int
    epochs_per_s: float
    epochs_per_s_keys: float
    maps: int  # maps computed while measuring
    map_ms: list[float]  # one forward pass over the grid each
    cpu: dict[str, float]  # share of one core each thread used ("ui", "trainer", "others")
    rounds: list[Round]  # the pace, interleaved with headless runs (none asked: [])


def thread_cpu() -> dict[int, float]:
    """CPU seconds of each of this process's threads, by native id ({} without /proc)."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            out[int(tid)] = (int(fields[11]) + int(fields[12])) / tick
    except OSError:
        return {}
    return out


def cpu_shares(before: dict[int, float], after: dict[int, float], seconds: float,
               trainer: int | None) -> dict[str, float]:
    used = {tid: after[tid] - before.get(tid, 0.0) for tid in after}
    ui, train = used.pop(os.getpid(), 0.0), used.pop(trainer, 0.0) if trainer else 0.0
    return {"ui": ui / seconds, "trainer": train / seconds, "others": sum(used.values()) / seconds}


async def measure(pace_window: float = 4.0, presses: int = 60,
                  size: tuple[int, int] = (120, 40), view: str = "regions",
                  rounds: int = 0) -> WithMap:
    """Trains moons at full pace with the sample panel on `view` ("sample" hides the map: the
    control); with `rounds`, the pace interleaved with as many `nn-tui train` runs."""
    timings: list[float] = []
    compute = map_jobs.plane_maps

    def timed_map(*args: object, **kwargs: object) -> map_jobs.PlaneMaps:
        began = time.perf_counter()
        out = compute(*args, **kwargs)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - began) * 1000)
        return out

    map_jobs.plane_maps = timed_map  # type: ignore[assignment]
    try:
        with tempfile.TemporaryDirectory() as models:
            app = NNTuiApp(models_dir=models, pace=None, epochs=LONG_RUN, dataset=DATASET)
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

            setattr(app, f"action_{ACTION}", timed)
            async with app.run_test(size=size):
                await _wait_for(lambda: app.controller.experiment is not None, 60, "moons")
                app.samples.show_view(view)
                if app.samples.view != view:
                    raise RuntimeError(f"the {view} view is not shown ({app.samples.view})")
                runner = app.controller.experiment.runner
                _post_key(app, "t")
                await _wait_for(lambda: runner.epoch > 0, 10, "training to start")
                await asyncio.sleep(1.5)  # past the first epochs and the first maps
                drawn_before = len(timings)
                trainer = getattr(runner._thread, "native_id", None)
                cpu_before, cpu_since = thread_cpu(), time.perf_counter()
                rates = [(await app_window(runner, pace_window / 2))[0] for _ in range(2)]
                cpu = cpu_shares(cpu_before, thread_cpu(), time.perf_counter() - cpu_since,
                                 trainer)
                paced = (await interleaved_pace(app, cli_epochs_per_s, rounds, pace_window / 2)
                         if rounds else [])
                missed = 0
                first, since = runner.epoch, time.perf_counter()
                rng = random.Random(0)
                for _ in range(presses):
                    handled.clear()
                    sent_at[0] = time.perf_counter()
                    _post_key(app, KEY)
                    try:
                        await asyncio.wait_for(handled.wait(), 1.0)
                    except TimeoutError:
                        missed += 1
                    await asyncio.sleep(rng.uniform(0.03, 0.12))
                keys_rate = (runner.epoch - first) / (time.perf_counter() - since)
                if not runner.is_alive:
                    raise RuntimeError(f"training ended during the measurement ({runner.state})")
                maps = len(timings) - drawn_before
                runner.stop(wait=True)
    finally:
        map_jobs.plane_maps = compute  # type: ignore[assignment]
    return WithMap(started, returned, missed, max(rates), keys_rate, maps, timings, cpu, paced)


def _post_key(app: NNTuiApp, key: str) -> None:
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app.post_message(event)


async def _wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():  # type: ignore[operator]
        if time.perf_counter() > deadline:
            raise TimeoutError(f"waited {timeout:g} s for {what}")
        await asyncio.sleep(0.01)


def cli_epochs_per_s(epochs: int = CLI_EPOCHS) -> float:
    """`nn-tui train --dataset moons` on the app's default settings for it, from the `seconds`
    its training loop reports."""
    done = subprocess.run(
        [sys.executable, "-m", "tui", "train", "--dataset", DATASET, "--epochs", str(epochs),
         "--json"], cwd=ROOT, capture_output=True, text=True, check=True,
    )
    final = json.loads(done.stdout.strip().splitlines()[-1])
    return float(final["epochs"]) / float(final["seconds"])


def report() -> list[str]:
    """The lines for `make bench` (each figure against its target)."""
    lines = ["app responsiveness with the decision map (headless, 120x40; moons, default model, "
             "full pace, map visible):"]
    measured = asyncio.run(measure(rounds=PACE_ROUNDS))
    wait_for_quiet()
    control = asyncio.run(measure(presses=10, view="sample"))
    p50, p95 = percentile(measured.started_ms, 50), percentile(measured.started_ms, 95)
    verdict = "PASS" if p95 <= TARGET_P95_MS and not measured.missed else "MISS"
    lines.append(f"  key '{KEY}' -> handler: p50 {p50:.1f} ms, p95 {p95:.1f} ms over "
                 f"{len(measured.started_ms)} presses ({measured.missed} missed); handler done "
                 f"p95 {percentile(measured.returned_ms, 95):.1f} ms   target p95 <= "
                 f"{TARGET_P95_MS:g} ms: {verdict}")
    lines += pace_lines(measured.rounds, "`nn-tui train --dataset moons`",
                        measured.epochs_per_s_keys)
    headless = pace_medians(measured.rounds)[1]
    lines.append(f"  control, the same app with the map hidden (test sample view): "
                 f"{control.epochs_per_s:.0f} epochs/s ({control.epochs_per_s / headless:.0%} of "
                 f"headless): the map itself costs "
                 f"{1 - measured.epochs_per_s / control.epochs_per_s:.0%} of the in-app pace "
                 f"(load-sensitive; the CPU line below is not)")
    if measured.cpu and control.cpu:
        lines.append(f"  CPU, share of one core: UI thread {measured.cpu['ui']:.1%} with the map, "
                     f"{control.cpu['ui']:.1%} without; maps thread and others "
                     f"{measured.cpu['others']:.1%}; trainer {measured.cpu['trainer']:.0%} "
                     f"with the map, {control.cpu['trainer']:.0%} without (below 100%: other "
                     f"processes had the core)")
    lines.append(f"  maps drawn while measuring: {measured.maps} (one per redraw); forward pass "
                 f"over the grid p50 {percentile(measured.map_ms, 50):.2f} ms, max "
                 f"{max(measured.map_ms, default=float('nan')):.2f} ms (jobs thread)")
    return lines


if __name__ == "__main__":
    for line in report():
        print(line)
