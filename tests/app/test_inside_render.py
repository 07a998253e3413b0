"""The inside view's pure renderers (no app): the numbers they show are the engine's.

Every check compares the text with numbers computed independently of the view: the engine's
`layer_stats` figures, `forward_layers`, `loss_and_gradients` (the network's own backprop, not
the step trace the view draws), one SGD step done by hand, and the tutorial's published 0.9526
and 0.7216 for the 2-2-1 network whose every neuron weighs [0, 1].
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from engine import (
    Dense,
    EngineError,
    Experiment,
    Network,
    ParamNames,
    TrainConfig,
    forward_layers,
    gradient_check,
    trace_step,
)
from engine.inside.layer_stats import LayerStatsTracker
from tui.inside.forward_rows import forward_lines
from tui.inside.glyphs import cell, histogram_bars, ratio_gauge, signed_cells, sparkline
from tui.inside.layers_table import layer_table
from tui.inside.own_input import SAME_ROWS, parse_own_input, people_lines, prediction
from tui.inside.params import param_lines, param_list, with_edits
from tui.inside.sections import Context, section_lines
from tui.inside.session import InsideSession
from tui.inside.step_view import step_stages
from tui.inside.tiles import weight_tiles
from tui.numbers import step_number

NUMBER = r"-?\d+\.\d{4}(?:e[-+]\d+)?|-?\d\.\d{3}e[-+]\d+"


def tutorial_network() -> Network:
    """The tutorial's 2-2-1: every neuron's weights [0, 1], biases 0 (W is (in, out))."""
    net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="mse", dtype="float64")
    net.layers[0].W[...] = [[0.0, 0.0], [1.0, 1.0]]
    net.layers[1].W[...] = [[0.0], [1.0]]
    net.layers[0].b[...] = 0.0
    net.layers[1].b[...] = 0.0
    return net


def text_of(lines) -> str:
    return "\n".join(line.plain for line in lines)


def numbers_after(text: str, label: str) -> list[float]:
    """The numbers on the line that starts with `label`."""
    for line in text.splitlines():
        if line.startswith(label):
            return [float(n) for n in re.findall(NUMBER, line[len(label):])]
    raise AssertionError(f"no line starts with {label!r} in:\n{text}")


def value_of(text: str, equation: str) -> float:
    """The last number on the line that starts with `equation` (`dL/dw1 = ...`)."""
    for line in text.splitlines():
        if line.startswith(equation):
            return float(re.findall(NUMBER, line)[-1])
    raise AssertionError(f"no line starts with {equation!r} in:\n{text}")


@pytest.fixture(scope="module")
def iris_run():
    """Iris 8 tanh -> 3 softmax trained 5 epochs with figures measured each epoch."""
    session = Experiment.create("iris", "8:tanh,3:softmax",
                                config=TrainConfig(epochs=5, lr=0.01))
    tracker = session.trainer.watch_inside()
    session.trainer.inside_seconds = 0.0
    for _ in session.trainer.run():
        pass
    return session, tracker


# ---------------------------------------------------------------- glyphs


def test_sparklines_scale_skip_the_unmeasured_and_keep_their_width():
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8) == "▁▂▃▄▅▆▇█"
    assert sparkline([1.0, math.nan, 1.0], 5) == "  ▄ ▄"  # flat: mid-height; NaN: a blank
    assert sparkline([4.0, -1.0, 11.0], 3, low=0.0, high=10.0) == "▄▁█"  # clipped to the range
    assert sparkline([], 3) == "   "


def test_histogram_bars_never_draw_an_empty_bin_like_a_small_one():
    assert histogram_bars([0, 1, 8, 0]) == " ▁█ "


def test_cells_say_sign_and_size_with_glyphs_alone():
    assert [cell(v, 1.0).glyph for v in (0.9, 0.5, 0.2, 0.05, -0.2, -0.5, -0.9)] == \
        ["█", "▓", "░", " ", "·", "•", "●"]
    assert signed_cells([1.0, -1.0], width=2).plain == "██●●"
    assert cell(math.nan, 1.0).glyph == "?"


@pytest.mark.parametrize("scale", [None, 0.0, 1.0, 1e-9, math.inf])
def test_a_row_of_cells_is_each_values_cell_and_one_span_a_run(scale):
    """The rows are worked out as arrays (a page of tiles is thousands of cells): every
    glyph and its role must be `cell`'s for that value, the boundaries of the levels too."""
    values = [0.0, 0.15, 0.1499, 0.4, -0.4, 0.7, -0.7, 1.0, -1.0, -1.0, math.nan, math.inf,
              -math.inf, 1e-30, -0.2, 0.39, 0.39]
    size = max(abs(v) for v in values if math.isfinite(v)) if scale is None else scale
    text = signed_cells(values, scale, width=2, palette=lambda role: role)
    cells = [cell(v, size) for v in values]
    assert text.plain == "".join(c.glyph * 2 for c in cells)
    roles = [None] * len(text.plain)
    for span in text.spans:
        roles[span.start:span.end] = [span.style] * (span.end - span.start)
    assert roles == [c.role if c.role != "pos-0" else None for c in cells for _ in range(2)]
    assert all(a.end < b.start or a.style != b.style  # a run of one role is one span
               for a, b in zip(text.spans, text.spans[1:]))


def test_the_gauge_marks_the_healthy_band_and_the_ratio():
    assert ratio_gauge(-3.0, (-4.0, -2.0)) == "···[·●·]···"
    assert ratio_gauge(-9.0, (-4.0, -2.0)).startswith("●")  # beyond the range: at its end
    assert "●" not in ratio_gauge(None, (-4.0, -2.0))


# ---------------------------------------------------------------- the layer table


def test_the_layer_table_shows_the_engines_figures(iris_run):
    _session, tracker = iris_run
    history = tracker.history()
    latest = history[-1]
    text = text_of(layer_table(history, 200))
    for layer in latest.layers:
        label = f"{layer.index + 1} {layer.n_in}→{layer.n_out} {layer.activation}"
        row = next(line for line in text.splitlines() if line.startswith(label))
        assert f"{layer.activation_mean:.3f}" in row
        assert f"{layer.grad_norm:.3g}" in row
        assert f"{layer.update_ratio:+.1f}" in row
        if layer.health_kind is not None:
            assert f"sat {layer.health_fraction:.0%}" in row
    assert "healthy in [-4, -2]" in text


def test_the_layer_table_says_what_was_not_measured_rather_than_zero(iris_run):
    session, _ = iris_run
    at_rest = LayerStatsTracker(session.dataset.X_train).record(session.trainer.snapshot(), 5)
    text = text_of(layer_table([at_rest], 200))
    row = next(line for line in text.splitlines() if line.startswith("1 4→8 tanh"))
    assert "–" in row and f"{at_rest.layers[0].grad_norm:.3g} " not in row


def test_narrow_tables_wrap_each_layer_onto_two_rows_with_sparklines(iris_run):
    _, tracker = iris_run
    wide, narrow = layer_table(tracker.history(), 200), layer_table(tracker.history(), 76)
    assert len(narrow) == len(wide) + 1 + 2  # a second header row, a second row per layer
    assert all(line.cell_len <= 76 for line in narrow[:-1])
    assert any(ch in narrow[2].plain for ch in "▁▂▃▄▅▆▇█")


def test_the_gradient_check_reads_per_layer(iris_run):
    session, _ = iris_run
    checks = gradient_check(session.network, session.dataset.X_train, session.dataset.y_train)
    text = text_of(layer_table(session.trainer.inside.history(), 200, checks))
    for layer in checks.layers:
        assert f"{layer.relative_error:.0e} ✓" in text


# ---------------------------------------------------------------- weights as pictures


def test_each_tile_is_its_units_incoming_weights_and_pages_wrap():
    W = np.zeros((64, 30))
    W[:, 0] = 1.0  # all strongly positive
    W[:, 1] = -1.0
    W[0, 2] = 0.5  # one mid-size pixel in the top left corner
    labels = [f"u{j}" for j in range(30)]
    page = weight_tiles(W, (8, 8), labels, 0, width=56, height=20)
    assert (page.first, page.last, page.pages) == (0, 6, 5)  # 3 across, 2 down
    lines = [line.plain for line in page.lines]
    assert lines[0].split() == ["u0", "u1", "u2"]
    assert lines[1] == "█" * 16 + "  " + "●" * 16 + "  " + "▓▓" + " " * 14
    last = weight_tiles(W, (8, 8), labels, -1, width=56, height=20)
    assert (last.page, last.first, last.last) == (4, 24, 30)


def test_a_28x28_tile_is_28_by_14_cells_of_two_stacked_pixels():
    W = np.zeros((784, 9))
    W[:, 0] = 1.0
    image = np.zeros((28, 28))
    image[0, 0] = image[1, 0] = -1.0  # both pixels of the top-left cell: strongly negative
    image[2, 1] = 1.0  # half of a cell: the mean, 0.5 of the scale, a mid glyph
    W[:, 1] = image.ravel()
    labels = [f"u{j}" for j in range(9)]
    page = weight_tiles(W, (28, 28), labels, 0, width=120, height=34)
    assert (page.first, page.last) == (0, 8)  # 4 across (28 + 2 each), 2 down (1 + 14 + 1)
    lines = [line.plain for line in page.lines]
    assert lines[0].split() == ["u0", "u1", "u2", "u3"]
    tile_rows = lines[1:15]
    assert all(line[:28] == "█" * 28 for line in tile_rows)
    assert tile_rows[0][30] == "●" and tile_rows[1][31] == "▓"
    assert lines[15] == "" and lines[16].split() == ["u4", "u5", "u6", "u7"]


# ---------------------------------------------------------------- the forward pass


def test_the_forward_rows_are_forward_layers_numbers():
    net = tutorial_network()
    passes = forward_layers(net, [2.0, 3.0])
    text = text_of(forward_lines([2.0, 3.0], passes, ["sigmoid", "sigmoid"],
                                 ParamNames.of(net), 100))
    assert "h1" in text and "o1" in text
    assert numbers_after(text, "a1 = sigmoid(z1)") == [0.9526, 0.9526]  # the tutorial's
    assert numbers_after(text, "a2 = sigmoid(z2)") == [0.7216]
    np.testing.assert_allclose(numbers_after(text, "z1 = a0 @ W1 + b1"), passes[0].z[0],
                               atol=5e-5)


def test_a_big_layer_is_cells_with_its_range():
    net = Network([Dense(4, 30, "relu"), Dense(30, 3, "softmax")], dtype="float64")
    x = np.array([0.5, -1.0, 2.0, 0.1])
    passes = forward_layers(net, x)
    text = text_of(forward_lines(x, passes, ["relu", "softmax"], ParamNames.of(net), 120))
    z = passes[0].z[0]
    assert f"30 values, min {step_number(z.min())}, max {step_number(z.max())}" in text
    np.testing.assert_allclose(numbers_after(text, "a2 = softmax(z2)"), passes[1].a[0],
                               atol=5e-5)


# ---------------------------------------------------------------- one step, stage by stage


def test_every_stage_of_the_tutorial_step_shows_the_engines_numbers():
    net = tutorial_network()
    x, y, lr = np.array([2.0, 3.0]), np.array([1]), 0.1
    stages = step_stages(trace_step(net, x, y, lr), 100)
    assert [s.short for s in stages] == ["sample", "forward 1", "forward 2", "loss",
                                         "backward 2", "backward 1", "update"]
    text = "\n".join(text_of(stage.lines) for stage in stages)
    assert "h1 = sigmoid(w1·x1 + w2·x2 + b1)" in text
    assert "= sigmoid(3.0000) = 0.9526" in text and "= sigmoid(0.9526) = 0.7216" in text

    loss, grads = net.copy().loss_and_gradients(x.reshape(1, -1), y)  # the engine's backprop
    assert value_of(text, "L = mean((a − y)²)") == pytest.approx(loss, abs=5e-5)
    names = ParamNames.of(net)
    for layer, (dW, db) in enumerate(grads):
        for j in range(dW.shape[1]):
            bias = names.bias(layer, j)
            assert value_of(text, f"dL/d{bias} =") == pytest.approx(db[j], abs=5e-5)
            for i in range(dW.shape[0]):
                weight = names.weight(layer, i, j)
                assert value_of(text, f"dL/d{weight} =") == pytest.approx(dW[i, j], abs=5e-5)
                before = net.layers[layer].W[i, j]
                after = value_of(text, f"{weight} ")  # `w1  0.0000 − 0.1·(…) = after`
                assert after == pytest.approx(before - lr * dW[i, j], abs=5e-5)
    stepped = net.copy()
    for layer, (dW, db) in zip(stepped.layers, grads):
        layer.W[...] -= lr * dW
        layer.b[...] -= lr * db
    after_loss = stepped.loss_value(x.reshape(1, -1), y)
    assert f"{step_number(loss)} → {step_number(after_loss)}" in text


def test_a_big_networks_step_sums_up_its_gradients_and_update():
    session = Experiment.create("digits", config=TrainConfig(epochs=1))
    net = session.trainer.snapshot()
    x, y = session.dataset.X_test[0], session.dataset.y_test[:1]
    text = "\n".join(text_of(s.lines) for s in step_stages(trace_step(net, x, y, 0.01), 110,
                                                           session.dataset.class_names))
    _, grads = net.copy().loss_and_gradients(x.reshape(1, -1), y)
    dW = grads[0][0]
    i, j = np.unravel_index(int(np.abs(dW).argmax()), dW.shape)
    assert f"largest dW1[{i},{j}] = {step_number(dW[i, j])}" in text
    np.testing.assert_allclose(numbers_after(text, "δ2 = dL/dz2"), grads[1][1], atol=5e-5)
    moved = np.linalg.norm(0.01 * dW)
    assert f"|ΔW1| = {step_number(moved)}" in text


def test_stepping_past_the_update_steps_again_from_the_updated_copy():
    net, session = tutorial_network(), InsideSession("step")
    session.start_step(net, [2.0, 3.0], [1], 0.1, epoch=0)
    first = session.trace
    for _ in range(7):
        session.next_stage(7)
    assert session.step_count == 2 and session.stage == 1
    assert session.trace.loss_before == pytest.approx(first.loss_after)
    np.testing.assert_array_equal(net.layers[0].W, [[0.0, 0.0], [1.0, 1.0]])  # untouched


# ---------------------------------------------------------------- editing by hand, own input


def test_the_tutorial_parameters_come_in_the_tutorials_order_and_edits_stay_on_a_copy():
    net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="mse")
    params = param_list(net)
    assert [p.name for p in params] == ["w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3"]
    kept = net.params.copy()
    edited = with_edits(net, {"w1": 0.0, "b3": 2.5})
    np.testing.assert_array_equal(net.params, kept)
    assert params[0].value(edited) == 0.0 and params[8].value(edited) == 2.5
    text = text_of(param_lines(params, edited, net, {"b3": 2.5}, 8, 200))
    assert f"▸ b3 =    2.5000 * was {step_number(params[8].value(net))}" in text


def test_own_input_is_scaled_as_in_training():
    iris = Experiment.create("iris").dataset
    raw, x = parse_own_input("5.1, 3.5, 1.4, 0.2", iris, 4)
    expected = (raw - np.asarray(iris.scaling["mean"])) / np.asarray(iris.scaling["scale"])
    np.testing.assert_allclose(x, expected)
    for bad in ("5.1, 3.5", "a, b, c, d", "", "1e999, 1, 1, 1"):
        with pytest.raises(EngineError):
            parse_own_input(bad, iris, 4)


def test_emily_is_female_after_the_people_training_and_the_table_names_everyone():
    session = Experiment.create("people", "2:sigmoid,1:sigmoid", "mse",
                                TrainConfig(optimizer="sgd", lr=0.1, batch_size=1,
                                            epochs=1000))
    for _ in session.trainer.run():
        pass
    net, people = session.trainer.snapshot(), session.dataset
    _raw, x = parse_own_input("-7, -3", people, 2)
    said = prediction(net, people, net.predict_proba(x.reshape(1, -1))[0])
    assert said.startswith("female (0.9")
    text = text_of(people_lines(net, people))
    for name in ("Alice", "Bob", "Charlie", "Diana"):
        assert name in text
    assert text.count("✓") == 4 and SAME_ROWS[:40] in text


# ---------------------------------------------------------------- whole sections


def _context(session: Experiment) -> Context:
    ds = session.dataset
    return Context(ds, session.trainer.snapshot(), 0, 0.01, ds.X_test[0], ds.y_test[:1],
                   "test sample 1")


def test_the_edit_section_of_a_big_network_says_why_it_lists_no_weights():
    session = Experiment.create("digits")
    _title, lines = section_lines(InsideSession("edit"), _context(session), 100, 30)
    assert "up to 64 weights and biases (this one has 7,510)" in text_of(lines)


def test_the_weights_section_of_an_image_dataset_is_tiles_and_says_the_page():
    session = Experiment.create("digits")
    inside = InsideSession("weights")
    title, _ = section_lines(inside, _context(session), 100, 30)
    # 100 columns hold 5 tiles of 16 (and gaps of 2), 30 rows 2 rows of tiles (label, 8, gap)
    assert title.startswith("layer 1 weights as pictures: units 1-10 of 100, page 1/10")
    inside.turn_page(-1)
    title, _ = section_lines(inside, _context(session), 100, 30)
    assert "units 91-100 of 100, page 10/10" in title


def test_typed_text_goes_to_its_target_and_bad_text_changes_nothing():
    from tui.inside.typed import OWN_INPUT, prompt_for, take_typed

    session = Experiment.create("people", "2:sigmoid,1:sigmoid", "mse")
    context, inside = _context(session), InsideSession("edit")
    assert prompt_for(inside, context)[0] == OWN_INPUT  # the own-input row comes first
    inside.move(3, 10)
    target, prompt = prompt_for(inside, context)
    assert target == "w3" and prompt.startswith("w3 (now ")
    for bad in ("", "abc", "1, 2", "nan"):
        with pytest.raises(EngineError):
            take_typed(inside, context, target, bad)
    assert inside.edits == {}
    take_typed(inside, context, target, "-0.5")
    take_typed(inside, context, OWN_INPUT, "-7 -3")
    assert inside.edits == {"w3": -0.5} and list(inside.own.raw) == [-7.0, -3.0]


def test_weights_typed_too_big_give_inf_or_nan_not_a_crash_or_a_warning():
    import warnings

    from tui.inside.typed import take_typed

    session = Experiment.create("people", "2:sigmoid,1:sigmoid", "mse")  # float32
    inside = InsideSession()
    with pytest.raises(EngineError, match="too large for this float32 model"):
        take_typed(inside, _context(session), "w1", "1e39")
    inside.edits.update({"w1": 1e38, "w2": -1e38, "w5": 1e38})  # they fit, the sums overflow
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for section in ("weights", "sample", "step", "edit"):
            inside.show(section)
            if section == "step":
                context = _context(session)
                inside.start_step(with_edits(context.model, inside.edits), context.x,
                                  context.y, 0.1, 0)
            section_lines(inside, _context(session), 100, 30)
            if section == "step":
                for _ in range(8):
                    inside.next_stage(7)
