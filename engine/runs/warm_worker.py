"""Imported once by the sweep's forkserver (`executors.PRELOAD`), never by the app: it readies
the compiled training step (numba loads it from its on-disk cache, about 1.7 s), so every worker
forked from the server starts with it loaded instead of loading it again itself."""

from engine.nn.backends import warm_up_backend
from engine.train.threads import BlasThreads

warm_up_backend("auto", ("float32", "float64"))

# The first run of a process has threadpoolctl find the loaded BLAS libraries (about 60 ms of
# CPU: its import and a scan of the process's shared libraries); done here once, every worker
# forked from the server starts with the controller made.
with BlasThreads(1, ()) as _threads:
    _threads.apply(1)
