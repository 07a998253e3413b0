"""Peak memory of `nn-tui train` on a 70,000 x 784 float32 .npz, one epoch, 784-256-128-10, Adam,
batch 128, in a fresh interpreter: the peak over (the data + the model), counted two ways.

- tracemalloc: every NumPy array allocated while the command ran (NumPy reports its buffers to
  tracemalloc), at its highest;
- resident set: the peak RSS (getrusage) minus the RSS after the imports.

    python bench/pipeline_memory.py [--rows 70000] [--root DIR]   # DIR: another checkout

The .npz (random pixels, 10 classes) is written to the temporary directory and deleted after.
`make bench` runs it as section 'i'; the target (issue 11) is at most 1.3x.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FEATURES = 784
LAYERS = "256:relu,128:relu,10:softmax"
TARGET = 1.3

# Runs in the child: imports first (their memory is not the pipeline's: scikit-learn, and numba
# with the compiled step's module, which `train` imports on its first step; about 14 MB of
# Python objects under tracemalloc), then the command. Loading the compiled kernel from its
# cache (another ~14 MB) is inside the measurement. An older checkout without the compiled step
# just skips that import.
_CHILD = """
import contextlib, importlib.util, io, json, resource, sys, tracemalloc
sys.path.insert(0, sys.argv[1])
import sklearn.model_selection, sklearn.preprocessing
if importlib.util.find_spec("engine.nn.compiled") is not None:
    import engine.nn.compiled
from tui.cli.main import main
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
tracemalloc.start()
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["train", "--dataset", sys.argv[2], "--layers", sys.argv[3], "--epochs", "1",
                 "--batch-size", "128", "--dtype", "float32"])
_, traced = tracemalloc.get_traced_memory()
tracemalloc.stop()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
print(json.dumps({"code": code, "base": base, "peak": peak, "traced": traced}))
"""


def write_npz(path: Path, rows: int, seed: int = 0) -> int:
    """X float32 (rows, 784) and y int64 labels (10 classes); returns the data's bytes."""
    rng = np.random.default_rng(seed)
    X = rng.random((rows, FEATURES), dtype=np.float32)
    y = rng.integers(0, 10, size=rows)
    np.savez(path, X=X, y=y)
    return X.nbytes + y.nbytes


def model_bytes(n_inputs: int = FEATURES, layers: str = LAYERS) -> int:
    """The float32 weights and biases of `layers` after `n_inputs` inputs."""
    widths = [n_inputs, *(int(part.split(":")[0]) for part in layers.split(","))]
    return 4 * sum(a * b + b for a, b in itertools.pairwise(widths))


def measure(npz: Path, root: Path = ROOT) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(root), str(npz), LAYERS],
                          capture_output=True, text=True, check=False, cwd=root)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the child failed: {tail}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def report(rows: int = 70_000, root: Path = ROOT) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="nn-tui-bench-") as folder:
        path = Path(folder) / "big.npz"
        data = write_npz(path, rows)
        figures = measure(path, root)
    whole = data + model_bytes()
    mb = 1_000_000
    traced, grown = figures["traced"], figures["peak"] - figures["base"]
    where = root if root != ROOT else "this checkout"
    return [
        f"nn-tui train memory ({where}): {rows:,} x {FEATURES} float32 .npz, {LAYERS}, 1 epoch; "
        f"data {data / mb:,.0f} MB + model {model_bytes() / mb:.1f} MB",
        f"  arrays at their peak (tracemalloc) {traced / mb:,.0f} MB = {traced / whole:.2f}x "
        f"the data + model (target <= {TARGET}x)",
        f"  peak RSS {figures['peak'] / mb:,.0f} MB, {grown / mb:,.0f} MB above the "
        f"{figures['base'] / mb:,.0f} MB after the imports = {grown / whole:.2f}x",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=70_000)
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout whose `nn-tui train` runs (default this one)")
    args = parser.parse_args(argv)
    for line in report(args.rows, args.root.resolve()):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
