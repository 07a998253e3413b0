"""Problems a new-user test found, each pressed through the app the way that person did: what
the screen shows is read back from the widgets' rendered lines, not from their state."""

from __future__ import annotations

import re

from textual.geometry import Region
from textual.widget import Widget
from textual_plotext import PlotextPlot

from tests.ui import ready, trained, wait_for
from tui.screens.help import HelpScreen
from tui.widgets.choice import ChoiceField
from tui.widgets.key_bar import KeyBar
from tui.widgets.layer_list import LayerRows
from tui.widgets.status_bar import StatusBar


def on_screen(widget: Widget) -> list[str]:
    """The widget's lines as last drawn."""
    width, height = widget.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


def reason(app) -> str:
    return str(app.editor.query_one("#reason").render())


async def select_output_layer(pilot) -> None:
    rows = pilot.app.editor.query_one(LayerRows)
    rows.focus()
    rows.cursor = len(pilot.app.controller.design.layers) - 1
    await pilot.pause()


async def test_every_loss_name_fits_its_field(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await select_output_layer(pilot)
        await pilot.press("right")  # softmax -> sigmoid: binary cross-entropy
        assert app.controller.design.spec.loss == "binary_cross_entropy"
        await pilot.pause()
        line = on_screen(app.editor.query_one("#loss", ChoiceField))[0]
        assert "binary CE" in line and line.rstrip().endswith("▸")


async def test_the_loss_follows_the_output_activation_and_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await select_output_layer(pilot)
        await pilot.press("right")  # sigmoid
        assert app.controller.design.spec.loss == "binary_cross_entropy"
        assert "loss → binary CE to suit sigmoid" in reason(app)
        app.editor.query_one("#loss").focus()
        await pilot.press("right")  # the person picks mse by hand
        assert app.controller.design.spec.loss == "mse"
        await select_output_layer(pilot)
        await pilot.press("left")  # back to softmax: mse would learn badly
        assert app.controller.design.layers[-1].activation == "softmax"
        assert app.controller.design.spec.loss == "cross_entropy"
        await wait_for(pilot, lambda: app.controller.experiment.spec.loss == "cross_entropy")
        assert "loss → cross_entropy to suit softmax" in reason(app)


async def test_the_key_bar_follows_a_run_that_ends_between_two_looks(make_app):
    app = make_app(epochs=150)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await pilot.press("t")  # train more: at full speed it ends before the app looks
        await trained(pilot)
        await pilot.pause(0.3)
        keys = on_screen(app.query_one(KeyBar))[0]
        assert "train more" in keys and "pause" not in keys and " x stop" not in keys


async def test_chart_epochs_are_whole_numbers(make_app):
    app = make_app(epochs=7)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        for chart in app.charts.query(PlotextPlot):
            axis = on_screen(chart)[-1]
            labels = re.findall(r"[\d.]+", axis)
            assert labels and all(label.isdigit() for label in labels), axis
            assert labels[-1] == "7"


async def test_after_reinit_the_header_shows_the_next_runs_target(make_app):
    app = make_app(epochs=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await pilot.press("t")  # train more: to epoch 10
        await trained(pilot)
        await pilot.press("r", "y")
        await wait_for(pilot, lambda: app.controller.experiment.runner.epoch == 0
                       and not app.controller.history)
        await pilot.pause()
        assert "epoch 0/5 " in app.query_one(StatusBar).render().plain
        app.editor.query_one("#field-epochs").focus()
        await pilot.press("8", "enter")
        assert "epoch 0/8 " in app.query_one(StatusBar).render().plain


async def test_a_dataset_switch_drops_the_previous_run(make_app):
    app = make_app(epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await pilot.press("r", "y")  # same data: the run stays as the faded previous one
        await wait_for(pilot, lambda: app.controller.experiment.runner.epoch == 0
                       and not app.controller.history)
        assert len(app.controller.previous) == 3
        await pilot.press("t")
        await trained(pilot)
        old = app.controller.experiment
        app.editor.query_one("#dataset").focus()
        await pilot.press("right", "y")  # iris -> wine
        await wait_for(pilot, lambda: app.controller.experiment is not old, 20)
        assert app.controller.experiment.dataset.name == "wine"
        assert app.controller.previous == [] and app.controller.history == []


async def test_the_command_palette_lists_each_command_once(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles.count("Help") == 1
        assert len(titles) == len(set(titles))


async def test_a_big_layer_stays_on_one_line(make_app):
    app = make_app(dataset="digits")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editor.query_one(LayerRows).focus()
        await pilot.press(*"100000", "enter")
        await wait_for(pilot, lambda: app.controller.experiment.spec.layers[0].units == 100000)
        await pilot.pause()
        lines = on_screen(app.editor.query_one(LayerRows))
        assert len(lines) == 4 and lines[0].rstrip().endswith("params")  # the header row
        assert "100000 relu" in lines[2] and lines[2].rstrip().endswith("6.5M")
        assert "2 out" in lines[3] and lines[3].rstrip().endswith("1M")


async def test_draw_mode_keys_say_what_they_do(make_app):
    app = make_app(dataset="digits")
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert "0-9 ink (moves right)" in on_screen(app.query_one(KeyBar))[0]
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = [str(label.render()) for label in app.screen.query(".help-key")]
        for arrow, letter in (("↑", "k"), ("↓", "j"), ("←", "h"), ("→", "l")):
            assert f"{arrow} {letter}" in keys


async def test_escape_leaves_the_text_but_keeps_the_row(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        l2 = app.editor.query_one("#field-l2")
        l2.focus()
        await pilot.press(*"abc", "enter")
        assert "is not a number" in reason(app)
        await pilot.press("escape")
        assert app.focused is l2.parent and reason(app) == "" and l2.value == "0"
        await pilot.press("5")  # typing a number on the row starts the value afresh
        assert app.focused is l2 and l2.value == "5"
        await pilot.press("1", "escape")
        assert app.focused is l2.parent and l2.value == "0"
        await pilot.press("down")
        assert app.focused.id == "field-seed"
        await pilot.press("up", "escape", "up")
        assert app.focused.id == "field-epochs"
        await pilot.press("escape")
        await pilot.press("t")  # single letters work again on the row
        await trained(pilot)
        assert app.controller.experiment.runner.epoch == app.controller.design.config.epochs


async def test_a_valid_value_clears_the_error(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editor.query_one("#field-l2").focus()
        await pilot.pause()
        await pilot.press(*"abc", "enter")
        assert "is not a number" in reason(app)
        await pilot.press("backspace", "backspace", "backspace", "0", "enter")  # as it was
        assert reason(app) == ""
        assert not app.editor.query_one("#field-l2").has_class("-invalid")


async def test_digits_typed_faster_than_the_focus_moves_are_all_kept(make_app):
    app = make_app(dataset="digits")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        rows = app.editor.query_one(LayerRows)
        rows.focus()
        await pilot.pause()
        for digit in "256":  # all three reach the rows before the units field has the focus
            rows.post_message(LayerRows.TypeUnits(rows.cursor, digit))
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.controller.experiment.spec.layers[0].units == 256)
