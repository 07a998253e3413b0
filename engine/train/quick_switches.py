"""`QuickSwitches`: while a run goes on, a thread that asks for the GIL gets it within
`SWITCH_SECONDS` rather than CPython's default 5 ms. The training thread runs an epoch without the
GIL (the compiled step) and needs it only briefly between epochs, and every time the UI thread was
drawing in Python meanwhile, the trainer waited out the full 5 ms, several epochs at full pace.
"""

from __future__ import annotations

import sys
import threading

# Measured (`make bench`, g): at full pace with the app's UI drawing, the training thread waited
# for the GIL about 5% of the time with 5 ms, about 2.5% with 0.5 ms.
SWITCH_SECONDS = 0.0005


class QuickSwitches:
    """While any training thread runs (a context each), `sys.setswitchinterval` is at most
    `SWITCH_SECONDS`; the interval it had comes back when the last one ends. A process-wide
    setting, so counted across runners."""

    _lock = threading.Lock()
    _running = 0
    _saved = 0.0

    def __enter__(self) -> None:
        cls = QuickSwitches
        with cls._lock:
            if cls._running == 0:
                cls._saved = sys.getswitchinterval()
                sys.setswitchinterval(min(cls._saved, SWITCH_SECONDS))
            cls._running += 1

    def __exit__(self, *exc: object) -> None:
        cls = QuickSwitches
        with cls._lock:
            cls._running -= 1
            if cls._running == 0:
                sys.setswitchinterval(cls._saved)
