"""Weights edited by hand and adopted (`i`, `4`, `a`) are a change no file holds, like trained
epochs (issue 7): the status line says "unsaved", quitting and re-initialising ask, saving
clears it. The same rules in the controller without an app, then once through the keys."""

from __future__ import annotations

import numpy as np

from engine import Experiment
from tests.app.test_app_files import save_as
from tests.ui import ready, wait_for
from tui.controller.autosave import autosave
from tui.controller.controller import Controller
from tui.screens.confirm import ConfirmScreen
from tui.widgets.status_bar import Status, status_parts

PEOPLE = {"dataset": "people", "layers": "2:sigmoid,1:sigmoid", "loss": "mse"}


def test_adopted_edits_are_unsaved_until_saved_and_a_reset_forgets_them(tmp_path):
    controller = Controller(models_dir=tmp_path)
    controller.adopt(Experiment.create("people", "2:sigmoid,1:sigmoid", "mse"))
    assert not controller.unsaved and controller.quit_question() is None
    assert controller.reset_question() is None

    edited = controller.snapshot().copy()
    edited.params[:] = 0.5
    controller.adopt_weights(edited)
    assert controller.unsaved and controller.at_stake  # epoch 0, yet something to lose
    assert "edited by hand" in (controller.quit_question() or "")
    assert "The weights edited by hand are lost" in (controller.reset_question() or "")

    controller.save(tmp_path / "mine.safetensors")
    assert not controller.unsaved and controller.quit_question() is None
    controller.adopt_weights(edited)  # edited again after the save
    assert controller.unsaved

    controller.reset()  # fresh weights from the seed: nothing edited any more
    assert not controller.unsaved and controller.reset_question() is None
    controller.shutdown()


def test_a_signal_autosaves_weights_edited_by_hand(tmp_path):
    controller = Controller(models_dir=tmp_path)
    controller.adopt(Experiment.create("people", "2:sigmoid,1:sigmoid", "mse"))
    assert autosave(controller) is None  # nothing trained, nothing edited: nothing to keep
    edited = controller.snapshot().copy()
    edited.params[:] = 0.25
    controller.adopt_weights(edited)
    path = autosave(controller)
    assert path is not None and Experiment.load(path).network.params.tolist() == \
        [0.25] * edited.n_params


def test_settings_that_keep_the_weights_keep_the_edit_unsaved(tmp_path):
    experiment = Experiment.create("people", "2:sigmoid,1:sigmoid", "mse")
    experiment.runner.set_weights(np.zeros(experiment.network.n_params))
    twin = experiment.with_settings(experiment.config)
    assert experiment.unsaved and twin.unsaved
    twin.save(str(tmp_path / "twin.safetensors"))
    assert not twin.unsaved


def test_the_status_line_says_unsaved_and_gives_it_up_first():
    status = Status("people 2-2-1", "idle", 0, 60, "15 epochs/s", "acc 0.5", unsaved=True)
    assert "· unsaved" in [part.text for part in status_parts(status, 120)]
    saved = Status("people 2-2-1", "idle", 0, 60, "15 epochs/s", "acc 0.5")
    assert "· unsaved" not in [part.text for part in status_parts(saved, 120)]
    narrow = [part.text for part in status_parts(status, 52)]
    assert "people 2-2-1" in narrow and "· unsaved" not in narrow


async def test_adopting_an_edit_marks_the_model_unsaved_and_quitting_asks(make_app):
    app = make_app(**PEOPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert "unsaved" not in app.views.panels.status_bar.render().plain
        await pilot.press("i", "4", "down", "down", "enter", "3", "enter")  # w1 = 3
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.session.edits) == 1)
        await pilot.press("a", "y")  # adopt: the edited copy becomes the model
        await wait_for(pilot, lambda: not screen.session.edits)
        await wait_for(pilot, lambda: "· unsaved" in screen.status_bar.render().plain)
        await pilot.press("escape")
        await wait_for(pilot, lambda: "· unsaved" in app.views.panels.status_bar.render().plain)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        assert "edited by hand" in app.screen.question
        await pilot.press("n")  # keep the app
        await save_as(pilot, "edited")
        await wait_for(pilot, lambda: "unsaved" not in
                       app.views.panels.status_bar.render().plain)
        await pilot.press("q")  # saved: nothing to ask
        await pilot.pause()
    assert app.return_code == 0
