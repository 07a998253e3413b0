"""The sample panel's input-space pictures in the app, with the keys a person presses: the view
that suits the dataset first, `w` to cycle, `,` `.` through the neurons, `o` for the test points,
the maps following the training from snapshots off the UI thread, monochrome with NO_COLOR, and
the editor's noise and extra inputs."""

from __future__ import annotations

import threading

import numpy as np

from tests.ui import ready, trained, wait_for
from tui import map_jobs
from tui.render_maps import REGION_GLYPHS, TEST_GLYPHS, UPPER_HALF
from tui.render_space import MONO


def result(app, view: str):
    return app.samples.space.results.get(view)


async def drawn(pilot, view: str, epoch: int | None = None):
    """Waits for the view's answer (of `epoch`'s weights, if given) and returns it."""
    app = pilot.app

    def done() -> bool:
        answer = result(app, view)
        return answer is not None and (epoch is None or getattr(answer, "epoch", epoch) == epoch)

    await wait_for(pilot, done)
    await pilot.pause()
    return result(app, view)


def text(app) -> str:
    space = app.samples.space
    width, height = space.content_size
    return "\n".join(line.plain for line in space.lines(MONO, width, height))


async def test_moons_opens_on_decision_regions_that_follow_the_training(make_app, monkeypatch):
    threads: list[str] = []
    compute = map_jobs.plane_maps

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return compute(*args, **kwargs)

    monkeypatch.setattr(map_jobs, "plane_maps", recorded)
    app = make_app(dataset="moons", layers="8:tanh,2:softmax", lr=0.01, epochs=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.samples.view == "regions" and app.samples.border_title == "decision regions"
        assert app.samples.space.display and not app.viewer.display
        fresh = await drawn(pilot, "regions", epoch=0)
        await pilot.press("t")
        await trained(pilot)
        answer = await drawn(pilot, "regions", epoch=5)
        assert answer is not fresh
        network = app.controller.experiment.network
        grid = answer.plane.grid()
        expected = network.predict(grid.points).reshape(grid.height, grid.width)
        np.testing.assert_array_equal(answer.maps.predicted, expected)
        assert threads and set(threads) == {"nn-tui-maps"}  # never the UI or training thread


async def test_w_cycles_the_views_and_comma_full_stop_page_the_neurons(make_app):
    app = make_app(dataset="moons", layers="8:tanh,4:tanh,2:softmax")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.check_action("next_layer", ()) is False  # not on the regions
        await pilot.press("w")
        assert app.samples.view == "neurons" and app.samples.border_title == "neurons"
        await drawn(pilot, "neurons")
        assert text(app).startswith("layer 1/2: 8 tanh")
        await pilot.press("full_stop")
        await wait_for(pilot, lambda: text(app).startswith("layer 2/2: 4 tanh"))
        await pilot.press("full_stop")
        await wait_for(pilot, lambda: text(app).startswith("output: 2 softmax"))
        await pilot.press("comma", "comma", "comma")
        await wait_for(pilot, lambda: text(app).startswith("output: 2 softmax"))
        await pilot.press("w")
        assert app.samples.view == "sample" and app.viewer.display
        assert not app.samples.space.display
        assert app.samples.border_title == "test sample"
        await pilot.press("w")
        assert app.samples.view == "regions"


async def test_o_adds_the_test_points_and_n_selects_one(make_app):
    app = make_app(dataset="moons", layers="8:tanh,2:softmax")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await drawn(pilot, "regions")

        def test_marks() -> int:
            body = "\n".join(text(app).splitlines()[1:])  # the header's key shows one too
            return sum(body.count(glyph) for glyph in TEST_GLYPHS[:2])

        assert test_marks() <= 1  # only the selected sample
        await pilot.press("o")
        assert test_marks() > 10
        await pilot.press("n", "n")
        assert app.samples.space.selected == app.viewer.index == 2


async def test_iris_opens_on_the_projection_and_n_moves_its_highlight(make_app):
    app = make_app(dataset="iris")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.samples.view == "projection"
        projected = await drawn(pilot, "projection")
        n = len(app.controller.experiment.dataset.y_test)
        assert projected.test.shape == (n, 2)
        await pilot.press("n")
        assert app.samples.space.selected == 1
        assert f"2/{n}" in text(app).splitlines()[-1]
        await pilot.press("w")
        assert app.samples.view == "sample" and app.viewer.index == 1


async def test_digits_keeps_the_digit_viewer_and_projects_one_key_away(make_app):
    app = make_app(dataset="digits")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.samples.view == "sample" and app.viewer.display
        await pilot.press("w")
        assert app.samples.view == "projection"
        await drawn(pilot, "projection")
        await pilot.press("d")  # drawing needs the digit: the viewer comes back
        assert app.samples.view == "sample" and app.viewer.draw_mode
        assert app.focused is app.viewer


async def test_sine_draws_the_function_its_neurons_and_predicted_vs_true(make_app):
    app = make_app(dataset="sine", layers="8:tanh,1:linear", epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.samples.view == "curve" and app.samples.border_title == "function"
        curve = await drawn(pilot, "curve")
        network = app.controller.experiment.network
        np.testing.assert_allclose(curve.curve.y, network.predict_proba(curve.curve.x[:, None]))
        assert "network" in text(app).splitlines()[0]
        await pilot.press("w")  # one input: each neuron a small curve over the input range
        assert app.samples.view == "neurons" and app.samples.border_title == "neurons"
        neurons = await drawn(pilot, "neurons")
        assert isinstance(neurons, map_jobs.Curve)
        np.testing.assert_allclose(neurons.curve.y, curve.curve.y, rtol=1e-6)
        assert neurons.curve.hidden[0].shape[1] == 8
        lines = text(app).splitlines()
        assert lines[0].startswith("layer 1/1: 8 tanh")
        assert sum(any(0x2800 < ord(ch) <= 0x28FF for ch in line) for line in lines[1:]) >= 3
        await pilot.press("full_stop")
        await wait_for(pilot, lambda: text(app).startswith("output: 1 linear"))
        await pilot.press("w")
        assert app.samples.view == "fit"
        assert text(app).startswith("R² ")


async def test_with_no_color_the_regions_are_fills_not_colours(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(dataset="moons", layers="8:tanh,2:softmax")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.no_color
        app.workbench.view = "watch"
        answer = await drawn(pilot, "regions")
        assert answer.plane.per_cell == 1
        space = app.samples.space
        drawn_text = str(space.render())
        assert UPPER_HALF not in drawn_text
        assert REGION_GLYPHS[0] in drawn_text or REGION_GLYPHS[1] in drawn_text


async def test_extra_inputs_from_the_editor_widen_the_network(make_app):
    app = make_app(dataset="circles", layers="2:softmax")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        toggles = app.query_one("#data-inputs")
        toggles.focus()
        await pilot.press("space")  # x1^2 on
        await wait_for(pilot, lambda: app.controller.experiment.network.n_inputs == 3)
        assert app.controller.experiment.dataset.input_features == ("x1", "x2", "x1^2")
        await pilot.press("right", "space")  # x2^2 on too
        await wait_for(pilot, lambda: app.controller.experiment.network.n_inputs == 4)
        assert app.controller.design.data.features == ("x1^2", "x2^2")
        answer = await drawn(pilot, "regions")
        assert answer.dataset is app.controller.experiment.dataset
        assert answer.plane.grid().points.shape[1] == 2  # still drawn over x1, x2


async def test_noise_from_the_editor_reloads_the_data_and_refuses_nonsense(make_app):
    app = make_app(dataset="moons", layers="2:softmax")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        before = app.controller.experiment.dataset
        assert before.noise == 0.1
        app.query_one("#data-noise").focus()
        await pilot.pause()
        await pilot.press(*"0.3", "enter")  # the field's text is selected on focus: replaced
        await wait_for(pilot, lambda: app.controller.experiment.dataset.noise == 0.3)
        assert not np.array_equal(app.controller.experiment.dataset.X_train, before.X_train)
        app.query_one("#data-noise").value = "abc"
        await pilot.press("enter")
        reason = str(app.query_one("#reason").render())
        assert "noise: 'abc' is not a number" in reason
        assert app.controller.experiment.dataset.noise == 0.3


async def test_z_zooms_the_pictures_and_the_map_grows_with_the_panel(make_app):
    app = make_app(dataset="moons", layers="8:tanh,2:softmax")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        small = await drawn(pilot, "regions")
        await pilot.press("z")
        assert app.screen.maximized is app.samples
        await wait_for(pilot, lambda: result(app, "regions").plane.cols > small.plane.cols)
        assert result(app, "regions").plane.rows > 2 * small.plane.rows
        await pilot.press("z")
        assert app.screen.maximized is None
        await wait_for(pilot, lambda: result(app, "regions").plane.cols == small.plane.cols)
