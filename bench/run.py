"""`make bench`: the engine's speed beside scikit-learn, PyTorch (when installed) and the matmul
floor, at 1 and 2 BLAS threads, then the app's responsiveness (d), the peak memory of loading
a 150 MB CSV (e), the memory a long run's history holds (f), what the inside view costs the
training (g), the app's responsiveness while moons trains with its decision map shown (h) and
sweeps over worker processes and a Dask cluster, and what recording a run costs (i),
the compiled step against the NumPy step and the matmul floor (j).
Figures are printed, not asserted.

    python bench/run.py [--only a,b,c,d,e,f,g,h,i,j] [--threads 1,2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import replace
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import engine_speed, matmul_floor, sklearn_speed, torch_speed
from bench.common import (
    Row,
    Timing,
    blas_report,
    blas_threads,
    fmt_rate,
    fmt_ratio,
    fmt_seconds,
    format_table,
    machine_report,
    time_best,
    wait_for_quiet,
)
from bench.common import torch_version as torch_version_or_none
from bench.workloads import FULL_BATCH, MINIBATCH, MNIST_SIZED, WORKLOADS, Workload

TARGET_SECONDS_A = 0.3
TARGET_VS_TORCH_B, TARGET_VS_SKLEARN_B = 5.0, 3.0
TARGET_VS_TORCH_C = 1.3


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    import sklearn  # noqa: F401  (loaded now so that the BLAS report lists its libraries)

    torch_version = torch_version_or_none()
    print(f"nn-tui benchmarks: best of {args.repeats} runs, (c) of "
          f"{MNIST_SIZED.repeats(args.repeats)}; medians in the notes")
    for line in machine_report():
        print(line)
    print("BLAS and OpenMP libraries (threadpoolctl):")
    for line in blas_report():
        print(line)
    if torch_version is None:
        print("PyTorch not installed: comparison skipped")

    chosen = [w for w in WORKLOADS if w.key in args.only]
    rows: list[Row] = []
    notes: list[str] = []
    torch_blas: list[str] = []
    floors: dict[str, float] = {}
    for k in args.threads:
        torch_times: dict[str, list[float]] = {}
        if torch_version is not None and chosen:
            _progress(f"PyTorch at {k} thread(s)")
            wait_for_quiet()
            result = torch_speed.measure_in_subprocess("".join(w.key for w in chosen), k,
                                                       args.repeats)
            if result is not None:
                torch_times, torch_blas = result["times"], result["blas"]
        for work in chosen:
            _progress(f"{work.title} at {k} thread(s)")
            pt = torch_times.get(work.key)
            busy = wait_for_quiet()
            row, note, floor = _measure(work, k, args.repeats, _timing(pt) if pt else None)
            slower = floor > 1.25 * floors.setdefault(work.key, floor)
            if busy >= 0.15 or slower:  # another process had a core: say so beside the figure
                row = replace(row, verdict=row.verdict + " (CPU contended)")
                note += (f"; other processes used {busy:.0%} of the CPU before it"
                         + ("; its matmuls ran slower than at fewer threads" if slower else ""))
            rows.append(row)
            notes.append(note)
    if torch_blas:
        print("PyTorch, in its own process (the last thread setting):")
        for line in torch_blas:
            print(line)
    print()
    if rows:
        print(format_table(rows))
        print()
        print("notes: medians; floor = the same matmuls alone, np.matmul into preallocated")
        print("outputs; 'at peak' = the workload's FLOPs at its fastest shape's rate")
        for note in notes:
            print("  " + note)
    if "d" in args.only:
        print()
        _app_part()
    if "e" in args.only:
        from bench import csv_memory

        print()
        _progress("CSV load memory")
        for line in csv_memory.report():
            print(line)
    if "f" in args.only:
        from bench import history_memory

        print()
        _progress("history memory")
        for line in history_memory.report():
            print(line)
    if "h" in args.only:
        print()
        _app_part("app_maps")
    if "j" in args.only:  # the compiled step against the NumPy step and the floor
        from bench import compiled_step

        print()
        _progress("the compiled step (numba) against numpy and the floor")
        for line in compiled_step.report(rounds=args.repeats):
            print(line)
    if "g" in args.only:
        from bench import inside_view

        print()
        _progress("training with the inside view open and closed")
        for line in inside_view.report():
            print(line)
    if "i" in args.only:
        from bench import sweep_speed

        print()
        _progress("sweeps (1 and 2 workers, a Dask LocalCluster) and the run store")
        for line in sweep_speed.report():
            print(line)
    return 0


def _measure(work: Workload, k: int, repeats: int,
             pt: Timing | None) -> tuple[Row, str, float]:
    X, _ = work.data()
    samples = len(X) * work.epochs
    runs = work.repeats(repeats)
    with blas_threads(k):
        floor = matmul_floor.floor(work)
        ours = time_best(lambda: engine_speed.train_seconds(work), runs)
        skl = (time_best(lambda: sklearn_speed.train_seconds(work), runs)
               if work.dataset == "digits" else None)
    note = (f"{work.title}, {k} thr: ours {ours.median:.3f} s; "
            f"scikit-learn {_med(skl)}; PyTorch {_med(pt)}; floor {floor.seconds:.3f} s "
            f"= {floor.gflop:.1f} GFLOP at {floor.gflops:.0f} GFLOP/s "
            f"(at peak {floor.peak_gflops:.0f} GFLOP/s: {floor.at_peak:.3f} s)")
    if work is FULL_BATCH:
        ok = ours.best <= TARGET_SECONDS_A
        verdict = (f"{'PASS' if ok else 'MISS'} ({ours.best / floor.seconds:.1f}x floor)")
        row = Row(work.title, k, fmt_seconds(ours.best), fmt_seconds(_best(skl)),
                  fmt_seconds(_best(pt)), fmt_seconds(floor.seconds),
                  f"<= {TARGET_SECONDS_A} s", verdict)
        return row, note, floor.seconds
    rate = samples / ours.best
    other_rate = {name: (samples / t.best if t else None) for name, t in (("PT", pt), ("skl", skl))}
    if work is MINIBATCH:
        target = f">= {TARGET_VS_TORCH_B:g}x PT, >= {TARGET_VS_SKLEARN_B:g}x skl"
        verdict = (fmt_ratio(rate, other_rate["PT"], "PT", TARGET_VS_TORCH_B) + "; "
                   + fmt_ratio(rate, other_rate["skl"], "skl", TARGET_VS_SKLEARN_B))
    else:
        target = f">= {TARGET_VS_TORCH_C:g}x PT"
        verdict = fmt_ratio(rate, other_rate["PT"], "PT", TARGET_VS_TORCH_C)
    row = Row(work.title, k, fmt_rate(rate), fmt_rate(other_rate["skl"]),
              fmt_rate(other_rate["PT"]), fmt_rate(samples / floor.seconds), target, verdict)
    return row, note, floor.seconds


def _app_part(module: str = "app_responsiveness") -> None:
    try:
        import importlib

        part = importlib.import_module(f"bench.{module}")
    except ImportError as exc:
        print(f"app responsiveness: app not available yet ({exc})")
        return
    try:
        wait_for_quiet()
        lines = part.report()
    except Exception as exc:  # the app is being written: report it, keep the engine figures
        print(f"app responsiveness: failed ({type(exc).__name__}: {exc})")
        return
    for line in lines:
        print(line)


def _timing(times: list[float]) -> Timing:
    return Timing(min(times), statistics.median(times), len(times))


def _progress(what: str) -> None:
    print(f"  measuring {what}", file=sys.stderr, flush=True)


def _best(t: Timing | None) -> float | None:
    return None if t is None else t.best


def _med(t: Timing | None) -> str:
    return "-" if t is None else f"{t.median:.3f} s"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="abcdefghij",
                        help="which figures, e.g. 'a,b' (default all)")
    parser.add_argument("--threads", default="1,2", help="BLAS thread counts (default 1,2)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (default 3)")
    args = parser.parse_args(argv)
    args.only = args.only.replace(",", "")
    args.threads = [int(t) for t in args.threads.split(",") if t]
    return args


if __name__ == "__main__":
    raise SystemExit(main())
