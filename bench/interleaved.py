"""Sections (a), (b), (c) of `make bench`: our engine beside scikit-learn, PyTorch CPU and the
matmul floor, measured so that the figures can be trusted on a shared machine.

Every run is its own process (no library's threads or caches carry over from one contender to
the next). A round runs each contender once, in an order that rotates from round to round
(ours, sklearn, torch, floor; then sklearn, torch, floor, ours; ...), so whatever else the
machine does lands on every contender alike. After `rounds` rounds it reports each contender's
median time and the median of the per-round paired ratios: how many times faster than
scikit-learn and PyTorch ours is, and which share of the floor's speed it reaches (the floor is
the same matmuls alone in NumPy, timed in the same round). At each BLAS thread count, with the
BLAS library and kernel each child ran (threadpoolctl).

    python -m bench.interleaved [--only abc] [--threads 1,2] [--rounds 5] [--backend numpy,numba]
                                [--base PATH] [--clock wall|cpu] [--no-torch]

`--backend` runs ours once per backend (`TrainConfig.backend`, where the engine has one).
`--base PATH` also runs ours from another checkout of the project (say `git archive main`
unpacked in /tmp), as "ours...@base" in the same rounds: a before/after from one run.
`--no-torch` leaves PyTorch out even where it is installed (its runs are the longest).
`--clock cpu` times every contender by the CPU time of its process instead of the wall clock
(`time.perf_counter` is `time.process_time` in each child): on a machine other processes load,
a contender's time then leaves out the time it waited for a core, which falls unevenly on
a single 0.3 s run (ours, scikit-learn) and on the floor's best of 5 short batches. Meaningful
at 1 thread only (at k threads it adds up the threads' work); the report says which clock.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.interleaved_child import CLOCKS, OURS, run_child

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {  # workload -> (vs scikit-learn, vs PyTorch, share of the floor): issue 11
    "a": (None, None, 1 / 1.3),
    "b": (10.0, 15.0, 0.60),
    "c": (None, None, 0.70),
}


@dataclass
class Figures:
    """One workload at one thread count: seconds per contender per round (None: failed)."""

    key: str
    threads: int
    times: dict[str, list[float | None]] = field(default_factory=dict)
    blas: dict[str, str] = field(default_factory=dict)  # contender -> its BLAS line

    def median(self, name: str) -> float | None:
        values = [t for t in self.times.get(name, []) if t is not None]
        return statistics.median(values) if values else None

    def spread(self, name: str) -> tuple[float, float] | None:
        """(fastest, slowest) of the rounds: at 2 BLAS threads this machine's runs of the same
        contender can differ 2x from one process to the next, which a median alone hides."""
        values = [t for t in self.times.get(name, []) if t is not None]
        return (min(values), max(values)) if values else None

    def paired(self, top: str, bottom: str) -> float | None:
        """The median over rounds of times[top] / times[bottom] (both from the same round)."""
        pairs = [a / b for a, b in zip(self.times.get(top, []), self.times.get(bottom, []))
                 if a is not None and b is not None and b > 0]
        return statistics.median(pairs) if pairs else None


BASE = "@base"  # the suffix of ours run from the `--base` checkout


def contenders(key: str, torch: bool, backends: list[str | None],
               base: bool = False) -> list[str]:
    ours = [OURS if b is None else f"{OURS}:{b}" for b in backends]
    if base:
        ours = [name + suffix for name in ours for suffix in (BASE, "")]
    others = (["sklearn"] if key in "ab" else []) + (["torch"] if torch else [])
    return [*ours, *others, "floor"]


def rotated(names: list[str], round_: int) -> list[str]:
    shift = round_ % len(names)
    return names[shift:] + names[:shift]


# ---------------------------------------------------------------- the child, each run in a
# fresh process (`bench.interleaved_child`)


def run_in_process(name: str, key: str, threads: int, base: Path | None = None,
                   clock: str = "wall") -> dict[str, object] | None:
    """One contender in a fresh process; "...@base" runs from the `base` checkout."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}  # PyTorch's pool, from the start
    root = ROOT
    if name.endswith(BASE) and base is not None:
        name, root = name.removesuffix(BASE), base
    done = subprocess.run([sys.executable, "-m", "bench.interleaved", "--child", name, key,
                           str(threads), *(["--clock", clock] if clock != "wall" else [])],
                          cwd=root, env=env, capture_output=True, text=True, check=False,
                          timeout=900)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"  {name} ({key}, {threads} thr) failed: {tail}", file=sys.stderr, flush=True)
        return None
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------- the parent


def measure(keys: str, threads: list[int], rounds: int, torch: bool,
            backends: list[str | None],
            on_figures: Callable[[Figures], None] | None = None,
            base: Path | None = None, clock: str = "wall") -> list[Figures]:
    """All the rounds of each workload at each thread count; `on_figures` gets each workload's
    figures as soon as its rounds are done (a long run shows what it has so far). With `base`,
    ours also runs from that checkout in the same rounds (see `--base`)."""
    out = []
    for key in keys:
        for k in threads:
            figures = Figures(key, k)
            names = contenders(key, torch, backends, base is not None)
            for r in range(rounds):
                print(f"  ({key}) at {k} thread(s), round {r + 1}/{rounds}", file=sys.stderr,
                      flush=True)
                for name in rotated(names, r):
                    result = run_in_process(name, key, k, base, clock)
                    seconds = None if result is None else float(str(result["seconds"]))
                    figures.times.setdefault(name, []).append(seconds)
                    if result is not None:
                        figures.blas.setdefault(name, str(result["blas"]))
            out.append(figures)
            if on_figures is not None:
                on_figures(figures)
    return out


def _verdict(value: float, target: float | None, shown: str) -> str:
    return "" if target is None else f" ({'PASS' if value >= target else 'MISS'} >= {shown})"


def _x(value: float | None, target: float | None = None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}x" + _verdict(value, target, f"{target or 0:g}x")


def _pct(value: float | None, target: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0%}" + _verdict(value, target, f"{target:.0%}" if target else "")


def header(rounds: int, clock: str = "wall") -> list[str]:
    seconds = "seconds" if clock == "wall" else "CPU seconds (--clock cpu)"
    return [f"{rounds} rounds, each contender in its own process, rotating order; "
            f"medians of the {seconds} of training, and the median of the per-round ratios:",
            "  x skl / x PT = how many times faster ours is (their time / ours); "
            "% floor = floor time / ours"]


def figure_lines(fig: Figures) -> list[str]:
    from bench.workloads import WORKLOADS

    title = next(w.title for w in WORKLOADS if w.key == fig.key)
    lines = [f"{title}, {fig.threads} BLAS thread(s):"]
    medians = "  ".join(f"{name} {fig.median(name):.3f} s" if fig.median(name) else
                        f"{name} -" for name in fig.times)
    lines.append(f"  median  {medians}")
    ranges = {name: fig.spread(name) for name in fig.times}
    spreads = "  ".join(f"{name} {r[0]:.3f}-{r[1]:.3f}" for name, r in ranges.items() if r)
    lines.append(f"  range   {spreads}")
    vs_skl, vs_pt, of_floor = TARGETS.get(fig.key, (None, None, None))
    for name in fig.times:
        if not name.startswith(OURS):
            continue
        parts = [f"  {name:10}"]
        if "sklearn" in fig.times:
            parts.append(f"x skl {_x(fig.paired('sklearn', name), vs_skl)}")
        if "torch" in fig.times:
            parts.append(f"x PT {_x(fig.paired('torch', name), vs_pt)}")
        parts.append(f"floor {_pct(fig.paired('floor', name), of_floor)}")
        lines.append("  ".join(parts))
    for name in fig.times:
        now = name.removesuffix(BASE)
        if name.endswith(BASE) and now in fig.times:
            lines.append(f"  {now} against {name}: {_x(fig.paired(name, now))} as fast "
                         f"(paired: base time / this time)")
    return lines


def blas_lines(figures: list[Figures]) -> list[str]:
    seen: dict[str, str] = {}
    for fig in figures:
        for name, blas in fig.blas.items():
            seen.setdefault(f"{name} at {fig.threads} thr", blas)
    return ["BLAS in each child (threadpoolctl):", *(f"  {who}: {blas}"
                                                      for who, blas in seen.items())]


def report(figures: list[Figures], rounds: int) -> list[str]:
    lines = header(rounds)
    for fig in figures:
        lines += figure_lines(fig)
    return lines + blas_lines(figures)


def print_figures(fig: Figures) -> None:
    print("\n".join(figure_lines(fig)), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--child", nargs=3, metavar=("NAME", "KEY", "THREADS"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--only", default="abc")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backend", default="", help="ours once per backend, e.g. numpy,numba")
    parser.add_argument("--base", type=Path, default=None,
                        help="also run ours from this checkout, in the same rounds")
    parser.add_argument("--clock", choices=list(CLOCKS), default="wall",
                        help="cpu: time by each process's CPU time (a loaded machine, 1 thread)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    args = parser.parse_args(argv)
    if args.child:
        name, key, threads = args.child
        print(json.dumps(run_child(name, key, int(threads), args.clock)))
        return 0
    from bench.common import torch_version

    backends: list[str | None] = [b for b in args.backend.split(",") if b] or [None]
    start = time.perf_counter()
    print("\n".join(header(args.rounds, args.clock)), flush=True)
    torch = torch_version() is not None and not args.no_torch
    figures = measure(args.only.replace(",", ""), [int(t) for t in args.threads.split(",")],
                      args.rounds, torch, backends, print_figures, args.base, args.clock)
    print("\n".join(blas_lines(figures)))
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
