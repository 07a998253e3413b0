"""(i) The compiled step (`engine/nn/compiled.py`) against the NumPy step and the matmul floor,
on (a) digits full batch sgd, (b) digits batch 32 adam and (c) 70k x 784 batch 128 adam; then
the numba compile time at a first start (empty cache) and a second start (cache hit).

Each figure is one run in its own fresh process; the contenders (numba, numpy, floor) take
turns within every round, so that whatever else the machine does lands on all of them. Printed:
per-contender medians and the medians of the paired ratios. Nothing is asserted.

    python bench/compiled_step.py [--only a,b,c] [--rounds 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
CONTENDERS = ("numba", "numpy", "floor")
TARGETS = {"a": "<= 1.3x the floor", "b": ">= 60% of the floor", "c": ">= 70% of the floor"}


def train(key: str, backend: str) -> tuple[float, float | None]:
    """Seconds of the workload's training loop with `backend` (compiling is done before the
    clock starts: `Trainer.run` prepares the step before its first event), and for digits the
    test accuracy."""
    from bench.workloads import WORKLOADS
    from engine import ModelSpec, Network, TrainConfig, TrainData, Trainer, parse_layers

    work = next(w for w in WORKLOADS if w.key == key)
    X, y = work.data()
    spec = ModelSpec(parse_layers(work.layers_text()), "cross_entropy")
    net = Network.from_spec(spec, X.shape[1], seed=0, dtype="float32")
    config = TrainConfig(optimizer=work.optimizer, lr=work.lr, batch_size=work.batch_size,
                         epochs=work.epochs, seed=0, backend=backend)
    trainer = Trainer(net, TrainData.from_arrays(X, y, classification=True), config)
    events = trainer.run()
    next(events)
    start = time.perf_counter()
    for _ in events:
        pass
    seconds = time.perf_counter() - start
    accuracy = None
    if work.dataset == "digits":
        from engine.data.datasets import load_dataset

        test = load_dataset("digits", seed=0)
        accuracy = float((net.predict(test.X_test.astype("float32")) == test.y_test).mean())
    return seconds, accuracy


def floor(key: str) -> float:
    from bench.matmul_floor import floor as matmul_floor
    from bench.workloads import WORKLOADS

    return matmul_floor(next(w for w in WORKLOADS if w.key == key)).seconds


def _env(threads: int, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": str(threads),
            "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads), **extra}


def _child(args: list[str], env: dict[str, str]) -> list[str]:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], env=env,
                         capture_output=True, text=True, check=True, timeout=900, cwd=ROOT)
    return out.stdout.split()


def compile_times(threads: int = 1) -> tuple[float, float, float]:
    """(import numba seconds, first start compile, second start load) for float32, each start
    a fresh process over one empty temporary numba cache."""
    with tempfile.TemporaryDirectory(prefix="nn-tui-numba-") as cache:
        env = _env(threads, NUMBA_CACHE_DIR=cache)
        first = _child(["--child", "compile"], env)
        second = _child(["--child", "compile"], env)
    return float(second[0]), float(first[1]), float(second[1])


def report(keys: str = "abc", rounds: int = 5, threads: int = 1) -> Iterator[str]:
    """The lines of (i), each as soon as it is known (the table, then the compile times)."""
    times: dict[tuple[str, str], list[float]] = {}
    accuracy: dict[str, str] = {}
    for _ in range(rounds):
        for key in keys:
            for who in CONTENDERS:
                reply = _child(["--child", who, key], _env(threads))
                times.setdefault((key, who), []).append(float(reply[0]))
                print(f"  ({key}) {who}: {reply}", file=sys.stderr, flush=True)
                if len(reply) > 1 and reply[1] != "-":
                    accuracy[f"{key} {who}"] = reply[1]
    lines = [f"(i) the compiled step: numba vs numpy vs the matmul floor, {rounds} interleaved "
             f"rounds, each run a fresh process, {threads} BLAS thread(s); seconds (medians)",
             f"    {'workload':30} {'numba':>8} {'numpy':>8} {'floor':>8} {'floor/numba':>12}"
             f" {'floor/numpy':>12} {'numpy/numba':>12}  target"]
    from bench.workloads import WORKLOADS

    for key in keys:
        t = {who: times[(key, who)] for who in CONTENDERS}

        def paired(a: str, b: str, t: dict[str, list[float]] = t) -> float:
            return statistics.median(x / y for x, y in zip(t[a], t[b], strict=True))

        title = next(w.title for w in WORKLOADS if w.key == key)
        lines.append(f"    {title:30} {statistics.median(t['numba']):8.3f} "
                     f"{statistics.median(t['numpy']):8.3f} {statistics.median(t['floor']):8.3f}"
                     f" {paired('floor', 'numba'):12.0%} {paired('floor', 'numpy'):12.0%}"
                     f" {paired('numpy', 'numba'):11.2f}x  {TARGETS[key]}")
    if accuracy:
        lines.append("    test accuracy (digits, seed 0): " + ", ".join(
            f"{name} {value}" for name, value in sorted(accuracy.items())))
    yield from lines
    try:
        imported, first, second = compile_times(threads)
    except subprocess.CalledProcessError as exc:
        yield f"    numba compile times: failed ({exc.stderr.strip().splitlines()[-1]})"
        return
    yield (f"    numba: import {imported:.2f} s; compiling the float32 step at a first "
                 f"start (empty cache) {first:.1f} s, at a second start (cache hit) {second:.2f} s")


def _run_child(args: list[str]) -> None:
    if args[0] == "compile":
        start = time.perf_counter()
        import numba  # noqa: F401

        imported = time.perf_counter() - start
        from engine.nn.backends import warm_up_backend

        print(f"{imported:.4f} {warm_up_backend('numba', ('float32',)):.4f}")
    elif args[0] == "floor":
        print(f"{floor(args[1]):.6f} -")
    else:
        seconds, acc = train(args[1], args[0])
        print(f"{seconds:.6f} {'-' if acc is None else f'{acc:.4f}'}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        _run_child(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="a,b,c")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    for line in report(args.only.replace(",", ""), args.rounds, args.threads):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
