"""Nothing trained is lost and nothing crashes: names that cannot be files, a model too big for
memory, an enter pressed out of habit on a question, quitting with unsaved training."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Input, Static

from engine import LayerSpec
from tests.ui import ready, trained
from tui.screens.confirm import ConfirmScreen
from tui.screens.models import SaveDialog


async def _type_save_name(pilot, name: str) -> str:
    await pilot.press("ctrl+s")
    assert isinstance(pilot.app.screen, SaveDialog)
    pilot.app.screen.query_one(Input).value = name
    await pilot.press("enter")
    assert isinstance(pilot.app.screen, SaveDialog), "the bad name was accepted"
    return str(pilot.app.screen.query_one("#save-reason", Static).render())


async def test_names_that_cannot_be_saved_are_refused_in_the_dialog(make_app, tmp_path):
    app = make_app(epochs=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert "too long" in await _type_save_name(pilot, "x" * 300)
        assert "may not hold '/'" in await _type_save_name(pilot, "../escaped")
        await pilot.press("escape")
        assert app.is_running
    assert not (tmp_path / "escaped.safetensors").exists()
    assert not (tmp_path / "escaped").exists()


async def test_a_model_too_big_for_memory_is_refused_not_crashed(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        before = app.controller.experiment
        huge = (LayerSpec(100_000), LayerSpec(100_000), app.controller.design.spec.layers[-1])
        current = app.controller.design
        design = replace(current, spec=replace(current.spec, layers=huge))  # unchecked
        app.editor.post_message(app.editor.Proposed(design, frozenset({"layers"})))
        await pilot.pause(0.3)
        assert app.is_running
        assert app.controller.experiment is before
        assert "parameters is more than this tool is made for" in app.log_panel.lines_text[-1]


async def test_enter_on_a_question_keeps_what_it_guards(make_app):
    app = make_app(epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        weights = app.controller.experiment.network.params.copy()
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        assert not isinstance(app.screen, ConfirmScreen)
        assert (app.controller.experiment.network.params == weights).all()
        assert app.controller.experiment.runner.epoch == 2


async def test_quitting_with_unsaved_training_asks_first(make_app):
    app = make_app(epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("q")  # untrained: nothing to lose, so no question
        assert not app.is_running
    app = make_app(epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.is_running
        await pilot.press("ctrl+s", "enter")  # save under the suggested name
        await pilot.press("q")  # saved: quits at once
        assert not app.is_running
