"""Peak memory of loading a big CSV: `load_dataset(path)` in a fresh interpreter, whose peak
resident set (getrusage ru_maxrss) is compared with the file's size. A 1 GB CSV once peaked at
14.9 GB (a Python string per field); the streaming reader keeps 8 bytes a number.

    python bench/csv_memory.py [--mb 150] [--root DIR]   # DIR: another checkout, for a before

The CSV (10 float features with 6 decimals and an integer class, ~80 bytes a row) is written to
the temporary directory and deleted afterwards. `make bench` runs it as section 'e'.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FEATURES = 10
DEFAULT_MB = 150

# Runs in the child: its peak RSS after the imports, then after loading, in bytes.
_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import sklearn.model_selection, sklearn.preprocessing
from engine.data.datasets import load_dataset
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
start = time.perf_counter()
ds = load_dataset(sys.argv[2])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
rows = len(ds.X_train) + len(ds.X_val) + len(ds.X_test)
print(json.dumps({"base": base, "peak": peak, "seconds": seconds, "rows": rows,
                  "data": sum(a.nbytes for a in (ds.X_train, ds.X_val, ds.X_test,
                                                  ds.y_train, ds.y_val, ds.y_test))}))
"""


def write_csv(path: Path, megabytes: int, seed: int = 0) -> int:
    """A classification CSV of about `megabytes` MB; returns its size in bytes."""
    rng = np.random.default_rng(seed)
    target = megabytes * 1_000_000
    fmt = ",".join(["%.6f"] * FEATURES + ["%d"])
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join([*(f"f{i}" for i in range(FEATURES)), "label"]) + "\n")
        while handle.tell() < target:
            X = rng.normal(size=(50_000, FEATURES)) * 100
            y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
            np.savetxt(handle, np.column_stack([X, y]), fmt=fmt)
    return path.stat().st_size


def measure(csv_path: Path, root: Path = ROOT) -> dict[str, float]:
    """Loads `csv_path` with the engine under `root` in a child process: its figures."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(root), str(csv_path)],
                          capture_output=True, text=True, check=False, cwd=root)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the child failed: {tail}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(megabytes: int = DEFAULT_MB, root: Path = ROOT) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="nn-tui-bench-") as folder:
        path = Path(folder) / "big.csv"
        size = write_csv(path, megabytes)
        figures = measure(path, root)
        os.remove(path)
    mb = 1_000_000
    peak, base = figures["peak"], figures["base"]
    return [
        f"CSV load memory ({root if root != ROOT else 'this checkout'}): "
        f"{size / mb:.0f} MB file, {figures['rows']:,.0f} rows x {FEATURES + 1} columns, "
        f"{figures['seconds']:.1f} s",
        f"  peak RSS {peak / mb:,.0f} MB = {peak / size:.2f}x the file "
        f"(after the imports {base / mb:,.0f} MB; the load added {(peak - base) / mb:,.0f} MB "
        f"= {(peak - base) / size:.2f}x the file; the Dataset's arrays are "
        f"{figures['data'] / mb:,.0f} MB)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mb", type=int, default=DEFAULT_MB, help="CSV size in MB (default 150)")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout whose engine loads it (default this one)")
    args = parser.parse_args(argv)
    for line in report(args.mb, args.root.resolve()):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
