"""`ExitSignals`: SIGTERM and SIGHUP (an SSH connection that dropped) close the app cleanly.

Python's default for both is to die at once, which left the terminal in the alternate screen,
raw, with the cursor hidden, and the training thread's work lost. Installed on the app's event
loop (`loop.add_signal_handler`, so the handler runs on the UI thread between two callbacks, not
inside one), a signal stops the training, keeps trained, unsaved weights in an autosave file
(`tui.controller.autosave`) and asks Textual to exit, which puts the terminal back as it was.
`note` is the line `run_app` prints once the terminal is restored: where the model went.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Protocol

from tui.controller import Controller
from tui.controller.autosave import autosave
from tui.errors import USER_ERRORS, one_line

EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Exitable(Protocol):
    controller: Controller

    def exit(self, result: int | None = None) -> None: ...


class ExitSignals:
    def __init__(self, app: Exitable) -> None:
        self.app = app
        self.note: str | None = None  # said on the way out (after the terminal is restored)
        self._installed: list[int] = []

    def install(self) -> None:
        """Handles the signals on the running loop (call from the app, on its loop)."""
        loop = asyncio.get_running_loop()
        for signum in EXIT_SIGNALS:
            loop.add_signal_handler(signum, self.caught, signum)
            self._installed.append(signum)

    def remove(self) -> None:
        loop = asyncio.get_running_loop()
        while self._installed:
            loop.remove_signal_handler(self._installed.pop())

    def caught(self, signum: int) -> None:
        """Stops training, autosaves what would be lost, and exits (status 0: a clean close)."""
        name = signal.Signals(signum).name
        try:
            path = autosave(self.app.controller)
        except USER_ERRORS as exc:
            self.note = f"nn-tui: {name}: the trained model could not be saved: {one_line(exc)}"
        else:
            self.note = (f"nn-tui: {name}: training stopped; the trained model is saved in "
                         f"{path}" if path else None)
        self.app.exit(0)
