"""(k) Sweeps and the run store: 8 default digits runs (64-100-10, adam, batch 32, 30 epochs,
seeds 0-7) with 1 and 2 local workers and through a Dask cluster of 2 workers, timed three ways:

- "command": the real `nn-tui sweep --seeds 0-7 --epochs 30 --workers N`, from exec to exit: what
  a user waits for (Python's start, the imports, the checks, the pool's start-up, the training,
  the recording into a fresh store, the summary);
- "first": the first sweep (`run_local`) of a process that has already imported the engine and
  built the jobs: the pool's start-up included (its forkserver's imports and load of the compiled
  step, a fork per worker), the launcher's start-up not;
- "warm": the sweeps right after, in the same process (the forkserver already up; workers
  are forked again): the median of 3.
The Dask cluster (a `distributed.LocalCluster`, 2 worker processes of 1 thread, preloading
`DASK_PRELOAD` as `dask worker --preload` does) is started before the clock, as a cluster is up
before a sweep is sent to it; its "first" and "warm" are timed from connecting to the last result.

Each contender runs in a fresh process of its own and they take turns, round after round, so the
load of a shared machine spreads over all; printed: each one's median and the medians of the
paired per-round ratios. Targets: 2 workers <= 0.65x 1 worker; dask within 1.2x of the pool.
Then the target's arithmetic (what the sweep pays once, C, against the work 2 workers share, W),
and, as an extra figure that is not the target, the warm sweep again with 150-epoch runs.

Then what recording costs (the target: < 3% of the run's training time): 30-epoch digits runs
recorded one after another on one open store, in 3 processes of 6 runs:
- "per run": a run after the process's first, as the app, a race and a sweep's launcher record
  theirs (the store kept open): the `RunRecorder`'s row, every `on_event`, its end and close;
- "a process's first run": the same, plus SQLite creating the WAL file and syncing its header;
- "once a process": opening the store, and closing it (SQLite checkpoints the WAL into the file
  at the last close). `nn-tui train` records one run a process, so it pays all three.

    python bench/sweep_speed.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import wait_for_quiet

CONTENDERS = ("1 worker", "2 workers", "dask 2")
COMMAND = ("1 worker", "2 workers")
RUNS, EPOCHS = 8, 30
WARM_SWEEPS = 3  # a process's warm sweeps, one after the other; the median one is its figure
LONG_EPOCHS = 150  # the extra figure: the same sweep with 5x the training (not the target)
TARGET_2_WORKERS, TARGET_DASK, TARGET_RECORDING = 0.65, 1.2, 0.03
ROOT = Path(__file__).resolve().parent.parent


def _jobs(epochs: int = EPOCHS) -> list:
    from engine import TrainConfig
    from engine.runs.sweep import make_jobs

    return make_jobs("digits", TrainConfig(epochs=epochs), [], tuple(range(RUNS)))


def time_contender(name: str) -> dict[str, float]:
    """Seconds for the 8 runs in `name`: "first" and "warm" (see the module's docstring), the
    training summed over the warm sweep's runs ("train"), the launcher's CPU time in the warm
    sweep ("launcher": it competes with the workers for the cores), and an extra warm sweep of
    longer runs ("long", `LONG_EPOCHS`). Runs in a process of its own (see `report`)."""
    from engine.runs.executors import DASK_PRELOAD, run_dask, run_local

    sweeps = [("first", _jobs()), *(("warm", _jobs()) for _ in range(WARM_SWEEPS)),
              ("long", _jobs(LONG_EPOCHS))]
    seconds: dict[str, float] = {}
    warm: list[dict[str, float]] = []  # each warm sweep's seconds, launcher CPU and training
    with contextlib.ExitStack() as stack:
        if name == "dask 2":
            from distributed import LocalCluster

            cluster = stack.enter_context(LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                preload=DASK_PRELOAD))
            def sweep(jobs: list) -> list:
                return list(run_dask(jobs, cluster.scheduler_address))
        else:
            def sweep(jobs: list) -> list:
                return list(run_local(jobs, 1 if name == "1 worker" else 2))
        for key, jobs in sweeps:
            start, cpu = time.perf_counter(), time.process_time()
            outcomes = sweep(jobs)
            took, launcher = time.perf_counter() - start, time.process_time() - cpu
            assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
            if key == "warm":
                warm.append({"warm": took, "launcher": launcher,
                             "train": sum(o.result["seconds"] for o in outcomes)})
            else:
                seconds[key] = took
    # The median warm sweep: one sweep is a quarter of a second, where a neighbour's burst
    # on this shared machine shows; the same process's three smooth it out.
    return {**seconds, **sorted(warm, key=lambda w: w["warm"])[len(warm) // 2]}


def time_command(name: str) -> float:
    """Seconds of the real `nn-tui sweep` from exec to exit, into a fresh store."""
    workers = "1" if name == "1 worker" else "2"
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tui", "sweep", "--seeds", f"0-{RUNS - 1}",
                        "--epochs", str(EPOCHS), "--workers", workers, "--runs",
                        str(Path(folder) / "runs.sqlite"), "--json"],
                       cwd=ROOT, capture_output=True, check=True)
        return time.perf_counter() - start


def recording_costs(runs: int = 6) -> dict[str, list[float]]:
    """What recording costs, in seconds, for `runs` 30-epoch digits runs recorded one after the
    other on one open store (as the app, a race and a sweep's launcher keep it): each run's
    time in the recorder (its row, every `on_event`, its end and close) and its training time,
    and the store's opening and closing (with SQLite's WAL checkpoint at the last close)."""
    from engine import Experiment, RunRecorder, RunStore, TrainConfig

    costs: dict[str, list[float]] = {"spent": [], "training": [], "open": [], "close": []}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "runs.sqlite"
        RunStore(path).close()  # a store is created once; each process then opens it
        start = time.perf_counter()
        store = RunStore(path)
        costs["open"].append(time.perf_counter() - start)
        for seed in range(runs):
            session = Experiment.create("digits", config=TrainConfig(epochs=EPOCHS, seed=seed))
            start = time.perf_counter()
            recorder = RunRecorder.for_experiment(store, session, source="cli")
            spent = time.perf_counter() - start
            training = 0.0
            events = session.trainer.run()
            while True:
                start = time.perf_counter()
                event = next(events, None)
                training += time.perf_counter() - start
                if event is None:
                    break
                start = time.perf_counter()
                recorder.on_event(event)
                spent += time.perf_counter() - start
            start = time.perf_counter()
            recorder.close(test_accuracy=0.9, seconds=training)
            costs["spent"].append(spent + time.perf_counter() - start)
            costs["training"].append(training)
        start = time.perf_counter()
        store.close()
        costs["close"].append(time.perf_counter() - start)
    return costs


def _ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(y / x for x, y in zip(a, b, strict=True))


def _arithmetic(times: dict[str, dict[str, list[float]]]) -> list[str]:
    """What the 2-worker target asks of a sweep: with C what it pays once and W the work that 2
    workers share, 2w/1w = (C + W/2) / (C + W), which is <= 0.65 only when W >= 2.33 C."""
    one, two = times["1 worker"], times["2 workers"]
    train = statistics.median(one["train"])
    lines = [f"  the target's arithmetic: 2w/1w = (C + W/2)/(C + W) <= {TARGET_2_WORKERS} needs "
             f"W >= 2.33 C; the 8 runs' training (1 worker, warm, summed) is {train:.2f} s"]
    for key in ("warm", "first"):
        t1, t2 = statistics.median(one[key]), statistics.median(two[key])
        work, fixed = 2 * (t1 - t2), 2 * t2 - t1  # from t1 = C + W, t2 = C + W/2
        lines.append(f"    {key}: as measured W = 2(t1 - t2) = {work:.2f} s, C = 2 t2 - t1 = "
                     f"{fixed:.2f} s; were W only the training, C = t1 - training = "
                     f"{t1 - train:.2f} s and 2w/1w at best "
                     f"{(t1 - train / 2) / t1:.2f}x")
    long = {name: times[name]["long"] for name in CONTENDERS}
    lines.append(f"  extra, not the target: the warm sweep with {LONG_EPOCHS}-epoch runs: "
                 + ", ".join(f"{name} {statistics.median(v):.2f} s" for name, v in long.items())
                 + f"; 2 workers / 1 worker {_ratio(long['1 worker'], long['2 workers']):.2f}x,"
                 f" dask 2 / 2 workers {_ratio(long['2 workers'], long['dask 2']):.2f}x")
    return lines


def _verdict(value: float, target: float) -> str:
    return f"target <= {target}x: {'PASS' if value <= target else 'MISS'}"


def report(rounds: int = 3) -> list[str]:
    load_before = [f"{x:.2f}" for x in os.getloadavg()]
    times: dict[str, dict[str, list[float]]] = {
        name: {"first": [], "warm": [], "train": [], "long": [], "launcher": []}
        for name in CONTENDERS}
    command: dict[str, list[float]] = {name: [] for name in COMMAND}
    busy: list[float] = []  # the share of the CPU others used just before each figure
    for round_ in range(rounds):
        order = CONTENDERS if round_ % 2 == 0 else CONTENDERS[::-1]
        for name in order:
            if name in COMMAND:
                busy.append(wait_for_quiet(max_wait=20.0))
                command[name].append(time_command(name))
            busy.append(wait_for_quiet(max_wait=20.0))
            out = subprocess.run([sys.executable, __file__, "--contender", name],
                                 capture_output=True, text=True, check=True)
            for key, value in json.loads(out.stdout.splitlines()[-1]).items():
                times[name][key].append(value)
    warm_up = recording_costs(1)  # the compiled step loaded, so training times are steady
    del warm_up
    rec = [recording_costs() for _ in range(3)]
    later = [s / t for r in rec for s, t in zip(r["spent"][1:], r["training"][1:], strict=True)]
    first = [r["spent"][0] / r["training"][0] for r in rec]
    training = statistics.median(t for r in rec for t in r["training"])
    spent_later = statistics.median(s for r in rec for s in r["spent"][1:])
    spent_first = statistics.median(r["spent"][0] for r in rec)
    opening = statistics.median(r["open"][0] for r in rec)
    closing = statistics.median(r["close"][0] for r in rec)
    one_run = statistics.median((r["open"][0] + r["spent"][0] + r["close"][0]) / r["training"][0]
                                for r in rec)
    lines = [f"(k) sweep of {RUNS} digits runs x {EPOCHS} epochs, {rounds} rounds, each "
             "contender in a fresh process, interleaved; medians (each round's figure):",
             "  command = `nn-tui sweep --workers N` from exec to exit, all included;"
             " first = the first sweep of a process with the engine imported (the pool's"
             " start-up in, the launcher's out); warm = a second sweep in that process"]
    for name in COMMAND:
        lines.append(f"  {name:<10}command {statistics.median(command[name]):6.2f} s "
                     f"({', '.join(f'{t:.2f}' for t in command[name])})")
    for name in CONTENDERS:
        lines.append("  " + f"{name:<10}" + "   ".join(
            f"{key} {statistics.median(times[name][key]):6.2f} s "
            f"({', '.join(f'{t:.2f}' for t in times[name][key])})" for key in ("first", "warm")))
    two = _ratio(*(command[name] for name in COMMAND))
    lines.append(f"  command: 2 workers / 1 worker {two:.2f}x ({_verdict(two, TARGET_2_WORKERS)})"
                 "  paired median")
    for key in ("first", "warm"):
        one, two_w, dask = (times[name][key] for name in CONTENDERS)
        lines.append(f"  {key}: 2 workers / 1 worker {_ratio(one, two_w):.2f}x "
                     f"({_verdict(_ratio(one, two_w), TARGET_2_WORKERS)});  dask 2 / 2 workers "
                     f"{_ratio(two_w, dask):.2f}x ({_verdict(_ratio(two_w, dask), TARGET_DASK)})"
                     "  paired medians")
    lines.append("  the launcher's CPU time in the warm sweep (it shares the 2 cores with the "
                 "workers): " + ", ".join(
                     f"{name} {statistics.median(times[name]['launcher']) * 1000:.0f} ms"
                     for name in CONTENDERS))
    lines.extend(_arithmetic(times))
    share = statistics.median(later)
    lines.append(f"  recording (a 30-epoch digits run trains {training * 1000:.0f} ms here; 3 "
                 "processes x 6 runs on one open store, medians):")
    lines.append(f"    per run, the store open and written to before (the app's, a race's, a "
                 f"sweep's runs): {spent_later * 1000:.2f} ms = {share:.1%}   target < "
                 f"{TARGET_RECORDING:.0%}: {'PASS' if share < TARGET_RECORDING else 'MISS'}")
    lines.append(f"    a process's first run (its first write creates the WAL file and syncs "
                 f"its header): {spent_first * 1000:.2f} ms = {statistics.median(first):.1%}")
    lines.append(f"    once a process: opening the store {opening * 1000:.2f} ms, closing it "
                 f"(SQLite checkpoints the WAL into the file, fsyncs) {closing * 1000:.2f} ms")
    lines.append(f"    so `nn-tui train`, one run a process, pays open + first run + close = "
                 f"{one_run:.1%} of its training")
    lines.append(f"  other processes used {statistics.median(busy):.0%} of the CPU just before "
                 f"a figure (median; up to {max(busy):.0%}: each waits up to 20 s for < 15%)")
    lines.append(f"  load average {' '.join(load_before)} at the start, "
                 f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end, on "
                 f"{os.cpu_count()} cores (2 workers need 2 free ones)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--contender", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.contender:
        print(json.dumps(time_contender(args.contender)))
        return 0
    for line in report(args.rounds):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
