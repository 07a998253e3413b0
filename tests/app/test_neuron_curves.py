"""The neurons of a one-input network (sine, a 1-feature CSV) as small curves over the input range,
a layer at a time: pure rendering, without an app (issue 8)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from rich.style import Style

from engine import LayerSpec, ModelSpec, Network, load_dataset
from tests.app.test_maps_render import distinct_palette
from tui import map_jobs
from tui.render_maps import BRAILLE_BASE, Canvas, Plane, tile_layout
from tui.render_marks import braille
from tui.render_plots import ZERO, neuron_curves_view
from tui.render_space import MONO
from tui.space_views import views_for

WIDTH, HEIGHT = 60, 14


@pytest.fixture(scope="module")
def sine_curve():
    """A 1-6 tanh-4 relu-1 network on sine, trained a little, and its curve job's answer."""
    dataset = load_dataset("sine")
    spec = ModelSpec((LayerSpec(6, "tanh"), LayerSpec(4, "relu"), LayerSpec(1, "linear")), "mse")
    network = Network.from_spec(spec, 1, seed=3)
    network.fit(dataset.X_train, dataset.y_train, epochs=5, lr=0.01)
    x_range = (float(dataset.X_train.min()), float(dataset.X_train.max()))
    return network, map_jobs.curve(network.snapshot(), dataset, x_range, 2 * WIDTH, 5)


def _activations(network: Network, x: np.ndarray) -> list[np.ndarray]:
    """Each layer's a over x (points,), written out: z = a @ W + b, a = f(z)."""
    a, out = x.reshape(-1, 1), []
    for layer, f in zip(network.layers, (np.tanh, lambda z: np.maximum(z, 0), lambda z: z),
                        strict=True):
        a = f(a @ layer.W + layer.b)
        out.append(a)
    return out


def _tile(lines, tiles, n: int) -> list[str]:
    top, left = tiles.origin(n)
    return [line.plain[left:left + tiles.cols] for line in lines[1 + top:1 + top + tiles.rows]]


@pytest.mark.parametrize("page", [0, 1, 2])
def test_each_tile_is_its_units_activation_over_the_input(sine_curve, page):
    network, result = sine_curve
    lines = neuron_curves_view(result, page, 0, ["tanh", "relu", "linear"], MONO, WIDTH, HEIGHT)
    values = _activations(network, result.curve.x)[page]
    units = values.shape[1]
    assert lines[0].plain.startswith(("layer 1/2: 6 tanh", "layer 2/2: 4 relu",
                                      "output: 1 linear")[page])
    tiles = tile_layout(WIDTH, HEIGHT - 1, units)
    signed = bool(values.min() < 0)
    assert signed == (page != 1)  # relu never goes below zero: drawn from 0 up
    plane = Plane(result.x_range, (-1.0, 1.0) if signed else (0.0, 1.0), tiles.cols, tiles.rows,
                  1)
    for n in range(units):
        expected = Canvas(tiles.rows, tiles.cols)
        braille(expected, plane, result.curve.x, values[:, n] / np.abs(values).max())
        drawn = _tile(lines, tiles, n)
        curve = ["".join(ch if ch != ZERO else " " for ch in row) for row in drawn]
        assert curve == expected.glyphs(), (page, n)
        assert all(ch in (" ", ZERO) or BRAILLE_BASE <= ord(ch) <= BRAILLE_BASE + 0xFF
                   for row in drawn for ch in row)


def test_units_differ_and_pages_cover_every_layer(sine_curve):
    """Tiles are not one curve repeated, and paging past the units shown starts at `first`."""
    _, result = sine_curve
    lines = neuron_curves_view(result, 0, 0, ["tanh"], MONO, WIDTH, HEIGHT)
    tiles = tile_layout(WIDTH, HEIGHT - 1, 6)
    drawn = [_tile(lines, tiles, n) for n in range(6)]
    assert len({tuple(tile) for tile in drawn}) == 6
    later = neuron_curves_view(result, 0, 2, ["tanh"], MONO, 40, 4)  # from the third unit
    assert "units 3-6" in later[0].plain
    small = tile_layout(40, 3, 6)
    assert _tile(later, small, 0) == _tile(neuron_curves_view(result, 0, 0, ["tanh"], MONO, 40,
                                                              4), small, 2)[:small.rows]


def test_the_zero_line_and_the_colours(sine_curve):
    _, result = sine_curve
    palette = replace(distinct_palette(), line=Style(color="red"), muted=Style(color="blue"))
    lines = neuron_curves_view(result, 0, 0, ["tanh"], palette, WIDTH, HEIGHT)
    assert ZERO in "".join(line.plain for line in lines[1:])
    styles = {span.style for line in lines[1:] for span in line.spans}
    assert palette.line in styles and palette.muted in styles


@pytest.mark.parametrize(("name", "views"), [
    ("sine", ("curve", "neurons", "fit", "sample")),
])
def test_one_input_networks_get_the_neurons_view(name, views):
    assert views_for(load_dataset(name)) == views


def test_one_feature_classification_gets_neuron_curves(tmp_path):
    csv = tmp_path / "one.csv"
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    csv.write_text("x,label\n" + "".join(f"{v:.4f},{int(v > 0)}\n" for v in x))
    assert views_for(load_dataset(str(csv))) == ("neurons", "sample")
