"""(i) Sweeps and the run store: 8 default digits runs (64-100-10, adam, batch 32, 30 epochs,
seeds 0-7) through

- "1 worker" and "2 workers": the local pool (`run_local`), timed from the call to the last
  result, the pool's start-up included (the forkserver's imports, then a fork per worker);
- "dask 2": a `distributed.LocalCluster` of 2 worker processes (1 thread each, preloading
  `engine.runs.sweep` as `dask worker --preload` does), started before the clock (a cluster is
  there before a sweep is sent to it), timed from connecting to the last result.

Each contender runs in a fresh process of its own and the three take turns, round after
round, so that the load of a shared machine spreads over all; printed: each one's median and
the medians of the paired ratios (2 workers / 1, dask / 2 workers in the same round).
Targets: 2 workers <= 0.65x 1 worker; dask within 1.2x of the local pool.

Then what recording costs: one digits run (30 epochs) in this process, with a `RunRecorder`
on an existing store, the time spent in the recorder (opening the store, starting the row,
every `on_event`, closing) over the run's training time; the median of 5. Target: < 3%.

    python bench/sweep_speed.py [--rounds 3]
"""

from __future__ import annotations

import argparse
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

CONTENDERS = ("1 worker", "2 workers", "dask 2")
RUNS, EPOCHS = 8, 30
TARGET_2_WORKERS, TARGET_DASK, TARGET_RECORDING = 0.65, 1.2, 0.03


def _jobs() -> list:
    from engine import TrainConfig
    from engine.runs.sweep import make_jobs

    return make_jobs("digits", TrainConfig(epochs=EPOCHS), [], tuple(range(RUNS)))


def time_contender(name: str) -> dict[str, float]:
    """Seconds for the 8 runs in `name`, twice: "cold", the first sweep of a fresh process (a
    local pool starts its forkserver and imports; the Dask workers were started with
    `--preload`, as the README starts them), and "warm", a second sweep right after. Runs in a
    process of its own (see `report`)."""
    from engine.runs.executors import PRELOAD, run_dask, run_local

    jobs = _jobs()
    seconds: dict[str, float] = {}
    if name == "dask 2":
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None, preload=PRELOAD) as cluster:
            for key in ("cold", "warm"):
                start = time.perf_counter()
                outcomes = list(run_dask(jobs, cluster.scheduler_address))
                seconds[key] = time.perf_counter() - start
    else:
        for key in ("cold", "warm"):
            start = time.perf_counter()
            outcomes = list(run_local(jobs, 1 if name == "1 worker" else 2))
            seconds[key] = time.perf_counter() - start
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    return seconds


def recording_share() -> tuple[float, float]:
    """(seconds in the recorder, seconds of training) for one 30-epoch digits run."""
    from engine import Experiment, RunRecorder, RunStore, TrainConfig

    session = Experiment.create("digits", config=TrainConfig(epochs=EPOCHS))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "runs.sqlite"
        RunStore(path).close()  # a store is created once; each run then opens it
        spent = time.perf_counter()
        store = RunStore(path)
        recorder = RunRecorder.for_experiment(store, session, source="cli")
        spent = time.perf_counter() - spent
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
        store.close()
        spent += time.perf_counter() - start
    return spent, training


def report(rounds: int = 3) -> list[str]:
    times: dict[str, dict[str, list[float]]] = {name: {"cold": [], "warm": []}
                                                for name in CONTENDERS}
    for round_ in range(rounds):
        order = CONTENDERS if round_ % 2 == 0 else CONTENDERS[::-1]
        for name in order:
            out = subprocess.run([sys.executable, __file__, "--contender", name],
                                 capture_output=True, text=True, check=True)
            for key, value in json.loads(out.stdout.splitlines()[-1]).items():
                times[name][key].append(value)
    shares = [recording_share() for _ in range(5)]
    share = statistics.median(spent / training for spent, training in shares)
    lines = [f"(i) sweep of {RUNS} digits runs x {EPOCHS} epochs, {rounds} rounds, each "
             "contender in a fresh process, interleaved; cold = the process's first sweep "
             "(the local pool's start-up included), warm = a second one:"]
    for name in CONTENDERS:
        lines.append("  " + f"{name:<10}" + "   ".join(
            f"{key} median {statistics.median(times[name][key]):6.2f} s "
            f"({', '.join(f'{t:.2f}' for t in times[name][key])})" for key in ("cold", "warm")))
    for key in ("cold", "warm"):
        one, two, dask = (times[name][key] for name in CONTENDERS)
        ratio_two = statistics.median(b / a for a, b in zip(one, two, strict=True))
        ratio_dask = statistics.median(c / b for b, c in zip(two, dask, strict=True))
        lines.append(f"  {key}: 2 workers / 1 worker {ratio_two:.2f}x (target <= "
                     f"{TARGET_2_WORKERS}x: {'PASS' if ratio_two <= TARGET_2_WORKERS else 'MISS'})"
                     f";  dask 2 / 2 workers {ratio_dask:.2f}x (target <= {TARGET_DASK}x: "
                     f"{'PASS' if ratio_dask <= TARGET_DASK else 'MISS'})  paired medians")
    lines.append(f"  recording one run: {statistics.median(s for s, _ in shares) * 1000:.1f} ms "
                 f"of {statistics.median(t for _, t in shares):.2f} s training = {share:.1%}"
                 f"   target < {TARGET_RECORDING:.0%}: "
                 f"{'PASS' if share < TARGET_RECORDING else 'MISS'}")
    lines.append(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end"
                 " (other processes share the cores: 2 workers need 2 free ones)")
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
