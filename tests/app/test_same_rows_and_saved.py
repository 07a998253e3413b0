"""Two things a learner met on `people`: an untrained net showed "test acc 1.000" without saying
that the test split is the four training rows, and switching the dataset right after saving
still warned that the trained weights were lost."""

from __future__ import annotations

import pytest

from engine import load_dataset
from tests.app.screen import screen_lines
from tests.app.test_controller import controller_for, settle
from tests.ui import ready, trained, wait_for
from tui.design import DataShape
from tui.numbers import score_text
from tui.screens.confirm import ConfirmScreen
from tui.screens.models import SaveDialog


@pytest.mark.parametrize(("name", "same"), [
    ("people", True), ("and", True), ("or", True), ("xor4", True), ("iris", False),
    ("xor", False)])
def test_datasets_whose_splits_are_the_same_rows_are_known(name, same):
    shape = DataShape.of(load_dataset(name))
    assert shape.same_rows is same
    assert (shape.same_rows_note is not None) is same
    if same:
        assert f"{name}: train, validation and test are the same 4 rows" in shape.same_rows_note
    assert score_text(1.0, None, same) == ("train=test acc 1.000" if same else "test acc 1.000")


async def test_people_says_its_test_score_is_its_training_score(make_app):
    app = make_app(dataset="people")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: "acc" in screen_lines(app)[0])
        status = screen_lines(app)[0]
        accuracy = app.controller.evaluation.accuracy
        assert f"train=test acc {accuracy:.3f}" in status
        assert any("people: train, validation and test are the same 4 rows" in line
                   for line in app.log_panel.lines_text)
        assert "4 rows, no split" in str(app.editor.query_one("#shape").render())


def test_after_a_save_switching_the_dataset_asks_nothing(tmp_path):
    controller = controller_for(epochs=2)
    controller.models_dir = tmp_path
    controller.train()
    settle(controller)
    assert controller.dataset_change("wine").question is not None  # trained, not saved
    written = controller.save(tmp_path / "kept.safetensors")
    switch = controller.dataset_change("wine")
    assert switch.question is None
    assert switch.carry_out().note == f"dataset wine: fresh weights (the trained model is " \
        f"saved as {written})"
    assert controller.reset_question() is None  # nor re-initialising: the file holds them
    controller.train()  # new epochs are not in the file: the questions come back
    settle(controller)
    assert controller.dataset_change("wine").question is not None


async def test_ctrl_s_then_another_dataset_switches_without_a_question(make_app):
    app = make_app(epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SaveDialog)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.controller.experiment.unsaved)
        app.editor.query_one("#dataset").focus()
        await pilot.press("right")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        await wait_for(pilot, lambda: app.controller.experiment.dataset.name != "iris")
        assert any("the trained model is saved as" in line for line in app.log_panel.lines_text)
