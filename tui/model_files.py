"""Saving and opening models from the app (ctrl+s, ctrl+o). A mixin of `NNTuiApp`.

Saving pauses a running training first (the weights must not change while they are written),
suggests a fresh name, and never overwrites silently: an existing file is replaced only after a
yes. Opening lists the models folder; a file that cannot be opened leaves the current model as
it was and says why in one line.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from engine import EngineError, Experiment, ModelInfo, list_models, suggest_name
from tui.errors import USER_ERRORS
from tui.screens.models import OpenDialog, SaveDialog


class ModelFiles:
    def action_save(self) -> None:
        session, design = self.session, self.design
        runner = session.runner
        if runner.is_alive and runner.state == "running":
            runner.pause()
            self.log_panel.note("paused to save")
        try:
            suggestion = suggest_name(design.data.name, design.spec.layers_text, self.models_dir)
        except (EngineError, OSError):
            suggestion = "model"
        self.push_screen(SaveDialog(suggestion, self.models_dir), self._save_to)

    def _save_to(self, path: Path | None) -> None:
        if path is None:
            return
        try:
            exists = path.exists()
        except OSError as exc:
            self.report(exc)
            return
        if exists:
            self.ask(f"{path.name} already exists. Replace it?",
                     partial(self._write, path, True),
                     on_no=lambda: self.notify("not saved: the existing file was kept"))
        else:
            self._write(path, False)

    def _write(self, path: Path, overwrite: bool) -> None:
        session = self.session
        if session.runner.is_alive and session.runner.state == "running":
            self.notify("not saved: training is still running (press t to pause)",
                        severity="warning")
            return
        try:
            written = session.save(str(path), overwrite=overwrite)
        except USER_ERRORS as exc:
            self.report(exc)
            return
        self.log_panel.note(f"saved {written}")
        self.notify(f"saved {written}")

    def action_open(self) -> None:
        try:
            models = list_models(self.models_dir)
        except (EngineError, OSError) as exc:
            self.report(EngineError(f"{self.models_dir}: cannot list models ({exc})"))
            return
        self.push_screen(OpenDialog(models, self.models_dir), self._open)

    def _open(self, info: ModelInfo | None) -> None:
        if info is not None:
            self.load_session(partial(Experiment.load, info.path), f"loaded {info.path}")
