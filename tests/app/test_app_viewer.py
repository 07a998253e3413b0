"""The digit viewer keys (n, p, m, R, d), the loss log scale (l), and the panels that follow
the training live: viewer predictions, confusion matrix, charts."""

from __future__ import annotations

import numpy as np
from textual_plotext import PlotextPlot

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
        assert app.log_scale and "loss (log)" in loss_chart.render().plain
        await pilot.press("l")
        assert not app.log_scale and "loss (log)" not in loss_chart.render().plain


async def test_regression_shows_r2_instead_of_accuracy(make_app):
    app = make_app(dataset="sine", epochs=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        assert "R²" in app.charts.query_one("#score-chart", PlotextPlot).render().plain
        assert app.check_action("next_misclassified", ()) is False
        assert "test R²" in app.score
