"""Quitting: immediate when idle, asks first while training runs, always stops the thread."""

from __future__ import annotations

from tests.ui import ready, training
from tui.screens.confirm import ConfirmScreen


async def test_q_quits_at_once_when_idle(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await ready(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_quitting_while_training_asks_and_stops_the_thread(make_app):
    app = make_app(epochs=100_000, pace=20)
    async with app.run_test() as pilot:
        await ready(pilot)
        trainer = await training(pilot)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep training
        assert trainer.is_alive and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0
    assert not trainer.is_alive and trainer.state == "stopped"


async def test_closing_the_app_any_other_way_stops_the_thread(make_app):
    app = make_app(epochs=100_000, pace=20)
    async with app.run_test() as pilot:
        await ready(pilot)
        trainer = await training(pilot)
    trainer.join(timeout=5)
    assert not trainer.is_alive
