"""`autosave`: keeps trained, unsaved weights when the app must close without asking.

A SIGTERM, or a SIGHUP from an SSH connection that dropped, leaves no one to answer "quit without
saving?". Rather than lose the run, the app stops it and saves the model as
`saved_models/autosave-<dataset>-<YYYYmmdd-HHMMSS>.safetensors` (atomic, like every save; a
fresh name, never over another file), and says where on the way out.
"""

from __future__ import annotations

import re
import time

from engine import model_path
from tui.controller.controller import Controller

PREFIX = "autosave"


def autosave(controller: Controller, when: float | None = None) -> str | None:
    """Stops the training thread; if the model holds trained epochs no file has, saves it and
    returns the path written (else None), noted on the run's row in the run store. Raises the
    user's errors (a full disk...)."""
    controller.halt()  # the run log stays open until the model is noted on the run's row
    try:
        path = _save(controller, when)
        if path is not None:
            controller.runs.model_saved(path)
        return path
    finally:
        controller.shutdown()  # writes everything handed to the run log and closes it


def _save(controller: Controller, when: float | None = None) -> str | None:
    experiment = controller.experiment
    if experiment is None or not experiment.unsaved:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(when))
    dataset = re.sub(r"[^A-Za-z0-9_.-]+", "_", experiment.dataset.name).lstrip(".")[:40]
    stem = f"{PREFIX}-{dataset or 'data'}-{stamp}"
    name, n = stem, 1
    while model_path(name, controller.models_dir).exists():
        n += 1
        name = f"{stem}-{n}"
    return experiment.save(str(model_path(name, controller.models_dir)))
