"""Imported once by the sweep's forkserver (`executors.PRELOAD`), never by the app: it readies
the compiled training step (numba loads it from its on-disk cache, about 1.7 s), so every worker
forked from the server starts with it loaded instead of loading it again itself."""

from engine.nn.backends import warm_up_backend

warm_up_backend("auto", ("float32", "float64"))
