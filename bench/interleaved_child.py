"""The child of `bench.interleaved`: one timed run of one contender on one workload, in a
process of its own (`python -m bench.interleaved --child NAME KEY THREADS`), with the BLAS it
ran on (threadpoolctl). Contender names: "ours" (or "ours:BACKEND"), "sklearn", "torch",
"floor".
"""

from __future__ import annotations

import os
import time

OURS = "ours"


def _blas_line() -> str:
    from threadpoolctl import threadpool_info

    parts = []
    for info in threadpool_info():
        if info["user_api"] != "blas":
            continue
        parts.append(f"{info.get('internal_api')} {info.get('version') or ''} "
                     f"kernel={info.get('architecture') or '-'} "
                     f"threads={info.get('num_threads')} "
                     f"({os.path.basename(info.get('filepath', '?'))})")
    return "; ".join(dict.fromkeys(parts)) or "no BLAS loaded"


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}  # --clock: the child's timer


def run_child(name: str, key: str, threads: int, clock: str = "wall") -> dict[str, object]:
    """In the child process: one timed run of contender `name` on workload `key`, timed by
    `clock` (every timer the contenders read is `time.perf_counter`, made `CLOCKS[clock]`)."""
    time.perf_counter = CLOCKS[clock]
    if name == "torch":
        import torch  # before the limits, so that they reach the libraries it loads
    from bench.common import blas_threads
    from bench.workloads import WORKLOADS

    work = next(w for w in WORKLOADS if w.key == key)
    work.data()  # made before the clock starts
    with blas_threads(threads):
        if name.startswith(OURS):
            from bench import engine_speed

            backend = name.partition(":")[2] or None
            seconds = engine_speed.train_seconds(work, threads=threads, backend=backend)
        elif name == "sklearn":
            from bench import sklearn_speed

            seconds = sklearn_speed.train_seconds(work)
        elif name == "torch":
            from bench import torch_speed

            seconds = torch_speed.train_seconds(work)
        else:
            from bench import matmul_floor

            seconds = matmul_floor.floor(work).seconds
        blas = _blas_line()
        if name == "torch":
            blas = (f"torch {torch.__version__} kernel={torch.backends.cpu.get_cpu_capability()}"
                    f" intra-op threads={torch.get_num_threads()}; {blas}")
    return {"seconds": seconds, "blas": blas}
