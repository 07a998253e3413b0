"""`make bench`: every figure the issues ask for, printed, never asserted.

(a), (b), (c): the engine's speed beside scikit-learn, PyTorch (when installed) and the matmul
floor, at 1 and 2 BLAS threads; each contender in its own process, interleaved in rotating order,
medians of 5 rounds and the median paired ratios (`bench/interleaved.py`). Then one section a
letter (`SECTIONS` below): the app's responsiveness (d), the peak memory of loading a 150 MB CSV
(e), the memory a long run's history holds (f), what the inside view costs the training (g), the
app's responsiveness while moons trains with its decision map shown (h), the peak memory of
`nn-tui train` on a 70,000 x 784 float32 file (i), large-batch training at 1, 2 and the engine's
own choice of BLAS threads beside a busy process (j), sweeps over worker processes and a Dask
cluster and what recording a run costs (k), the compiled step against the NumPy step and the
matmul floor (l), the bytes a real `nn-tui` writes to its terminal while digits trains (m), and
MNIST-sized image data: IDX loading and one epoch beside PyTorch (n).

    python bench/run.py [--only a,b,...] [--threads 1,2] [--rounds 5] [--backend numpy,numba]
                        [--quick]

`--quick` (or BENCH_QUICK=1): 3 rounds, and the slow sections (c, e, j, k, n) left out.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

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
    for key, (title, report) in SECTIONS.items():
        if key in args.only:
            print()
            _progress(title)
            for line in report(args):
                print(line)
    return 0


def _app_part(module: str) -> list[str]:
    try:
        wait_for_quiet()
        return list(importlib.import_module(f"bench.{module}").report())
    except Exception as exc:  # a failed app figure is said; the other figures are kept
        return [f"{module}: failed ({type(exc).__name__}: {exc})"]


def _progress(what: str) -> None:
    print(f"  measuring {what}", file=sys.stderr, flush=True)


def _lines(module: str, call: Callable[[Any, argparse.Namespace], Iterable[str]]
           ) -> Callable[[argparse.Namespace], Iterable[str]]:
    """A section's report: its module imported only when it runs."""
    def report(args: argparse.Namespace) -> Iterable[str]:
        return call(importlib.import_module(f"bench.{module}"), args)
    return report


def _app(module: str) -> Callable[[argparse.Namespace], Iterable[str]]:
    return lambda args: _app_part(module)


SECTIONS: dict[str, tuple[str, Callable[[argparse.Namespace], Iterable[str]]]] = {
    "d": ("the app's responsiveness", _app("app_responsiveness")),
    "e": ("CSV load memory", _lines("csv_memory", lambda m, a: m.report())),
    "f": ("history memory", _lines("history_memory", lambda m, a: m.report())),
    "g": ("training with the inside view open and closed",
          _lines("inside_view", lambda m, a: m.report())),
    "h": ("the app with the decision map shown", _app("app_maps")),
    "i": ("nn-tui train memory on a 70,000 x 784 float32 file",
          _lines("pipeline_memory", lambda m, a: m.report())),
    "j": ("BLAS threads beside a busy process",
          _lines("threads_busy", lambda m, a: m.report(rounds=a.rounds))),
    "k": ("sweeps (1 and 2 workers, a Dask LocalCluster) and the run store",
          _lines("sweep_speed", lambda m, a: m.report())),
    "l": ("the compiled step (numba) against numpy and the floor",
          _lines("compiled_step", lambda m, a: m.report(rounds=a.rounds))),
    "m": ("bytes on the wire", _lines("wire_bytes", lambda m, a: m.report(repeats=3))),
    "n": ("IDX loading and one MNIST-sized epoch",
          _lines("images", lambda m, a: m.report(a.rounds))),
}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="abcdefghijklmn",
                        help="which figures, e.g. 'a,b' (default all)")
    parser.add_argument("--threads", default="1,2", help="BLAS thread counts (default 1,2)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of (a)-(c) (default 5)")
    parser.add_argument("--backend", default="",
                        help="run ours once per engine backend, e.g. numpy,numba")
    parser.add_argument("--quick", action="store_true",
                        default=os.environ.get("BENCH_QUICK", "") not in ("", "0"),
                        help="3 rounds; no (c), (e), (j), (k), (n) (also BENCH_QUICK=1)")
    args = parser.parse_args(argv)
    args.only = args.only.replace(",", "")
    if args.quick:
        args.rounds = min(args.rounds, 3)
        args.only = "".join(k for k in args.only if k not in "cejkn")
    args.threads = [int(t) for t in args.threads.split(",") if t]
    return args


if __name__ == "__main__":
    raise SystemExit(main())
