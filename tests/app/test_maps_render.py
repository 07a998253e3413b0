"""The input-space pictures as pure functions, without an app: the decision regions' pixels are
the network's `predict` on the same grid points (in colour and without), classes stay apart
without colour, and the other views put their marks where the numbers say."""

from __future__ import annotations

import numpy as np
import pytest
from rich.color import Color
from rich.console import Console
from rich.style import Style

from engine import (
    Experiment,
    LayerSpec,
    ModelSpec,
    Network,
    TrainConfig,
    input_maps,
    load_dataset,
)
from engine.data.features import expand_features
from tui import map_jobs
from tui.render_maps import (
    RAMP,
    REGION_GLYPHS,
    TEST_GLYPHS,
    TRAIN_GLYPHS,
    UPPER_HALF,
    Canvas,
    Plane,
    paint_regions,
    tile_layout,
)
from tui.render_marks import braille
from tui.render_plots import curve_view, fit_view, projection_view
from tui.render_space import (
    LEVELS,
    MONO,
    Marks,
    Palette,
    neurons_view,
    regions_plane,
    regions_view,
)

WIDTH, HEIGHT = 44, 12


def distinct_palette(classes: int = 3) -> Palette:
    """A tone per (class, level) that appears nowhere else, so a cell's colour says its pixel."""
    tones = tuple(tuple(Color.from_rgb(10 + 60 * k, 20 + 40 * level, 200) for level in
                        range(LEVELS)) for k in range(classes))
    ramp = tuple(Color.from_rgb(5 * i, 0, 0) for i in range(9))
    points = tuple(Style(color=Color.from_rgb(255, 255, k), bold=True) for k in range(classes))
    return Palette(tones=tones, ramp=ramp, points=points, swatches=points)


def decode(cells: list[list[tuple[str, Style]]], palette: Palette) -> np.ndarray:
    """The class of every pixel of a half-block map (-1 where a point covers the cell)."""
    owner = {tone.triplet: k for k, shades in enumerate(palette.tones) for tone in shades}
    out = np.full((2 * len(cells), len(cells[0])), -1)
    for r, row in enumerate(cells):
        for c, (text, style) in enumerate(row):
            if text == UPPER_HALF:
                out[2 * r, c] = owner[style.color.triplet]
                out[2 * r + 1, c] = owner[style.bgcolor.triplet]
    return out


@pytest.fixture(scope="module")
def spiral_model():
    """A 3-class network on spiral, trained a little: all three classes on the map."""
    experiment = Experiment.create("spiral", layers="16:tanh,16:tanh,3:softmax",
                                   config=TrainConfig(epochs=40, lr=0.01, seed=0))
    for _ in experiment.trainer.run():
        pass
    return experiment.dataset, experiment.network.snapshot()


def plane_for(dataset, per_cell: int) -> Plane:
    return regions_plane(map_jobs.plane_ranges(dataset), WIDTH, HEIGHT, per_cell,
                         dataset.feature_names[1])


def view_cells(result, palette) -> list[list[tuple[str, Style]]]:
    """The map's own cells, from the rendered lines (axis columns dropped)."""
    lines = regions_view(result, palette, Marks(), WIDTH, HEIGHT)
    cells = []
    for line in lines[1:1 + result.plane.rows]:
        row = []
        # The frame is the y labels and one edge character: the map is the last `cols` cells.
        for segment in line.render(_console()):
            row.extend((ch, segment.style or Style()) for ch in segment.text)
        cells.append(row[-result.plane.cols:])
    return cells


def _console() -> Console:
    return Console(width=200, color_system="truecolor")


def test_region_pixels_are_predict_on_the_grid_points(spiral_model):
    dataset, network = spiral_model
    palette = distinct_palette()
    plane = plane_for(dataset, per_cell=2)
    result = map_jobs.plane_maps(network, dataset, plane, epoch=40)
    pixels = decode(view_cells(result, palette), palette)
    expected = network.predict(plane.grid().points).reshape(plane.pixel_rows, plane.cols)
    drawn = pixels >= 0  # cells under a training point show the point instead
    assert drawn.mean() > 0.6 and len(np.unique(expected)) == 3
    np.testing.assert_array_equal(pixels[drawn], expected[drawn])


def test_without_colour_each_cell_is_predict_at_its_point(spiral_model):
    dataset, network = spiral_model
    plane = plane_for(dataset, per_cell=1)
    result = map_jobs.plane_maps(network, dataset, plane, epoch=40)
    lines = regions_view(result, MONO, Marks(), WIDTH, HEIGHT)
    expected = network.predict(plane.grid().points).reshape(plane.rows, plane.cols)
    fill = {g: k for k, g in enumerate(REGION_GLYPHS[:3])}
    checked = 0
    for r, line in enumerate(lines[1:1 + plane.rows]):
        for c, ch in enumerate(line.plain[-plane.cols:]):
            if ch in fill:
                assert fill[ch] == expected[r, c]
                checked += 1
    assert checked > 0.6 * plane.rows * plane.cols
    assert all(span.style in ("", None) or not Style.parse(str(span.style)).color
               for line in lines for span in line.spans)


def test_without_colour_classes_have_their_own_fills_and_glyphs(spiral_model):
    dataset, network = spiral_model
    result = map_jobs.plane_maps(network, dataset, plane_for(dataset, 1), epoch=40)
    lines = regions_view(result, MONO, Marks(test=True), WIDTH, HEIGHT)
    text = "\n".join(line.plain for line in lines)
    fills, train, test = REGION_GLYPHS[:3], TRAIN_GLYPHS[:3], TEST_GLYPHS[:3]
    assert len(set(fills + train + test)) == 9  # no two classes (or kinds of mark) share one
    for glyph in fills + train + test:
        assert glyph in text
    assert all(f"{fill}{point} {k}" in lines[0].plain
               for k, (fill, point) in enumerate(zip(fills, train)))


def test_extra_inputs_are_fed_while_the_map_stays_over_x1_x2():
    dataset = load_dataset("circles", features=["x1^2", "x2^2"])
    network = Network.from_spec(ModelSpec((LayerSpec(2, "softmax"),)), 4, seed=0)
    network.fit(dataset.X_train, dataset.y_train, epochs=30, lr=0.05)
    plane = plane_for(dataset, 2)
    result = map_jobs.plane_maps(network.snapshot(), dataset, plane, 30)
    palette = distinct_palette(2)
    pixels = decode(view_cells(result, palette), palette)
    inputs = expand_features(plane.grid().points, dataset.input_features)
    expected = network.predict(inputs).reshape(plane.pixel_rows, plane.cols)
    drawn = pixels >= 0
    np.testing.assert_array_equal(pixels[drawn], expected[drawn])
    assert expected[plane.pixel_rows // 2, plane.cols // 2] != expected[0, 0]  # a ring


def test_the_plane_keeps_one_scale_on_both_axes_and_holds_the_data():
    for per_cell in (1, 2):
        plane = Plane.fit((-1.0, 2.0), (-0.5, 0.5), 40, 10, per_cell)
        x_step = (plane.x_range[1] - plane.x_range[0]) / (plane.cols - 1)
        y_step = (plane.y_range[1] - plane.y_range[0]) / (plane.pixel_rows - 1)
        assert x_step == pytest.approx(y_step * per_cell / 2)  # a cell is twice as tall
        assert plane.x_range[0] <= -1 and plane.x_range[1] >= 2
        assert plane.y_range[0] <= -0.5 and plane.y_range[1] >= 0.5
        rows, cols, inside = plane.cells(np.array([[plane.x_range[0], plane.y_range[1]],
                                                   [plane.x_range[1], plane.y_range[0]],
                                                   [9.0, 0.0], [np.nan, 0.0]]))
        assert inside.tolist() == [True, True, False, False]
        assert (rows[0], cols[0]) == (0, 0) and (rows[1], cols[1]) == (9, 39)


def test_paint_regions_draws_two_pixels_a_cell():
    canvas = Canvas(1, 2)
    tones = ((Color.from_rgb(1, 0, 0),) * LEVELS, (Color.from_rgb(2, 0, 0),) * LEVELS)
    paint_regions(canvas, np.array([[0, 1], [1, 1]]), np.zeros((2, 2), int), tones)
    (top_left, style_left), (_, style_right) = canvas.cells[0]
    assert top_left == UPPER_HALF
    assert style_left.color.triplet == (1, 0, 0) and style_left.bgcolor.triplet == (2, 0, 0)
    assert style_right.color.triplet == style_right.bgcolor.triplet == (2, 0, 0)


@pytest.mark.parametrize(("width", "height", "units"), [(44, 11, 16), (44, 11, 100),
                                                         (36, 9, 3), (10, 3, 8)])
def test_tiles_fit_the_panel_without_overlapping(width, height, units):
    tiles = tile_layout(width, height, units)
    assert tiles.cols == 2 * tiles.rows and 1 <= tiles.shown <= units
    seen: set[tuple[int, int]] = set()
    for n in range(tiles.shown):
        top, left = tiles.origin(n)
        cells = {(top + r, left + c) for r in range(tiles.rows) for c in range(tiles.cols)}
        assert not cells & seen
        seen |= cells
        assert top + tiles.rows <= max(height, tiles.rows) and left + tiles.cols <= width
    if units == 16:
        assert tiles.shown == 16 and tiles.rows >= 3


def test_a_neuron_tile_shows_its_units_values(spiral_model):
    dataset, network = spiral_model
    tiles = tile_layout(WIDTH, HEIGHT - 1, 16)
    plane = Plane.fit(*map_jobs.plane_ranges(dataset), tiles.cols, tiles.rows, 1)
    result = map_jobs.plane_maps(network, dataset, plane, 40)
    lines = neurons_view(result, 0, 0, ["tanh"], MONO, WIDTH, HEIGHT)
    assert lines[0].plain.startswith("layer 1/2: 16 tanh")
    hidden = input_maps(network, plane.grid()).hidden[0]
    scaled = hidden / np.abs(hidden).max()
    for unit in (0, 5, 15):
        top, left = tiles.origin(unit)
        drawn = [line.plain[left:left + tiles.cols] for line in lines[1 + top:1 + top +
                                                                        tiles.rows]]
        expected = np.rint((scaled[:, :, unit] + 1) / 2 * (len(RAMP) - 1)).astype(int)
        assert [[RAMP.index(ch) for ch in row] for row in drawn] == expected.tolist()


def test_braille_draws_a_line_through_its_points():
    plane = Plane((0.0, 1.0), (0.0, 1.0), 10, 4, 1)
    canvas = Canvas(4, 10)
    braille(canvas, plane, np.array([0.0, 1.0]), np.array([0.5, 0.5]))
    rows = canvas.glyphs()
    marked = [r for r, row in enumerate(rows) if row.strip()]
    assert len(marked) == 1 and len(rows[marked[0]].strip()) == 10
    assert all(0x2800 < ord(ch) <= 0x28FF for ch in rows[marked[0]])


def test_the_function_line_follows_the_network():
    dataset = load_dataset("sine")
    network = Network.from_spec(ModelSpec((LayerSpec(8, "tanh"), LayerSpec(1, "linear")),
                                          "mse"), 1, seed=0)
    network.fit(dataset.X_train, dataset.y_train, epochs=20, lr=0.01)
    x_range = (float(dataset.X_train.min()), float(dataset.X_train.max()))
    result = map_jobs.curve(network.snapshot(), dataset, x_range, 80, 20)
    lines = curve_view(result, MONO, Marks(), 0.5, WIDTH, HEIGHT)
    assert "test R² 0.500" in lines[0].plain
    body = [line.plain for line in lines[1:-1]]
    pad = body[0].index("┤") + 1
    for x, y in zip(result.curve.x[::8], result.curve.y[::8, 0]):
        col = round((x - x_range[0]) / (x_range[1] - x_range[0]) * (len(body[0]) - pad - 1))
        rows = [r for r, line in enumerate(body) if 0x2800 < ord(line[pad + col]) <= 0x28FF]
        y_low, y_high = float(dataset.y_train.min()), float(dataset.y_train.max())
        margin = (y_high - y_low) * 0.1
        expected = (y_high + margin - y) / (y_high - y_low + 2 * margin) * (len(body) - 1)
        assert rows and min(abs(r - expected) for r in rows) <= 1.0


def test_predicted_against_true_in_the_targets_units():
    dataset = load_dataset("diabetes")
    outputs = dataset.y_test * 0.5  # a poor model: half the (scaled) truth
    lines = fit_view(dataset, outputs, 0.25, MONO, Marks(selected=0), WIDTH, HEIGHT)
    true = dataset.unscale_targets(dataset.y_test)[:, 0]
    predicted = dataset.unscale_targets(outputs)[:, 0]
    mae = np.mean(np.abs(true - predicted))
    assert f"R² 0.250  MAE {mae:.4g}" in lines[0].plain
    assert f"n={len(true)}" in lines[0].plain
    assert lines[-1].plain.strip().startswith(f"{true.min() - 0.05 * np.ptp(true):.0f}"[:2])
    assert "•" in "".join(line.plain for line in lines)
    assert fit_view(dataset, None, None, MONO, Marks(), WIDTH, HEIGHT)[0].plain == \
        "no predictions yet"


def test_projection_glyphs_by_predicted_class_and_wrong_ones_marked():
    dataset = load_dataset("iris")
    result = map_jobs.projected(dataset)
    outputs = np.eye(3)[dataset.y_test]
    outputs[0] = np.roll(outputs[0], 1)  # one wrong prediction
    wrong_style = Style(underline=True, italic=True)
    palette = Palette(wrong=wrong_style)
    lines = projection_view(result, outputs, palette, Marks(selected=0), WIDTH, HEIGHT)
    text = "\n".join(line.plain for line in lines[1:-1])
    for k in range(3):
        assert TRAIN_GLYPHS[k] in text
    styled = [span for line in lines[1:-2] for span in line.spans if span.style == wrong_style]
    assert not styled  # the one wrong sample is the selected one: drawn reversed on top
    last = lines[-1].plain
    assert last.startswith(f"1/{len(dataset.y_test)}") and last.endswith("✗")
    names = dataset.class_names
    assert f"true {names[dataset.y_test[0]]}" in last
    lines = projection_view(result, outputs, palette, Marks(selected=1), WIDTH, HEIGHT)
    assert any(span.style == wrong_style for line in lines[1:-2] for span in line.spans)


def test_the_views_fit_any_size_without_error(spiral_model):
    dataset, network = spiral_model
    for width, height in ((1, 1), (5, 3), (20, 6), (200, 60)):
        plane = regions_plane(map_jobs.plane_ranges(dataset), width, height, 2)
        if plane is None:
            continue
        result = map_jobs.plane_maps(network, dataset, plane, 1)
        lines = regions_view(result, MONO, Marks(True, 3), width, height)
        assert len(lines) <= height and all(line.cell_len <= width for line in lines)


def test_a_mark_keeps_the_region_colour_under_it_even_over_another_mark():
    canvas = Canvas(1, 1)
    region = Style(color=Color.from_rgb(9, 9, 9), bgcolor=Color.from_rgb(1, 1, 1))
    canvas.cells[0][0] = (UPPER_HALF, region)
    canvas.put(0, 0, "○", Style(color=Color.from_rgb(200, 0, 0)))
    canvas.put(0, 0, "●", Style(color=Color.from_rgb(0, 200, 0)))
    text, style = canvas.cells[0][0]
    assert text == "●" and style.bgcolor.triplet == (9, 9, 9)  # the top pixel's colour
    assert style.color.triplet == (0, 200, 0)


def test_a_diverged_network_still_draws_every_view():
    """NaN weights (a run that diverged) give NaN outputs: every view draws, none raises."""
    for name, layers in (("moons", "4:tanh,2:softmax"), ("sine", "4:tanh,1:linear"),
                         ("diabetes", "4:relu,1:linear"), ("iris", "4:relu,3:softmax")):
        experiment = Experiment.create(name, layers=layers)
        network = experiment.network.copy()
        network.params[:] = np.nan
        dataset = experiment.dataset
        outputs = network.predict_proba(dataset.X_test)
        marks = Marks(test=True, selected=0)
        if dataset.n_features == 2:
            plane = plane_for(dataset, 2)
            result = map_jobs.plane_maps(network, dataset, plane, 1)
            assert len(regions_view(result, distinct_palette(2), marks, WIDTH, HEIGHT)) == HEIGHT
            assert neurons_view(result, 0, 0, ["tanh"], MONO, WIDTH, HEIGHT)
        elif dataset.n_features == 1:
            result = map_jobs.curve(network, dataset, (-3.0, 3.0), 40, 1)
            assert curve_view(result, MONO, marks, None, WIDTH, HEIGHT)
            assert fit_view(dataset, outputs, float("nan"), MONO, marks, WIDTH, HEIGHT)
        elif dataset.is_classification:
            projected = map_jobs.projected(dataset)
            assert projection_view(projected, outputs, MONO, marks, WIDTH, HEIGHT)
        else:
            assert fit_view(dataset, outputs, None, MONO, marks, WIDTH, HEIGHT)
