"""Runs trained in the app are recorded in the run store: the controller without an app, then
the app through the keys (t), and a damaged store that only costs the recording."""

from __future__ import annotations

from pathlib import Path

from engine import RunStore
from tests.ui import ready, trained, wait_for
from tui.controller import Controller
from tui.controller.autosave import autosave
from tui.screens.confirm import ConfirmScreen
from tui.sessions import Preset

TIMEOUT = 20.0


def controller_for(path: Path, epochs: int = 3, **options) -> Controller:
    controller = Controller(Preset(dataset="iris", epochs=epochs, seed=0, **options), pace=None,
                            runs_path=path)
    controller.adopt(controller.first_build()())
    controller.drain()
    return controller


def settle(controller: Controller) -> None:
    controller.experiment.runner.join(TIMEOUT)
    controller.drain()


def test_a_run_is_recorded_with_its_epochs_and_score(tmp_path):
    path = tmp_path / "runs.sqlite"
    controller = controller_for(path, epochs=4)
    controller.train()
    settle(controller)
    assert controller.runs.wait()
    (row,) = RunStore(path).runs()
    assert (row.status, row.source, row.dataset, row.epochs_done) == ("finished", "app", "iris", 4)
    assert row.layers == "4-100relu-3softmax" and row.optimizer == "adam"
    assert row.test_accuracy == controller.evaluation.accuracy
    assert [e.epoch for e in RunStore(path).epochs(row.id)] == [1, 2, 3, 4]
    assert controller.runs.run_id == row.id
    controller.shutdown()


def test_train_more_goes_on_in_the_same_row_and_a_reset_starts_another(tmp_path):
    path = tmp_path / "runs.sqlite"
    controller = controller_for(path, epochs=2)
    controller.train()
    settle(controller)
    controller.train()  # train more: epochs 3 and 4, the same run
    settle(controller)
    controller.reset()
    controller.train()
    settle(controller)
    controller.shutdown()
    newest, first = RunStore(path).runs()
    assert (first.epochs_done, first.status) == (4, "finished")
    assert (newest.epochs_done, newest.status) == (2, "finished")


def test_a_run_stopped_by_quitting_is_recorded_as_stopped(tmp_path):
    path = tmp_path / "runs.sqlite"
    controller = controller_for(path, epochs=100_000)
    controller.set_pace(50)
    controller.train()
    controller.shutdown()  # what quitting does
    (row,) = RunStore(path).runs()
    assert row.status == "stopped" and row.epochs_done == controller.state.epoch


def test_a_damaged_store_is_said_once_and_training_goes_on(tmp_path):
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    controller = controller_for(path, epochs=2)
    controller.train()
    settle(controller)
    assert controller.runs.wait()
    assert controller.state.phase == "finished"
    problems = list(controller.runs.problems)
    assert len(problems) == 1 and str(path) in problems[0]
    controller.reset()
    controller.train()  # the second run does not try (and complain) again
    settle(controller)
    assert controller.runs.wait() and len(controller.runs.problems) == 1
    assert path.read_bytes() == b"this is not a database" * 100  # left as it was
    controller.shutdown()


async def test_the_app_records_its_runs_where_nn_tui_runs_says(make_app, runs_store):
    app = make_app(epochs=3)
    async with app.run_test() as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        assert app.controller.runs.wait()
        (row,) = RunStore(runs_store).runs()
        assert (row.status, row.epochs_done, row.source) == ("finished", 3, "app")


async def test_the_app_says_once_that_a_damaged_store_is_not_used(make_app, runs_store):
    runs_store.parent.mkdir(parents=True)
    runs_store.write_bytes(b"garbage" * 1000)
    app = make_app(epochs=3)
    async with app.run_test() as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        assert app.controller.runs.wait()
        await pilot.pause(0.3)
        notes = [n.message for n in app._notifications]
        assert sum("runs are not recorded" in note for note in notes) == 1
        assert app.controller.state.phase == "finished"


def test_the_row_has_the_learning_rate_just_typed_in_the_editor(tmp_path):
    """A live setting reaches the trainer at the next epoch; the row has it from the start."""
    from dataclasses import replace

    path = tmp_path / "runs.sqlite"
    controller = controller_for(path, epochs=2)
    design = controller.design
    controller.change(replace(design, config=design.config.with_changes(lr=0.05)),
                      frozenset({"lr"})).carry_out()
    controller.train()
    settle(controller)
    controller.shutdown()
    (row,) = RunStore(path).runs()
    assert row.lr == 0.05 and row.config["lr"] == 0.05


async def test_a_model_saved_in_the_app_is_written_onto_its_runs_row(make_app, runs_store):
    app = make_app(epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await pilot.press("ctrl+s", "enter")  # under the suggested name
        path = app.controller.models_dir / "iris-100relu-3softmax.safetensors"
        await wait_for(pilot, path.is_file)
        assert app.controller.runs.wait()
        (row,) = RunStore(runs_store).runs()
        assert row.model_file == str(path) and row.status == "finished"
        await pilot.press("r")  # fresh weights: a save now is no recorded run's model
        if isinstance(app.screen, ConfirmScreen):
            await pilot.press("y")
        await wait_for(pilot, lambda: app.controller.state.epoch == 0)
        other = app.controller.save(app.controller.models_dir / "fresh.safetensors")
        assert app.controller.runs.wait()
        assert RunStore(runs_store).run(row.id).model_file == str(path) != other


def test_an_autosave_is_written_onto_the_runs_row(tmp_path):
    path = tmp_path / "runs.sqlite"
    controller = Controller(Preset(dataset="iris", epochs=2, seed=0), pace=None,
                            runs_path=path, models_dir=tmp_path / "models")
    controller.adopt(controller.first_build()())
    controller.train()
    settle(controller)
    saved = autosave(controller)  # what SIGTERM and SIGHUP do
    assert saved is not None and Path(saved).is_file()
    (row,) = RunStore(path).runs()
    assert (row.model_file, row.status) == (saved, "finished")
