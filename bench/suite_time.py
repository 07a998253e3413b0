"""`make test` here against `make test` at another commit, in alternating order: this machine's
speed drifts by a quarter within an hour, so only the paired ratio says whether the suite got
faster. The other commit is cloned into a temporary folder with a venv of its own (its
`make test` makes it); SIGINT is at its default in both, as under a terminal (an older suite
inherits it ignored from a background job, and its Ctrl+C test then waits out its timeout).

    python bench/suite_time.py [--base 51080c1] [--rounds 2] [--warm]

51080c1 is the commit before the code was layered (issue 6), whose ~150 s the issue set out
to beat.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_make_test(folder: Path) -> tuple[float, float, str]:
    """Seconds of wall and of CPU (the children's user + system) of `make test` in `folder`,
    and pytest's last line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(["make", "test"], cwd=folder, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in done.stdout.splitlines() if " passed" in line or " failed" in line]
    return wall, cpu, (lines[-1] if lines else f"make test ended with {done.returncode}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="51080c1")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warm", action="store_true",
                        help="run each side's make test once, untimed, first: a fresh clone's "
                             "first run also compiles numba's cache (about 30 s of CPU)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    with tempfile.TemporaryDirectory(prefix="nn-tui-base-") as temporary:
        base = Path(temporary) / "base"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(base)], check=True)
        subprocess.run(["git", "checkout", "--quiet", args.base], cwd=base, check=True)
        subprocess.run(["make", ".venv/.installed-stamp"], cwd=base, check=True,
                       capture_output=True)
        walls: dict[str, list[float]] = {"here": [], "base": []}
        for folder in (base, ROOT) if args.warm else ():
            timed_make_test(folder)
        for round_ in range(args.rounds):
            order = [("base", base), ("here", ROOT)]
            for name, folder in order if round_ % 2 == 0 else order[::-1]:
                load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                wall, cpu, last = timed_make_test(folder)
                walls[name].append(wall)
                print(f"round {round_ + 1} {name:<4} wall {wall:6.1f} s  CPU {cpu:6.1f} s  "
                      f"load {load}  {last}", flush=True)
    ratios = [h / b for h, b in zip(walls["here"], walls["base"], strict=True)]
    each = ", ".join(f"{r:.2f}" for r in ratios)
    here, there = (statistics.median(walls[name]) for name in ("here", "base"))
    print(f"here / base {args.base}: {statistics.median(ratios):.2f}x (paired median; {each}); "
          f"here {here:.1f} s, base {there:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
