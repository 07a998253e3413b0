"""`QuietPlot`: a `PlotextPlot` that sends the terminal only the cells of the plot that changed.

The charts call `repaint()` after drawing (instead of `refresh()`): the plot is built there, once,
compared with the one on the screen (`Repaint`), and kept for the render that follows, so
plotext does not build it a second time. A new point that leaves the axes as they were changes a
few cells near the curve's end, and only those are written; identical data writes nothing.
"""

from __future__ import annotations

from textual.app import RenderResult
from textual.geometry import Size
from textual_plotext import PlotextPlot

from tui.widgets.repaint import Repaint


class QuietPlot(PlotextPlot, Repaint):  # PlotextPlot first: Textual's CSS follows the first base
    _built: tuple[Size, RenderResult] | None = None  # the plot as built by `repaint`

    def _content(self) -> object:
        built = super().render()
        self._built = (self.size, built)
        return built

    def render(self) -> RenderResult:
        if self._built is not None and self._built[0] == self.size:
            return self._built[1]
        return super().render()

    def _forget(self) -> None:
        super()._forget()
        self._built = None
