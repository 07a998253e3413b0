"""`FileDialogs`: the dialogs and questions around saving and opening (ctrl+s, ctrl+o); the
controller does the saving and the building.

Saving pauses a running training first (the weights must not change while they are written),
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

    def save(self) -> None:
        if self.controller.pause_to_save():
            self.app.log_panel.note("paused to save")
        dialog = SaveDialog(self.controller.save_suggestion(), self.controller.models_dir)
        self.app.push_screen(dialog, self._save_to)

    def _save_to(self, path: Path | None) -> None:
        if path is None:
            return
        try:
            exists = path.exists()
        except OSError as exc:
            self.app.report(exc)
            return
        if exists:
            self.app.ask(f"{path.name} already exists. Replace it?",
                         partial(self._write, path, True),
                         on_no=lambda: self.app.notify("not saved: the existing file was kept"))
        else:
            self._write(path, False)

    def _write(self, path: Path, overwrite: bool) -> None:
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
        self.app.notify(f"saved {written}")

    def open(self) -> None:
        try:
            models = self.controller.models()
        except USER_ERRORS as exc:
            self.app.report(exc)
            return
        self.app.push_screen(OpenDialog(models, self.controller.models_dir), self._open)

    def _open(self, info: ModelInfo | None) -> None:
        if info is not None:
            self.app.load(self.controller.open_build(info), f"loaded {info.path}")
