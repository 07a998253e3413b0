"""Per layer, over the epochs measured: the shape and activation, a histogram of the weights, the
mean activation over the probe batch and the share of saturated (sigmoid, tanh) or dead (relu)
units, the gradient norm |dW| and the update-to-weight ratio log10(|ΔW| / |W|) of the latest
step against its healthy band around -3. Numbers with sparklines, one row per layer when the
width allows, else two.

Every figure is the engine's (`NetworkStats` from the training thread); this module only lays
them out. A figure the engine did not measure (weights no step has moved yet: no |dW|, no
ratio) reads `–`, never a made-up 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rich.text import Text

from engine import HEALTHY_UPDATE_BAND, GradientCheck, LayerStats, NetworkStats
from tui.inside.glyphs import GAUGE_RANGE, Palette, histogram_bars, plain, ratio_gauge, sparkline

GAP = "  "
GAUGE_WIDTH = 11
GRAD_WIDTH = 7  # |dW|: 0.509, 8.2e-05, 1.2e+03
MEAN_WIDTH = 6  # mean a: 0.704, -0.123, 1.2e+03
HEALTH_WIDTH = 9  # dead 100%
SPARK_WIDTHS = (16, 12, 10, 8, 6)  # the widest that fits is used: one row, else two
NONE = "–"
VERDICTS = {"healthy": ("✓ ok", "good"), "too slow": ("↓ slow", "warn"),
            "too fast": ("↑ fast", "warn")}
LEGEND = ("update = log10(|ΔW| / |W|) of the latest step, healthy in [{low:g}, {high:g}] (the "
          "brackets; ● now). dead: relu units 0 for every probe row; sat: sigmoid/tanh "
          "outputs below 0.05 or above 0.95.")
CHECK_LEGEND = (" grad check: backprop against finite differences, their relative error (✓ below "
                "{tolerance:.0e}); all |Δ| < {tiny:.0e}: gradients too small to compare by ratio, "
                "every difference tiny.")


@dataclass(frozen=True)
class Column:
    """One column: its header, its width for a sparkline width, and a layer's cell."""

    header: str
    width: Callable[[int], int]
    render: Callable[[int, int], Text]  # (layer index, sparkline width) -> cell text


def series(history: Sequence[NetworkStats], layer: int, name: str) -> np.ndarray:
    """One figure of one layer over the history, oldest first; None (not measured) is NaN."""
    values = [getattr(stats.layers[layer], name) for stats in history
              if layer < len(stats.layers)]
    return np.array([math.nan if v is None else v for v in values], dtype=np.float64)


def layer_label(layer: LayerStats) -> str:
    """`1 64→100 relu`: layers counted from 1, as in the formulas."""
    return f"{layer.index + 1} {layer.n_in}→{layer.n_out} {layer.activation}"


def health_text(layer: LayerStats) -> str:
    """`dead 3%`, `sat 12%`, or – for activations without a check (softmax, linear)."""
    if layer.health_kind is None or layer.health_fraction is None:
        return NONE
    kind = "sat" if layer.health_kind == "saturated" else layer.health_kind
    return f"{kind} {whole_percent(layer.health_fraction)}"


def whole_percent(share: float) -> str:
    """`3%`; a share that rounds to 0% or 100% but is not says so (`<1%`, `>99%`): one dead
    unit in 300 is not none."""
    if 0 < share < 0.005:
        return "<1%"
    if 0.995 <= share < 1:
        return ">99%"
    return f"{share:.0%}"


def fit_number(value: float, width: int, digits: int = 3) -> str:
    """`value` with as many significant digits (up to `digits`) as fit in `width` characters:
    `0.509`, `8.18e-05` in 8, `8.2e-05` in 7, `8e-05` in 5, `8e-5` in 4. A column shows whole
    numbers: cutting `8.18e-05` to `8.18e-0` reads as a different number. Only a width too
    small for any form gets the shortest (wider than asked, never cut)."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    shortest = ""
    for p in range(max(digits, 1), 0, -1):
        general, exponent = f"{value:.{p}g}", f"{value:.{p - 1}e}"
        for form in (general, _short_exponent(general), exponent, _short_exponent(exponent)):
            if len(form) <= width:
                return form
            if not shortest or len(form) < len(shortest):
                shortest = form
    return shortest


def _short_exponent(text: str) -> str:
    """`8.2e-05` as `8.2e-5`, `1e+03` as `1e3`."""
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if e else text


def grad_text(layer: LayerStats) -> str:
    """|dW| of the latest step; – for weights no step has moved (no gradients measured)."""
    return NONE if layer.update_ratio is None else fit_number(layer.grad_norm, GRAD_WIDTH)


def mean_text(layer: LayerStats) -> str:
    """The mean activation: three decimals (`0.704`), fewer digits where that is too wide."""
    text = f"{layer.activation_mean:.3f}"
    return text if len(text) <= MEAN_WIDTH else fit_number(layer.activation_mean, MEAN_WIDTH)


def ratio_text(layer: LayerStats) -> str:
    ratio = layer.update_ratio
    if ratio is None or math.isnan(ratio):
        return NONE
    return "still" if ratio == -math.inf else f"{ratio:+.1f}"


def check_text(checks: GradientCheck | None, index: int) -> str:
    """`3e-09 ✓` (backprop agrees with finite differences: the relative error), `2e-02 ✗`,
    `kink ?`, or `all |Δ| < 1e-09 ✓` when the gradients are too small for a relative error to
    mean anything (a ratio of two near-zeros is up to 1, which would read as a failure)."""
    if checks is None or index >= len(checks.layers):
        return ""
    layer = checks.layers[index]
    if layer.verdict == "kink":
        return "kink ?"
    if checks.too_small(layer):
        return f"all |Δ| < {checks.abs_tolerance:.0e} ✓"
    return f"{layer.relative_error:.0e} {'✓' if layer.ok else '✗'}"


def _columns(history: Sequence[NetworkStats], checks: GradientCheck | None,
             palette: Palette) -> tuple[list[Column], list[Column]]:
    """The table's columns in two groups: the first row's and the second's when it wraps
    (about as wide as each other)."""
    layers = history[-1].layers
    label_width = max(len(layer_label(layer)) for layer in layers)

    def text(value: str, width: int, role: str = "") -> Text:
        """A cell: the value padded to `width`, never cut (the figures are made to fit)."""
        return Text(value.ljust(width), style=palette(role) if role else "", end="")

    def spark(values: np.ndarray, s: int, low: float | None = None,
              high: float | None = None) -> Text:
        return text(sparkline(values, s, low, high), s, "spark") if s else Text(end="")

    def with_spark(figure: Callable[[LayerStats], str], width: int, name: str,
                   low: float | None = None, high: float | None = None) -> Column:
        def render(i: int, s: int) -> Text:
            cell = text(figure(layers[i]), width)
            if s:
                cell.append(" ")
                cell.append_text(spark(series(history, i, name), s, low, high))
            return cell

        return Column("", lambda s: width + (s + 1 if s else 0), render)

    def hist(i: int, s: int) -> Text:
        layer = layers[i]
        cell = text(histogram_bars(layer.weight_counts), len(layer.weight_counts), "spark")
        cell.append(f" ±{fit_number(float(layer.weight_edges[-1]), 5, 2):<5} "
                    f"{fit_number(layer.weight_std, 6, 2):<6}")
        return cell

    def update(i: int, s: int) -> Text:
        layer = layers[i]
        cell = text(ratio_text(layer), 5)
        if s:
            cell.append(" ")
            cell.append_text(spark(series(history, i, "update_ratio"), s, *GAUGE_RANGE))
        cell.append(" " + ratio_gauge(layer.update_ratio, HEALTHY_UPDATE_BAND, GAUGE_WIDTH))
        verdict, role = VERDICTS.get(layer.update_verdict or "", (NONE, "muted"))
        cell.append(" ")
        cell.append(verdict.ljust(6), palette(role))
        return cell

    hist_width = len(layers[0].weight_counts) + 14  # ' ±1.2e3 1.2e-4'
    first = [
        Column("layer", lambda s: label_width, lambda i, s: text(layer_label(layers[i]),
                                                                 label_width, "label")),
        Column("weights".ljust(len(layers[0].weight_counts) + 1) + "±max   sd",
               lambda s: hist_width, hist),
        _named(with_spark(mean_text, MEAN_WIDTH, "activation_mean"), "mean a"),
        _named(with_spark(health_text, HEALTH_WIDTH, "health_fraction", 0.0, 1.0), "dead/sat"),
    ]
    second = [
        _named(with_spark(grad_text, GRAD_WIDTH, "grad_norm", 0.0), "|dW|"),
        Column("update", lambda s: 5 + (s + 1 if s else 0) + 1 + GAUGE_WIDTH + 1 + 6, update),
    ]
    if checks is not None:
        check_width = max(10, *(len(check_text(checks, i)) for i in range(len(layers))))
        second.append(Column("grad check", lambda s: check_width,
                             lambda i, s: text(check_text(checks, i), check_width,
                                               "good" if i < len(checks.layers)
                                               and checks.layers[i].ok else "warn")))
    return first, second


def _named(column: Column, header: str) -> Column:
    return Column(header, column.width, column.render)


def _row_width(columns: list[Column], s: int) -> int:
    return sum(c.width(s) for c in columns) + len(GAP) * (len(columns) - 1)


def layer_table(history: Sequence[NetworkStats], width: int,
                checks: GradientCheck | None = None, palette: Palette = plain,
                with_legend: bool = True) -> list[Text]:
    """The table (a header, then each layer), its legend last (if `with_legend`). One row per
    layer if it fits in `width` (with the widest sparklines that do), else two rows a layer."""
    if not history or not history[-1].layers:
        return [Text("no figures yet: they come with the first epoch (t trains)",
                     palette("muted"))]
    first, second = _columns(history, checks, palette)
    # Two rows: the second starts under the first's second column (the label spans both).
    indent = Column("", first[0].width, lambda i, s: Text(" " * first[0].width(s), end=""))
    layouts = [([first + second], s) for s in SPARK_WIDTHS]
    layouts += [([first, [indent, *second]], s) for s in (*SPARK_WIDTHS, 4, 0)]
    groups, s = next(((groups, s) for groups, s in layouts
                      if max(_row_width(g, s) for g in groups) <= width),
                     ([first + second], 0))
    lines = []
    for group in groups:
        lines.append(_line([Text(c.header.ljust(c.width(s)), palette("header"), end="")
                            for c in group]))
    for i in range(len(history[-1].layers)):
        for group in groups:
            lines.append(_line([c.render(i, s) for c in group]))
    if with_legend:
        low, high = HEALTHY_UPDATE_BAND
        legend = LEGEND.format(low=low, high=high)
        if checks is not None:
            legend += CHECK_LEGEND.format(tolerance=checks.tolerance,
                                          tiny=checks.abs_tolerance)
        lines.append(Text(legend, palette("muted")))
    return lines


def _line(cells: list[Text]) -> Text:
    line = Text(no_wrap=True, overflow="crop", end="")
    for k, cell in enumerate(cells):
        if k:
            line.append(GAP)
        line.append_text(cell)
    return line
