"""Whose a `running` row is: a process by host, pid and the pid's start time, so that a row
whose process is gone (or whose pid a later process reuses) reads as interrupted."""

from __future__ import annotations

import os
from pathlib import Path


def process_started(pid: int) -> str | None:
    """When `pid` started (clock ticks since boot, from /proc), to tell it from a later process
    that reuses its number; None where /proc is missing."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    after_name = stat.rsplit(")", 1)[-1].split()  # the name in (...) may hold spaces
    return after_name[19] if len(after_name) > 19 else None


def alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    return started is None or process_started(pid) in (None, started)
