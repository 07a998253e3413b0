"""Our engine now against an earlier commit, on the same workloads, fairly on a noisy machine.

    python bench/compare.py [--base REV] [--only a,b,c] [--rounds 5] [--threads 1]

The earlier commit is checked out into a temporary git worktree. Each round runs every workload
once per side, each run in its own fresh process, the two sides interleaved (base, head, base,
head...), so that whatever else the machine does lands on both. It prints per-side medians and
the median of the paired ratios head/base (below 1: head is faster). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE = "51080c1"  # main before the engine was split into layers (issue 6)
# One run: the checkout's own bench code times the checkout's own engine.
PROBE = ("import sys; sys.path.insert(0, '.'); "
         "from bench.engine_speed import train_seconds; "
         "from bench.workloads import WORKLOADS; "
         "work = next(w for w in WORKLOADS if w.key == sys.argv[1]); "
         "print(train_seconds(work))")


def run_once(checkout: Path, key: str, threads: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout), "OPENBLAS_NUM_THREADS": str(threads),
           "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    out = subprocess.run([sys.executable, "-c", PROBE, key], cwd=checkout, env=env,
                         capture_output=True, text=True, check=True, timeout=600)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=DEFAULT_BASE)
    parser.add_argument("--only", default="a,b,c")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    keys = [k for k in args.only.split(",") if k]
    with tempfile.TemporaryDirectory(prefix="nn-tui-base-") as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), args.base],
                       cwd=ROOT, check=True)
        try:
            times: dict[tuple[str, str], list[float]] = {}
            for _ in range(args.rounds):
                for key in keys:
                    for side, checkout in (("base", base), ("head", ROOT)):
                        times.setdefault((key, side), []).append(
                            run_once(checkout, key, args.threads))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT,
                           check=False)
    print(f"base {args.base} vs head, {args.rounds} interleaved rounds, "
          f"{args.threads} BLAS thread(s), seconds of training (lower is better)")
    print(f"{'workload':10} {'base median':>12} {'head median':>12} {'paired head/base':>17}")
    for key in keys:
        base_t, head_t = times[(key, "base")], times[(key, "head")]
        ratio = statistics.median(h / b for h, b in zip(head_t, base_t, strict=True))
        print(f"({key}){'':7} {statistics.median(base_t):12.3f} {statistics.median(head_t):12.3f}"
              f" {ratio:17.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
