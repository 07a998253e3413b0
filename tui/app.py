"""`NNTuiApp`: the one screen where a network is designed, trained live and looked inside.

The training thread only publishes events; up to ten times a second `_tick` drains them on the
UI thread, appends the history in bulk, logs what a person can read, and (at most five times a
second) redraws the charts, the digit viewer and the confusion matrix from a read-only snapshot.
The keys live in `tui.keys` and `tui.key_actions`, design changes in `tui.changes`, saving and
opening in `tui.model_files`.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from engine import MODELS_DIR, EpochEnd, Event, Experiment, Reset, Started
from tui.changes import DesignChanges
from tui.design import Design
from tui.errors import USER_ERRORS, one_line
from tui.key_actions import KeyActions
from tui.keys import APP_BINDINGS
from tui.model_files import ModelFiles
from tui.pace import DEFAULT_PACE, Pace, pace_label
from tui.relay import Relay
from tui.screens.confirm import ConfirmScreen
from tui.sessions import Preset
from tui.widgets.architecture import ArchitectureEditor
from tui.widgets.charts import TrainingCharts
from tui.widgets.confusion import ConfusionMatrix
from tui.widgets.digit_viewer import DigitViewer
from tui.widgets.key_bar import KeyBar
from tui.widgets.status_bar import Status, StatusBar
from tui.widgets.training_log import Clock, TrainingLog, wall_clock
from tui.widgets.workbench import Workbench

# How often, while training, the trainer's events are drained (log and status line) and the
# charts, viewer and confusion matrix redrawn. At full speed every bit of UI work takes the GIL
# from the training thread (a redraw costs ~25 ms, mostly plotext), so the UI looks less often.
TICK_SECONDS = 0.1
DRAIN_SECONDS = {"paced": 0.1, "full speed": 0.25}
VIEW_SECONDS = {"paced": 0.2, "full speed": 1.0}
PANEL_TITLES = {"editor": "architecture", "charts": "training curves", "viewer": "test sample",
                "confusion": "confusion matrix (test)", "log": "training log"}


class NNTuiApp(KeyActions, DesignChanges, ModelFiles, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "nn-tui"
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    log_scale: reactive[bool] = reactive(False)

    def __init__(self, *, models_dir: str | Path = MODELS_DIR, clock: Clock = wall_clock,
                 pace: Pace = DEFAULT_PACE, sample_seed: int = 0, **options: object) -> None:
        super().__init__()
        self.preset = Preset(**options)
        self.models_dir = Path(models_dir)
        self.clock = clock
        self.pace: Pace = pace
        self.sample_seed = sample_seed
        self.session: Experiment | None = None
        self.design: Design | None = None
        self.history: list[EpochEnd] = []  # this run's epochs, for the charts
        self.previous: list[EpochEnd] = []  # the run before the last re-initialisation
        self.target = 0  # the epoch the current run trains to
        self.score = ""
        self.relay = Relay(TICK_SECONDS)
        self._stale = False  # new epochs not drawn yet
        self._drawn_at = self._drained_at = 0.0
        self.shown_state = ""

    @classmethod
    def from_namespace(cls, namespace: argparse.Namespace, **settings: object) -> NNTuiApp:
        return cls(**settings, **vars(Preset.from_namespace(namespace)))

    # -- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Workbench(id="workbench"):
            yield ArchitectureEditor(id="editor", classes="panel in-design")
            yield TrainingCharts(id="charts", classes="panel in-watch")
            yield DigitViewer(rng=np.random.default_rng(self.sample_seed), id="viewer",
                              classes="panel in-watch")
            yield ConfusionMatrix(id="confusion", classes="panel in-design")
            yield TrainingLog(self.clock, id="log", classes="panel in-watch in-design")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        # Kept, not queried each time: queries run on the active screen, which may be a dialog.
        self.workbench = self.query_one(Workbench)
        self.editor = self.query_one(ArchitectureEditor)
        self.charts = self.query_one(TrainingCharts)
        self.viewer = self.query_one(DigitViewer)
        self.confusion = self.query_one(ConfusionMatrix)
        self.log_panel = self.query_one(TrainingLog)
        self.status_bar = self.query_one(StatusBar)
        self.key_bar = self.query_one(KeyBar)
        for panel in self.workbench.panels:
            panel.border_title = PANEL_TITLES[panel.id]
        self.editor.show_loading(self.preset.dataset_name)
        self.editor.focus_target().focus()
        self.show_status()
        self.set_interval(TICK_SECONDS, self._tick)
        self.load_session(self.preset.build, "ready: press t to train, ? for help")

    # -- sessions ---------------------------------------------------------------------------
    def load_session(self, build: Callable[[], Experiment], note: str) -> None:
        """Builds a session in a thread (datasets may take a second to load), then adopts it."""
        self.run_worker(build, name=note, group="session", thread=True, exclusive=True,
                        exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "session" or not self.is_running:
            return
        if event.state == WorkerState.SUCCESS:
            self.adopt(worker.result, worker.name)
        elif event.state == WorkerState.ERROR:
            self.report(worker.error)
            if self.session is None:  # the preset failed: start from the default instead
                self.load_session(Preset().build, "opened the default digits model instead")
            elif self.design is not None:
                self.editor.show(self.design)

    def adopt(self, session: Experiment, note: str, new_run: bool = True) -> None:
        """Makes `session` the current one; the old runner is stopped and its last events
        logged. `new_run` moves the current curves to the faded "previous run", kept only
        while the dataset stays the same (curves of other data do not compare)."""
        old, design = self.session, Design.of(session)
        if old is not None:
            old.runner.stop(wait=True)
            self.take_events(old.runner.drain())
        if self.design is None or self.design.data.source != design.data.source:
            self.previous = []
        elif new_run and self.history:
            self.previous = self.history
        self.session = session
        self.history = list(session.trainer.history)
        self.target = session.runner.epoch
        session.runner.set_pace(self.pace)
        self.design = design
        self.editor.show(self.design)
        if old is None or old.dataset is not session.dataset:
            self.viewer.set_dataset(session.dataset)
        self.log_panel.note(note)
        self.refresh_views()
        self.refresh_bindings()

    def ask(self, question: str, on_yes: Callable[[], None],
            on_no: Callable[[], None] | None = None) -> None:
        def answered(yes: bool | None) -> None:
            (on_yes if yes else on_no or (lambda: None))()

        self.push_screen(ConfirmScreen(question), answered)

    def report(self, error: BaseException | None) -> None:
        """A user's error becomes one line; anything else is a bug and is raised."""
        if isinstance(error, USER_ERRORS):
            self.notify(one_line(error), severity="error", timeout=6)
            self.log_panel.note(one_line(error), problem=True)
        elif error is not None:
            raise error

    # -- the relay from the training thread --------------------------------------------------
    def _tick(self) -> None:
        if self.session is None or not self.is_running:  # not while the widgets go away
            return
        runner, now = self.session.runner, time.monotonic()
        busy = runner.is_alive and runner.state == "running"
        if busy and now - self._drained_at < DRAIN_SECONDS[self._speed]:
            return
        self._drained_at = now
        self.take_events(runner.drain())

    @property
    def _speed(self) -> str:
        return "paced" if self.pace else "full speed"

    def take_events(self, events: Sequence[Event]) -> None:
        """Applies drained events: history, log lines, and (at a bounded rate) the views."""
        for event in events:
            if isinstance(event, EpochEnd):
                self.history.append(event)
            elif isinstance(event, Reset):
                self.previous, self.history = self.history or self.previous, []
            elif isinstance(event, Started):
                self.target = event.target_epoch
        batch = self.relay.take(events, time.monotonic(), self.pace)
        self.log_panel.add(batch.lines)
        self._stale = self._stale or not batch.empty
        runner = self.session.runner if self.session else None
        state = runner.state if runner else "loading"
        self.key_bar.follow()
        now = time.monotonic()
        idle = runner is None or not runner.is_alive or state == "paused"
        if self._stale and (idle or now - self._drawn_at >= VIEW_SECONDS[self._speed]):
            self.refresh_views()
        elif state != self.shown_state or events:
            self.show_status()

    def refresh_views(self) -> None:
        """Redraws the charts, the viewer and the confusion matrix from a snapshot."""
        session = self.session
        if session is None:
            return
        self._stale, self._drawn_at = False, time.monotonic()
        snapshot = session.trainer.snapshot()
        self.viewer.set_network(snapshot)
        evaluation = session.evaluate("test", network=snapshot)
        regression = evaluation.accuracy is None
        if evaluation.confusion is not None:
            self.confusion.update_matrix(evaluation.confusion, session.dataset.class_names)
            self.score = f"test acc {evaluation.accuracy:.3f}"
        else:
            r2 = evaluation.r2 if evaluation.r2 is not None else float("nan")
            self.confusion.clear(f"regression: no classes to confuse (test R² {r2:.3f})")
            self.score = f"test R² {r2:.3f}"
        self.charts.show(self.history, self.previous, regression, self.log_scale,
                         self.run_target)
        self.show_status()

    def show_status(self) -> None:
        session, design = self.session, self.design
        runner = session.runner if session else None
        self.shown_state = runner.state if runner else "loading"
        model = "loading…"
        if design is not None:
            units = "-".join(str(layer.units) for layer in design.layers)
            model = f"{design.data.name} {design.data.n_inputs}-{units}"
        epoch = runner.epoch if runner else 0
        self.status_bar.show(Status(model, self.shown_state, epoch, max(self.run_target, epoch),
                                    pace_label(self.pace), self.score))

    @property
    def run_target(self) -> int:
        """The epoch the current run trains to; before the first epoch, the one the next run
        will (the epochs field), not what an earlier run trained to before a re-init."""
        runner = self.session.runner if self.session else None
        if runner and self.design and runner.epoch == 0 and not runner.is_alive:
            return self.design.config.epochs
        return self.target

    # -- quitting -----------------------------------------------------------------------------
    async def action_quit(self) -> None:
        runner = self.session.runner if self.session else None
        if runner is not None and runner.is_alive and runner.state == "running":
            self.ask("Training is running. Stop it and quit?", self._quit)
        elif self.session is not None and self.session.unsaved:
            self.ask(f"The model trained to epoch {runner.epoch} is not saved (ctrl+s saves "
                     "it). Quit anyway?", self._quit)
        else:
            self._quit()

    def _quit(self) -> None:
        self.stop_training()
        self.exit(0)

    def stop_training(self) -> None:
        if self.session is not None:
            self.session.runner.stop(wait=True)

    def on_unmount(self) -> None:
        self.stop_training()


def run_app(namespace: argparse.Namespace) -> int:
    """`nn-tui` with no subcommand: runs the app preset from the command line's options."""
    app = NNTuiApp.from_namespace(namespace)
    app.run()
    return int(app.return_code or 0)
