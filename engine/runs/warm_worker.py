"""Imported once by the forkserver of a sweep or a race (`worker_processes.PRELOAD`) or by a
Dask worker (`executors.DASK_PRELOAD`), never by the app's own process: it readies the compiled
training step (numba loads it from its on-disk cache, about 1.7 s), so every worker forked from
the server starts with it loaded instead of loading it again itself."""

import os

from engine.nn.backends import warm_up_backend
from engine.runs.heap import restore_sliding_thresholds
from engine.runs.sweep import ONE_THREAD_ENV, blas_controller
from engine.train.threads import BlasThreads

warm_up_backend("auto", ("float32", "float64"))
# A Dask worker's nanny fixed glibc's heap thresholds, which makes each run fault in its NumPy
# temporaries afresh (`heap`): put back the ones a plain process slides to.
restore_sliding_thresholds()

# The first run of a process has threadpoolctl find the loaded BLAS libraries (its import and a
# scan of the process's shared libraries: about 6 ms of CPU); done here once, every worker
# forked from the server starts with the controller made. A Dask worker, whose BLAS did not
# start with one thread, also makes the one that keeps each of its runs to one thread.
with BlasThreads(1, ()) as _threads:
    _threads.apply(1)
if not all(os.environ.get(name) == "1" for name in ONE_THREAD_ENV):
    blas_controller()
