"""ctrl+s and ctrl+o: saving asks for a name and never overwrites silently; opening lists the
models folder, shows a damaged file with its error and keeps the current model."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from tests.ui import ready, trained, wait_for
from tui.screens.confirm import ConfirmScreen
from tui.screens.models import OpenDialog, SaveDialog


async def save_as(pilot, name: str | None = None) -> None:
    await pilot.press("ctrl+s")
    assert isinstance(pilot.app.screen, SaveDialog)
    if name is not None:
        pilot.app.screen.query_one(Input).value = name
    await pilot.press("enter")


async def test_ctrl_s_saves_under_the_suggested_name(make_app):
    app = make_app(epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await pilot.press("ctrl+s")
        assert app.screen.query_one(Input).value == "iris-100relu-3softmax"
        await pilot.press("enter")
        path = app.controller.models_dir / "iris-100relu-3softmax.safetensors"
        assert path.is_file()
        assert app.log_panel.lines_text[-1] == f"12:00:00  saved {path}"
        await pilot.press("ctrl+s")  # the next suggestion is a fresh name
        assert app.screen.query_one(Input).value == "iris-100relu-3softmax-2"
        await pilot.press("escape")
        assert not isinstance(app.screen, SaveDialog)


async def test_an_existing_name_asks_before_overwriting(make_app):
    app = make_app(epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await save_as(pilot, "mine")
        path = app.controller.models_dir / "mine.safetensors"
        first = path.read_bytes()
        await pilot.press("t")
        await trained(pilot)
        await save_as(pilot, "mine")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert path.read_bytes() == first
        await save_as(pilot, "mine")
        await pilot.press("y")
        assert path.read_bytes() != first


async def test_a_bad_name_is_refused_in_the_dialog(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await save_as(pilot, "no spaces!")
        assert isinstance(app.screen, SaveDialog)
        assert "may hold only letters" in str(app.screen.query_one("#save-reason").render())
        await pilot.press("escape")
        folder = app.controller.models_dir
        assert not folder.exists() or not list(folder.iterdir())


async def test_ctrl_o_opens_a_saved_model(make_app):
    app = make_app(epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await save_as(pilot, "trained")
        weights = app.controller.experiment.network.params.copy()
        await pilot.press("r", "y")  # fresh weights, so opening visibly brings the others back
        await wait_for(pilot, lambda: app.controller.experiment.runner.epoch == 0)
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, OpenDialog)
        await wait_for(pilot, lambda: bool(app.screen.query(OptionList)))  # read in a worker
        prompt = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert "trained" in prompt and "4-100relu-3softmax" in prompt and "iris" in prompt
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.controller.experiment.runner.epoch == 3)
        assert (app.controller.experiment.network.params == weights).all()
        assert [e.epoch for e in app.controller.history] == [1, 2, 3]  # the curves come back too
        assert "loaded" in app.log_panel.lines_text[-1]


async def test_a_damaged_file_is_listed_with_its_error_and_not_opened(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.controller.models_dir.mkdir(parents=True, exist_ok=True)
        broken = app.controller.models_dir / "broken.safetensors"
        broken.write_bytes(b"\x08\x00not a model at all")
        session = app.controller.experiment
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: bool(app.screen.query(OptionList)))
        options = app.screen.query_one(OptionList)
        assert options.option_count == 1
        assert "✗" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        assert isinstance(app.screen, OpenDialog)  # stays open, says why
        assert "cannot open" in str(app.screen.query_one("#open-reason").render())
        await pilot.press("escape")
        assert app.controller.experiment is session


async def test_open_with_no_models_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, OpenDialog)
        await wait_for(pilot, lambda: "No saved models" in str(
            app.screen.query_one("#open-status").render()))
        assert not app.screen.query(OptionList)
        await pilot.press("escape")


async def test_saving_pauses_a_running_training(make_app):
    app = make_app(epochs=1000, pace=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.controller.experiment.runner.epoch >= 1)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.controller.experiment.runner.state == "paused")
        await pilot.press("enter")
        assert list(app.controller.models_dir.glob("*.safetensors"))
        await pilot.press("x")
