"""Layout and moving around: every panel on screen from 100x30 up, two views below that (v and
tab switch), the help screen built from the bindings, the command palette's commands."""

from __future__ import annotations

from textual.command import CommandList

from tests.ui import ready, trained, wait_for
from tui.screens.help import HelpScreen

PANELS = ("editor", "charts", "viewer", "confusion", "log")


def visible(app, panel_id: str) -> bool:
    """Displayed, with a non-empty region that lies inside the screen."""
    panel = app.query_one(f"#{panel_id}")
    region, (width, height) = panel.region, app.size
    return (panel.display and region.width > 2 and region.height > 2
            and region.right <= width and region.bottom <= height)


async def test_every_panel_is_on_screen_from_100x30_up(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        for size in ((100, 30), (120, 40), (160, 50), (99, 40), (130, 29)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            wide = size[0] >= 100 and size[1] >= 30
            assert app.workbench.compact is not wide
            assert all(visible(app, panel) for panel in PANELS) is wide


async def test_80x24_shows_two_views_and_t_switches_to_watching(make_app):
    app = make_app(dataset="digits", epochs=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.workbench.compact
        assert [p for p in PANELS if visible(app, p)] == ["editor", "confusion", "log"]
        await pilot.press("t")
        await trained(pilot)
        assert [p for p in PANELS if visible(app, p)] == ["charts", "viewer", "log"]
        assert app.viewer.current_probabilities is not None
        assert any(line.startswith("epoch   3") for line in app.log_panel.lines_text)
        await pilot.press("v")
        assert [p for p in PANELS if visible(app, p)] == ["editor", "confusion", "log"]
        assert app.check_action("switch_view", ()) is True


async def test_v_is_off_when_everything_fits(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.check_action("switch_view", ()) is False


async def test_tab_moves_between_panels(make_app):
    app = make_app(dataset="digits")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        order = []
        for _ in range(5):
            await pilot.press("tab")
            panel = next(p for p in PANELS if app.focused is app.query_one(f"#{p}")
                         or app.query_one(f"#{p}") in app.focused.ancestors)
            order.append(panel)
        assert order == ["charts", "viewer", "log", "editor", "charts"]
        await pilot.press("shift+tab")
        assert app.focused.id == "layer-rows"  # the editor's ▸ is on a layer


async def test_tab_switches_the_view_in_a_small_terminal(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.workbench.view == "design"
        await pilot.press("tab")  # editor -> charts, which the watch view shows
        assert app.workbench.view == "watch" and app.focused.id == "charts"


async def test_help_lists_every_key(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(label.render()) for label in app.screen.query(".help-key"))
        text += " ".join(str(label.render()) for label in app.screen.query(".help-description"))
        for expected in ("t", "^s", "^o", "[", "]", "start / pause / resume training",
                         "add layer", "ink", "quit (asks first while training runs)"):
            assert expected in text
        await pilot.press("t")  # keys of the main screen wait while help is open
        assert not app.controller.experiment.runner.is_alive
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_the_command_palette_offers_the_keys(make_app):
    app = make_app(epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Train", "One epoch", "Save", "Open", "Help", "Log loss"} <= titles
        assert "Pause" not in titles  # nothing to pause
        await pilot.press("ctrl+p", *"one epoch")
        await wait_for(pilot, lambda: app.screen.query_one(CommandList).option_count > 0, 5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.controller.experiment.runner.epoch == 1)
