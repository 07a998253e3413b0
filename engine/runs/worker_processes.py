"""Worker processes that start ready to train, for a sweep's pool and a race: forked by
multiprocessing's forkserver, which imported the engine and loaded the compiled step once, so a
worker costs a fork, not a Python start-up and a load of the compiled step (about 1.3 s of CPU
each). Each worker's BLAS has one thread (they share the cores), and a worker notices when the
process that launched it is gone (the forkserver, not the launcher, is its parent).
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

from engine.runs.sweep import ONE_THREAD_ENV

# No scikit-learn (1.2 s of CPU here): a sweep's launcher sends digits' whole arrays once a
# worker, which splits them for each run (`shipped_raw`), or hands each job its dataset
# (`Job.with_data`); a race's worker whose data needs it (a loader, StandardScaler) imports it.
# One list for both: a process has one forkserver, and the first to start it sets its preload.
PRELOAD = ("engine.runs.sweep", "engine.runs.warm_worker")


def start_workers_early() -> None:
    """Starts the forkserver now, importing `PRELOAD` (while the launcher goes on with its own
    checks), in an environment that gives each worker's BLAS one thread. The server is one a
    process: when it is running already, this does nothing."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    saved = {name: os.environ.get(name) for name in ONE_THREAD_ENV}
    os.environ.update(dict.fromkeys(ONE_THREAD_ENV, "1"))
    try:
        forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def workers_skip_main(fn: Callable[..., Any]) -> Iterator[None]:
    """Spares each worker started inside a run of the launcher's main script: multiprocessing
    runs it again in every process it starts (as `__mp_main__`), for what `__main__` defines,
    and the `nn-tui` script imports the whole command line (about 30 ms a worker, on the pool's
    start-up). The workers need nothing from it unless `fn` lives there. While they start,
    `__main__` gets a spec named `__main__`, the case where multiprocessing leaves a worker's
    main alone (as for `python -m`). (Python 3.11's forkserver would not preload it either: it
    looks for a key, `main_path`, that `spawn.get_preparation_data` no longer writes.)"""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None or fn.__module__ == "__main__":
        yield
        return
    main.__spec__ = importlib.machinery.ModuleSpec("__main__", None)
    try:
        yield
    finally:
        main.__spec__ = None


def launcher_gone(pid: int) -> bool:
    """Whether process `pid` has ended: no such process, or a zombie (exited, not yet reaped
    by its parent), which kill(pid, 0) still finds; /proc tells them apart where there is one."""
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:  # its pid went to another user's process: gone too
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except FileNotFoundError:  # reaped meanwhile
        return Path("/proc/self").exists()
    except OSError:  # no /proc (macOS): kill's answer is all there is
        return False
    return stat[stat.rfind(b")") + 2:][:1] == b"Z"  # "pid (name) STATE ...": name may hold ")"


def exit_when_launcher_gone(launcher: int) -> None:
    """Ends this worker within a second of `launcher` ending (killed too, even by SIGKILL):
    its parent is the forkserver, which outlives the launcher and does not stop its children,
    and a worker would otherwise train on for nobody. A daemon thread that looks once a
    second."""
    def watch() -> None:
        while not launcher_gone(launcher):
            time.sleep(1.0)
        os._exit(1)  # whatever is still unsent, nobody reads it

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()
