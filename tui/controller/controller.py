"""`Controller`: everything the app does, in plain Python (no Textual), so that it is tested
without an app; what it knows (the experiment, the design, the history, the `TrainState` fed by
events) is `AppState`'s, which it builds on.

The app maps keys to its methods, one per intention (train, pause, step, stop, reset, pace, apply
a design change, save, open, switch dataset...), and renders what they return; a user's error is
raised (EngineError, OSError, MemoryError) for the app to show in one line. Building an
experiment may load a dataset, so the intentions that need one return a `build` function for the
app to run in a worker and `adopt` the result.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from engine import (
    LIVE_SETTINGS,
    EngineError,
    ModelInfo,
    ModelSpec,
    RunRow,
    TrainConfig,
    list_models,
    suggest_name,
)
from tui.controller.app_state import AppState
from tui.controller.changes import QUESTIONS, Change, Outcome, described
from tui.design import NEXT_RUN_CONFIG, Design, change_kind
from tui.pace import Pace, faster, slower
from tui.sessions import Build, opened, scored, session_for


class Controller(AppState):
    """The app's intentions (see the module's story)."""

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


APPLIERS: dict[str, Callable[[Controller, Design, frozenset[str]], Outcome]] = {
    "live": Controller._apply_live,
    "next_run": Controller._apply_next_run,
    "carry": Controller._apply_carry,
    "rebuild": Controller._apply_rebuild,
    "reload": Controller._apply_reload,
}
