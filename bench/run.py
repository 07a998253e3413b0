"""`make bench`: the engine's speed beside scikit-learn, PyTorch (when installed) and the matmul
floor, at 1 and 2 BLAS threads (a, b, c: each contender in its own process, interleaved in
rotating order, medians of 5 rounds and the median paired ratios; `bench/interleaved.py`), then
the app's responsiveness (d), the peak memory of loading a 150 MB CSV (e), the memory a long
run's history holds (f), what the inside view costs the training (g), the app's responsiveness
while moons trains with its decision map shown (h), the peak memory of `nn-tui train` on a
70,000 x 784 float32 file (i) and large-batch training at 1, 2 and the engine's own choice of
BLAS threads beside a busy process (j). Figures are printed, not asserted.

    python bench/run.py [--only a,b,...] [--threads 1,2] [--rounds 5] [--backend numpy,numba]
                        [--quick]

`--quick` (or BENCH_QUICK=1): 3 rounds, and (c), (e) and (j) left out: about a minute or two.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import interleaved
from bench.common import blas_report, machine_report, wait_for_quiet
from bench.common import torch_version as torch_version_or_none


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    import sklearn  # noqa: F401  (loaded now so that the BLAS report lists its libraries)

    torch_version = torch_version_or_none()
    print("nn-tui benchmarks (this machine is shared: figures taken under whatever load it "
          "carries; the machine report says how much)")
    for line in machine_report():
        print(line)
    print("BLAS and OpenMP libraries here (threadpoolctl):")
    for line in blas_report():
        print(line)
    if torch_version is None:
        print("PyTorch not installed: comparison skipped (pip install torch==2.13.0 into .venv)")
    keys = "".join(k for k in "abc" if k in args.only)
    if keys:
        print()
        backends: list[str | None] = [b for b in args.backend.split(",") if b] or [None]
        print("\n".join(interleaved.header(args.rounds)), flush=True)
        figures = interleaved.measure(keys, args.threads, args.rounds, torch_version is not None,
                                      backends, interleaved.print_figures)
        print("\n".join(interleaved.blas_lines(figures)))
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
    if "g" in args.only:
        from bench import inside_view

        print()
        _progress("training with the inside view open and closed")
        for line in inside_view.report():
            print(line)
    if "i" in args.only:
        from bench import pipeline_memory

        print()
        _progress("nn-tui train memory on a 70,000 x 784 float32 file")
        for line in pipeline_memory.report():
            print(line)
    if "j" in args.only:
        from bench import threads_busy

        print()
        _progress("BLAS threads beside a busy process")
        for line in threads_busy.report(rounds=args.rounds):
            print(line)
    return 0


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


def _progress(what: str) -> None:
    print(f"  measuring {what}", file=sys.stderr, flush=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="abcdefghij",
                        help="which figures, e.g. 'a,b' (default all)")
    parser.add_argument("--threads", default="1,2", help="BLAS thread counts (default 1,2)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of (a)-(c) (default 5)")
    parser.add_argument("--backend", default="",
                        help="run ours once per engine backend, e.g. numpy,numba")
    parser.add_argument("--quick", action="store_true",
                        default=os.environ.get("BENCH_QUICK", "") not in ("", "0"),
                        help="3 rounds; no (c), (e), (j) (also BENCH_QUICK=1)")
    args = parser.parse_args(argv)
    args.only = args.only.replace(",", "")
    if args.quick:
        args.rounds = min(args.rounds, 3)
        args.only = "".join(k for k in args.only if k not in "cej")
    args.threads = [int(t) for t in args.threads.split(",") if t]
    return args


if __name__ == "__main__":
    raise SystemExit(main())
