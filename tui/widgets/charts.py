"""`TrainingCharts`: loss and accuracy (R² for regression) per epoch, train and validation, with
the previous run drawn faded behind for comparison, and the loss on a log scale on request.

Each series has its own glyph as well as its colour, so the charts read without colour too:
train a thin braille line, validation quarter blocks, the previous run dots. The legend says
which is which on the panel's bottom border, outside both plots, where it never covers a curve
(plotext's own legend sits in the plot's top-left corner, over the first epochs). A log scale
has its ticks on round values (0.01, 0.1, 1, 10... and 2 and 5 between when there are few).

Drawing goes through each `PlotextPlot`'s `plt` and ends with `repaint()` (`QuietPlot`): the
plot is built then and only its changed cells are sent to the terminal; the app calls `show` at a
bounded rate. Colours come from component classes in app.tcss (theme variables), never from
Python.

Runs overlaid (chosen on the runs screen, or raced) turn the charts into a comparison: each run
one curve, its validation figure (its training one when it has no validation split), with a
marker and a colour of its own (`RUNS`: the live run the braille line, the others a character
each, so they read apart with NO_COLOR too), and the legend on the bottom border names each run
by what differs between them. Runs that learn alike lie on one another: each is marked again,
on top of them all, in columns of its own (`stamps`), so that no curve is hidden entirely.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Resize
from textual.widgets import Static

from engine import EpochEnd
from tui.controller.compare import MAX_CURVES, Curve
from tui.widgets.quiet_plot import QuietPlot

POINTS_PER_CELL = 2  # braille dots across a cell: more points than this cannot be seen
PLOT_MARGIN = 8  # a plot's columns besides its curves: the y ticks and the frame
# The least room a chart reads in: a title, a frame around four rows of curve, the epoch axis;
# ticks and curve in 24 columns. With less, the charts hide behind a hint (`cramped`).
MIN_CHART = (24, 8)


@dataclass(frozen=True)
class Series:
    """How one kind of curve is drawn: plotext's marker, the legend's glyph and label, and the
    component class (training-charts--PART) that colours it."""

    marker: str
    glyph: str
    label: str
    part: str


TRAIN = Series("braille", "⠤⠤", "train", "train")
VAL = Series("hd", "▄▄", "val", "val")
PREVIOUS = Series("·", "··", "previous run", "previous")
# The runs of a comparison, in order (the live run, when it is drawn, takes the first).
RUNS = tuple(Series(marker, glyph, "", f"run-{i}") for i, (marker, glyph) in enumerate(
    [("braille", "⠤⠤"), ("•", "••"), ("×", "××"), ("+", "++"), ("○", "○○"), ("*", "**"),
     ("◆", "◆◆")]))
assert len(RUNS) >= MAX_CURVES


@dataclass(frozen=True)
class Chart:
    """One chart: its title and how to read the train and validation figures of an epoch."""

    title: str
    train: Callable[[EpochEnd], float | None]
    val: Callable[[EpochEnd], float | None]


CHARTS: dict[str, Chart] = {
    "loss": Chart("loss", lambda e: e.train_loss, lambda e: e.val_loss),
    "accuracy": Chart("accuracy", lambda e: e.train_acc, lambda e: e.val_acc),
    "r2": Chart("R²", lambda e: e.train_r2, lambda e: e.val_r2),
}


def thinned(history: Sequence[EpochEnd], limit: int) -> Sequence[EpochEnd]:
    """At most about `limit` epochs, evenly spaced, always keeping the newest."""
    if len(history) <= limit:
        return history
    step = -(-len(history) // limit)
    kept = list(history[::step])
    if kept[-1] is not history[-1]:
        kept.append(history[-1])
    return kept


def series(history: Sequence[EpochEnd], read: Callable[[EpochEnd], float | None],
           log_scale: bool = False) -> tuple[list[int], list[float]]:
    """(epochs, values) for the epochs that have this figure; on a log scale, log10 of the
    positive ones (plotext's own log scale re-applies itself each time the plot is rebuilt)."""
    points = [(e.epoch, read(e)) for e in history]
    kept = [(x, y) for x, y in points if y is not None and (y > 0 or not log_scale)]
    if log_scale:
        kept = [(x, math.log10(y)) for x, y in kept]
    return [x for x, _ in kept], [y for _, y in kept]


def epoch_ticks(last: int, count: int = 5) -> list[int]:
    """Whole epochs from 0 to `last`, evenly spread (plotext's own ticks are fractional)."""
    return sorted({round(last * i / (count - 1)) for i in range(count)})


def _round_label(value: float) -> str:
    """0.01, 0.2, 5, 100, 1e+05: a tick value as it reads best (no float noise)."""
    return f"{float(f'{value:.1g}'):g}"


def log_ticks(values: Sequence[float]) -> tuple[list[float], list[str], tuple[int, int]]:
    """Ticks for log10 `values`: every decade from below the lowest to above the highest
    (labelled 0.01, 0.1, 1, 10...), with 2 and 5 between when they span two decades or less;
    and the y range, the decades around the values, so that the decade ticks are on the axis."""
    low, high = math.floor(min(values)), math.ceil(max(values))
    if high == low:
        high += 1
    ticks = [float(k) for k in range(low, high + 1)]
    if high - low <= 2:
        ticks += [k + math.log10(m) for k in range(low, high) for m in (2, 5)]
    ticks.sort()
    return ticks, [_round_label(10 ** tick) for tick in ticks], (low, high)


def stamps(xs: Sequence[int], ys: Sequence[float], index: int, count: int, right: int,
           columns: int) -> tuple[list[float], list[float]]:
    """Where curve `index` of `count` is marked again on top of all the curves: at every
    `count`-th slot two columns wide across the x axis (0 to `right` over `columns`), its own
    slots, on its line. Curves that lie on one another (runs that learn alike) take turns
    there, so none is hidden entirely behind the others."""
    slots = max(columns // 2, count)
    at = [right * (slot + 0.5) / slots for slot in range(index, slots, count)]
    at = [x for x in at if xs[0] <= x <= xs[-1]]
    return at, [float(y) for y in np.interp(at, xs, ys)]


def cramped(width: int, height: int) -> str:
    """What to say instead of the two charts in `width` x `height` cells ("" if they fit)."""
    need_w, need_h = 2 * MIN_CHART[0], MIN_CHART[1]
    if width >= need_w and height >= need_h:
        return ""
    return (f"the training curves need {need_w}x{need_h} cells here ({width}x{height} now): "
            "enlarge the terminal")


def legend(has_val: bool, has_previous: bool) -> list[Series]:
    """The series a legend lists, in drawing order from the top: train, val, previous run."""
    return [TRAIN, *([VAL] if has_val else []), *([PREVIOUS] if has_previous else [])]


class TrainingCharts(Horizontal, can_focus=True):
    DEFAULT_CSS = """
    TrainingCharts #charts-hint { display: none; width: 1fr; padding: 0 1; }
    TrainingCharts.-cramped #charts-hint { display: block; }
    TrainingCharts.-cramped PlotextPlot { display: none; }
    TrainingCharts #charts-legend { dock: bottom; height: auto; display: none; padding: 0 1; }
    TrainingCharts.-legend-line #charts-legend { display: block; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "training-charts--train",
        "training-charts--val",
        "training-charts--previous",
        *(f"training-charts--{run.part}" for run in RUNS),
    }

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._legend: tuple[tuple[Series, str], ...] | None = None  # as last shown
        self._legend_parts: list[Text] = []

    def compose(self) -> ComposeResult:
        yield QuietPlot(id="loss-chart")
        yield QuietPlot(id="score-chart")
        yield Static("", id="charts-hint")
        yield Static("", id="charts-legend")

    def on_resize(self, event: Resize) -> None:
        if self._legend is not None:
            self._place_legend()
        hint = cramped(*self.content_size)
        self.set_class(bool(hint), "-cramped")
        self.query_one("#charts-hint", Static).update(hint)

    def _color(self, part: str) -> tuple[int, int, int] | str:
        color = self.get_component_rich_style(f"training-charts--{part}").color
        return tuple(color.get_truecolor()) if color is not None else "default"

    def show(self, current: Sequence[EpochEnd], previous: Sequence[EpochEnd],
             regression: bool = False, log_scale: bool = False, target: int = 0,
             overlays: Sequence[Curve] = ()) -> None:
        """Draws the live run (`current`, `previous` faded behind) or, with `overlays`, the
        comparison of those runs (the live one among them, see `Comparison.curves`)."""
        # Plotext's build time grows with the points: keep only as many as the plot can show.
        limit = max(POINTS_PER_CELL * self.size.width // 2, 40)
        score = CHARTS["r2" if regression else "accuracy"]
        if overlays:
            self._compare(overlays, score, limit, log_scale, target)
            return
        current, previous = thinned(current, limit), thinned(previous, limit)
        # Drawn back to front: the previous run, then val, then train on top (a cell shows the
        # last series drawn in it).
        for selector, chart, log in (("#loss-chart", CHARTS["loss"], log_scale),
                                     ("#score-chart", score, False)):
            layers = ((previous, chart.train, PREVIOUS), (previous, chart.val, PREVIOUS),
                      (current, chart.val, VAL), (current, chart.train, TRAIN))
            self._draw(selector, chart.title, layers, log, target)
        has_val = any(e.val_loss is not None for e in (*current, *previous))
        self._show_legend([(entry, entry.label) for entry in legend(has_val, bool(previous))])

    def _compare(self, overlays: Sequence[Curve], score: Chart, limit: int, log_scale: bool,
                 target: int) -> None:
        """Each run one curve: its validation figure, or its training one without a split."""
        runs = list(zip(overlays, RUNS, strict=False))
        has_val = all(any(e.val_loss is not None for e in run.epochs) for run, _ in runs)
        for selector, chart, log in (("#loss-chart", CHARTS["loss"], log_scale),
                                     ("#score-chart", score, False)):
            read = chart.val if has_val else chart.train
            # The live run last, on top.
            layers = [(thinned(run.epochs, limit), read, style)
                      for run, style in sorted(runs, key=lambda r: r[0].live)]
            title = f"{'val ' if has_val else ''}{chart.title}"
            self._draw(selector, title, layers, log, target, stamped=True)
        self._show_legend([(style, run.label) for run, style in runs])

    def _show_legend(self, entries: Sequence[tuple[Series, str]]) -> None:
        """The legend, on the panel's bottom border: each series' glyph in its colour."""
        if tuple(entries) == self._legend:
            return
        self._legend = tuple(entries)
        self._legend_parts = []
        for entry, label in entries:
            part = Text(f" {entry.glyph} ", self.get_component_rich_style(
                f"training-charts--{entry.part}"))
            self._legend_parts.append(part.append(f"{label} "))
        self._place_legend()

    def _place_legend(self) -> None:
        """On the bottom border when it fits there whole; else on lines of their own below
        the plots, each entry whole: never cut and never over a curve."""
        parts, room = self._legend_parts, self.size.width - 6
        fits = sum(p.cell_len for p in parts) <= room or self.size.width == 0
        self.border_subtitle = Text("").join(parts) if fits else ""
        lines: list[Text] = []
        for part in [] if fits else parts:
            if lines and lines[-1].cell_len + part.cell_len <= room + 4:
                lines[-1].append_text(part)
            else:
                lines.append(part.copy())
        self.query_one("#charts-legend", Static).update(Text("\n").join(lines))
        self.set_class(not fits, "-legend-line")

    def _draw(self, selector: str, title: str,
              layers: Sequence[tuple[Sequence[EpochEnd], Callable[[EpochEnd], float | None],
                                     Series]],
              log_scale: bool, target: int, stamped: bool = False) -> None:
        """One chart: each (epochs, figure, series) of `layers` drawn in turn; `stamped`
        (a comparison), each then marked again on top in columns of its own (`stamps`)."""
        widget = self.query_one(selector, QuietPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title + (" (log)" if log_scale else ""))
        plotted: list[float] = []
        drawn: list[tuple[list[int], list[float], Series]] = []
        for history, read, kind in layers:
            xs, ys = series(history, read, log_scale)
            if xs:
                plt.plot(xs, ys, marker=kind.marker, color=self._color(kind.part))
                plotted += ys
                drawn.append((xs, ys, kind))
        last = max((e.epoch for history, _, _ in layers for e in history), default=0)
        right = max(last, target, 1)
        if stamped and len(drawn) > 1:
            columns = max(widget.size.width - PLOT_MARGIN, 8)
            for index, (xs, ys, kind) in enumerate(drawn):
                points = stamps(xs, ys, index, len(drawn), right, columns)
                if points[0]:
                    plt.scatter(*points, marker=kind.marker, color=self._color(kind.part))
        if log_scale and plotted:
            ticks, labels, (low, high) = log_ticks(plotted)
            plt.ylim(low, high)
            plt.yticks(ticks, labels)
        plt.xlim(0, right)
        ticks = epoch_ticks(right)
        plt.xticks(ticks, [str(tick) for tick in ticks])
        if not title.endswith("loss") and not plotted:
            plt.ylim(0, 1)
        widget.repaint()  # only the cells that changed
