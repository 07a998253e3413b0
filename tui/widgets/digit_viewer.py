"""`DigitViewer`: one test sample, what the network thinks of it, and a pad to draw your own.

The state (which sample, its prediction, the drawing) lives in `SampleBrowser` and `DrawCanvas`;
this widget only draws it and turns the draw-mode keys (`draw_keys`) into calls on it. The app
hands it the predictions for the whole test split (`set_predictions`), computed off the UI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.binding import BindingType
from textual.reactive import reactive

from tui.render import (
    SHADES,
    BarStyles,
    ImageStyles,
    feature_lines,
    probability_bars,
)
from tui.render_image import half_block_lines, image_layout, shrink_note
from tui.sample_browser import SampleBrowser
from tui.sample_text import header, regression_lines, side_by_side
from tui.widgets.draw_keys import DRAW_ACTIONS, DRAW_BINDINGS
from tui.widgets.repaint import Repaint

if TYPE_CHECKING:
    from engine import Dataset, Network

DEFAULT_SEED = 0
SIDE_GAP = 2  # columns between the image (or features) and the bars
MIN_SIDE_WIDTH = 18  # narrowest bars column kept beside the image: 7 bar cells
MAX_FEATURES_WIDTH = 28
MIN_BARS_BELOW = 4  # under an image with no room beside it: predicted, true and two more
FALLBACK_SIZE = (60, 20)  # before the first layout, when the widget has no size yet

_SHADE_CSS = "\n".join(
    f"DigitViewer > .digit-viewer--shade-{i} {{ color: $foreground {p}%; "
    f"background: $foreground {p}%; }}"
    for i, p in enumerate(round(100 * i / (len(SHADES) - 1)) for i in range(len(SHADES)))
)


class DigitViewer(Repaint, can_focus=True):
    """Browse the test split (the app binds n/p/m/R/d to the methods); draw mode edits a copy."""

    DEFAULT_CSS = """
    DigitViewer { height: 1fr; padding: 0 1; }
    DigitViewer.-drawing { background: $boost; }
    DigitViewer > .digit-viewer--cursor { color: $accent; text-style: bold reverse; }
    DigitViewer > .digit-viewer--header { text-style: bold; }
    DigitViewer > .digit-viewer--correct { color: $success; }
    DigitViewer > .digit-viewer--wrong { color: $error; }
    DigitViewer > .digit-viewer--bar { color: $primary; }
    DigitViewer > .digit-viewer--predicted { text-style: bold; }
    DigitViewer > .digit-viewer--true { color: $success; text-style: bold; }
    DigitViewer > .digit-viewer--muted { color: $text-muted; }
    """ + _SHADE_CSS

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "digit-viewer--cursor", "digit-viewer--header", "digit-viewer--correct",
        "digit-viewer--wrong", "digit-viewer--bar", "digit-viewer--predicted",
        "digit-viewer--true", "digit-viewer--muted",
        *(f"digit-viewer--shade-{i}" for i in range(len(SHADES))),
    }

    # Enabled only in draw mode (see check_action), so elsewhere these keys reach the app.
    BINDINGS: ClassVar[list[BindingType]] = DRAW_BINDINGS

    draw_mode: reactive[bool] = reactive(False, bindings=True, toggle_class="-drawing")

    def __init__(self, rng: np.random.Generator | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        rng = rng if rng is not None else np.random.default_rng(DEFAULT_SEED)
        self._browser = SampleBrowser(rng)
        self.image_shrunk = False  # the last render drew the image smaller than it is
        self.zoomed_for_drawing = False  # the app zoomed the panel for draw mode: undo on leaving

    # -- what the app sets ----------------------------------------------------------------------
    def set_dataset(self, dataset: Dataset) -> None:
        self._browser.set_dataset(dataset)
        self.draw_mode = False
        self._update()

    def set_predictions(self, predictions: np.ndarray | None,
                        network: Network | None = None) -> None:
        """The network's outputs for every test sample, (n_test, outputs), read-only and
        computed off the UI thread (the runner's scores); `network`, a read-only snapshot of
        the same weights, predicts drawings, one row at a time."""
        self._browser.set_predictions(predictions, network)
        self._update()

    @property
    def dataset(self) -> Dataset | None:
        return self._browser.dataset

    # -- read-only views for the app and tests ---------------------------------------------------
    @property
    def index(self) -> int:
        return self._browser.index

    @property
    def current_pixels(self) -> np.ndarray | None:
        """The shown input (drawing or sample), flat and a copy."""
        shown = self._browser.shown_input()
        return None if shown is None else shown.copy()

    @property
    def current_probabilities(self) -> np.ndarray | None:
        """Class probabilities (or regression outputs) of the shown input; replaced, never
        changed in place, when predictions change."""
        return self._browser.outputs

    @property
    def predicted_label(self) -> int | None:
        return self._browser.predicted

    # -- browsing --------------------------------------------------------------------------------
    def next_sample(self) -> None:
        self._go(self._browser.index + 1)

    def previous_sample(self) -> None:
        self._go(self._browser.index - 1)

    def random_sample(self) -> None:
        if self._browser.count:
            self._go(self._browser.random_index())

    def next_misclassified(self) -> None:
        problem = self._browser.misclassified_problem()
        if problem:
            self.app.notify(problem)
            return
        index = self._browser.next_misclassified()
        if index is None:
            self.app.notify("no misclassified test samples")
            return
        self._go(index)

    def _go(self, index: int) -> None:
        if not self._browser.count:
            return
        self.draw_mode = False
        self._browser.go(index)
        self._update()

    def _update(self) -> None:
        self._browser.predict()
        self.repaint()  # only what changed: new scores often move a bar or two

    # -- drawing ---------------------------------------------------------------------------------
    def toggle_draw_mode(self) -> None:
        if not self._browser.has_image:
            self.app.notify("draw mode needs an image dataset")
            return
        self.draw_mode = not self.draw_mode

    def validate_draw_mode(self, value: bool) -> bool:
        return value and self._browser.has_image

    def watch_draw_mode(self, drawing: bool) -> None:
        if drawing:
            self._browser.start_drawing()
        else:
            self._browser.stop_drawing()
            if self.zoomed_for_drawing and self.is_mounted and self.screen.maximized is not None:
                self.screen.minimize()
            self.zoomed_for_drawing = False
        self._update()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.draw_mode if action in DRAW_ACTIONS else True

    def action_move_cursor(self, rows: int, columns: int) -> None:
        self._browser.canvas.move(rows, columns)
        self.refresh()

    def action_paint(self, level: int) -> None:
        self._browser.canvas.paint(level)
        self._update()

    def action_stroke(self, rows: int, columns: int) -> None:
        self._browser.canvas.stroke(rows, columns)
        self._update()

    def action_cycle_brush(self) -> None:
        self._browser.canvas.cycle_brush()
        self.refresh()

    def action_toggle_pixel(self) -> None:
        self._browser.canvas.toggle()
        self._update()

    def action_clear_canvas(self) -> None:
        self._browser.canvas.clear()
        self._update()

    def action_invert_canvas(self) -> None:
        self._browser.canvas.invert()
        self._update()

    def action_leave_draw_mode(self) -> None:
        self.draw_mode = False

    # -- rendering -------------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"digit-viewer--{name}")

    def render(self) -> RenderableType:
        width, height = self.content_size
        if width <= 0 or height <= 0:
            width, height = FALLBACK_SIZE
        browser = self._browser
        ds = browser.dataset
        if ds is None or not browser.count:
            message = "no dataset" if ds is None else f"{ds.name}: no test samples"
            return Text(message, self._style("muted"))
        rows = max(height - 1, 1)
        if ds.image_shape is not None:
            below = min(MIN_BARS_BELOW, len(ds.class_names) or 3)
            fit, beside = image_layout(ds.image_shape, width, rows, MIN_SIDE_WIDTH, SIDE_GAP,
                                       below)
            left = half_block_lines(browser.shown_input(), ds.image_shape, fit,
                                    color=not self.app.no_color, cursor=self._cursor_cell(),
                                    styles=self._image_styles())
            self.image_shrunk = fit.shrunk
            if fit.shrunk:
                left.append(Text(shrink_note(fit), self._style("muted")))
            left_width = fit.cols
            if not beside:
                left_width = width
        else:
            left_width = min(MAX_FEATURES_WIDTH, max(width - SIDE_GAP - MIN_SIDE_WIDTH, 16))
            left = feature_lines(ds.feature_names, browser.original_units(), left_width, rows,
                                 self._style("muted"))
        beside = width - left_width - SIDE_GAP >= MIN_SIDE_WIDTH
        if beside:
            right = self._result_lines(width - left_width - SIDE_GAP, rows)
            body = side_by_side(left, left_width, right, SIDE_GAP)
        elif ds.image_shape is not None:
            body = left + self._result_lines(width, rows - len(left))
        else:
            right = self._result_lines(width, rows)
            left = feature_lines(ds.feature_names, browser.original_units(), width,
                                 rows - len(right), self._style("muted"))
            body = right + left
        lines = [header(browser, width, self._style), *body[:rows]]
        return Text("\n", no_wrap=True).join(lines)

    def _cursor_cell(self) -> tuple[int, int] | None:
        canvas = self._browser.canvas
        return canvas.cursor if canvas is not None else None

    def _image_styles(self) -> ImageStyles:
        shades = tuple(self._style(f"shade-{i}") for i in range(len(SHADES)))
        return ImageStyles(shades=shades, cursor=self._style("cursor"))

    def _result_lines(self, width: int, rows: int) -> list[Text]:
        if rows <= 0:
            return []
        browser = self._browser
        ds = browser.dataset
        problem = browser.fit_problem()
        if problem is not None:
            return [Text(problem, self._style("muted"))]
        if not ds.is_classification:
            return regression_lines(browser, self._style)[:rows]
        true = browser.true_label()
        return probability_bars(browser.outputs, ds.class_names, width, browser.predicted, true,
                                max_lines=rows, styles=self._bar_styles(true))

    def _bar_styles(self, true: int | None) -> BarStyles:
        correct = self._browser.predicted == true
        verdict = "header" if true is None else ("correct" if correct else "wrong")
        return BarStyles(name=self._style("muted"), bar=self._style("bar"),
                         predicted=self._style("predicted") + self._style(verdict),
                         true_mark=self._style("true"))
