"""The training keys: t (start / pause / resume / train more), s, x, r, and the pace keys."""

from __future__ import annotations

from tests.ui import ready, trained, training, wait_for
from tui.pace import DEFAULT_PACE, PACES
from tui.widgets.confusion import ConfusionMatrix
from tui.widgets.status_bar import StatusBar


def status_text(app) -> str:
    return app.query_one(StatusBar).render().plain


async def test_t_trains_to_the_end_and_logs_it(make_app):
    app = make_app(epochs=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.controller.experiment.runner.epoch == 0
        await pilot.press("t")
        await trained(pilot)
        assert app.controller.experiment.runner.state == "finished"
        assert [e.epoch for e in app.controller.history] == [1, 2, 3, 4, 5]
        lines = app.log_panel.lines_text
        assert any(line.startswith("12:00:00  started") for line in lines)
        assert any(line.startswith("epoch   5  loss ") and "samples/s" in line for line in lines)
        assert lines[-1] == "12:00:00  finished at epoch 5"
        assert "finished" in status_text(app) and "test acc" in status_text(app)
        matrix = app.query_one(ConfusionMatrix).matrix
        assert matrix is not None and matrix.sum() == len(app.controller.experiment.dataset.X_test)


async def test_t_on_a_finished_run_trains_another_round(make_app):
    app = make_app(epochs=3)
    async with app.run_test() as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await pilot.press("t")
        await trained(pilot)
        assert app.controller.experiment.runner.epoch == 6
        assert [e.epoch for e in app.controller.history] == list(range(1, 7))
        assert any("continued from epoch 3" in line for line in app.log_panel.lines_text)


async def test_t_pauses_and_resumes(make_app):
    app = make_app(epochs=500, pace=5)
    async with app.run_test() as pilot:
        await ready(pilot)
        trainer = app.controller.experiment.runner
        await pilot.press("t")
        await wait_for(pilot, lambda: trainer.state == "running" and trainer.epoch >= 1)
        await pilot.press("t")
        await wait_for(pilot, lambda: trainer.state == "paused")
        paused_at = trainer.epoch
        await pilot.pause(0.5)
        assert trainer.epoch == paused_at
        await wait_for(pilot, lambda: app.views.shown.phase == "paused")
        assert "paused" in status_text(app)
        await pilot.press("t")
        await wait_for(pilot, lambda: trainer.epoch > paused_at)
        assert trainer.state == "running"
        await pilot.press("x")
        await wait_for(pilot, lambda: not trainer.is_alive)
        assert trainer.state == "stopped"


async def test_s_trains_exactly_one_epoch(make_app):
    app = make_app(epochs=50)
    async with app.run_test() as pilot:
        await ready(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.controller.experiment.runner.state == "paused")
        await pilot.press("s")
        await wait_for(pilot, lambda: app.controller.experiment.runner.epoch == 2
                       and app.controller.experiment.runner.state == "paused")
        await pilot.pause(0.3)
        assert app.controller.experiment.runner.epoch == 2
        assert [e.epoch for e in app.controller.history] == [1, 2]
        assert any(line.startswith("epoch   2 ") for line in app.log_panel.lines_text)


async def test_x_stops_and_keeps_the_weights(make_app):
    app = make_app(epochs=1000, pace=5)
    async with app.run_test() as pilot:
        await ready(pilot)
        trainer = await training(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: not trainer.is_alive)
        await pilot.pause(0.2)
        assert trainer.state == "stopped" and trainer.epoch >= 1
        assert any("stopped at epoch" in line for line in app.log_panel.lines_text)
        assert app.check_action("continue_training", ()) is True


async def test_r_reinitialises_and_asks_first_once_trained(make_app):
    app = make_app(epochs=4)
    async with app.run_test() as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        weights = app.controller.experiment.network.params.copy()
        await pilot.press("r")
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        assert app.controller.experiment.runner.epoch == 4
        await pilot.press("r", "y")
        await wait_for(pilot, lambda: app.controller.experiment.runner.epoch == 0
                       and not app.controller.history)
        assert (app.controller.experiment.network.params != weights).any()
        assert [e.epoch for e in app.controller.previous] == [1, 2, 3, 4]  # kept, drawn faded
        assert "weights re-initialised" in app.log_panel.lines_text[-1]
        await pilot.press("r")  # untrained: no question
        assert type(app.screen).__name__ != "ConfirmScreen"


async def test_pace_keys_step_through_the_paces(make_app):
    app = make_app(pace=DEFAULT_PACE)
    async with app.run_test() as pilot:
        await ready(pilot)
        await pilot.press("right_square_bracket")
        assert app.controller.pace == PACES[PACES.index(DEFAULT_PACE) + 1]
        for _ in PACES:
            await pilot.press("right_square_bracket")
        assert app.controller.pace is None
        assert "full speed" in status_text(app)
        for _ in PACES:
            await pilot.press("left_square_bracket")
        assert app.controller.pace == PACES[0]
        assert "1 epoch/s" in status_text(app)


async def test_the_default_pace_makes_training_watchable(make_app):
    app = make_app(epochs=30, pace=DEFAULT_PACE)
    async with app.run_test() as pilot:
        await ready(pilot)
        runner = app.controller.experiment.runner
        # The runner holds each epoch to the default pace (no wall-clock assertion: on a busy
        # machine a press alone can take a second), and the status line says which pace.
        assert runner._min_epoch_seconds == 1.0 / DEFAULT_PACE
        assert f"{DEFAULT_PACE} epochs/s" in status_text(app)
        await pilot.press("t")
        await trained(pilot)
        assert runner.epoch == 30
        assert [e.epoch for e in app.controller.history] == list(range(1, 31))  # in order
