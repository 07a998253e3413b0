"""The training charts: log-scale ticks on round values, a legend that never covers a curve and
names the previous run, each series with its own glyph (NO_COLOR)."""

from __future__ import annotations

import math
import re

import pytest
from textual_plotext import PlotextPlot

from tests.app.screen import widget_lines
from tests.ui import ready, trained
from tui.widgets.charts import PREVIOUS, TRAIN, VAL, legend, log_ticks

ROUND = re.compile(r"^[125](0*|e\+\d+)$|^0\.0*[125]$")


@pytest.mark.parametrize(("low", "high", "expected"), [
    (0.02, 2.11, ["0.01", "0.1", "1", "10"]),
    (0.02, 0.9, ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"]),
    (0.021, 0.09, ["0.01", "0.02", "0.05", "0.1"]),
    (0.0004, 12.0, ["0.0001", "0.001", "0.01", "0.1", "1", "10", "100"]),
    (3.0, 3.0, ["1", "2", "5", "10"]),
])
def test_log_ticks_are_round_decades_around_the_values(low, high, expected):
    values = [math.log10(low), math.log10((low + high) / 2), math.log10(high)]
    ticks, labels, (bottom, top) = log_ticks(values)
    assert labels == expected
    assert all(ROUND.match(label) for label in labels), labels
    assert bottom <= min(values) and top >= max(values)  # the axis covers every point
    assert [10 ** t for t in ticks] == pytest.approx([float(label) for label in labels])


def test_the_legend_names_each_series_with_its_own_glyph():
    assert [s.label for s in legend(True, True)] == ["train", "val", "previous run"]
    assert [s.label for s in legend(False, False)] == ["train"]
    glyphs = {TRAIN.glyph, VAL.glyph, PREVIOUS.glyph}
    markers = {TRAIN.marker, VAL.marker, PREVIOUS.marker}
    assert len(glyphs) == 3 and len(markers) == 3  # told apart without colour


async def test_the_legend_sits_outside_the_plots_and_names_the_previous_run(make_app):
    app = make_app(epochs=6)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        app.controller.reset()  # the run becomes the previous one
        await pilot.press("t")
        await trained(pilot)
        assert app.controller.previous
        for chart in app.charts.query(PlotextPlot):
            lines = widget_lines(chart)
            frame = [i for i, line in enumerate(lines) if "┌" in line or "└" in line]
            inside = "\n".join(lines[frame[0]:frame[-1] + 1])
            assert not re.search(r"train|val|prev", inside), inside  # nothing over the curves
        subtitle = app.charts.border_subtitle or ""
        assert "train" in subtitle and "val" in subtitle and "previous run" in subtitle
