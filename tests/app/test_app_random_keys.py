"""Two hundred random keys (seeded) must leave the app alive and consistent: the session
matches the editor's design, the charts' history matches the trainer's, nothing crashed."""

from __future__ import annotations

import random

from textual.screen import ModalScreen

from tests.ui import ready, wait_for
from tui.widgets.layer_list import LayerRows

APP_KEYS = ["t", "s", "x", "r", "n", "p", "m", "R", "d", "l", "v", "left_square_bracket",
            "right_square_bracket", "question_mark", "tab", "shift+tab", "ctrl+s", "ctrl+o"]
EDITING_KEYS = ["up", "down", "left", "right", "enter", "escape", "space", "a", "delete",
                "shift+up", "shift+down", "backspace", "minus", "y", "n", "c", "i"]
TYPING_KEYS = [*"0123456789", ".", "e", "-"]


async def test_random_keys_leave_the_app_alive_and_consistent(make_app):
    app = make_app(epochs=20, pace=None)
    rng = random.Random(20240601)
    pool = APP_KEYS * 2 + EDITING_KEYS * 2 + TYPING_KEYS
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        for _ in range(200):
            await pilot.press(rng.choice(pool))
        while isinstance(app.screen, ModalScreen):  # close whatever dialog is open
            await pilot.press("escape")
        trainer = app.session.runner
        trainer.stop(wait=True)
        await wait_for(pilot, lambda: app.session is not None
                       and not app.workers and app.shown_state == app.session.runner.state)
        await pilot.pause(0.3)
        session = app.session
        assert app.is_running
        assert app.design.spec == session.spec
        assert app.design.data.name == session.dataset.name
        assert app.editor.query_one(LayerRows).design == app.design
        assert [e.epoch for e in app.history] == [e.epoch for e in session.trainer.history]
        assert session.evaluate("test").loss >= 0
