"""The digit viewer keys (n, p, m, R, d), the loss log scale (l), and the panels that follow
the training live: viewer predictions, confusion matrix, charts, all from scores the runner
computes off the UI thread."""

from __future__ import annotations

import threading

import numpy as np
from textual_plotext import PlotextPlot

from engine.nn.network import NetworkCore
from tests.ui import ready, trained
from tui.widgets.confusion import ConfusionMatrix


async def test_n_p_and_random_browse_the_test_split(make_app):
    app = make_app(dataset="digits")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        viewer = app.viewer
        assert viewer.index == 0
        await pilot.press("n", "n")
        assert viewer.index == 2
        await pilot.press("p")
        assert viewer.index == 1
        await pilot.press("p", "p")
        assert viewer.index == len(app.controller.experiment.dataset.X_test) - 1  # wraps around
        seen = set()
        for _ in range(5):
            await pilot.press("R")
            seen.add(viewer.index)
        assert len(seen) > 1


async def test_m_jumps_to_a_misclassified_sample(make_app):
    app = make_app(dataset="digits")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)  # untrained: most samples are wrong
        await pilot.press("m")
        viewer = app.viewer
        true = int(app.controller.experiment.dataset.y_test[viewer.index])
        assert viewer.predicted_label is not None and viewer.predicted_label != true


async def test_d_draws_and_the_prediction_follows(make_app):
    app = make_app(dataset="digits")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        viewer = app.viewer
        before = viewer.current_probabilities.copy()
        await pilot.press("d")
        assert viewer.draw_mode and app.focused is viewer
        await pilot.press("c")  # clear the canvas
        for _ in range(6):
            await pilot.press("9", "right")
        assert not np.allclose(viewer.current_probabilities, before)
        await pilot.press("escape")
        assert not viewer.draw_mode


async def test_draw_mode_is_off_for_datasets_without_images(make_app):
    app = make_app()  # iris
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.check_action("draw", ()) is False
        await pilot.press("d")
        assert not app.viewer.draw_mode


async def test_the_panels_follow_the_training(make_app):
    app = make_app(dataset="digits", epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        probabilities = app.viewer.current_probabilities
        await pilot.press("t")
        await trained(pilot)
        assert not np.allclose(app.viewer.current_probabilities, probabilities)
        matrix = app.query_one(ConfusionMatrix).matrix
        assert matrix.sum() == len(app.controller.experiment.dataset.X_test)
        assert np.trace(matrix) / matrix.sum() > 0.5
        loss_chart = app.charts.query_one("#loss-chart", PlotextPlot)
        assert "loss" in loss_chart.render().plain
        assert "accuracy" in app.charts.query_one("#score-chart", PlotextPlot).render().plain


async def test_l_toggles_the_log_scale(make_app):
    app = make_app(epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        loss_chart = app.charts.query_one("#loss-chart", PlotextPlot)
        await pilot.press("l")
        assert app.views.log_scale and "loss (log)" in loss_chart.render().plain
        await pilot.press("l")
        assert not app.views.log_scale and "loss (log)" not in loss_chart.render().plain


async def test_regression_shows_r2_instead_of_accuracy(make_app):
    app = make_app(dataset="sine", epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        assert "R²" in app.charts.query_one("#score-chart", PlotextPlot).render().plain
        assert app.check_action("next_misclassified", ()) is False
        assert "test R²" in app.views.score


async def test_the_ui_thread_runs_no_forward_pass_over_a_split(make_app, monkeypatch):
    passes: list[tuple[bool, int]] = []  # (on the UI thread, rows) of every forward pass
    as_input = NetworkCore._as_input

    def spy(self, X):
        X = as_input(self, X)
        passes.append((threading.current_thread() is threading.main_thread(), len(X)))
        return X

    monkeypatch.setattr(NetworkCore, "_as_input", spy)
    app = make_app(dataset="digits", epochs=4)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        await pilot.press("n", "m", "R", "p", "l")
        await pilot.press("d", "c", "9", "right", "9")  # a drawing: one row per change
        n_test = len(app.controller.experiment.dataset.X_test)
    on_ui = [rows for ui, rows in passes if ui]
    assert on_ui and set(on_ui) == {1}
    assert (False, n_test) in passes  # the runner scored the test split in its threads
