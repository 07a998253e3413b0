"""`AppState`: everything the app knows, in plain Python (no Textual), fed only by events.

It owns the experiment (dataset, network, trainer, runner), the design being edited, the run
history (this run's epochs and the previous run's, drawn faded) and the one `TrainState`, fed
only by the events the runner publishes, and answers what applies now (what may be done, what
would be lost, what the status line says). What the app does with it, one method per intention,
is `Controller`'s, which builds on this class.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine import (
    MODELS_DIR,
    EngineError,
    EpochEnd,
    EpochHistory,
    Evaluated,
    Event,
    Experiment,
    InsideStats,
    Network,
    Reset,
)
from tui.controller.compare import Comparison, Curve, Described
from tui.controller.inside import InsideFeed
from tui.controller.racing import Racing, layers_text
from tui.controller.recording import RunLog
from tui.controller.state import TrainState
from tui.design import Design
from tui.pace import DEFAULT_PACE, VIEW_SECONDS, Pace, speed
from tui.sessions import Build, Preset, scored


class AppState:
    """The app's state (see the module's story); `Controller` adds the intentions."""

    def __init__(self, preset: Preset | None = None, models_dir: str | Path = MODELS_DIR,
                 pace: Pace = DEFAULT_PACE, runs_path: Path | None = None) -> None:
        self.preset = preset or Preset()
        self.runs = RunLog(runs_path)  # every run recorded in the run store (None: not)
        self.comparison = Comparison()  # the runs drawn beside the live one
        self.racing = Racing(self.comparison)
        self.models_dir = Path(models_dir)
        self.pace: Pace = pace
        self.experiment: Experiment | None = None
        self.design: Design | None = None
        self.history = EpochHistory()  # this run's epochs, for the charts, within a budget
        self.previous: list[EpochEnd] = []  # the run before the last re-initialisation
        self.state = TrainState()
        self.evaluation: Evaluated | None = None  # the latest test-split scores
        self._taken: list[Event] = []  # applied to the state, not yet handed to the app
        self.inside = InsideFeed()  # the layer figures, for the inside view (i)

    # -- experiments ------------------------------------------------------------------------
    def first_build(self, built: Experiment | None = None) -> Build:
        """The experiment the command line asked for (`nn-tui --dataset ... --model ...`):
        `built`, when the command line has built it already, else built from the preset."""
        if built is None:
            return scored(self.preset.build)
        ready: Experiment = built
        return scored(lambda: ready)

    @staticmethod
    def default_build() -> Build:
        """The default digits model: where the app goes when the preset cannot be built."""
        return scored(Preset().build)

    def adopt(self, experiment: Experiment, new_run: bool = True) -> None:
        """Makes `experiment` the current one. The old runner is stopped and its last events
        kept for `drain`. `new_run` moves the current curves to the faded "previous run", kept
        only while the dataset stays the same (curves of other data do not compare, nor do the
        runs overlaid or raced on another dataset: they leave the charts)."""
        old, design = self.experiment, Design.of(experiment)
        if old is not None:
            old.runner.stop(wait=True)
            self._pull()
            self.runs.end()  # the next run is another row, even when the weights are kept
        if self.design is None or self.design.data.source != design.data.source:
            self.previous = []
            self.comparison.keep_dataset(design.data.name)  # only this dataset's curves
        elif new_run and self.history:
            self.previous = self.history
        trainer = experiment.trainer
        self.experiment, self.design = experiment, design
        self.history = EpochHistory(trainer.history)
        self.state = TrainState("idle", trainer.epoch, trainer.epoch)
        self.evaluation = None
        self.inside.follow(experiment)
        self._apply_pace()
        self._pull()  # the scores a worker computed, if it did (see `scored`)
        if self.evaluation is None:
            experiment.runner.request_evaluation()

    def drain(self) -> list[Event]:
        """Every event since the last call, oldest first, already applied to the state, the
        history and the scores: for the app's log and views."""
        self._pull()
        events, self._taken = self._taken, []
        return events

    def _pull(self) -> None:
        if self.experiment is None:
            return
        events = self.experiment.runner.drain()
        self.runs.feed(events)
        for event in events:
            self.state = self.state.after(event)
            effect = EFFECTS.get(type(event))
            if effect is not None:
                effect(self, event)
        # The layer figures feed the inside view only: the log and other views never see them.
        self._taken.extend(e for e in events if not isinstance(e, InsideStats))

    def _record_epoch(self, event: EpochEnd) -> None:
        self.history.append(event)

    def _start_over(self, event: Reset) -> None:
        self.previous, self.history = self.history or self.previous, EpochHistory()
        self.inside.clear()
        self.runs.end()

    def _keep_scores(self, event: Evaluated) -> None:
        self.evaluation = event

    def snapshot(self) -> Network | None:
        """A read-only copy of the latest weights (draw mode predicts one row with it)."""
        return self.experiment.trainer.snapshot() if self.experiment else None

    def watch_inside(self) -> None:
        """Has the runner measure every layer from now on (the inside view is open)."""
        self.inside.watch(self.experiment)

    def adopt_weights(self, network: Network) -> str:
        """Makes weights edited by hand (a copy of the snapshot) the model's. Refused while an
        epoch may run: with no run, or a paused one, the thread cannot touch them."""
        runner = self._experiment().runner
        self._pull()  # the run's own last events go to its row first
        run_id = self.runs.run_id if self.runs.recording else None
        runner.set_weights(network.params)
        # The run's row keeps what the run reached: these weights are no epoch of it (their
        # scores would rewrite its test figure). Training on from them records a new row.
        self.runs.end()
        kept = f" (run #{run_id} keeps what it reached)" if run_id is not None else ""
        return f"the weights edited by hand are now the model's: a new, unsaved state{kept}"

    # -- what applies now -------------------------------------------------------------------
    @property
    def trained(self) -> bool:
        """Whether there are trained weights that a rebuild or a reload would lose."""
        return self.state.alive or self.state.epoch > 0

    @property
    def at_stake(self) -> bool:
        """Whether trained weights would be lost that no file holds: a run under way, or
        epochs trained (or weights edited by hand) since the model was last saved (or opened).
        What the questions guard."""
        experiment = self.experiment
        return self.state.alive or (experiment is not None and experiment.unsaved)

    @property
    def unsaved(self) -> bool:
        """Whether epochs trained or weights edited by hand are in no file (the status says)."""
        return self.experiment is not None and self.experiment.unsaved

    def _lost(self) -> str:
        """What re-initialising or quitting would lose, in words."""
        epochs = self.state.epoch
        trained = f"the {epochs} trained epoch{'s' if epochs != 1 else ''}" if epochs else ""
        edited = ("the weights edited by hand" if self.experiment is not None
                  and self.experiment.edited else "")
        return " and ".join(part for part in (trained, edited) if part) or "the weights"

    def can(self, intention: str) -> bool | None:
        """Whether an intention makes sense now (None: not yet, while loading)."""
        if self.experiment is None:
            return None if intention == "train" else False
        state, dataset = self.state, self.experiment.dataset
        rules = {
            "train": not state.alive and state.epoch == 0,
            "continue_training": not state.alive and state.epoch > 0,
            "pause": state.phase == "running",
            "resume": state.phase == "paused",
            "stop": state.alive or self.racing.busy,
            "race": not self.racing.busy,
            "draw": dataset.image_shape is not None,
            "next_misclassified": dataset.is_classification,
        }
        return rules.get(intention, True)

    @property
    def run_target(self) -> int:
        """The epoch the current run trains to; before the first epoch, the one the next run
        will (the epochs field), not what an earlier run trained to before a re-init."""
        if self.design is not None and self.state.epoch == 0 and not self.state.alive:
            return self.design.config.epochs
        return self.state.target

    def curves(self) -> list[Curve]:
        """The runs to draw over each other (the live one first), or [] for the usual
        charts of the live run alone."""
        design, experiment = self.design, self.experiment
        described = None
        if design is not None and experiment is not None:
            described = Described.of_config(design.data.name, layers_text(design),
                                            experiment.config.to_dict())
        return self.comparison.curves(self.history, described, self.runs.run_id)

    @property
    def model_label(self) -> str:
        """`digits 64-100-10` for the status line."""
        design = self.design
        if design is None:
            return "loading…"
        units = "-".join(str(layer.units) for layer in design.layers)
        return f"{design.data.name} {design.data.n_inputs}-{units}"

    def _apply_pace(self) -> None:
        if self.experiment is not None:
            runner = self.experiment.runner
            runner.set_pace(self.pace)
            runner.set_evaluation_rate(1.0 / VIEW_SECONDS[speed(self.pace)])

    def is_running(self) -> bool:
        """Whether a run is training right now (not paused), as its latest events say."""
        self._pull()
        return self.state.phase == "running"

    # -- what must be there -------------------------------------------------------------------
    def _experiment(self) -> Experiment:
        if self.experiment is None:
            raise EngineError("the model is still loading")
        return self.experiment

    def _design(self) -> Design:
        if self.design is None:
            raise EngineError("the model is still loading")
        return self.design


EFFECTS: dict[type[Event], Callable[[AppState, Any], None]] = {
    EpochEnd: AppState._record_epoch,
    Reset: AppState._start_over,
    Evaluated: AppState._keep_scores,
    InsideStats: lambda controller, event: controller.inside.take(event),
}
