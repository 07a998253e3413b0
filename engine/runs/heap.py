"""The C heap of a Dask worker: glibc's thresholds put back to what a plain process reaches.

Dask's nanny starts each worker with `MALLOC_TRIM_THRESHOLD_=65536` (so that freed memory goes
back to the system). Setting any malloc parameter also turns off glibc's sliding mmap threshold,
so every NumPy temporary over 128 KiB (each epoch's forward pass over the training split) is then
mapped, faulted in page by page and unmapped again: a digits run took about twice the page
faults and 15-25% more CPU in a Dask worker than in a local one. A worker of ours fixes both
thresholds where a plain process's sliding ones end up.
"""

from __future__ import annotations

import ctypes
import os

# glibc's <malloc.h>: mallopt's parameter numbers.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
# A plain process's mmap threshold slides up to 32 MiB (glibc's DEFAULT_MMAP_THRESHOLD_MAX on
# 64-bit) and its trim threshold to twice that; a block above it (a large dataset's
# activations) is still mapped and given back as soon as it is freed.
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
# The environment variables that fix glibc's thresholds (and stop the sliding one).
TUNING_ENV = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_",
              "MALLOC_MMAP_MAX_")


def restore_sliding_thresholds() -> bool:
    """Sets the thresholds a plain process would reach, when the environment fixed them (a
    Dask worker); True if it did. Elsewhere (no tuning, not glibc) it leaves the heap as is."""
    if not any(name in os.environ for name in TUNING_ENV):
        return False
    try:  # the C library this process already has (CDLL(None): its own symbols)
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no mallopt (macOS): nothing of this applies
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
