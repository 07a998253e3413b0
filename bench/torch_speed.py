"""PyTorch CPU on the same workload: the loop a person would write (no DataLoader), doing what
ours does each step: forward, loss, backward, step, and the running loss and accuracy."""

from __future__ import annotations

import time
from itertools import pairwise

from bench.workloads import Workload


def train_seconds(work: Workload, seed: int = 0) -> float:
    import torch
    from torch import nn

    X_np, y_np = work.data()
    X = torch.from_numpy(X_np.copy())  # a writable copy; torch warns about read-only arrays
    y = torch.from_numpy(y_np.copy())
    torch.manual_seed(seed)
    sizes = work.sizes(X.shape[1])
    layers: list[nn.Module] = []
    for a, b in pairwise(sizes[:-1]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))  # softmax is inside the loss
    model = nn.Sequential(*layers)
    if work.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=work.lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=work.lr)
    loss_fn = nn.CrossEntropyLoss()
    n = len(X)
    size = work.batch(n)
    generator = torch.Generator().manual_seed(seed)

    start = time.perf_counter()
    for _ in range(work.epochs):
        if size < n:
            order = torch.randperm(n, generator=generator)
            Xe, ye = X[order], y[order]
        else:
            Xe, ye = X, y
        total, correct = 0.0, 0
        for lo in range(0, n, size):
            xb, yb = Xe[lo:lo + size], ye[lo:lo + size]
            logits = model(xb)
            loss = loss_fn(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
            correct += int((logits.argmax(1) == yb).sum())
    return time.perf_counter() - start


def measure_in_subprocess(keys: str, threads: int, repeats: int) -> dict | None:
    """Times the workloads named by `keys` in a fresh interpreter: PyTorch's OpenMP threads keep
    spinning after each call, and on two cores that would slow whatever NumPy runs next.
    Returns {"times": {key: [seconds, ...]}, "blas": [report lines]}, or None if it failed."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "bench.torch_speed", keys, str(threads), str(repeats)],
        cwd=root, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"PyTorch run failed: {tail}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _main(argv: list[str]) -> None:
    import json

    import torch  # before the thread limits, so that they reach the libraries it loads

    from bench.common import blas_report, blas_threads
    from bench.workloads import WORKLOADS

    keys, threads, repeats = argv[0], int(argv[1]), int(argv[2])
    times: dict[str, list[float]] = {}
    with blas_threads(threads):
        for work in WORKLOADS:
            if work.key in keys:
                times[work.key] = [train_seconds(work) for _ in range(work.repeats(repeats))]
        blas = [f"  torch {torch.__version__}: MKL {torch.backends.mkl.is_available()}, "
                f"kernel={torch.backends.cpu.get_cpu_capability()}, "
                f"intra-op threads={torch.get_num_threads()}",
                *(line for line in blas_report() if "threads=" in line)]
    print(json.dumps({"times": times, "blas": blas}))


if __name__ == "__main__":
    import sys

    _main(sys.argv[1:])
