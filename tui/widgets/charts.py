"""`TrainingCharts`: loss and accuracy (R² for regression) per epoch, train and validation, with
the previous run drawn faded behind for comparison, and the loss on a log scale on request.

Drawing goes through each `PlotextPlot`'s `plt` and ends with `refresh()`; the plot is built when
Textual renders it, so the app calls `show` at a bounded rate. Colours come from component
classes in app.tcss (theme variables), never from Python.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual_plotext import PlotextPlot

from engine import EpochEnd

POINTS_PER_CELL = 2  # braille dots across a cell: more points than this cannot be seen


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


def log_ticks(values: Sequence[float], count: int = 5) -> tuple[list[float], list[str]]:
    """Tick positions over log10 values, labelled with the values themselves."""
    low, high = min(values), max(values)
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    ticks = [low + (high - low) * i / (count - 1) for i in range(count)]
    return ticks, [f"{10 ** tick:.3g}" for tick in ticks]


class TrainingCharts(Horizontal, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "training-charts--train",
        "training-charts--val",
        "training-charts--previous",
    }

    def compose(self) -> ComposeResult:
        yield PlotextPlot(id="loss-chart")
        yield PlotextPlot(id="score-chart")

    def _color(self, part: str) -> tuple[int, int, int] | str:
        color = self.get_component_rich_style(f"training-charts--{part}").color
        return tuple(color.get_truecolor()) if color is not None else "default"

    def show(self, current: Sequence[EpochEnd], previous: Sequence[EpochEnd],
             regression: bool = False, log_scale: bool = False, target: int = 0) -> None:
        # Plotext's build time grows with the points: keep only as many as the plot can show.
        limit = max(POINTS_PER_CELL * self.size.width // 2, 40)
        current, previous = thinned(current, limit), thinned(previous, limit)
        score = CHARTS["r2" if regression else "accuracy"]
        self._draw("#loss-chart", CHARTS["loss"], current, previous, log_scale, target)
        self._draw("#score-chart", score, current, previous, False, target)

    def _draw(self, selector: str, chart: Chart, current: Sequence[EpochEnd],
              previous: Sequence[EpochEnd], log_scale: bool, target: int) -> None:
        widget = self.query_one(selector, PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(chart.title + (" (log)" if log_scale else ""))
        faded = self._color("previous")
        plotted: list[float] = []
        for read, label in ((chart.train, "prev train"), (chart.val, "prev val")):
            xs, ys = series(previous, read, log_scale)
            if xs:
                plt.plot(xs, ys, marker="braille", color=faded, label=label if not current
                         else None)
                plotted += ys
        for read, part, label in ((chart.train, "train", "train"), (chart.val, "val", "val")):
            xs, ys = series(current, read, log_scale)
            if xs:
                plt.plot(xs, ys, marker="braille", color=self._color(part), label=label)
                plotted += ys
        if log_scale and plotted:
            plt.yticks(*log_ticks(plotted))
        last = max((e.epoch for e in (*current, *previous)), default=0)
        right = max(last, target, 1)
        plt.xlim(0, right)
        ticks = epoch_ticks(right)
        plt.xticks(ticks, [str(tick) for tick in ticks])
        if chart.title != "loss" and not current and not previous:
            plt.ylim(0, 1)
        widget.refresh()
