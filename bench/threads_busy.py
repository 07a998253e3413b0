"""Section (j) of `make bench`: large-batch training at 1 BLAS thread, at 2, and at the engine's
own choice (`TrainConfig.threads = 0`), with and without a busy neighbour: a second process
spinning `while True: pass`, which holds a core the way another user's job does.

Each run is its own process, the three settings in rotating order, `rounds` rounds per
condition; it reports the medians, the median paired ratios against 1 thread (above 1: slower)
and the counts the policy chose.

    python -m bench.threads_busy [--rounds 5] [--rows 20000] [--batch 512]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ("1", "2", "auto")
LAYERS = "256:relu,128:relu,10:softmax"


def run_child(setting: str, rows: int, batch: int) -> dict[str, object]:
    from bench.workloads import synthetic_mnist
    from engine import ModelSpec, Network, TrainConfig, TrainData, Trainer, parse_layers
    from engine.train.events import EpochEnd

    X, y = synthetic_mnist()
    X, y = X[:rows], y[:rows]
    net = Network.from_spec(ModelSpec(parse_layers(LAYERS), "cross_entropy"), X.shape[1],
                            dtype="float32")
    threads = 0 if setting == "auto" else int(setting)
    config = TrainConfig(batch_size=batch, epochs=1, threads=threads)
    trainer = Trainer(net, TrainData.from_arrays(X, y, classification=True), config)
    start = time.perf_counter()
    chosen = [trainer.blas_threads for event in trainer.run() if isinstance(event, EpochEnd)]
    return {"seconds": time.perf_counter() - start, "chosen": chosen[0]}


def _one(setting: str, rows: int, batch: int) -> dict[str, object] | None:
    done = subprocess.run([sys.executable, "-m", "bench.threads_busy", "--child", setting,
                           "--rows", str(rows), "--batch", str(batch)], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"  threads={setting} failed: {tail}", file=sys.stderr, flush=True)
        return None
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(rounds: int, rows: int, batch: int, busy: bool) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {s: [] for s in SETTINGS}
    spinner = (subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None)
    try:
        for r in range(rounds):
            print(f"  threads under {'a busy neighbour' if busy else 'the machine as it is'}, "
                  f"round {r + 1}/{rounds}", file=sys.stderr, flush=True)
            order = SETTINGS[r % 3:] + SETTINGS[:r % 3]
            for setting in order:
                result = _one(setting, rows, batch)
                results[setting].append(result or {})
    finally:
        if spinner is not None:
            spinner.kill()  # the one process this started, by its handle
            spinner.wait()
    return results


def _lines(results: dict[str, list[dict]], title: str) -> list[str]:
    def seconds(setting: str) -> list[float | None]:
        return [r.get("seconds") for r in results[setting]]  # type: ignore[misc]

    def median(setting: str) -> str:
        values = [t for t in seconds(setting) if t is not None]
        return f"{statistics.median(values):.2f} s" if values else "-"

    def paired(setting: str) -> str:
        pairs = [a / b for a, b in zip(seconds(setting), seconds("1")) if a and b]
        return f"{statistics.median(pairs):.2f}x" if pairs else "-"

    chosen = sorted({r.get("chosen") for r in results["auto"] if r.get("chosen")})
    return [f"  {title}: 1 thread {median('1')}; 2 threads {median('2')} ({paired('2')} the "
            f"1-thread time); auto {median('auto')} ({paired('auto')}; chose "
            f"{', '.join(map(str, chosen)) or '-'})"]


def report(rounds: int = 5, rows: int = 20_000, batch: int = 512) -> list[str]:
    lines = [f"BLAS threads, {rows:,} x 784 synthetic, 784-256-128-10, batch {batch}, Adam, "
             f"1 epoch; {rounds} rounds, each run its own process, rotating order; medians, "
             f"paired ratio vs 1 thread:"]
    lines += _lines(measure(rounds, rows, batch, busy=False), "the machine as it is")
    lines += _lines(measure(rounds, rows, batch, busy=True), "a busy neighbour (while True)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--child", choices=SETTINGS, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=512)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child, args.rows, args.batch)))
        return 0
    for line in report(args.rounds, args.rows, args.batch):
        print(line)
    return 0


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
