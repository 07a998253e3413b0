"""`LiveViews`: the panels kept in step with the controller, at a rate the UI can afford.

The app hands it the events it drains (already applied by the controller to the state, the
history and the scores). Every batch goes to the status line, and to the log (as many lines as a
person can read, see `tui.relay`; while a run goes on, its epoch lines are held and written
together every `LOG_SECONDS`, since each write scrolls the whole log on the terminal); the
charts, the digit viewer and the confusion matrix are redrawn at most every `VIEW_SECONDS`, and
whenever the run pauses or ends. The viewer and the
matrix show the runner's latest `Evaluated` scores, so no forward pass over a split runs here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine import EpochEnd, Evaluated, Event, Started
from tui.controller import Controller, TrainState
from tui.log_lines import schedule_note
from tui.numbers import score_text
from tui.pace import LOG_SECONDS, VIEW_SECONDS, pace_label, speed
from tui.relay import Relay
from tui.widgets.charts import TrainingCharts
from tui.widgets.confusion import ConfusionMatrix
from tui.widgets.digit_viewer import DigitViewer
from tui.widgets.key_bar import KeyBar
from tui.widgets.sample_views import SampleViews
from tui.widgets.status_bar import Status, StatusBar
from tui.widgets.training_log import TrainingLog


@dataclass
class Panels:
    """The widgets that follow the training."""

    status_bar: StatusBar
    charts: TrainingCharts
    viewer: DigitViewer
    confusion: ConfusionMatrix
    log: TrainingLog
    key_bar: KeyBar
    samples: SampleViews | None = None  # the sample panel's input-space pictures


class LiveViews:
    def __init__(self, controller: Controller, panels: Panels, interval: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.controller = controller
        self.clock = clock  # when the log and the views were last drawn (tests stop it)
        self.panels = panels
        self.relay = Relay(interval)
        self.log_scale = False  # the loss chart on a log scale (l)
        self.score = ""  # the status line's test score, as last drawn
        self.shown: TrainState | None = None  # the state the status line last drew
        self._shown_scores: Evaluated | None = None
        self._stale = False  # events not drawn yet
        self._drawn_at = 0.0
        self._held: list[Event | str] = []  # log lines not written yet
        self._logged_at = 0.0

    def take(self, events: Sequence[Event]) -> None:
        """Logs drained events and redraws the views at a bounded rate."""
        controller, panels = self.controller, self.panels
        batch = self.relay.take(events, time.monotonic(), controller.pace)
        self._held += self._with_notes(batch.lines)
        self._stale = self._stale or bool(events)
        panels.key_bar.follow()
        state, now = controller.state, self.clock()
        self._write_log(now, state.phase == "running")
        waited = now - self._drawn_at >= VIEW_SECONDS[speed(controller.pace)]
        if self._stale and (not state.alive or state.phase == "paused" or waited):
            self.refresh()
        elif state != self.shown or events:
            self.show_status()

    def _write_log(self, now: float, running: bool) -> None:
        """Writes the held lines: at once unless a run goes on and they are all epoch lines,
        else at most every LOG_SECONDS."""
        if not self._held:
            return
        epochs_only = all(isinstance(line, EpochEnd) for line in self._held)
        if running and epochs_only and \
                now - self._logged_at < LOG_SECONDS[speed(self.controller.pace)]:
            return
        lines, self._held, self._logged_at = self._held, [], now
        self.panels.log.add(lines)

    def _with_notes(self, lines: Sequence[Event]) -> list[Event | str]:
        """The log's lines, each run's start followed by the lr schedule it follows."""
        noted: list[Event | str] = []
        for line in lines:
            noted.append(line)
            experiment = self.controller.experiment
            if isinstance(line, Started) and experiment is not None:
                note = schedule_note(experiment.config, line)
                if note is not None:
                    noted.append(note)
        return noted

    def refresh(self) -> None:
        """Redraws the charts, and the viewer and the confusion matrix from the latest scores."""
        controller = self.controller
        if controller.experiment is None:
            return
        self._stale, self._drawn_at = False, self.clock()
        scores = controller.evaluation
        if scores is not None and scores is not self._shown_scores:
            self._show_scores(scores)
        regression = not controller.experiment.dataset.is_classification
        self.panels.charts.show(controller.history, controller.previous, regression,
                                self.log_scale, controller.run_target, controller.curves())
        self.show_status()

    def _show_scores(self, scores: Evaluated) -> None:
        self._shown_scores = scores
        panels = self.panels
        network = self.controller.snapshot()
        panels.viewer.set_predictions(scores.probabilities, network)
        if panels.samples is not None:
            panels.samples.show_scores(scores, network)
        if scores.confusion is not None:
            panels.confusion.update_matrix(scores.confusion,
                                           self.controller.experiment.dataset.class_names)
        else:
            r2 = scores.r2 if scores.r2 is not None else float("nan")
            panels.confusion.clear(f"regression: no classes to confuse\ntest R² {r2:.3f}")
        design = self.controller.design
        self.score = score_text(scores.accuracy, scores.r2,
                                design is not None and design.data.same_rows)

    def show_status(self) -> None:
        controller = self.controller
        self.shown = state = controller.state
        self.panels.status_bar.show(Status(controller.model_label, state.phase, state.epoch,
                                           max(controller.run_target, state.epoch),
                                           pace_label(controller.pace), self.score,
                                           controller.unsaved, controller.racing.status))
