"""Shared bench helpers: repeated timing, BLAS thread limits, what BLAS runs, and the table.

Every figure is timed a few times and the best (smallest time) is reported: this machine is
shared, and other work only ever makes a run slower, so the minimum is the most repeatable figure.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

THREADS = (1, 2)


@dataclass(frozen=True)
class Timing:
    best: float  # seconds
    median: float
    runs: int


def time_best(fn: Callable[[], object], repeats: int) -> Timing:
    """Calls `fn` `repeats` times; its own timing when it returns a float, else the wall time."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        times.append(result if isinstance(result, float) else elapsed)
    return Timing(min(times), statistics.median(times), len(times))


def torch_version() -> str | None:
    """PyTorch's version if it is installed (it is optional for `make bench`), without importing
    it here: it runs in a subprocess of its own (see torch_speed)."""
    import importlib.metadata
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return None
    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return "(unknown version)"


@contextmanager
def blas_threads(k: int) -> Iterator[None]:
    """Limits NumPy's BLAS (and any OpenMP pool, and PyTorch's intra-op pool) to `k` threads."""
    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")  # only where PyTorch was imported: its subprocess
    before = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(k)
    try:
        with threadpool_limits(limits=k):
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(before)


def blas_report() -> list[str]:
    """One line per BLAS/OpenMP library loaded: which kernel (coretype) it runs, and the env
    variables that can force a slower one on this machine."""
    from threadpoolctl import threadpool_info

    lines = []
    for info in threadpool_info():
        where = os.path.basename(info.get("filepath", "?"))
        kernel = info.get("architecture") or "-"
        lines.append(f"  {info.get('internal_api')} {info.get('version') or ''} kernel={kernel} "
                     f"threads={info.get('num_threads')} ({where})")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS"):
        lines.append(f"  {name}={os.environ.get(name, '(unset)')}")
    return lines


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs from /proc/stat; None where there is no such file."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def wait_for_quiet(max_wait: float = 10.0, busy_limit: float = 0.15) -> float:
    """Waits (up to `max_wait` s) until other processes use less than `busy_limit` of the
    machine's CPU time, so that a figure is not measured while a test suite runs beside it
    (on 2 cores that halves 2-thread BLAS). Returns the busy share last seen."""
    deadline = time.perf_counter() + max_wait
    while True:
        before = _cpu_times()
        time.sleep(0.3)
        after = _cpu_times()
        if before is None or after is None:
            return 0.0
        busy = (after[0] - before[0]) / max(after[1] - before[1], 1)
        if busy < busy_limit or time.perf_counter() > deadline:
            return busy


def machine_report() -> list[str]:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"numpy {np.__version__}, {os.cpu_count()} cores, load average {load:.2f}"]
    if load > 0.5:
        lines.append("  (other processes are using the CPU: figures may be pessimistic)")
    return lines


@dataclass(frozen=True)
class Row:
    figure: str
    threads: int
    ours: str
    sklearn: str
    torch: str
    floor: str
    target: str
    verdict: str


HEADERS = ("figure", "thr", "ours", "scikit-learn", "PyTorch", "matmul floor", "target", "verdict")


def format_table(rows: list[Row]) -> str:
    cells = [HEADERS] + [(r.figure, str(r.threads), r.ours, r.sklearn, r.torch, r.floor,
                          r.target, r.verdict) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADERS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt_seconds(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.3f} s"


def fmt_rate(per_second: float | None) -> str:
    """Samples per second, short: 412k/s, 1.23M/s."""
    if per_second is None:
        return "-"
    if per_second >= 1e6:
        return f"{per_second / 1e6:.2f}M/s"
    return f"{per_second / 1e3:.0f}k/s"


def fmt_ratio(ours: float, other: float | None, name: str, target: float) -> str:
    if other is None:
        return f"{name} n/a"
    ratio = ours / other
    return f"{ratio:.1f}x {name} {'PASS' if ratio >= target else 'MISS'}"
