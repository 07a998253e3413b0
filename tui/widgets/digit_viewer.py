"""`DigitViewer`: one test sample, what the network thinks of it, and a pad to draw your own.

Predicting one sample is one tiny forward pass, so every new network snapshot (up to ~10 a second
while training) re-predicts only the shown sample; the misclassified set, a pass over the whole
test split, is computed only when asked for and cached per network object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widget import Widget

from tui.render import (
    SHADES,
    BarStyles,
    ImageStyles,
    feature_lines,
    format_number,
    format_percent,
    image_to_blocks,
    probability_bars,
)

if TYPE_CHECKING:
    from engine import Dataset, Network

DEFAULT_SEED = 0
SIDE_GAP = 2  # columns between the image (or features) and the bars
MIN_SIDE_WIDTH = 18  # narrowest bars column kept beside the image: 7 bar cells
MAX_FEATURES_WIDTH = 28
FALLBACK_SIZE = (60, 20)  # before the first layout, when the widget has no size yet
VERDICT_MARKS = {True: "✓ correct", False: "✗ wrong"}
NO_PREDICTIONS = "no predictions yet"

# Inverse of the engine's input scaling, by `Dataset.scaling["kind"]`: features are shown in the
# units a person knows (cm, not standard deviations).
UNSCALERS = {
    "standard": lambda x, s: x * np.asarray(s["scale"]) + np.asarray(s["mean"]),
    "divide": lambda x, s: x * s["by"],
}

_SHADE_CSS = "\n".join(
    f"DigitViewer > .digit-viewer--shade-{i} {{ color: $foreground {p}%; "
    f"background: $foreground {p}%; }}"
    for i, p in enumerate(round(100 * i / (len(SHADES) - 1)) for i in range(len(SHADES)))
)
_MOVE = Binding.Group("move", compact=True)
DRAW_ACTIONS = frozenset({"move_cursor", "paint", "toggle_pixel", "clear_canvas",
                          "invert_canvas", "leave_draw_mode"})


class DigitViewer(Widget, can_focus=True):
    """Browse the test split (the app binds n/p/m/r/d to the methods); draw mode edits a copy."""

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
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move_cursor(-1, 0)", "up", key_display="↑", group=_MOVE),
        Binding("down,j", "move_cursor(1, 0)", "down", key_display="↓", group=_MOVE),
        Binding("left,h", "move_cursor(0, -1)", "left", key_display="←", group=_MOVE),
        Binding("right,l", "move_cursor(0, 1)", "right", key_display="→", group=_MOVE),
        *(Binding(str(d), f"paint({d})", "ink", show=d == 9, key_display="0-9")
          for d in range(10)),
        Binding("space", "toggle_pixel", "toggle"),
        Binding("c", "clear_canvas", "clear"),
        Binding("i", "invert_canvas", "invert"),
        Binding("escape,d", "leave_draw_mode", "done"),
    ]

    draw_mode: reactive[bool] = reactive(False, bindings=True, toggle_class="-drawing")

    def __init__(self, rng: np.random.Generator | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._rng = rng if rng is not None else np.random.default_rng(DEFAULT_SEED)
        self._dataset: Dataset | None = None
        self._network: Network | None = None
        self._index = 0
        self._canvas: np.ndarray | None = None  # (h, w) copy being drawn on, None when browsing
        self._cursor = (0, 0)
        self._outputs: np.ndarray | None = None  # class probabilities, or regression outputs
        self._predicted: int | None = None
        self._wrong: tuple[Network, Dataset, np.ndarray] | None = None

    # -- what the app sets ----------------------------------------------------------------------
    def set_dataset(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._index = 0
        self._wrong = None
        self.draw_mode = False
        self._canvas = None
        self._update()

    def set_network(self, network: Network | None) -> None:
        """A read-only snapshot; re-predicts the shown sample only."""
        self._network = network
        self._update()

    # -- read-only views for the app and tests ---------------------------------------------------
    @property
    def index(self) -> int:
        return self._index

    @property
    def current_pixels(self) -> np.ndarray | None:
        """The shown input (drawing or sample), flat and a copy."""
        shown = self._shown_input()
        return None if shown is None else shown.copy()

    @property
    def current_probabilities(self) -> np.ndarray | None:
        """Class probabilities (or regression outputs) of the shown input; replaced, never
        changed in place, when predictions change."""
        return self._outputs

    @property
    def predicted_label(self) -> int | None:
        return self._predicted

    # -- browsing --------------------------------------------------------------------------------
    def next_sample(self) -> None:
        self._go(self._index + 1)

    def previous_sample(self) -> None:
        self._go(self._index - 1)

    def random_sample(self) -> None:
        if self._count():
            self._go(int(self._rng.integers(self._count())))

    def next_misclassified(self) -> None:
        problem = self._misclassified_problem()
        if problem:
            self.app.notify(problem)
            return
        wrong = self._wrong_indices()
        if not len(wrong):
            self.app.notify("no misclassified test samples")
            return
        after = wrong[wrong > self._index]
        self._go(int(after[0] if len(after) else wrong[0]))

    def _go(self, index: int) -> None:
        if not self._count():
            return
        self.draw_mode = False
        self._index = index % self._count()
        self._update()

    def _count(self) -> int:
        return 0 if self._dataset is None else len(self._dataset.X_test)

    # -- drawing ---------------------------------------------------------------------------------
    def toggle_draw_mode(self) -> None:
        if not self._has_image():
            self.app.notify("draw mode needs an image dataset")
            return
        self.draw_mode = not self.draw_mode

    def validate_draw_mode(self, value: bool) -> bool:
        return value and self._has_image()

    def watch_draw_mode(self, drawing: bool) -> None:
        if drawing and self._dataset is not None:
            sample = self._dataset.X_test[self._index]
            self._canvas = np.array(sample, dtype=np.float64).reshape(self._dataset.image_shape)
            self._cursor = (0, 0)
        else:
            self._canvas = None
        self._update()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.draw_mode if action in DRAW_ACTIONS else True

    def action_move_cursor(self, rows: int, columns: int) -> None:
        height, width = self._canvas.shape
        self._cursor = ((self._cursor[0] + rows) % height, (self._cursor[1] + columns) % width)
        self.refresh()

    def action_paint(self, level: int) -> None:
        """Ink d/9 under the cursor, then step right (and on to the next row), like typing."""
        self._canvas[self._cursor] = level / 9
        height, width = self._canvas.shape
        flat = (self._cursor[0] * width + self._cursor[1] + 1) % (height * width)
        self._cursor = divmod(flat, width)
        self._update()

    def action_toggle_pixel(self) -> None:
        self._canvas[self._cursor] = 0.0 if self._canvas[self._cursor] > 0 else 1.0
        self._update()

    def action_clear_canvas(self) -> None:
        self._canvas[...] = 0.0
        self._update()

    def action_invert_canvas(self) -> None:
        np.subtract(1.0, self._canvas, out=self._canvas)
        self._update()

    def action_leave_draw_mode(self) -> None:
        self.draw_mode = False

    def _has_image(self) -> bool:
        return self._dataset is not None and self._dataset.image_shape is not None \
            and self._count() > 0

    # -- predicting ------------------------------------------------------------------------------
    def _shown_input(self) -> np.ndarray | None:
        if self._canvas is not None:
            return self._canvas.ravel()
        if not self._count():
            return None
        return self._dataset.X_test[self._index]

    def _fit_problem(self) -> str | None:
        """Why the network cannot predict this dataset (e.g. between the app's two set calls)."""
        ds, net = self._dataset, self._network
        if net is None or ds is None:
            return NO_PREDICTIONS
        if net.n_inputs != ds.n_features:
            return f"the model takes {net.n_inputs} inputs; {ds.name} has {ds.n_features}"
        if ds.is_classification:
            k = len(ds.class_names)
            if net.n_outputs != k and not (k == 2 and net.n_outputs == 1):
                return f"the model has {net.n_outputs} outputs; {ds.name} has {k} classes"
        elif net.n_outputs != ds.n_outputs:
            return f"the model has {net.n_outputs} outputs; {ds.name} has {ds.n_outputs}"
        return None

    def _class_probabilities(self, outputs: np.ndarray) -> np.ndarray:
        """(n, k) probabilities; one sigmoid unit (probability of class 1) becomes two columns."""
        if outputs.shape[1] == 1:
            return np.hstack([1.0 - outputs, outputs])
        return outputs

    def _update(self) -> None:
        """Re-predicts the shown input (new arrays, never in place) and repaints."""
        shown = self._shown_input()
        outputs, predicted = None, None
        if shown is not None and self._fit_problem() is None:
            outputs = self._network.predict_proba(shown.reshape(1, -1))
            if self._dataset.is_classification:
                outputs = self._class_probabilities(outputs)
                predicted = int(np.argmax(outputs[0]))
            outputs = outputs[0]
            outputs.flags.writeable = False
        self._outputs, self._predicted = outputs, predicted
        self.refresh()

    def _misclassified_problem(self) -> str | None:
        if not self._count():
            return "no test samples"
        if not self._dataset.is_classification:
            return "misclassified samples need a classification dataset"
        return self._fit_problem()

    def _wrong_indices(self) -> np.ndarray:
        net, ds = self._network, self._dataset
        if self._wrong is None or self._wrong[0] is not net or self._wrong[1] is not ds:
            probs = self._class_probabilities(net.predict_proba(ds.X_test))
            self._wrong = (net, ds, np.flatnonzero(probs.argmax(axis=1) != ds.y_test))
        return self._wrong[2]

    # -- rendering -------------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"digit-viewer--{name}")

    def render(self) -> RenderableType:
        width, height = self.content_size
        if width <= 0 or height <= 0:
            width, height = FALLBACK_SIZE
        ds = self._dataset
        if ds is None or not self._count():
            message = "no dataset" if ds is None else f"{ds.name}: no test samples"
            return Text(message, self._style("muted"))
        rows = max(height - 1, 1)
        if ds.image_shape is not None:
            left = image_to_blocks(self._shown_input(), ds.image_shape, cursor=self._cursor_cell(),
                                   styles=self._image_styles())
            left_width = left[0].cell_len if left else 0
        else:
            left_width = min(MAX_FEATURES_WIDTH, max(width - SIDE_GAP - MIN_SIDE_WIDTH, 16))
            left = feature_lines(ds.feature_names, self._original_units(), left_width, rows,
                                 self._style("muted"))
        beside = width - left_width - SIDE_GAP >= MIN_SIDE_WIDTH
        if beside:
            right = self._result_lines(width - left_width - SIDE_GAP, rows)
            body = _side_by_side(left, left_width, right)
        elif ds.image_shape is not None:
            body = left + self._result_lines(width, rows - len(left))
        else:
            right = self._result_lines(width, rows)
            left = feature_lines(ds.feature_names, self._original_units(), width,
                                 rows - len(right), self._style("muted"))
            body = right + left
        lines = [self._header(width), *body[:rows]]
        return Text("\n", no_wrap=True).join(lines)

    def _cursor_cell(self) -> tuple[int, int] | None:
        return self._cursor if self._canvas is not None else None

    def _image_styles(self) -> ImageStyles:
        shades = tuple(self._style(f"shade-{i}") for i in range(len(SHADES)))
        return ImageStyles(shades=shades, cursor=self._style("cursor"))

    def _original_units(self) -> np.ndarray:
        ds = self._dataset
        unscale = UNSCALERS.get(ds.scaling.get("kind"))
        x = ds.X_test[self._index]
        return unscale(x, ds.scaling) if unscale else x

    def _header(self, width: int) -> Text:
        """The most informative wording that fits `width`."""
        for text in self._header_candidates():
            if text.cell_len <= width:
                return text
        text.truncate(width, overflow="ellipsis")
        return text

    def _header_candidates(self) -> list[Text]:
        ds, bold = self._dataset, self._style("header")
        names = ds.class_names
        if self._canvas is not None:
            if self._predicted is None:
                return [Text(f"drawing — {NO_PREDICTIONS}", bold)]
            p = self._outputs[self._predicted]
            return [Text(f"drawing — predicted {names[self._predicted]} ({format_percent(p)})",
                         bold)]
        position = f"{self._index + 1}/{self._count()}"
        if not ds.is_classification:
            return [Text(f"sample {position}", bold)]
        true = int(ds.y_test[self._index])
        candidates = []
        for prefix, predicted_word, mark in (("sample ", "predicted", True),
                                             ("", "predicted", True), ("", "pred", False)):
            text = Text(f"{prefix}{position}  true {names[true]}", bold)
            if self._predicted is not None:
                correct = self._predicted == true
                text.append(f"  {predicted_word} {names[self._predicted]}  ")
                shown = VERDICT_MARKS[correct] if mark else VERDICT_MARKS[correct][0]
                text.append(shown, self._style("correct" if correct else "wrong"))
            candidates.append(text)
        return candidates

    def _result_lines(self, width: int, rows: int) -> list[Text]:
        if rows <= 0:
            return []
        ds = self._dataset
        problem = self._fit_problem()
        if problem is not None:
            return [Text(problem, self._style("muted"))]
        if not ds.is_classification:
            return self._regression_lines()[:rows]
        true = None if self._canvas is not None else int(ds.y_test[self._index])
        return probability_bars(self._outputs, ds.class_names, width, self._predicted, true,
                                max_lines=rows, styles=self._bar_styles(true))

    def _bar_styles(self, true: int | None) -> BarStyles:
        verdict = "header" if true is None else ("correct" if self._predicted == true else "wrong")
        return BarStyles(name=self._style("muted"), bar=self._style("bar"),
                         predicted=self._style("predicted") + self._style(verdict),
                         true_mark=self._style("true"))

    def _regression_lines(self) -> list[Text]:
        ds = self._dataset
        predicted = ds.unscale_targets(self._outputs).ravel()
        true = ds.unscale_targets(ds.y_test[self._index]).ravel()
        muted = self._style("muted")
        return [Text("predicted ", muted) + Text(_numbers(predicted), self._style("header")),
                Text("true      ", muted) + Text(_numbers(true)),
                Text("error     ", muted) + Text(_numbers(predicted - true, signed=True))]


def _numbers(values: np.ndarray, signed: bool = False) -> str:
    return ", ".join(("+" if signed and v > 0 else "") + format_number(float(v)) for v in values)


def _side_by_side(left: list[Text], left_width: int, right: list[Text]) -> list[Text]:
    lines = []
    for i in range(max(len(left), len(right))):
        line = left[i].copy() if i < len(left) else Text()
        line.align("left", left_width + SIDE_GAP)
        if i < len(right):
            line.append_text(right[i])
        lines.append(line)
    return lines
