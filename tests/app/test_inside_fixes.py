"""What a new user tripped over in the inside view, the probability bars and `inspect` (issue 7):
each test shows the fix and fails without it.

- the gradient check reads `all |Δ| < 1e-09 ✓` (not `1e+00 ✓`) when the gradients are too small
  for a relative error;
- every number column of the layer table fits whole (no `8.18e-0`);
- the probability bars show every class or say how many are hidden;
- the step-through spells out the configured optimizer's update, and says which sample it uses;
- `inspect --sample N` counts from 1, as the app's viewer does;
- a 28x28 image shrunk to fit still says that z zooms.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from engine import Experiment, GradientCheck, LayerCheck, NetworkStats, TrainConfig
from engine.inside.layer_stats import LayerStatsTracker
from tui.inside.layers_table import check_text, fit_number, layer_table

# Any number as the table writes it: 0.509, -0.123, 8.18e-5, 1.2e+03, 100%.
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def text_of(lines) -> str:
    return "\n".join(line.plain for line in lines)


@pytest.fixture(scope="module")
def iris_stats() -> tuple[Experiment, NetworkStats]:
    """Iris 8 tanh -> 3 softmax after 3 epochs, measured."""
    session = Experiment.create("iris", "8:tanh,3:softmax", config=TrainConfig(epochs=3, lr=0.01))
    tracker: LayerStatsTracker = session.trainer.watch_inside()
    session.trainer.inside_seconds = 0.0
    for _ in session.trainer.run():
        pass
    latest = tracker.latest()
    assert latest is not None
    return session, latest


# ---------------------------------------------------------------- 1. the gradient check


def _check(relative: float, worst: float) -> GradientCheck:
    """A one-layer check with the given relative error and largest |analytic - numeric|."""
    a = np.array([1e-12, -2e-12])
    layer = LayerCheck(0, ("W1[0,0]", "W1[0,1]"), a, a + worst, relative, worst, 0, "ok")
    return GradientCheck((layer,), 1e-5, 1e-6, 16)


def test_a_check_of_tiny_gradients_says_so_rather_than_a_relative_error_of_1():
    tiny = _check(relative=1.0, worst=3e-13)  # two near-zeros: a ratio that means nothing
    assert check_text(tiny, 0) == "all |Δ| < 1e-09 ✓"
    real = _check(relative=3e-9, worst=3e-13)  # a relative error that does mean something
    assert check_text(real, 0) == "3e-09 ✓"


def test_the_table_and_its_legend_show_the_tiny_gradients_wording(iris_stats):
    _, latest = iris_stats
    tiny = _check(relative=1.0, worst=3e-13)
    text = text_of(layer_table([latest], 200, tiny))
    assert "all |Δ| < 1e-09 ✓" in text and "1e+00" not in text
    assert "too small to compare" in text  # the legend says what it means


# ---------------------------------------------------------------- 2. whole numbers in columns


@pytest.mark.parametrize(("value", "width", "shown"), [
    (8.18e-05, 7, "8.18e-5"), (8.18e-05, 8, "8.18e-05"), (0.509, 7, "0.509"),
    (12345.6, 7, "1.23e4"), (0.00012, 5, "1e-04"), (-1234.5, 6, "-1.2e3"), (1.2345, 4, "1.23")])
def test_a_number_is_given_the_most_digits_that_fit_its_column(value, width, shown):
    assert fit_number(value, width) == shown
    assert len(shown) <= width


def _extreme(latest: NetworkStats) -> NetworkStats:
    """The latest figures with values whose usual format is wider than its column."""
    first = latest.layers[0]
    edges = first.weight_edges * (1234.5 / float(first.weight_edges[-1]))
    extreme = dataclasses.replace(first, grad_norm=8.18e-05, activation_mean=-1234.5,
                                  weight_std=0.000123, weight_edges=edges,
                                  health_fraction=1.0)
    return NetworkStats(latest.epoch, (extreme, *latest.layers[1:]))


@pytest.mark.parametrize("width", [200, 116, 76])  # wide, 120x40's panel, 80x24's
def test_every_number_column_of_the_layer_table_shows_whole_numbers(iris_stats, width):
    _, latest = iris_stats
    stats = _extreme(latest)
    layer = stats.layers[0]
    lines = layer_table([stats], width, with_legend=False)
    assert all(line.cell_len <= width for line in lines)
    text = text_of(lines)
    rows = text.splitlines()
    start = next(k for k, row in enumerate(rows) if row.startswith("1 4→8 tanh"))
    end = next(k for k, row in enumerate(rows) if row.startswith("2 8→3"))
    numbers = [float(n) for row in rows[start:end] for n in NUMBER.findall(row.split("tanh")[-1])]
    for value in (8.18e-05, -1234.5, 0.000123, 1234.5):  # each shown whole, to its digits
        assert any(np.isclose(n, value, rtol=0.06) for n in numbers), (value, numbers)
    assert "dead 100%" in text or "sat 100%" in text
    assert f"{layer.grad_norm:.3g}"[:-1] + " " not in text  # never `8.18e-0 `


# ---------------------------------------------------------------- 3. and 6. the sample panel


def _bars_account_for_every_class(text: str, classes: int) -> tuple[int, int]:
    """(bars shown, hidden as the "+N more" line says); fails if a class is simply missing."""
    bars = re.findall(r"(?:^|\s)(\d) [ ▏▎▍▌▋▊▉█]+ +[<>]?\d+\.\d%", text, re.MULTILINE)
    more = re.search(r"\+(\d+) more", text)
    hidden = int(more.group(1)) if more else 0
    assert len(bars) + hidden == classes, text
    return len(bars), hidden


def test_bars_that_do_not_all_fit_say_how_many_are_hidden():
    from tui.render import probability_bars

    probs = np.full(10, 0.1)
    names = [str(d) for d in range(10)]
    for rows in range(1, 12):
        lines = probability_bars(probs, names, 30, predicted=3, true_label=7, max_lines=rows)
        assert len(lines) == min(rows, 10)
        _, hidden = _bars_account_for_every_class("\n".join(x.plain for x in lines), 10)
        assert hidden == (0 if rows >= 10 else 10 - (rows - 1))
        if rows >= 3:  # the predicted and the true class are among those shown
            assert {"3", "7"} <= {x.plain[0] for x in lines}


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_28x28_sample_panel_shows_or_counts_every_class_and_says_z_zooms(
        make_app, tmp_path, size):
    from tests.idx_files import digit_set

    images = digit_set(tmp_path / "mnist", n_train=120, n_test=30)
    text, shrunk = await _sample_panel(make_app(dataset=str(images)), size)
    assert shrunk  # 28x14 cells do not fit here
    assert re.search(r"(?<!\()z zooms", text), text  # under the image, not the bars'


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)])
async def test_the_digits_bars_show_or_count_every_class(make_app, size):
    await _sample_panel(make_app(dataset="digits"), size)


async def _sample_panel(app, size: tuple[int, int]) -> tuple[str, bool]:
    """The sample panel's text at `size` (on the other view if the layout hides it) and whether
    its image is shrunk, after checking that every class has a bar or is counted in "+N more"."""
    from tests.ui import ready

    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        if not app.viewer.region.height:  # the small layout shows the sample on its other view
            await pilot.press("v")
            await pilot.pause()
        assert app.viewer.region.height > 0
        text = app.viewer.render().plain
        _bars_account_for_every_class(text, 10)
        return text, app.viewer.image_shrunk


# ---------------------------------------------------------------- 4. the step's update rule


@pytest.mark.parametrize(("optimizer", "nesterov"), [
    ("sgd", False), ("momentum", False), ("momentum", True), ("rmsprop", False), ("adam", False)])
def test_three_traced_steps_update_as_the_engines_optimizer_does(optimizer, nesterov):
    """The trace's update, its state carried from step to step, against the engine's own
    optimizer stepping the flat buffer (which folds Adam's constants into scalars)."""
    from engine import Dense, Network, apply_step, trace_step
    from engine.nn.optimizers import make_optimizer

    net = Network([Dense(4, 5, "tanh"), Dense(5, 3, "softmax")], loss="cross_entropy",
                  seed=3, dtype="float64")
    x, y = np.random.default_rng(1).normal(size=(1, 4)), np.array([2])
    engine_net, engine_opt = net.copy(), make_optimizer(optimizer, 0.8, nesterov)
    walked, state = net, None
    for t in (1, 2, 3):
        trace = trace_step(walked, x, y, lr=0.05, optimizer=optimizer, momentum=0.8,
                           nesterov=nesterov, state=state)
        assert trace.t == t and trace.rule.name == ("nesterov" if nesterov else optimizer)
        engine_net.train_step_gradients(x, engine_net.targets(y))
        engine_opt.step(engine_net.params, engine_net.grads, 0.05)
        for traced, layer in zip(trace.layers, engine_net.layers):
            np.testing.assert_allclose(traced.W_after, layer.W, rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(traced.b_after, layer.b, rtol=1e-10, atol=1e-12)
        walked, state = apply_step(walked, trace), trace.state_after


def _update_stage(trace, sample: str = "") -> tuple[str, str]:
    """(the sample stage's text, the update stage's text) of `trace`."""
    from tui.inside.step_view import step_stages

    stages = step_stages(trace, 110, sample=sample)
    assert stages[-1].title == "the update"
    return text_of(stages[0].lines), text_of(stages[-1].lines)


def test_an_adam_step_shows_adams_update_with_this_steps_numbers():
    from engine import Dense, Network, trace_step
    from tui.numbers import step_number

    net = Network([Dense(64, 20, "relu"), Dense(20, 10, "softmax")], loss="cross_entropy",
                  seed=0, dtype="float64")
    x = np.random.default_rng(0).random(64)
    trace = trace_step(net, x, 3, lr=0.001, optimizer="adam")
    sample, update = _update_stage(trace, "test sample 4 (true 3)")
    assert "one step of Adam" in sample and "test sample 4 (true 3)" in sample
    assert "the real training never steps on it; this is a what-if step" in sample
    assert "W1 ← W1 − lr·dW1" not in update and "plain gradient descent" not in update
    for formula in ("m ← β1·m + (1 − β1)·dW", "v ← β2·v + (1 − β2)·dW²", "m̂ = m / (1 − β1^t)",
                    "v̂ = v / (1 − β2^t)", "W ← W − lr·m̂ / (√v̂ + ε)",
                    "m̂ = m / (1 − 0.9^1) = m / 0.1", "W ← W − 0.001·m̂ / (√v̂ + 1e-08)"):
        assert formula in update, formula
    first = trace.layers[0]  # big: its biggest change, with that weight's m, v, m̂, v̂
    i, j = np.unravel_index(int(np.abs(first.W_after - first.W_before).argmax()),
                            first.W_before.shape)
    line = next(x for x in update.splitlines() if f"at W1[{i},{j}]:" in x)
    for q, symbol in (("m", "m"), ("v", "v"), ("m_hat", "m̂"), ("v_hat", "v̂")):
        assert f"{symbol} = {step_number(first.W_update[q][i, j])}" in line


def test_the_tutorial_networks_momentum_step_lists_every_weights_velocity():
    from engine import Dense, Network, trace_step
    from tui.numbers import step_number

    net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="mse", seed=1,
                  dtype="float64")
    trace = trace_step(net, [2.0, 3.0], [1.0], lr=0.1, optimizer="momentum", momentum=0.5)
    _, update = _update_stage(trace)
    assert "gradient descent with momentum" in update and "v ← 0.5·v − 0.1·dW" in update
    out = trace.layers[1]
    line = next(x for x in update.splitlines() if x.startswith("w5 "))
    assert f"v = {step_number(out.W_update['v'][0, 0])}" in line
    assert line.endswith(f"→ {step_number(out.W_after[0, 0])}")


def test_plain_sgd_still_reads_as_plain_gradient_descent():
    from engine import Dense, Network, trace_step

    net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="mse", seed=1)
    _, update = _update_stage(trace_step(net, [2.0, 3.0], [1.0], lr=0.1))
    assert "plain gradient descent (sgd)" in update and "W ← W − 0.1·dW" in update
    assert "m̂" not in update


@pytest.mark.parametrize(("optimizer", "title"), [("adam", "Adam"), ("rmsprop", "RMSProp")])
async def test_the_step_section_traces_with_the_runs_own_optimizer(make_app, optimizer, title):
    from tests.ui import ready
    from tui.screens.inside import InsideScreen

    app = make_app(dataset="iris", optimizer=optimizer)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("i", "3")
        screen = app.screen
        assert isinstance(screen, InsideScreen)
        hint = text_of(screen.text._text)
        assert f"updated by {title}" in hint
        assert "It is a test sample: the real training never steps on it" in hint
        await pilot.press("enter")
        trace = screen.session.trace
        assert trace is not None and trace.rule.name == optimizer
        assert "test sample 1" in text_of(screen.text._text)  # which sample it steps on
        await pilot.press(*["enter"] * 6)  # the update stage
        assert f"the update: {title}" in text_of(screen.text._text)
        await pilot.press("enter")  # past the update: the next step carries the state on
        assert screen.session.trace.t == 2


@pytest.mark.parametrize("width", [116, 76])
def test_the_wider_check_column_still_fits_the_panel(iris_stats, width):
    _, latest = iris_stats
    tiny = GradientCheck(tuple(dataclasses.replace(_check(1.0, 3e-13).layers[0], index=i)
                               for i in range(len(latest.layers))), 1e-5, 1e-6, 16)
    lines = layer_table([latest], width, tiny, with_legend=False)
    assert all(line.cell_len <= width for line in lines)
    assert text_of(lines).count("all |Δ| < 1e-09 ✓") == len(latest.layers)


def test_an_edited_weights_old_value_is_shown_whole_in_the_edit_grid():
    """`▸ W1[3,2] =    2.5000 * was -0.1234` is 35 characters: the grid's 34 cut its digit."""
    from engine import Dense, Network
    from tui.inside.params import param_lines, param_list, with_edits
    from tui.numbers import step_number

    net = Network([Dense(4, 3, "tanh"), Dense(3, 2, "softmax")], loss="cross_entropy", seed=0,
                  dtype="float64")
    net.layers[0].W[3, 2] = -0.1234
    params = param_list(net)
    name = next(p.name for p in params if p.name == "W1[3,2]")
    edits = {name: 2.5}
    for width in (200, 76):
        text = text_of(param_lines(params, with_edits(net, edits), net, edits,
                                   [p.name for p in params].index(name), width))
        assert f"▸ W1[3,2] =    2.5000 * was {step_number(-0.1234)}" in text, text


@pytest.mark.parametrize(("optimizer", "nesterov"), [
    ("momentum", False), ("momentum", True), ("rmsprop", False), ("adam", False)])
def test_a_step_from_the_runs_own_state_is_the_runs_next_step(optimizer, nesterov):
    """After 3 engine steps, the trace started from the optimizer's state (`run_state`; Adam's
    moments kept scaled in the engine) updates as the engine's 4th step does."""
    from engine import Dense, Network, run_state, trace_step
    from engine.nn.optimizers import make_optimizer

    net = Network([Dense(4, 5, "tanh"), Dense(5, 3, "softmax")], loss="cross_entropy",
                  seed=3, dtype="float64")
    x, y = np.random.default_rng(1).normal(size=(1, 4)), np.array([2])
    opt = make_optimizer(optimizer, 0.8, nesterov)
    assert run_state(net, opt) is None  # no step yet: nothing to start from
    for _ in range(3):
        net.train_step_gradients(x, net.targets(y))
        opt.step(net.params, net.grads, 0.05)
    state = run_state(net, opt)
    assert state is not None and state.from_run
    trace = trace_step(net, x, y, lr=0.05, optimizer=optimizer, momentum=0.8,
                       nesterov=nesterov, state=state)
    assert trace.from_run and trace.t == (4 if optimizer == "adam" else 1)
    net.train_step_gradients(x, net.targets(y))
    opt.step(net.params, net.grads, 0.05)
    for traced, layer in zip(trace.layers, net.layers):
        np.testing.assert_allclose(traced.W_after, layer.W, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(traced.b_after, layer.b, rtol=1e-10, atol=1e-12)


async def test_after_training_the_step_starts_from_the_runs_own_adam_moments(make_app):
    from engine.inside.forward import layer_views
    from tests.ui import ready, trained
    from tui.screens.inside import InsideScreen

    app = make_app(dataset="iris", optimizer="adam", epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        optimizer = app.controller.experiment.trainer.optimizer
        assert optimizer.t > 0
        await pilot.press("i", "3", "enter")
        screen = app.screen
        assert isinstance(screen, InsideScreen)
        trace = screen.session.trace
        assert trace is not None and trace.from_run and trace.t == optimizer.t + 1
        m = optimizer.m * (1 - optimizer.beta1)  # the engine keeps m / (1 - beta1)
        first = trace.layers[0]
        m_W1 = layer_views(app.controller.snapshot(), m)[0][0]
        expected = optimizer.beta1 * m_W1 + (1 - optimizer.beta1) * first.dW
        np.testing.assert_allclose(first.W_update["m"], expected, rtol=1e-4, atol=1e-9)
        await pilot.press(*["enter"] * 6)
        assert "start from the run's own" in text_of(screen.text._text)
