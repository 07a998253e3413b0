"""How many BLAS threads a training run uses (`BlasThreads`), chosen per workload and machine.

A second BLAS thread only pays when a step's matrix products are large: at batch <= 64 (and for
narrow layers at any batch) a product takes microseconds, and handing half of it to another
thread costs about as much as it saves. And a thread is only worth having with a core free to
run it: OpenBLAS splits a product into equal halves and waits for both, so when another process
holds one of two cores, the half on the busy core waits for its time slice and a 2-thread run
gets 3-15x slower than a 1-thread one. So the policy (`threads=0`, the default) is: 1 thread for
small products; for large ones, 1 thread for the first `RECHECK_SECONDS` of a run, then as
many as there are cores that other processes leave free, measured from /proc/stat while
training (every `RECHECK_SECONDS`), so the count follows a neighbour that starts or stops.
`TrainConfig.threads` (`--threads N`) sets the count instead.

The limit is threadpoolctl's, and BLAS thread counts are process-wide: every run that is going
on shares one setting, the last one chosen, and the one from before the first run comes back
when the last run ends. Nothing else in the engine or the app sets it.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Sequence
from itertools import pairwise
from types import TracebackType
from typing import Any

SMALL_BATCH = 64  # batches of at most this many rows: one thread (the measurement)
# The largest product of a step (batch x fan_in x fan_out multiply-adds) below which a second
# thread gains nothing: 128 x 64 x 100 (digits at batch 128) is below, 128 x 784 x 256 far above.
MIN_PARALLEL_WORK = 1 << 21
RECHECK_SECONDS = 1.0  # how often the free cores are measured again during a run
FREE_MARGIN = 0.3  # a core counts as free when others leave at least 0.7 of it idle


def machine_cores() -> int:
    """The cores this process may run on (its affinity mask where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def policy_threads(batch_rows: int, widths: Sequence[int], free_cores: float,
                   cores: int) -> int:
    """The BLAS threads for steps of `batch_rows` rows through layers of `widths` (inputs
    first): 1 for small products, else the free cores (at least 1, at most `cores`)."""
    largest = max((a * b for a, b in pairwise(widths)), default=0) * batch_rows
    if batch_rows <= SMALL_BATCH or largest < MIN_PARALLEL_WORK:
        return 1
    return max(1, min(cores, math.floor(free_cores + FREE_MARGIN)))


class FreeCores:
    """The cores other processes left idle since the last reading: the machine's busy time
    (/proc/stat) minus this process's own CPU time, over the wall time between two readings.
    Where /proc/stat does not exist every core counts as free."""

    def __init__(self) -> None:
        self._last = self._read()

    @staticmethod
    def _read() -> tuple[float, int, int, float] | None:
        """(wall seconds, machine busy jiffies, all jiffies, own CPU seconds), or None."""
        try:
            with open("/proc/stat", encoding="ascii") as stat:
                fields = [int(v) for v in stat.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return time.monotonic(), sum(fields) - idle, sum(fields), time.process_time()

    def measure(self, cores: int) -> float:
        """Free cores since the previous call (or since this was made)."""
        now, last = self._read(), self._last
        self._last = now
        if now is None or last is None or now[2] <= last[2] or now[0] <= last[0]:
            return float(cores)
        total_cpus = os.cpu_count() or cores
        busy_cores = total_cpus * (now[1] - last[1]) / (now[2] - last[2])
        own_cores = (now[3] - last[3]) / (now[0] - last[0])
        return max(0.0, cores - max(0.0, busy_cores - own_cores))


class _Shared:
    """The process-wide limit: how many runs use it, the limiter that restores the setting
    from before the first run, and the count set now."""

    lock = threading.Lock()
    users = 0
    controller: Any = None  # threadpoolctl.ThreadpoolController, made at the first run
    original: Any = None  # the first limiter: restoring it gives back the setting from before
    current = 0


def _set_blas_threads(n: int) -> None:
    """Caller holds `_Shared.lock`."""
    if _Shared.current == n:
        return
    from threadpoolctl import ThreadpoolController

    if _Shared.controller is None:
        _Shared.controller = ThreadpoolController()
    limiter = _Shared.controller.limit(limits=n, user_api="blas")
    if _Shared.original is None:
        _Shared.original = limiter
    _Shared.current = n


def _release_blas_control() -> None:
    """threadpoolctl (3.7 on) lets one thread at a time set OpenBLAS's count, the first to set
    it, and keeps that Thread object until another takes over: a run's thread, and through it
    whatever it referenced (its experiment; in the app, the app), outlived the run. The last
    run to end lets go of it, as `threadpool_limits` does when it exits."""
    try:
        from threadpoolctl import OpenBLASController
    except ImportError:  # an older threadpoolctl: no such control
        return
    clear = getattr(OpenBLASController, "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)


class BlasThreads:
    """The BLAS threads of one training run: `with BlasThreads(...) as threads:` around the
    loop, `threads.apply(batch_rows)` before each epoch. `requested` > 0 is a fixed count
    (`--threads N`); 0 follows `policy_threads`, leaving `reserve` of the free cores to the
    process's other threads (the app's UI thread: BLAS threads that take every core starve it)."""

    def __init__(self, requested: int, widths: Sequence[int], reserve: int = 0) -> None:
        self.requested = requested
        self.reserve = reserve
        self.widths = tuple(widths)
        self.cores = machine_cores()
        self.chosen = 0  # the count applied last (0: none yet)
        self._free: FreeCores | None = None
        self._checked = -math.inf

    def choose(self, batch_rows: int) -> int:
        """The count for this epoch; the free cores are measured at most every
        `RECHECK_SECONDS` (a product that never gains from threads measures nothing)."""
        if self.requested > 0:
            return self.requested
        if policy_threads(batch_rows, self.widths, self.cores, self.cores) == 1:
            return 1
        now = time.monotonic()
        if self._free is None:  # 1 thread until the machine has been watched for a while
            self._free, self._checked = FreeCores(), now
            return 1
        if now - self._checked < RECHECK_SECONDS:
            return self.chosen or 1
        self._checked = now
        free = max(0.0, self._free.measure(self.cores) - self.reserve)
        return policy_threads(batch_rows, self.widths, free, self.cores)

    def apply(self, batch_rows: int) -> int:
        """Chooses and sets the count (a no-op when it is unchanged); returns it."""
        n = self.choose(batch_rows)
        with _Shared.lock:  # another run may have set another count meanwhile
            _set_blas_threads(n)
        self.chosen = n
        return n

    def __enter__(self) -> BlasThreads:
        with _Shared.lock:
            _Shared.users += 1
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        with _Shared.lock:
            _Shared.users -= 1
            if _Shared.users == 0 and _Shared.original is not None:
                _Shared.original.restore_original_limits()
                _Shared.original, _Shared.current = None, 0
                _release_blas_control()
