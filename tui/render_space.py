"""The input-space views as lines of text, from computed numbers: decision regions (or a regression
network's output) over the plane and the neurons of one layer as tiles (the function, predicted
against true and the projection are in `tui.render_plots`).

Pure functions of their inputs and a `Palette` (styles the widget builds from its CSS; `MONO`
for NO_COLOR), so each view is tested without an app. A view gets `width` x `height` cells and
returns at most `height` lines: a header (legend), the picture with its axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text

from engine import Dataset
from tui.map_jobs import Curve, PlaneMaps, base_coordinates
from tui.render_maps import (
    BLANK,
    RAMP,
    REGION_GLYPHS,
    TEST_GLYPHS,
    TRAIN_GLYPHS,
    Canvas,
    Plane,
    Tiles,
    confidence_levels,
    glyph,
    paint_regions,
    paint_values,
    scaled_units,
)
from tui.render_marks import framed, label_width, put_points
from tui.sample_browser import UNSCALERS

LEVELS = 4  # confidence steps a region's tone shows
UNDERLINED = Style(underline=True)  # a wrong prediction, told without colour
REVERSED = Style(reverse=True, bold=True)  # the selected sample
POINT = "•"  # a regression sample
TEST_POINT = "◦"


@dataclass(frozen=True)
class Palette:
    """How the views look. `tones[class][level]`: region colours from faint (unsure) to strong;
    `ramp`: an odd number of colours from negative through zero to positive. Both None without
    colour, where fills and glyphs carry everything."""

    tones: tuple[tuple[Color, ...], ...] | None = None
    ramp: tuple[Color, ...] | None = None
    points: tuple[Style, ...] = ()  # a point's glyph per class
    swatches: tuple[Style, ...] = ()  # the legend's class colour per class
    axis: Style = BLANK
    header: Style = BLANK
    muted: Style = BLANK
    line: Style = BLANK  # the network's function, the y = x line
    wrong: Style = UNDERLINED
    selected: Style = REVERSED

    @property
    def colour(self) -> bool:
        return self.tones is not None


MONO = Palette()


@dataclass(frozen=True)
class Marks:
    """What the points show: the test split too (`o`), and the selected test sample."""

    test: bool = False
    selected: int | None = None


Parts = Sequence[tuple[str, Style]]


def header(width: int, *candidates: Parts) -> Text:
    """The first wording that fits `width` (the last one cut to fit if none does)."""
    for parts in candidates:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for part, style in parts:
            text.append(part, style)
        if text.cell_len <= width:
            return text
    text.truncate(width, overflow="ellipsis")
    return text


def class_legend(names: Sequence[str], palette: Palette, fills: bool, test: bool,
                 gap: str = "  ") -> list[tuple[str, Style]]:
    """`░○ 0  ▓× 1`: each class's fill (or colour swatch) and point glyph."""
    parts: list[tuple[str, Style]] = []
    for k, name in enumerate(names):
        if fills:
            swatch = palette.swatches[k % len(palette.swatches)] if palette.swatches else BLANK
            parts.append(("█" if palette.colour else glyph(REGION_GLYPHS, k), swatch))
        shown = glyph(TEST_GLYPHS if test else TRAIN_GLYPHS, k)
        point = palette.points[k % len(palette.points)] if palette.points else BLANK
        parts += [(shown, point), (f" {name}{gap}", palette.header)]
    return parts


def unscaled(dataset: Dataset, values: np.ndarray, column: int) -> np.ndarray:
    """Feature `column`'s values back in the data's own units (for axis numbers)."""
    scaling = dataset.scaling
    unscale = UNSCALERS.get(scaling.get("kind", "none"))
    if unscale is None:
        return np.asarray(values, dtype=np.float64)
    row = np.zeros((len(values), dataset.n_features))
    row[:, column] = values
    return np.asarray(unscale(row, scaling))[:, column]


# ---------------------------------------------------------------- the plane


def regions_plane(ranges: tuple[tuple[float, float], tuple[float, float]], width: int,
                  height: int, per_cell: int, y_name: str = "") -> Plane | None:
    """The plane that fills width x height under a header and above the x axis, with room for
    the y axis numbers; None when there is no room to draw."""
    rows, pad = height - 2, 4
    plane = None
    for _ in range(3):
        cols = width - pad - 1
        if cols < 4 or rows < 2:
            return None
        plane = Plane.fit(*ranges, cols, rows, per_cell)
        pad = label_width(plane, y_name)
    return plane


def regions_view(result: PlaneMaps, palette: Palette, marks: Marks, width: int,
                 height: int) -> list[Text]:
    """The predicted class over the plane (brighter where surer), the training points on it."""
    ds, plane, maps = result.dataset, result.plane, result.maps
    canvas = Canvas(plane.rows, plane.cols)
    if maps.predicted is not None:
        n_classes = len(ds.class_names)
        paint_regions(canvas, maps.predicted,
                      confidence_levels(maps.confidence, n_classes, LEVELS), palette.tones)
        legend = class_legend(ds.class_names, palette, True, False)
        hint = [(glyph(TEST_GLYPHS, 0), palette.muted),
                (" test" if marks.test else " test: o", palette.muted)]
        tops = [[*legend, *hint], legend, class_legend(ds.class_names, palette, True, False, " ")]
        labels_train, labels_test = ds.y_train, ds.y_test
    else:  # regression: the first output, from the lowest target to the highest
        low, high = float(np.min(ds.y_train)), float(np.max(ds.y_train))
        values = (maps.outputs[:, :, 0] - low) / max(high - low, 1e-12) * 2 - 1
        paint_values(canvas, values, 0, 0, palette.ramp)
        tops = [[(f"{POINT} data  low ", palette.header), *_ramp_key(palette),
                 (" high", palette.header)]]
        labels_train, labels_test = np.zeros(len(ds.y_train)), np.zeros(len(ds.y_test))
    glyphs_train = TRAIN_GLYPHS if maps.predicted is not None else (POINT,)
    glyphs_test = TEST_GLYPHS if maps.predicted is not None else (TEST_POINT,)
    put_points(canvas, plane, base_coordinates(ds.X_train), labels_train, glyphs_train,
               palette.points)
    if marks.test:
        put_points(canvas, plane, base_coordinates(ds.X_test), labels_test, glyphs_test,
                   palette.points)
    select_mark(canvas, plane, base_coordinates(ds.X_test), labels_test, glyphs_test, marks,
                palette)
    names = ds.feature_names
    body = framed(canvas.lines(), plane, names[0], names[1], width, palette.axis,
                  axis_units(ds, plane.y_range, 1), axis_units(ds, plane.x_range, 0))
    return [header(width, *tops), *body][:height]


def _ramp_key(palette: Palette, signed: bool = True) -> list[tuple[str, Style]]:
    """The colours (or glyphs) a value takes, low to high."""
    if palette.ramp is None:
        return [("".join(RAMP), BLANK)]
    ramp = palette.ramp if signed else palette.ramp[len(palette.ramp) // 2:]
    return [("█", Style(color=colour)) for colour in ramp]


def axis_units(ds: Dataset, plane_range: tuple[float, float], column: int) -> tuple[float, float]:
    low, high = unscaled(ds, np.array(plane_range), column)
    return float(low), float(high)


def select_mark(canvas: Canvas, plane: Plane, X2: np.ndarray, labels: np.ndarray,
            glyphs: Sequence[str], marks: Marks, palette: Palette) -> None:
    """The selected test sample, drawn last in the selected style."""
    i = marks.selected
    if i is None or not 0 <= i < len(X2):
        return
    rows, cols, inside = plane.cells(X2[i:i + 1])
    if inside[0]:
        canvas.put(int(rows[0]), int(cols[0]), glyph(glyphs, int(labels[i])), palette.selected,
                   keep_background=False)


# ---------------------------------------------------------------- neurons


def neuron_pages(result: PlaneMaps | Curve) -> list[np.ndarray]:
    """Each layer's activations, the hidden layers then the output: (pixel rows, cols, units)
    over the plane, or (points, units) along a one-input network's input range."""
    if isinstance(result, Curve):
        return [*result.curve.hidden, result.curve.y]
    return [*result.maps.hidden, result.maps.outputs]


def neuron_tiles(plane: Plane, width: int, height: int, units: int) -> Tiles:
    """How many tiles of the plane's size fit under the header, and how they are laid out."""
    across = max((width + 1) // (plane.cols + 1), 1)
    down = max(height // (plane.rows + 1), 1)
    return Tiles(plane.cols, plane.rows, across, min(units, across * down))


def neurons_view(result: PlaneMaps, page: int, first: int, activations: Sequence[str],
                 palette: Palette, width: int, height: int) -> list[Text]:
    """Units `first`.. of one layer, each a small map over the plane, as Playground draws its
    neurons (the output layer's are the classes' probabilities)."""
    pages = neuron_pages(result)
    page = min(max(page, 0), len(pages) - 1)
    values = pages[page]
    units = values.shape[-1]
    first = min(max(first, 0), units - 1)
    tiles = neuron_tiles(result.plane, width, height, units - first)
    scaled, signed = scaled_units(values)
    canvas = Canvas(min(height - 1, -(-tiles.shown // tiles.across) * (tiles.rows + 1)), width)
    for n in range(tiles.shown):
        top, left = tiles.origin(n)
        paint_values(canvas, scaled[:, :, first + n], top, left, palette.ramp, signed)
    key = [("  " + ("−" if signed else "0"), palette.muted), *_ramp_key(palette, signed),
           ("+", palette.muted)]
    head = neurons_header(len(pages), page, activations, units, first, tiles.shown, key,
                          palette, width)
    return [head, *canvas.lines()][:height]


def neurons_header(pages: int, page: int, activations: Sequence[str], units: int, first: int,
                   shown: int, key: Parts, palette: Palette, width: int) -> Text:
    """`layer 1/2: 16 tanh  units 1-12  −░▒▓█+  , . pages`, as much of it as fits."""
    activation = activations[page] if page < len(activations) else ""
    name = "output" if page == pages - 1 else f"layer {page + 1}/{pages - 1}"
    title = (f"{name}: {units} {activation}", palette.header)
    which = (f"  units {first + 1}-{first + shown}" if shown < units else "", palette.muted)
    hint = ("  , . pages" if pages > 1 or shown < units else "", palette.muted)
    return header(width, [title, which, *key, hint], [title, which, hint], [title, which],
                  [title])
