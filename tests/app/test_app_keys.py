"""Keys as a person over a laggy SSH link sends them: before the app is ready, in one burst,
at launch, right after enter in a field, after a stop, and ctrl+s / ctrl+c mid-training. Every
key must act on the state the key before it left, whatever the timing."""

from __future__ import annotations

import threading

from textual import events
from textual.widgets import Input

from tests.app.screen import region_lines
from tests.ui import ready, trained, wait_for
from tui.screens.confirm import ConfirmScreen
from tui.screens.models import SaveDialog
from tui.widgets.field_row import FieldRow
from tui.widgets.layer_list import LayerRows

CHARACTERS = {"space": " ", "enter": "\r", "tab": "\t", "backspace": "\x08"}


def burst(app, *keys: str) -> None:
    """Posts every key to the app at once, as one write of a slow link delivers them: no key
    waits for the one before it to be handled."""
    for key in keys:
        character = key if len(key) == 1 else CHARACTERS.get(key)
        app.post_message(events.Key(key, character))


def editor_line(app, text: str) -> str:
    """The editor's line holding `text`, as drawn, without the panel's border."""
    return next(line for line in region_lines(app, app.editor) if text in line).strip("│┃ ")


# -- 1. the first key ------------------------------------------------------------------------

def held_first_build(app) -> threading.Event:
    """Holds the app's first model in its worker until the returned event is set, so that a
    key is surely pressed before the app is ready."""
    release = threading.Event()
    build = app.controller.first_build()

    def held() -> object:
        release.wait(20)
        return build()

    app.controller.first_build = lambda: held
    return release


async def test_t_pressed_before_the_model_is_loaded_trains_once_it_is(make_app):
    app = make_app(epochs=3)
    release = held_first_build(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        assert app.controller.experiment is None  # still loading: the key waits
        release.set()
        await wait_for(pilot, lambda: app.controller.experiment is not None
                       and app.controller.experiment.runner.epoch >= 1)
        await trained(pilot)
        assert [e.epoch for e in app.controller.history] == [1, 2, 3]


async def test_keys_pressed_while_loading_act_in_their_order(make_app):
    app = make_app(epochs=100_000, pace=5)
    release = held_first_build(app)
    async with app.run_test(size=(120, 40)) as pilot:
        burst(app, "t", "t")  # train, then pause the run the first t started
        await pilot.pause()
        release.set()
        await wait_for(pilot, lambda: app.controller.state.phase == "paused")
        await pilot.press("x")
        await wait_for(pilot, lambda: not app.controller.experiment.runner.is_alive)


# -- 2. bursts -------------------------------------------------------------------------------

async def test_down_right_in_one_burst_moves_then_changes_the_next_field(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editor.query_one("#loss").focus()
        await pilot.pause()
        loss = app.controller.design.spec.loss
        burst(app, "down", "right")
        await wait_for(pilot, lambda: app.controller.design.config.optimizer != "adam")
        assert app.controller.design.spec.loss == loss
        assert app.focused.id == "optimizer"


async def test_units_typed_in_one_burst_are_edited_in_order(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editor.query_one(LayerRows).focus()
        await pilot.pause()
        burst(app, "7", "8", "backspace", "9", "enter")
        await wait_for(pilot, lambda: app.controller.experiment.spec.layers[0].units != 100)
        assert app.controller.experiment.spec.layers_text == "79:relu,3:softmax"
        assert app.focused is app.editor.query_one(LayerRows)


async def test_a_burst_through_pilot_press_lands_the_same(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editor.query_one("#loss").focus()
        await pilot.pause()
        await pilot.press("down", "right", "up", "up", "enter", "4", "2", "enter")
        assert app.controller.design.config.optimizer != "adam"
        assert app.controller.experiment.spec.layers[0].units == 42


# -- 3. the focus at launch is where the marker says --------------------------------------------

async def test_enter_and_space_at_launch_act_on_the_marked_layer_not_the_dataset(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert isinstance(app.focused, LayerRows)
        assert editor_line(app, "relu").startswith("▸ 1")
        await pilot.press("space")  # the marked layer's activation, not the next dataset
        await wait_for(pilot, lambda: app.controller.design.layers[0].activation != "relu")
        assert app.controller.experiment.dataset.name == "iris"
        await pilot.press("enter")
        assert app.focused.id == "units-input"


async def test_a_users_file_stays_among_the_dataset_choices(make_app, tmp_path):
    csv = tmp_path / "mine.csv"
    csv.write_text("a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40)))
    app = make_app(dataset=str(csv))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.controller.design.data.source == str(csv)
        app.editor.query_one("#dataset").focus()
        await pilot.pause()
        await pilot.press("right")
        await wait_for(pilot, lambda: app.controller.design.data.source != str(csv))
        await pilot.press("left")
        await wait_for(pilot, lambda: app.controller.design.data.source == str(csv))
        assert "mine" in editor_line(app, "dataset")


# -- 4. enter leaves the field; up and down stop at the ends; focus without colour ------------

async def test_enter_commits_a_setting_and_leaves_the_field_for_its_row(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        field = app.editor.query_one("#field-epochs", Input)
        field.focus()
        await pilot.pause()
        await pilot.press("backspace", "backspace", "3", "enter")
        assert app.controller.design.config.epochs == 3
        assert isinstance(app.focused, FieldRow) and app.focused.field is field
        await pilot.press("t")  # a key again, not a letter typed into the field
        await trained(pilot)
        assert app.controller.experiment.runner.epoch == 3 and field.value == "3"


async def test_a_refused_value_keeps_the_field_to_fix_it(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        field = app.editor.query_one("#field-lr", Input)
        field.focus()
        await pilot.pause()
        await pilot.press("minus", "1", "enter")
        assert app.focused is field and field.has_class("-invalid")


async def test_up_and_down_stop_at_the_first_and_last_fields(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editor.query_one("#dataset").focus()
        await pilot.pause()
        await pilot.press("up")
        assert app.focused.id == "dataset"
        app.editor.query_one("#field-patience").focus()
        await pilot.pause()
        await pilot.press("escape", "down")
        assert isinstance(app.focused, FieldRow)
        assert app.focused.field.id == "field-patience"


async def test_without_colour_the_focus_reads_from_glyphs_alone(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.no_color
        app.editor.query_one("#dataset").focus()
        await pilot.pause()
        dataset, layer = editor_line(app, "dataset"), editor_line(app, "relu")
        assert dataset.startswith("▸ dataset")
        assert layer[0] not in ("▸", "1")  # selected, shown, but not the focus
        app.editor.query_one("#field-seed").focus()
        await pilot.pause()
        assert editor_line(app, "seed").startswith("▸ seed")
        assert not editor_line(app, "dataset").startswith("▸")
        await pilot.press("escape")  # the row keeps the mark when the field is left
        assert editor_line(app, "seed").startswith("▸ seed")
        app.editor.query_one(LayerRows).focus()
        await pilot.pause()
        assert editor_line(app, "relu").startswith("▸ 1")
        assert not editor_line(app, "seed").startswith("▸")
        # the focused panel's border is heavy, the others' round: it reads without colour too
        def corners() -> dict[str | None, str]:  # each panel's top-left corner, as drawn
            return {panel.id: region_lines(app, panel)[0][0] for panel in app.workbench.panels}

        shown = corners()
        assert shown.pop("editor") == "┏" and set(shown.values()) == {"╭"}
        await pilot.press("tab")
        assert corners()["editor"] == "╭" and list(corners().values()).count("┏") == 1


# -- 5. s after x, ctrl+s and ctrl+c while training ---------------------------------------------

async def test_s_after_x_steps_the_stopped_run(make_app):
    app = make_app(epochs=400, pace=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.controller.state.epoch >= 2)
        await pilot.press("x")
        await wait_for(pilot, lambda: app.controller.state.phase == "stopped")
        stopped_at = app.controller.state.epoch
        await pilot.press("s")
        await wait_for(pilot, lambda: app.controller.state.phase == "paused")
        assert app.controller.state.epoch == stopped_at + 1
        assert app.controller.state.target == 400  # the same run, one epoch on
        await wait_for(pilot, lambda: f"epoch {stopped_at + 1}/400"
                       in app.status_bar.render().plain)
        await pilot.press("x")


async def test_ctrl_s_while_training_says_it_paused_and_resumes_after(make_app):
    app = make_app(epochs=100_000, pace=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.controller.state.epoch >= 1)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SaveDialog)
        await wait_for(pilot, lambda: app.controller.state.phase == "paused")
        assert any("paused to save" in line for line in app.log_panel.lines_text)
        await pilot.press("escape")  # not saved after all: the run goes on
        await wait_for(pilot, lambda: app.controller.state.phase == "running")
        assert any("resumed" in line for line in app.log_panel.lines_text)
        await pilot.press("ctrl+s", "enter")
        await wait_for(pilot, lambda: app.controller.state.phase == "running")
        assert list(app.controller.models_dir.glob("*.safetensors"))
        await pilot.press("x")


async def test_ctrl_c_quits_like_q_asking_first_while_training(make_app):
    app = make_app(epochs=100_000, pace=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.controller.state.epoch >= 1)
        await pilot.press("ctrl+c")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Stop it and quit?" in str(app.screen.query_one(".dialog-text").render())
        await pilot.press("ctrl+c")  # again: still the one question, not a second
        assert len(app.screen_stack) == 2
        await pilot.press("y")
    assert app.return_code == 0
    assert not app.controller.experiment.runner.is_alive


async def test_ctrl_c_quits_at_once_when_nothing_would_be_lost(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 0


# -- 6. draw mode ------------------------------------------------------------------------------

async def test_the_draw_cursor_shows_the_pixel_under_it_and_stops_at_the_edges(make_app):
    app = make_app(dataset="digits")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("d", "9")  # a full pixel at (0, 0); the cursor steps right
        viewer = app.viewer
        await pilot.press("left")
        assert viewer._browser.canvas.cursor == (0, 0)
        cell = viewer.render().plain.splitlines()[1][:2]
        assert "█" in cell  # the pixel's shade still shows under the cursor
        await pilot.press("up", "left", "h", "k")  # at the top-left corner: nowhere to go
        assert viewer._browser.canvas.cursor == (0, 0)
        await pilot.press(*["j"] * 9, *["l"] * 9)
        assert viewer._browser.canvas.cursor == (7, 7)  # stopped at the bottom-right
        await pilot.press("down", "right")
        assert viewer._browser.canvas.cursor == (7, 7)
