"""`ExperimentSwitch`: how the app moves to another experiment. A build (a dataset may take a
second to load) runs in a worker and its result is adopted; a design change is asked about first
when something would be lost, then carried out: applied at once, adopted, or built anew.

Keys pressed while a build runs wait (`loading`, see `tui.key_gate`) and act on the new
experiment in their order; a build that fails leaves the old experiment as it was, or, when there
is none yet, opens the default digits model.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from textual.worker import Worker, WorkerState

from engine import Experiment, warm_up_backend
from tui.controller import Change, Controller
from tui.errors import USER_ERRORS
from tui.key_gate import KeyGate
from tui.views import LiveViews
from tui.widgets.architecture import ArchitectureEditor
from tui.widgets.digit_viewer import DigitViewer
from tui.widgets.sample_views import SampleViews
from tui.widgets.training_log import TrainingLog


class Host(Protocol):
    """What the switch needs of the app (`NNTuiApp`), named here so as not to import it."""

    controller: Controller
    editor: ArchitectureEditor
    viewer: DigitViewer
    samples: SampleViews
    views: LiveViews
    log_panel: TrainingLog
    key_gate: KeyGate

    @property
    def is_running(self) -> bool: ...
    def run_worker(self, work: Any, *args: Any, **kwargs: Any) -> Any: ...
    def refresh_bindings(self) -> None: ...
    def report(self, error: BaseException | None) -> None: ...
    def ask(self, question: str, on_yes: Callable[[], None],
            on_no: Callable[[], None] | None = None) -> None: ...


class ExperimentSwitch:
    def __init__(self, app: Host) -> None:
        self.app = app
        self.loading = True  # while an experiment is built, keys wait (see KeyGate)

    # -- experiments, built in a worker -----------------------------------------------------
    def load(self, build: Callable[[], Experiment], note: str) -> None:
        """Builds an experiment in a thread (datasets may take a second), then adopts it. Keys
        pressed meanwhile wait, and act on the new experiment in their order."""
        self.loading = True
        self.app.run_worker(build, name=note, group="session", thread=True, exclusive=True,
                            exit_on_error=False)

    def worker_changed(self, event: Worker.StateChanged) -> None:
        app, worker = self.app, event.worker
        if worker.group != "session" or not app.is_running:
            return
        if event.state == WorkerState.SUCCESS:
            app.controller.adopt(worker.result)
            self.adopted(worker.name)
        elif event.state == WorkerState.ERROR:
            app.report(worker.error)
            if app.controller.experiment is None:  # the preset failed: start from the default
                self.load(app.controller.default_build(),
                          "opened the default digits model instead")
            else:  # the old experiment stays: the keys held for the new one act on it
                self.loading = False
                if app.controller.design is not None:
                    app.editor.show(app.controller.design)
                app.key_gate.pump()

    def adopted(self, note: str) -> None:
        """Shows the experiment the controller has just adopted, after the old one's last
        events."""
        app = self.app
        experiment = app.controller.experiment
        self.loading = False
        app.editor.show(app.controller.design)
        if app.viewer.dataset is not experiment.dataset:
            app.viewer.set_dataset(experiment.dataset)
            app.samples.set_dataset(experiment.dataset)
        app.views.take(app.controller.drain())
        app.log_panel.note(note)
        if app.controller.design.data.same_rows_note:  # people, the gates: say the obvious
            app.log_panel.note(app.controller.design.data.same_rows_note)
        app.views.refresh()
        app.refresh_bindings()
        app.key_gate.pump()  # the keys pressed while loading act now, in their order
        # The compiled step (numba), compiled or loaded from its cache while the person looks.
        app.run_worker(partial(warm_up_backend, experiment.config.backend,
                               (experiment.network.dtype.name,)),
                       group="warm-up", thread=True, exit_on_error=False)

    # -- design changes -----------------------------------------------------------------------
    def make(self, change: Change) -> None:
        self.after_asking(change.question, partial(self._carry_out, change))

    def _carry_out(self, change: Change) -> None:
        app = self.app
        try:
            outcome = change.carry_out()
        except USER_ERRORS as exc:
            app.report(exc)
            app.editor.show(app.controller.design)
            return
        if outcome.build is not None:
            self.load(outcome.build, outcome.note)
        elif outcome.adopted:
            self.adopted(outcome.note)
        else:
            app.log_panel.note(outcome.note)
            app.views.refresh()  # before the first epoch the header and charts show the target

    def after_asking(self, question: str | None, action: Callable[[], None]) -> None:
        """Runs `action` at once when there is nothing to ask, else after a yes; a no puts
        the editor back as it was."""
        if question is None:
            action()
        else:
            app = self.app
            app.ask(question, action, on_no=lambda: app.editor.show(app.controller.design))
