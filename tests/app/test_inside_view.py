"""The inside view (i) driven by the keys a person presses, read from the screen as drawn.

The acceptance check of editing by hand: on a 2-2-1 `people` model, every neuron's weights set
to [0, 1] and every bias to 0 through the edit list, the input 2, 3 typed in the own-input row,
the screen shows h1 = h2 = 0.9526 and o1 = 0.7216 (the tutorial's numbers).
"""

from __future__ import annotations

import re

import numpy as np

from tests.ui import ready, trained, wait_for
from tui.screens.inside import InsideScreen

NUMBER = r"-?\d+\.\d{4}"


def screen_lines(app) -> list[str]:
    """The terminal's rows as drawn now."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def numbers_on(lines: list[str], label: str) -> list[float]:
    """The numbers after `label` on the screen row that holds it."""
    for line in lines:
        if label in line:
            return [float(n) for n in re.findall(NUMBER, line.split(label, 1)[1])]
    raise AssertionError(f"{label!r} is not on the screen:\n" + "\n".join(lines))


async def open_inside(pilot, *section: str) -> InsideScreen:
    await ready(pilot)
    await pilot.press("i", *section)
    screen = pilot.app.screen
    assert isinstance(screen, InsideScreen)
    return screen


async def type_in(pilot, text: str) -> None:
    await pilot.press("enter", *("comma" if ch == "," else ch for ch in text), "enter")


async def test_editing_the_tutorial_weights_shows_the_tutorials_numbers(make_app):
    app = make_app(dataset="people", layers="2:sigmoid,1:sigmoid", loss="mse")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inside(pilot, "4")
        await type_in(pilot, "2,3")  # the own-input row comes first
        for value in ("0", "1", "0", "1", "0", "1", "0", "0", "0"):  # w1..w6, b1..b3
            await pilot.press("down")
            await type_in(pilot, value)
        await pilot.pause()
        lines = screen_lines(app)
        assert any("your input  x = 2, 3" in line for line in lines)
        assert numbers_on(lines, "a1 = sigmoid(z1)") == [0.9526, 0.9526]  # h1, h2
        assert numbers_on(lines, "a2 = sigmoid(z2)") == [0.7216]  # o1
        assert any("9 weights changed by hand" in line for line in lines)
        model = app.controller.experiment.network
        assert not np.array_equal(model.layers[0].W, [[0, 0], [1, 1]])  # a copy was edited

        await pilot.press("a", "y")  # adopt: the edited copy becomes the model
        await wait_for(pilot, lambda: not screen.session.edits)
        np.testing.assert_array_equal(model.layers[0].W, [[0.0, 0.0], [1.0, 1.0]])
        np.testing.assert_array_equal(model.layers[1].b, [0.0])
        await wait_for(pilot, lambda: app.controller.evaluation.accuracy == 0.5)


async def test_bad_values_are_refused_in_one_line_and_escape_backs_out(make_app):
    app = make_app(dataset="people", layers="2:sigmoid,1:sigmoid", loss="mse")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_inside(pilot, "4")
        await pilot.press("down")  # w1
        await type_in(pilot, "abc")
        assert screen.typing and not screen.session.edits  # still asking, nothing changed
        assert any("'abc' is not a number" in n.message for n in app._notifications)
        await pilot.press("escape")
        assert not screen.typing and app.screen is screen  # escape left the field only
        await pilot.press("escape")
        assert app.screen is not screen  # and then the view


async def test_the_view_follows_a_run_and_the_training_keys_work_inside(make_app):
    app = make_app(dataset="iris", epochs=30)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inside(pilot, "2")
        await pilot.press("t")
        await trained(pilot)
        await wait_for(pilot, lambda: "figures at epoch 30" in str(screen.figures.border_title))
        history = app.controller.inside.history
        assert history[-1].epoch == 30 and history[-1].layers[0].update_ratio is not None
        assert any(line.lstrip("│ ").startswith("1 4→100 relu") for line in screen_lines(app))

        await pilot.press("n")  # the app's key: the next test sample
        await wait_for(pilot, lambda: "test sample 2 " in str(screen.area.border_title))
        await pilot.press("d")  # draw mode belongs to the main screen: not from here
        assert not app.viewer.draw_mode


async def test_one_step_walks_stage_by_stage_and_steps_again(make_app):
    app = make_app(dataset="iris")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inside(pilot, "3")
        session = screen.session
        await pilot.press("enter")  # traces the step: the sample
        assert session.trace is not None and session.stage == 0
        await pilot.press(*["enter"] * 6)
        assert session.stage == 6
        assert any("loss on this sample" in line for line in screen_lines(app))
        await pilot.press("enter")  # past the update: the next step's forward pass
        assert (session.step_count, session.stage) == (2, 1)
        await pilot.press("backspace", "home")
        assert (session.step_count, session.stage) == (1, 0)


async def test_the_gradient_check_runs_in_a_worker_and_reads_per_layer(make_app):
    app = make_app(dataset="iris", layers="8:tanh,3:softmax")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inside(pilot)
        await pilot.press("g")
        await wait_for(pilot, lambda: screen.session.checks is not None)
        await pilot.pause()
        assert screen.session.checks.passed
        assert sum(line.count(" ✓") for line in screen_lines(app)) >= 2  # each layer


async def test_the_inside_keys_are_in_the_help_and_the_palette(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        commands = [command.title for command in app.get_system_commands(app.screen)]
        assert "Inside" in commands
        screen = await open_inside(pilot)
        inside = [command.title for command in app.get_system_commands(screen)]
        assert "Inside" not in inside and "Draw" not in inside and "Train" in inside
        await pilot.press("question_mark")
        help_text = "\n".join(screen_lines(app))
        assert "inside view (i)" in help_text or "look inside the network" in help_text


async def test_the_main_screen_changing_below_repaints_nothing_of_the_view(make_app):
    """Textual passes the changes of the screen just below up to the top one; the inside view
    covers it whole, so the main screen's log and status line (following a run) must not
    repaint the view, while the view's own changes still do."""
    app = make_app(dataset="iris")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inside(pilot)
        await pilot.pause()
        painted: list[int] = []
        paint = screen._compositor_refresh

        def counted() -> None:
            painted.append(len(screen._dirty_widgets))
            paint()

        screen._compositor_refresh = counted
        for k in range(3):
            app.log_panel.note(f"a line on the main screen below ({k})")
            app.views.show_status()
            await pilot.pause(0.05)
        assert painted == []
        screen.status_bar.refresh()
        await wait_for(pilot, lambda: painted != [])


async def test_the_panel_titles_are_set_only_when_they_change(make_app):
    """Setting a border title parses it and repaints the panel: a redraw with the same titles
    sets none (the very same title objects stay), a changed one is set."""
    app = make_app(dataset="iris")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_inside(pilot)
        await pilot.pause()

        def titles() -> list[object]:
            return [getattr(panel, name) for panel in (screen.figures, screen.area)
                    for name in ("_border_title", "_border_subtitle")]

        before = titles()
        screen.redraw()
        assert all(a is b for a, b in zip(titles(), before, strict=True))
        screen.session.checking = True
        screen.redraw()
        assert str(screen.figures.border_subtitle) == "gradient check: running…"
        assert [a is b for a, b in zip(titles(), before, strict=True)] == [True, False, True, True]
