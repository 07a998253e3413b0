"""The input-space views that plot points rather than paint the plane: a one-input network's
function over its data and its neurons as small curves, predicted against true for regression,
and the test split's PCA projection. Pure functions of their numbers and a `Palette`, like
`tui.render_space`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.text import Text

from engine import Dataset
from tui.map_jobs import Curve, Projected
from tui.render_maps import TRAIN_GLYPHS, Canvas, Plane, glyph, scaled_units, tile_layout
from tui.render_marks import braille, framed, put_points, tick
from tui.render_space import (
    POINT,
    TEST_POINT,
    Marks,
    Palette,
    axis_units,
    class_legend,
    header,
    neuron_pages,
    neuron_tiles,
    neurons_header,
    select_mark,
)
from tui.sample_browser import class_probabilities

ZERO = "·"  # a neuron curve's zero line, drawn under the curve

# ---------------------------------------------------------------- one input: the function


def curve_view(result: Curve, palette: Palette, marks: Marks, r2: float | None, width: int,
               height: int) -> list[Text]:
    """The training data as points and the network's function as a line through them."""
    ds = result.dataset
    x_train, y_train = ds.X_train[:, 0], ds.y_train[:, 0]
    y_low, y_high = float(np.min(ds.y_train)), float(np.max(ds.y_train))
    pad_y = (y_high - y_low) * 0.1 or 1.0
    y_range = (y_low - pad_y, y_high + pad_y)
    y_units = _target_units(ds, y_range)
    pad = max(len(tick(y_units[0])), len(tick(y_units[1])), 4)
    plane = Plane(result.x_range, y_range, max(width - pad - 1, 2), max(height - 2, 1), 1)
    canvas = Canvas(plane.rows, plane.cols)
    points = np.column_stack([x_train, y_train])
    put_points(canvas, plane, points, np.zeros(len(points)), (POINT,), (palette.muted,))
    test = np.column_stack([ds.X_test[:, 0], ds.y_test[:, 0]])
    if marks.test:
        put_points(canvas, plane, test, np.zeros(len(test)), (TEST_POINT,), (palette.muted,))
    braille(canvas, plane, result.curve.x, result.curve.y[:, 0], palette.line)
    select_mark(canvas, plane, test, np.zeros(len(test)), (TEST_POINT,), marks, palette)
    score = "" if r2 is None else f"  test R² {r2:.3f}"
    head = header(width, [(f"{POINT} data  ", palette.header), ("⠤⠒ network", palette.line),
                          (score, palette.header)])
    body = framed(canvas.lines(), plane, ds.feature_names[0], "y", width, palette.axis,
                  y_units, axis_units(ds, plane.x_range, 0))
    return [head, *body][:height]


def neuron_curves_view(result: Curve, page: int, first: int, activations: Sequence[str],
                       palette: Palette, width: int, height: int) -> list[Text]:
    """Units `first`.. of one layer of a one-input network, each a small curve of its
    activation over the input range (the x axis of the function view), laid out as the 2-D
    neuron maps are. One scale for the whole layer, so units compare: from -max|a| to max|a|
    with the zero line across the middle, or from 0 (the bottom row, dotted) for a layer that
    never goes negative (relu, sigmoid, softmax). The output layer's are its outputs."""
    pages = neuron_pages(result)
    page = min(max(page, 0), len(pages) - 1)
    values = pages[page]
    units = values.shape[-1]
    first = min(max(first, 0), units - 1)
    layout = tile_layout(width, height - 1, units)
    scaled, signed = scaled_units(values)
    plane = Plane(result.x_range, (-1.0, 1.0) if signed else (0.0, 1.0), layout.cols,
                  layout.rows, 1)
    tiles = neuron_tiles(plane, width, height, units - first)
    canvas = Canvas(min(height - 1, -(-tiles.shown // tiles.across) * (tiles.rows + 1)), width)
    zero_row = int(np.rint((plane.rows * 4 - 1) / 2)) // 4 if signed else plane.rows - 1
    for n in range(tiles.shown):
        tile = Canvas(plane.rows, plane.cols)
        for col in range(plane.cols):
            tile.put(zero_row, col, ZERO, palette.muted)
        braille(tile, plane, result.curve.x, scaled[:, first + n], palette.line)
        top, left = tiles.origin(n)
        for r, row in enumerate(tile.cells):
            for c, (text, style) in enumerate(row):
                canvas.put(top + r, left + c, text, style, keep_background=False)
    peak = float(np.nanmax(np.abs(values))) if values.size else 0.0
    scale = f"−{tick(peak)}..{tick(peak)}" if signed else f"0..{tick(peak)}"
    key = [(f"  {result.dataset.feature_names[0]} → a, {scale}", palette.muted)]
    head = neurons_header(len(pages), page, activations, units, first, tiles.shown, key,
                          palette, width)
    return [head, *canvas.lines()][:height]


def _target_units(ds: Dataset, y_range: tuple[float, float]) -> tuple[float, float]:
    """The ends of a target axis in the targets' own units (the first output)."""
    ends = ds.unscale_targets(np.array([[y_range[0]], [y_range[1]]]))[:, 0]
    return float(ends[0]), float(ends[1])


# ---------------------------------------------------------------- regression: predicted vs true


def fit_view(ds: Dataset, outputs: np.ndarray | None, r2: float | None, palette: Palette,
             marks: Marks, width: int, height: int) -> list[Text]:
    """Each test sample at (true, predicted), in the targets' own units, over the y = x line."""
    if outputs is None or len(outputs) != len(ds.y_test) or not len(outputs):
        return [Text("no predictions yet", palette.muted)]
    true = ds.unscale_targets(ds.y_test)[:, 0]
    predicted = ds.unscale_targets(np.asarray(outputs))[:, 0]
    finite = np.isfinite(predicted)
    both = np.concatenate([true, predicted[finite]])
    low, high = float(both.min()), float(both.max())
    span = (high - low) * 0.05 or 1.0
    ends = (low - span, high + span)
    pad = max(len(tick(ends[0])), len(tick(ends[1])), 4)
    plane = Plane(ends, ends, max(width - pad - 1, 2), max(height - 2, 1), 1)
    canvas = Canvas(plane.rows, plane.cols)
    braille(canvas, plane, np.array(ends), np.array(ends), palette.muted)
    points = np.column_stack([true, predicted])
    put_points(canvas, plane, points, np.zeros(len(points)), (POINT,), (palette.line,))
    select_mark(canvas, plane, points, np.zeros(len(points)), (POINT,), marks, palette)
    mae = float(np.mean(np.abs(predicted - true))) if finite.all() else float("nan")
    score = f"R² {r2:.3f}  " if r2 is not None else ""
    head = header(width, [(f"{score}MAE {mae:.4g}  ", palette.header),
                          ("⠔ y = x", palette.muted), (f"  n={len(true)}", palette.muted)])
    body = framed(canvas.lines(), plane, "true", "pred", width, palette.axis)
    return [head, *body][:height]


# ---------------------------------------------------------------- projection


def predicted_labels(outputs: np.ndarray | None, n: int) -> np.ndarray | None:
    if outputs is None or len(outputs) != n:
        return None
    return np.argmax(class_probabilities(np.asarray(outputs)), axis=1)


def projection_view(result: Projected, outputs: np.ndarray | None, palette: Palette,
                    marks: Marks, width: int, height: int) -> list[Text]:
    """The test split in its 2 principal components (fitted on the training split), a glyph per
    predicted class over the training split's dots; the wrong ones underlined, the selected
    sample reversed and named on the last line. The axes fill the panel (each component keeps
    its own scale: the first spreads the data most)."""
    ds = result.dataset
    share = float(result.projection.explained_variance_ratio.sum())
    both = np.concatenate([result.train, result.test])
    lows, highs = both.min(axis=0), both.max(axis=0)
    margin = (highs - lows) * 0.05 + 1e-9
    x_range = (float(lows[0] - margin[0]), float(highs[0] + margin[0]))
    y_range = (float(lows[1] - margin[1]), float(highs[1] + margin[1]))
    pad = max(len(tick(y_range[0])), len(tick(y_range[1])), 3)
    footer = marks.selected is not None and 0 <= marks.selected < len(ds.y_test)
    rows = height - 2 - footer
    if rows < 2 or width - pad - 1 < 4:
        return [Text("too small to draw", palette.muted)]
    plane = Plane(x_range, y_range, width - pad - 1, rows, 1)
    canvas = Canvas(plane.rows, plane.cols)
    put_points(canvas, plane, result.train, np.zeros(len(result.train)), ("·",),
               (palette.muted,))
    predicted = predicted_labels(outputs, len(ds.y_test))
    labels = ds.y_test if predicted is None else predicted
    wrong = np.zeros(len(labels), bool) if predicted is None else predicted != ds.y_test
    put_points(canvas, plane, result.test[~wrong], labels[~wrong], TRAIN_GLYPHS, palette.points)
    wrong_styles = tuple(style + palette.wrong for style in palette.points) or (palette.wrong,)
    put_points(canvas, plane, result.test[wrong], labels[wrong], TRAIN_GLYPHS, wrong_styles)
    select_mark(canvas, plane, result.test, labels, TRAIN_GLYPHS, marks, palette)
    legend = class_legend(ds.class_names, palette, False, False)
    told = "predicted" if predicted is not None else "true (no predictions yet)"
    wrong_key = (glyph(TRAIN_GLYPHS, 1), palette.wrong)
    head = header(width, [*legend, (f"({told}; ", palette.muted), wrong_key,
                          (f" wrong; · train; {share:.0%} of variance)", palette.muted)],
                  [*legend, wrong_key, (" wrong", palette.muted)],
                  [*class_legend(ds.class_names, palette, False, False, " "), wrong_key,
                   (" wrong", palette.muted)],
                  class_legend(ds.class_names, palette, False, False, " "))
    lines = [head, *framed(canvas.lines(), plane, "PC1", "PC2", width, palette.axis)]
    if footer:
        lines.append(_sample_line(ds, marks.selected, predicted, palette, width))
    return lines[:height]


def _sample_line(ds: Dataset, index: int, predicted: np.ndarray | None, palette: Palette,
                 width: int) -> Text:
    """`sample 5/23  true virginica  predicted versicolor ✗`: the highlighted one, in words."""
    names, true = ds.class_names, int(ds.y_test[index])
    where = f"{index + 1}/{len(ds.y_test)}"
    if predicted is None:
        return header(width, [(f"sample {where}", palette.selected),
                              (f"  true {names[true]}", palette.header)])
    guess = int(predicted[index])
    verdict = (" ✓", palette.header) if guess == true else (" ✗", palette.wrong)
    return header(width,
                  [(f"sample {where}", palette.selected),
                   (f"  true {names[true]}  predicted {names[guess]}", palette.header), verdict],
                  [(where, palette.selected),
                   (f"  true {names[true]}  pred {names[guess]}", palette.header), verdict],
                  [(where, palette.selected), (f" {names[true]} → {names[guess]}",
                                               palette.header), verdict])
