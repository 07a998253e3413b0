"""`FileDialogs`: the dialogs and questions around saving and opening (ctrl+s, ctrl+o); the
controller does the saving and the building.

Saving pauses a running training while the dialog is open (the weights must not change while
they are written) and says so; the run goes on once the dialog closes, saved or not. It
suggests a fresh name, and never overwrites silently: an existing file is replaced only after a
yes. Opening lists the models folder; a file that cannot be opened leaves the current model as
it was and says why in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from engine import Experiment, ModelInfo
from tui.controller import Controller
from tui.errors import USER_ERRORS
from tui.screens.models import OpenDialog, SaveDialog
from tui.widgets.training_log import TrainingLog


class Host(Protocol):
    """What the dialogs need of the app (`NNTuiApp`)."""

    controller: Controller
    log_panel: TrainingLog

    def push_screen(self, screen: Any, callback: Callable[[Any], None]) -> Any: ...
    def notify(self, message: str, *, severity: str = ...) -> None: ...
    def ask(self, question: str, on_yes: Callable[[], None],
            on_no: Callable[[], None] | None = None) -> None: ...
    def report(self, error: BaseException | None) -> None: ...
    def load(self, build: Callable[[], Experiment], note: str) -> None: ...


class FileDialogs:
    def __init__(self, app: Host) -> None:
        self.app = app
        self.controller = app.controller
        self._paused = False  # saving paused the run: it resumes once saving is over

    def save(self) -> None:
        if self.controller.pause_to_save():
            self._paused = True
            self.app.log_panel.note("paused to save; training goes on after")
        dialog = SaveDialog(self.controller.save_suggestion(), self.controller.models_dir)
        self.app.push_screen(dialog, self._save_to)

    def _save_to(self, path: Path | None) -> None:
        if path is None:
            self._done()
            return
        try:
            exists = path.exists()
        except OSError as exc:
            self.app.report(exc)
            self._done()
            return
        if exists:
            self.app.ask(f"{path.name} already exists. Replace it?",
                         partial(self._write, path, True), on_no=self._kept)
        else:
            self._write(path, False)

    def _kept(self) -> None:
        self.app.notify("not saved: the existing file was kept")
        self._done()

    def _write(self, path: Path, overwrite: bool) -> None:
        try:
            self._write_now(path, overwrite)
        finally:
            self._done()

    def _write_now(self, path: Path, overwrite: bool) -> None:
        if self.controller.is_running():
            self.app.notify("not saved: training is still running (press t to pause)",
                            severity="warning")
            return
        try:
            written = self.controller.save(path, overwrite=overwrite)
        except USER_ERRORS as exc:
            self.app.report(exc)
            return
        self.app.log_panel.note(f"saved {written}")
        self.app.views.show_status()  # "unsaved" goes
        self.app.notify(f"saved {written}")

    def _done(self) -> None:
        """Saving is over (saved, refused or cancelled): a run it paused goes on."""
        if self._paused:
            self._paused = False
            try:
                self.controller.resume()
            except USER_ERRORS as exc:  # the run has gone meanwhile (a rebuild): nothing to do
                self.app.report(exc)

    def open(self) -> None:
        """The dialog opens at once and reads the folder in a worker (never on the UI
        thread: a slow disk, or a FIFO, must not freeze the keys)."""
        self.app.push_screen(OpenDialog(lambda: self.controller.models(),
                                        self.controller.models_dir), self._open)

    def _open(self, info: ModelInfo | None) -> None:
        if info is not None:
            self.app.load(self.controller.open_build(info), f"loaded {info.path}")
