"""`Controller`: everything the app knows and does, in plain Python (no Textual), so that it is
tested without an app.

It owns the experiment (dataset, network, trainer, runner), the design being edited, the run
history (this run's epochs and the previous run's, drawn faded) and the one `TrainState`, fed
only by the events the runner publishes. The app maps keys to its methods, one per intention
(train, pause, step, stop, reset, pace, apply a design change, save, open, switch dataset...),
and renders what they return; a user's error is raised (EngineError, OSError, MemoryError) for
the app to show in one line. Building an experiment may load a dataset, so the intentions that
need one return a `build` function for the app to run in a worker and `adopt` the result.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from engine import (
    LIVE_SETTINGS,
    MODELS_DIR,
    EngineError,
    EpochEnd,
    EpochHistory,
    Evaluated,
    Event,
    Experiment,
    InsideStats,
    ModelInfo,
    ModelSpec,
    Network,
    Reset,
    RunRow,
    TrainConfig,
    list_models,
    suggest_name,
)
from tui.controller.changes import QUESTIONS, Change, Outcome, described
from tui.controller.compare import Comparison, Curve, Described
from tui.controller.inside import InsideFeed
from tui.controller.racing import Racing, layers_text
from tui.controller.recording import RunLog
from tui.controller.state import TrainState
from tui.design import NEXT_RUN_CONFIG, Design, change_kind
from tui.pace import DEFAULT_PACE, VIEW_SECONDS, Pace, faster, slower, speed
from tui.sessions import Build, Preset, opened, scored, session_for


class Controller:
    """The app's state and intentions (see the module's story)."""

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

    # -- training ---------------------------------------------------------------------------
    def train(self) -> None:
        """Trains the design's number of epochs more (t), from epoch 0 or where it stopped."""
        self._take_next_run_settings()
        self._record()
        self._experiment().runner.start(epochs=self._design().config.epochs)
        self._pull()  # Started is published before start() returns: the state follows now

    def pause(self) -> None:
        self._experiment().runner.pause()

    def resume(self) -> None:
        self._record()  # weights adopted while paused ended the run's row: a new one
        self._experiment().runner.resume()

    def step(self) -> None:
        """Exactly one epoch, then a pause (starting a run if none is under way). A stopped
        run is stepped on towards its own target (`x` then `s`), not begun afresh."""
        runner = self._experiment().runner
        self._pull()
        state = self.state
        if state.alive:
            runner.step()
            return
        stopped = state.phase == "stopped" and state.epoch < state.target
        epochs = state.target - state.epoch if stopped else self._design().config.epochs
        self._take_next_run_settings()
        self._record()
        self._experiment().runner.start(epochs=epochs, paused=True, steps=1)
        self._pull()

    def _take_next_run_settings(self) -> None:
        """Before a run starts: the settings the design keeps for the next run (the lr schedule,
        nesterov) go to a trainer that keeps the weights, the epochs and the curves."""
        experiment, design = self._experiment(), self._design()
        if not self.state.alive and any(getattr(experiment.config, name) !=
                                        getattr(design.config, name) for name in NEXT_RUN_CONFIG):
            self.adopt(experiment.with_settings(design.config), new_run=False)

    def _record(self) -> None:
        """A run about to start is recorded in the store: a new row, unless it goes on with
        the weights and settings of the one being recorded ("train more", `x` then `s`)."""
        if not self.runs.recording:  # the editor's settings: a live change waits for an epoch
            config = self._experiment().config.with_changes(
                **{name: getattr(self._design().config, name) for name in LIVE_SETTINGS})
            self.runs.begin(self._experiment(), config)

    def stop(self) -> None:
        """Asks the run (and a race) to stop after the current epoch; `Stopped` tells when
        it has."""
        self.racing.stop()
        if self.state.alive or not self.racing.busy:
            self._experiment().runner.stop(wait=False)

    def reset_question(self) -> str | None:
        """What to ask before re-initialising (None: nothing trained would be lost)."""
        self._pull()
        if not self.at_stake:
            return None
        lost = self._lost()
        return f"Re-initialise the weights? {lost[0].upper()}{lost[1:]} are lost."

    def reset(self) -> None:
        """Fresh weights from the seed, epoch 0; this run's curves become the previous run."""
        self._experiment().runner.reset()
        self._pull()

    def set_pace(self, pace: Pace) -> None:
        self.pace = pace
        self._apply_pace()

    def slower(self) -> None:
        self.set_pace(slower(self.pace))

    def faster(self) -> None:
        self.set_pace(faster(self.pace))

    def _apply_pace(self) -> None:
        if self.experiment is not None:
            runner = self.experiment.runner
            runner.set_pace(self.pace)
            runner.set_evaluation_rate(1.0 / VIEW_SECONDS[speed(self.pace)])

    def is_running(self) -> bool:
        """Whether a run is training right now (not paused), as its latest events say."""
        self._pull()
        return self.state.phase == "running"

    def halt(self) -> None:
        """Stops the training thread and waits for it; the run's row stays open (a model
        saved now is still noted on it)."""
        if self.experiment is not None:
            self.experiment.runner.stop(wait=True)
            self._pull()  # the run's last events, for its row in the store

    def shutdown(self) -> None:
        """Stops the training thread and waits for it (quitting, closing the app)."""
        self.halt()
        self.racing.close()
        self.runs.close()

    def quit_question(self) -> str | None:
        """What to ask before quitting (None: nothing would be lost)."""
        if self.is_running():
            return (f"Training is running (epoch {self.state.epoch}). Stop it and quit? "
                    f"{self._kept_text()} The network is not saved (n, then ctrl+s saves it).")
        if self.experiment is not None and self.experiment.unsaved:
            what = (f"trained to epoch {self.state.epoch}" if not self.experiment.edited else
                    f"with weights edited by hand (epoch {self.state.epoch})")
            return f"The model {what} is not saved (ctrl+s saves it). Quit anyway?"
        return None

    def _kept_text(self) -> str:
        """What quitting keeps of the run under way: quitting stops it, and its row (written
        as the epochs come) is ended `stopped` with them."""
        if self.runs.recording:
            return "The run stays in the run store, stopped, with its epochs."
        return "The run is not recorded in a run store."

    # -- design changes ---------------------------------------------------------------------
    def change(self, design: Design, fields: frozenset[str]) -> Change:
        """The editor's proposal `design` (with `fields` changed), ready to carry out."""
        kind = change_kind(fields)
        question = QUESTIONS.get(kind) if self.at_stake else None
        return Change(kind, question, partial(APPLIERS[kind], self, design, fields))

    def dataset_change(self, name: str) -> Change:
        """The design on another dataset (fresh weights, the output layer refitted)."""
        design = self._design()
        self._pull()
        question = f"Switch to {name}? The trained weights are lost." if self.at_stake else None
        build = scored(partial(session_for, design, name, self.preset.splits))
        kept = self.experiment.name if self.trained and self.experiment is not None else None
        note = f"dataset {name}: fresh weights" + (f" (the trained model is saved as {kept})"
                                                   if kept and question is None else "")
        return Change("reload", question, lambda: Outcome(note, build=build))

    def run_change(self, row: RunRow) -> Change:
        """A stored run's design (layers, loss, training config, dataset) in the editor, to
        train it again: fresh weights, the data loaded in a worker. A row that does not make a
        design raises EngineError."""
        known = set(TrainConfig.__dataclass_fields__)
        try:
            spec = ModelSpec.from_dict(row.spec)
            config = TrainConfig(**{k: v for k, v in row.config.items() if k in known})
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise EngineError(f"run {row.id}: its design cannot be read ({exc})") from None
        reasons = spec.validate() + config.validate()
        if reasons:
            raise EngineError(f"run {row.id}: {reasons[0]}")
        design = self._design()
        self._pull()
        question = (f"Open run {row.id}'s design? The trained weights are lost."
                    if self.at_stake else None)
        wanted = Design(design.data, spec, config)
        build = scored(partial(session_for, wanted, row.dataset, self.preset.splits))
        note = (f"run {row.id}'s design: {row.dataset} {spec.layers_text}, {config.optimizer} "
                f"lr {config.lr:g}: fresh weights")
        return Change("reload", question, lambda: Outcome(note, build=build))

    def _apply_live(self, design: Design, fields: frozenset[str]) -> Outcome:
        self._pull()
        self._experiment().trainer.update(**{name: getattr(design.config, name)
                                             for name in fields})
        self.design = design
        when = "from the next epoch" if self.state.alive else "for training"
        return Outcome(f"{described(design, fields)} {when}")

    def _apply_next_run(self, design: Design, fields: frozenset[str]) -> Outcome:
        self.design = design
        return Outcome(f"{described(design, fields)} for the next run")

    def _apply_carry(self, design: Design, fields: frozenset[str]) -> Outcome:
        experiment = self._experiment()
        experiment.runner.stop(wait=True)  # the twin shares the network: no thread may change it
        self.adopt(experiment.with_settings(design.config), new_run=False)
        return Outcome(f"{described(design, fields)}; weights kept", adopted=True)

    def _apply_rebuild(self, design: Design, fields: frozenset[str]) -> Outcome:
        rebuilt = self._experiment().rebuilt(spec=design.spec, config=design.config)
        self.adopt(rebuilt)
        return Outcome(f"model {design.spec.layers_text}: fresh weights", adopted=True)

    def _apply_reload(self, design: Design, fields: frozenset[str]) -> Outcome:
        build = scored(partial(session_for, design, self._design().data.source,
                               self.preset.splits))
        what = f"seed {design.config.seed}" if "seed" in fields else design.data.options_text()
        return Outcome(f"{what}: new data and fresh weights", build=build)

    # -- files ------------------------------------------------------------------------------
    def pause_to_save(self) -> bool:
        """Pauses a running training, since the weights must not change while they are
        written; True if it did."""
        if not self.is_running():
            return False
        self._experiment().runner.pause()
        return True

    def save_suggestion(self) -> str:
        """A name no file in the models folder has yet: `iris-100relu-3softmax`."""
        design = self._design()
        try:
            return suggest_name(design.data.name, design.spec.layers_text, self.models_dir)
        except (EngineError, OSError):
            return "model"

    def save(self, path: Path, overwrite: bool = False) -> str:
        """Writes the model to `path` (refused while training runs); returns the path
        written."""
        if self.is_running():
            raise EngineError("not saved: training is still running (press t to pause)")
        written = self._experiment().save(str(path), overwrite=overwrite)
        self.runs.model_saved(written)  # onto the run's row, in the writer thread
        return written

    def models(self) -> list[ModelInfo]:
        """The models folder's files, newest first (damaged ones with their error)."""
        try:
            return list_models(self.models_dir)
        except (EngineError, OSError) as exc:
            raise EngineError(f"{self.models_dir}: cannot list models ({exc})") from None

    @staticmethod
    def open_build(info: ModelInfo) -> Build:
        """Opens a saved model with the dataset and split it was trained on."""
        return scored(partial(opened, info.path))

    # -- what must be there -------------------------------------------------------------------
    def _experiment(self) -> Experiment:
        if self.experiment is None:
            raise EngineError("the model is still loading")
        return self.experiment

    def _design(self) -> Design:
        if self.design is None:
            raise EngineError("the model is still loading")
        return self.design


EFFECTS: dict[type[Event], Callable[[Controller, Any], None]] = {
    EpochEnd: Controller._record_epoch,
    Reset: Controller._start_over,
    Evaluated: Controller._keep_scores,
    InsideStats: lambda controller, event: controller.inside.take(event),
}
APPLIERS: dict[str, Callable[[Controller, Design, frozenset[str]], Outcome]] = {
    "live": Controller._apply_live,
    "next_run": Controller._apply_next_run,
    "carry": Controller._apply_carry,
    "rebuild": Controller._apply_rebuild,
    "reload": Controller._apply_reload,
}
