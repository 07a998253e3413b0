"""Section (i) of `make bench`: MNIST-sized image data.

- Loading 70,000 x 784 from IDX files (60,000 train + the 10,000 t10k pair, written here from
  the seeded synthetic set as uint8), raw and gzipped: the IDX read alone and the whole
  `load_dataset` (read, scale x/255 once, split, freeze), each in a fresh interpreter.
- One epoch of 784-128-10, batch 128, Adam on the same 70,000 x 784 float32 arrays: ours and
  PyTorch CPU (when installed; in its own interpreter, as in `bench.torch_speed`).
- The app's key latency (as `bench.app_responsiveness` measures it) while a 28x28 set of
  `APP_ROWS` images trains at full pace, the viewer showing its half-block image.

Rounds are interleaved (raw, gz; ours, PyTorch) and medians reported, with the best beside them:
this machine is shared, so a single figure says little.

    python bench/images.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from bench.workloads import Workload, synthetic_mnist

ROOT = Path(__file__).resolve().parent.parent
TRAIN_ROWS = 60_000
EPOCH = Workload("i", "(i) 784-128-10 batch 128 adam, 1 epoch", (128,), "adam", 1e-3, 128, 1,
                 "synthetic")
TARGET_LOAD_SECONDS = 2.0
APP_ROWS = 3_500  # the app's set: small enough that training starts within the 10 s wait

# In the child: seconds to read the IDX files alone, then to load the whole dataset.
_LOAD_CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import sklearn.model_selection
from engine.data.datasets import load_dataset
from engine.data.idx import read_idx
start = time.perf_counter()
raw = read_idx(Path(sys.argv[2]), sys.argv[2])
read = time.perf_counter() - start
del raw
start = time.perf_counter()
ds = load_dataset(sys.argv[2])
whole = time.perf_counter() - start
print(json.dumps({"read": read, "load": whole, "dtype": str(ds.X_train.dtype),
                  "rows": len(ds.X_train) + len(ds.X_val) + len(ds.X_test)}))
"""


def _idx(array: np.ndarray) -> bytes:
    head = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(s).to_bytes(4, "big")
                                                      for s in array.shape)
    return head + np.ascontiguousarray(array).tobytes()


def write_idx_set(folder: Path, gz: bool, rows: int | None = None) -> Path:
    """The synthetic 70,000 x 784 set (its first `rows`) as MNIST's four files, the last sixth
    as the t10k pair; returns the train images path."""
    import gzip

    X, y = synthetic_mnist()
    X, y = X[:rows], y[:rows]
    train_rows = TRAIN_ROWS if rows is None else rows * 6 // 7
    images = (X.reshape(-1, 28, 28) * 255).astype(np.uint8)
    labels = y.astype(np.uint8)
    end = ".gz" if gz else ""
    parts = {"train-images-idx3-ubyte": images[:train_rows],
             "train-labels-idx1-ubyte": labels[:train_rows],
             "t10k-images-idx3-ubyte": images[train_rows:],
             "t10k-labels-idx1-ubyte": labels[train_rows:]}
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in parts.items():
        data = _idx(array)
        (folder / f"{name}{end}").write_bytes(gzip.compress(data, 6) if gz else data)
    return folder / f"train-images-idx3-ubyte{end}"


def _load_once(path: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _LOAD_CHILD, str(ROOT), str(path)],
                          capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _torch_epoch() -> float | None:
    done = subprocess.run([sys.executable, "-m", "bench.images", "--torch-epoch"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    return float(done.stdout.strip().splitlines()[-1])


def _ours_epoch() -> float:
    from bench import engine_speed

    return engine_speed.train_seconds(EPOCH)


def _figure(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s (best {min(times):.2f} s, n={len(times)})"


def report(rounds: int = 3) -> list[str]:
    from bench.common import torch_version

    lines = ["(i) image data: 70,000 x 784 (28x28 uint8) as IDX files; medians of interleaved "
             "rounds (a shared machine: other processes may run)"]
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"raw": write_idx_set(Path(tmp) / "raw", gz=False),
                 "gz": write_idx_set(Path(tmp) / "gz", gz=True)}
        loads: dict[str, list[dict[str, float]]] = {kind: [] for kind in paths}
        for _ in range(rounds):
            for kind, path in paths.items():
                loads[kind].append(_load_once(path))
    for kind, runs in loads.items():
        whole = [run["load"] for run in runs]
        verdict = "PASS" if statistics.median(whole) < TARGET_LOAD_SECONDS else "MISS"
        lines.append(f"  load {kind:>3}: IDX read {_figure([run['read'] for run in runs])}; "
                     f"load_dataset {_figure(whole)} -> {runs[0]['dtype']}, target < "
                     f"{TARGET_LOAD_SECONDS:g} s: {verdict}")
    has_torch = torch_version() is not None
    ours: list[float] = []
    theirs: list[float] = []
    synthetic_mnist()  # built once, outside the timings
    for _ in range(rounds):
        ours.append(_ours_epoch())
        if has_torch:
            seconds = _torch_epoch()
            if seconds is not None:
                theirs.append(seconds)
    lines.append(f"  {EPOCH.title}, 70,000 rows: ours {_figure(ours)}")
    if theirs:
        ratio = statistics.median(theirs) / statistics.median(ours)
        lines.append(f"  {' ' * len(EPOCH.title)}             PyTorch CPU {_figure(theirs)}; "
                     f"ours is {ratio:.2f}x PyTorch's speed")
    else:
        lines.append("  PyTorch not installed (or it failed): no comparison")
    lines += _in_fresh_process("--app-latency")  # not after this process's loads and epochs
    return lines


def _in_fresh_process(flag: str) -> list[str]:
    """This file run with `flag` in a process of its own: its printed lines."""
    done = subprocess.run([sys.executable, __file__, flag], capture_output=True, text=True,
                          check=False)
    lines = done.stdout.splitlines()
    return lines if done.returncode == 0 else [*lines, f"  {flag} failed: {done.stderr[-300:]}"]


def app_latency() -> list[str]:
    """Key latency in the app while a 28x28 IDX set trains at full pace."""
    import asyncio
    import functools

    from bench import app_responsiveness as responsiveness
    from tui.app import NNTuiApp

    with tempfile.TemporaryDirectory() as tmp:
        path = write_idx_set(Path(tmp) / "app", gz=False, rows=APP_ROWS)
        plain = responsiveness.NNTuiApp
        responsiveness.NNTuiApp = functools.partial(NNTuiApp, dataset=str(path))  # type: ignore[misc]
        try:
            result = asyncio.run(responsiveness.measure_in_app())
        finally:
            responsiveness.NNTuiApp = plain  # type: ignore[misc]
    p95 = responsiveness.percentile(result.returned_ms, 95)
    verdict = "PASS" if p95 <= responsiveness.TARGET_P95_MS and not result.missed else "MISS"
    return [f"  app, 28x28 x {APP_ROWS:,} training at full pace: key p95 {p95:.1f} ms (median "
            f"{statistics.median(result.returned_ms):.1f} ms, {result.missed} missed), "
            f"{result.epochs_per_s:.2f} epochs/s; target p95 <= "
            f"{responsiveness.TARGET_P95_MS:g} ms: {verdict}"]


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--torch-epoch", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--app-latency", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.app_latency:  # the child: the app's key latency alone
        print("\n".join(app_latency()))
        return 0
    if args.torch_epoch:  # the child: one PyTorch epoch, its seconds on the last line
        from bench import torch_speed

        synthetic_mnist()
        print(torch_speed.train_seconds(EPOCH))
        return 0
    for line in report(args.rounds):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
