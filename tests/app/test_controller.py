"""The controller without an app (plain pytest, no Pilot): the training state folded from event
sequences, each intention a key calls, and what a design change costs (live, next run, carried
over with the weights, or a rebuild that asks first once trained)."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from engine import (
    Diverged,
    EarlyStopped,
    EngineError,
    EpochEnd,
    Evaluated,
    Failed,
    Finished,
    LayerSpec,
    Paused,
    Reset,
    Resumed,
    Started,
    Stopped,
)
from tui.controller import Controller, TrainState
from tui.controller.changes import QUESTIONS
from tui.design import Design, changed_fields
from tui.edits import with_layer_added
from tui.sessions import Preset

TIMEOUT = 20.0


def epoch(n: int) -> EpochEnd:
    return EpochEnd(n, 0.5, 0.6, 1e-3, 0.01, 1000.0, train_acc=0.8, val_acc=0.7)


def evaluated(n: int) -> Evaluated:
    return Evaluated(n, 3, 1.0, None, np.eye(3, dtype=np.int64), np.eye(3))


def fold(events) -> TrainState:
    state = TrainState()
    for event in events:
        state = state.after(event)
    return state


# -- the state, from events alone ---------------------------------------------------------

SEQUENCES = [
    ([], TrainState("loading", 0, 0)),
    ([Started(0, 3, 100, 32), epoch(1), epoch(2), epoch(3), evaluated(3), Finished(3)],
     TrainState("finished", 3, 3)),
    ([Started(0, 100, 100, 32), epoch(1), Paused(1)], TrainState("paused", 1, 100)),
    ([Started(0, 100, 100, 32), epoch(1), Paused(1), Resumed(1), epoch(2)],
     TrainState("running", 2, 100)),
    ([Started(0, 100, 100, 32), epoch(1), evaluated(1), Stopped(1)],
     TrainState("stopped", 1, 100)),
    ([Started(3, 6, 100, 32), epoch(4), EarlyStopped(4, 2, 0.25)], TrainState("finished", 4, 6)),
    ([Started(0, 10, 100, 32), epoch(1), Diverged(2, "inf")], TrainState("diverged", 1, 10)),
    ([Started(0, 10, 100, 32), Failed(0, "MemoryError: no room")], TrainState("failed", 0, 10)),
    ([Started(0, 5, 100, 32), epoch(1), Stopped(1), Reset(0), evaluated(0)],
     TrainState("idle", 0, 5)),
]


@pytest.mark.parametrize(("events", "expected"), SEQUENCES)
def test_the_state_follows_the_events(events, expected):
    assert fold(events) == expected


def test_only_a_run_under_way_is_alive():
    alive = {phase for phase in ("loading", "idle", "running", "paused", "finished", "stopped",
                                 "diverged", "failed") if TrainState(phase).alive}
    assert alive == {"running", "paused"}
    running = TrainState("running", 4, 10)
    assert running.after(evaluated(4)) is running  # scores say nothing of the training


# -- intentions, on a real experiment ------------------------------------------------------


def controller_for(epochs: int = 3, **options) -> Controller:
    """A controller holding iris with the given settings, built and scored as the app's worker
    builds it."""
    controller = Controller(Preset(dataset="iris", epochs=epochs, seed=0, **options), pace=None)
    controller.adopt(controller.first_build()())
    assert [e.kind for e in controller.drain()] == ["evaluated"]  # as the app shows it
    return controller


def settle(controller: Controller) -> list:
    """Waits for the training thread (and any scoring) to end; the events it published."""
    controller.experiment.runner.join(TIMEOUT)
    return controller.drain()


def until(controller: Controller, condition) -> list:
    deadline, events = time.monotonic() + TIMEOUT, []
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)
        events += controller.drain()
    return events


def test_adopting_starts_idle_with_the_fresh_weights_scored():
    controller = controller_for()
    assert controller.state == TrainState("idle", 0, 0)
    assert controller.history == [] and controller.design.spec == controller.experiment.spec
    scores = controller.evaluation
    assert scores is not None and scores.epoch == 0
    assert scores.accuracy == controller.experiment.evaluate("test").accuracy
    assert controller.can("train") and not controller.can("continue_training")
    assert not controller.can("pause") and not controller.can("stop")


def test_while_loading_only_train_waits():
    controller = Controller(Preset(dataset="iris"))
    assert controller.state.phase == "loading" and controller.model_label == "loading…"
    assert controller.can("train") is None and controller.can("stop") is False


def test_the_state_follows_a_start_at_once():
    controller = controller_for(epochs=100_000)
    controller.set_pace(20)  # the run cannot end before the state is looked at
    controller.train()
    assert controller.state.phase == "running" and controller.state.target == 100_000
    assert not controller.can("train") and controller.can("pause")
    with pytest.raises(EngineError, match="already running"):
        controller.train()
    controller.stop()
    events = settle(controller)
    assert events[0].kind == "started" and controller.state.phase == "stopped"


def test_train_runs_to_the_target_then_trains_more():
    controller = controller_for(epochs=4)
    controller.train()
    events = settle(controller)
    assert events[0].kind == "started"
    assert controller.state == TrainState("finished", 4, 4)
    assert [e.epoch for e in controller.history] == [1, 2, 3, 4]
    assert controller.evaluation.epoch == 4 and controller.can("continue_training")
    assert controller.drain() == []  # each event is handed on once
    controller.train()  # train more: to epoch 8
    settle(controller)
    assert controller.state == TrainState("finished", 8, 8)
    assert [e.epoch for e in controller.history] == list(range(1, 9))


def test_pause_resume_and_stop():
    controller = controller_for(epochs=100_000)
    controller.set_pace(50)
    controller.train()
    until(controller, lambda: controller.state.epoch >= 1)
    controller.pause()
    until(controller, lambda: controller.state.phase == "paused")
    assert controller.can("resume") and not controller.can("pause")
    assert controller.evaluation.epoch == controller.state.epoch  # scored before the pause
    controller.resume()
    until(controller, lambda: controller.state.phase == "running")
    controller.stop()
    settle(controller)
    assert controller.state.phase == "stopped" and controller.can("continue_training")
    assert [e.epoch for e in controller.history] == list(range(1, controller.state.epoch + 1))


def test_step_trains_exactly_one_epoch_then_pauses():
    controller = controller_for(epochs=50)
    controller.step()
    until(controller, lambda: controller.state.phase == "paused")
    controller.step()
    until(controller, lambda: controller.state.epoch == 2 and controller.state.phase == "paused")
    assert [e.epoch for e in controller.history] == [1, 2]
    assert controller.state.target == 50
    controller.stop()
    settle(controller)


def test_reset_asks_once_trained_and_keeps_the_run_as_the_previous_one():
    controller = controller_for(epochs=3)
    assert controller.reset_question() is None
    controller.train()
    settle(controller)
    weights = controller.experiment.network.params.copy()
    assert "The 3 trained epochs are lost" in controller.reset_question()
    controller.reset()
    assert controller.state == TrainState("idle", 0, 3) and controller.history == []
    assert [e.epoch for e in controller.previous] == [1, 2, 3]
    assert not np.array_equal(controller.experiment.network.params, weights)
    settle(controller)  # the fresh weights are scored off this thread
    assert controller.evaluation.epoch == 0
    assert controller.run_target == 3  # the next run's, not the last one's


def test_pace_steps_and_reaches_the_runner():
    controller = controller_for()
    controller.set_pace(15)
    controller.faster()
    assert controller.pace == 30
    controller.slower()
    controller.slower()
    assert controller.pace == 5
    assert controller.experiment.runner._min_epoch_seconds == pytest.approx(1 / 5)


# -- design changes: live or rebuild ---------------------------------------------------------


def test_a_live_setting_keeps_the_experiment_and_applies_at_the_next_epoch():
    controller = controller_for(epochs=2)
    controller.train()
    settle(controller)
    experiment = controller.experiment
    design = controller.design.with_config(lr=0.01)
    change = controller.change(design, changed_fields(controller.design, design))
    assert change.kind == "live" and change.question is None  # trained, yet nothing is lost
    outcome = change.carry_out()
    assert outcome.note == "learning rate 0.01 for training"
    assert not outcome.adopted and outcome.build is None
    assert controller.experiment is experiment and controller.design == design
    controller.train()
    settle(controller)
    assert controller.history[-1].lr == 0.01


def test_epochs_wait_for_the_next_run():
    controller = controller_for(epochs=2)
    design = controller.design.with_config(epochs=5)
    outcome = controller.change(design, frozenset({"epochs"})).carry_out()
    assert outcome.note == "epochs 5 for the next run" and controller.run_target == 5
    controller.train()
    settle(controller)
    assert controller.state.epoch == 5


def test_a_new_optimizer_keeps_the_weights_and_the_curves():
    controller = controller_for(epochs=2)
    controller.train()
    settle(controller)
    old = controller.experiment
    design = controller.design.with_config(optimizer="sgd")
    change = controller.change(design, frozenset({"optimizer"}))
    assert change.kind == "carry" and change.question is None
    outcome = change.carry_out()
    assert outcome.adopted and outcome.note == "optimizer sgd; weights kept"
    new = controller.experiment
    assert new is not old and new.network is old.network and new.config.optimizer == "sgd"
    assert controller.state == TrainState("idle", 2, 2)
    assert [e.epoch for e in controller.history] == [1, 2] and controller.previous == []
    settle(controller)
    assert controller.evaluation.epoch == 2


def test_new_layers_rebuild_and_ask_first_once_trained():
    controller = controller_for(epochs=2)
    design = with_layer_added(controller.design, 0)
    assert controller.change(design, frozenset({"layers"})).question is None  # untrained
    controller.train()
    settle(controller)
    old = controller.experiment
    change = controller.change(design, frozenset({"layers"}))
    assert change.kind == "rebuild" and change.question == QUESTIONS["rebuild"]
    assert controller.experiment is old  # nothing happens before the answer
    outcome = change.carry_out()
    assert outcome.adopted and outcome.note == "model 100:relu,32:relu,3:softmax: fresh weights"
    assert controller.experiment is not old and controller.experiment.spec == design.spec
    assert controller.state == TrainState("idle", 0, 0)
    assert [e.epoch for e in controller.previous] == [1, 2] and controller.history == []


def test_a_refused_rebuild_changes_nothing():
    controller = controller_for()
    old, design = controller.experiment, controller.design
    huge = (LayerSpec(100_000), LayerSpec(100_000), design.layers[-1])
    unchecked = replace(design, spec=replace(design.spec, layers=huge))
    with pytest.raises(EngineError, match="more than this tool is made for"):
        controller.change(unchecked, frozenset({"layers"})).carry_out()
    assert controller.experiment is old and controller.design == design


def test_a_new_seed_or_dataset_is_built_in_a_worker_then_adopted():
    controller = controller_for(epochs=2)
    controller.train()
    settle(controller)
    old = controller.experiment
    design = controller.design.with_config(seed=4)
    change = controller.change(design, frozenset({"seed"}))
    assert change.kind == "reload" and change.question == QUESTIONS["reload"]
    outcome = change.carry_out()
    assert controller.experiment is old and outcome.build is not None
    controller.adopt(outcome.build())
    assert controller.experiment.config.seed == 4
    assert [e.epoch for e in controller.previous] == [1, 2]  # same data: kept faded
    switch = controller.dataset_change("wine")
    assert switch.question is None  # the reloaded model is untrained
    controller.adopt(switch.carry_out().build())
    assert controller.experiment.dataset.name == "wine"
    assert Design.of(controller.experiment).data.n_inputs == 13
    assert controller.previous == []  # curves of other data do not compare
    assert controller.evaluation is not None  # scored in the worker


def test_the_old_runs_last_events_are_handed_on_after_a_rebuild():
    controller = controller_for(epochs=2)
    controller.train()
    controller.experiment.runner.join(TIMEOUT)  # not drained yet
    design = with_layer_added(controller.design, 0)
    controller.change(design, frozenset({"layers"})).carry_out()
    kinds = [e.kind for e in controller.drain()]
    assert "finished" in kinds and kinds.count("epoch") == 2
    assert [e.epoch for e in controller.previous] == [1, 2]


# -- files and quitting -----------------------------------------------------------------------


def test_save_open_and_what_quitting_asks(tmp_path):
    controller = Controller(Preset(dataset="iris", epochs=2, seed=0), tmp_path, pace=None)
    controller.adopt(controller.first_build()())
    assert controller.quit_question() is None  # untrained: nothing to lose
    controller.train()
    settle(controller)
    assert "is not saved" in controller.quit_question()
    assert controller.save_suggestion() == "iris-100relu-3softmax"
    written = controller.save(tmp_path / "mine.safetensors")
    assert controller.quit_question() is None
    [info] = controller.models()
    assert info.path == written
    opened = controller.open_build(info)()
    assert opened.runner.epoch == 2
    assert np.array_equal(opened.network.params, controller.experiment.network.params)


def test_saving_pauses_a_run_and_is_refused_while_it_trains(tmp_path):
    controller = Controller(Preset(dataset="iris", epochs=100_000, seed=0), tmp_path, pace=50)
    controller.adopt(controller.first_build()())
    assert controller.pause_to_save() is False  # nothing runs
    controller.train()
    assert controller.quit_question().startswith("Training is running (epoch ")
    with pytest.raises(EngineError, match="still running"):
        controller.save(tmp_path / "early.safetensors")
    assert controller.pause_to_save() is True
    until(controller, lambda: controller.state.phase == "paused")
    controller.save(tmp_path / "paused.safetensors")
    assert (tmp_path / "paused.safetensors").is_file()
    controller.shutdown()
    settle(controller)
    assert controller.state.phase == "stopped"
