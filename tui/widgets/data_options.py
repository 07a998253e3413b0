"""`DataOptions`: the editor's rows for the data itself, as Playground offers them: the noise of a
generated set (moons, circles, xor, spiral, sine) and, for 2-D data, the extra inputs x1^2, x2^2,
x1*x2, sin x1 and sin x2 (the network's input size follows). The seed row above them draws a new
sample of a generated set.

Each change is posted up as `Changed` with the new `DataShape`; the editor proposes it like any
other edit (the app reloads the data, asking first once the model is trained) and sets the rows
back with `show`. Rows that do not apply to the dataset are hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from engine import EXTRA_FEATURES, SpecError
from tui.design import DataShape
from tui.widgets.choice import ChoiceField
from tui.widgets.field_row import FieldRow
from tui.widgets.labelled_row import LabelledRow

SHOWN = {"x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2", "sin x1": "sin x1", "sin x2": "sin x2"}
LINES = (("x1^2", "x2^2", "x1*x2"), ("sin x1", "sin x2"))  # two lines fit the editor's width
ON, OFF = "■", "□"  # told without colour


def parse_noise(text: str) -> float:
    """A noise level as typed: a finite number >= 0, or SpecError with the reason."""
    try:
        value = float(text.strip())
    except ValueError:
        raise SpecError(f"noise: '{text.strip()}' is not a number") from None
    if not (value >= 0 and value < float("inf")):
        raise SpecError(f"noise must be a finite number >= 0 (got {text.strip()})")
    return value


def toggled(extras: tuple[str, ...], name: str) -> tuple[str, ...]:
    """`extras` with `name` switched on or off, in Playground's order."""
    chosen = set(extras) ^ {name}
    return tuple(n for n in EXTRA_FEATURES if n in chosen)


class FeatureToggles(ChoiceField, inherit_bindings=False):
    """The five extra inputs, each ■ on or □ off: ←/→ pick one, space or enter switches it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "pick(-1)", "previous input", show=False),
        Binding("right", "pick(1)", "next input", key_display="←→"),
        Binding("space,enter", "switch", "input on/off",
                tooltip="the extra input under the cursor on or off (the network's inputs "
                        "follow; the data reloads)"),
    ]
    DEFAULT_CSS = "FeatureToggles { height: 2; }"

    @dataclass
    class Switched(Message):
        extras: tuple[str, ...]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.extras: tuple[str, ...] = ()
        self.cursor = 0

    def show(self, extras: tuple[str, ...]) -> None:
        self.extras = extras
        self.refresh()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        order = [name for line in LINES for name in line]
        for number, line in enumerate(LINES):
            if number:
                text.append("\n")
            for name in line:
                mark = ON if name in self.extras else OFF
                cursor = self.has_focus and order.index(name) == self.cursor
                text.append(f"{mark}{SHOWN[name]}", "reverse" if cursor else "")
                text.append(" ")
        return text

    def action_pick(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(EXTRA_FEATURES)
        self.refresh()

    def action_switch(self) -> None:
        order = [name for line in LINES for name in line]
        self.post_message(self.Switched(toggled(self.extras, order[self.cursor])))


class DataOptions(Vertical):
    """The noise and extra-input rows; see the module's story."""

    DEFAULT_CSS = """
    DataOptions { height: auto; }
    DataOptions > .data-row { height: auto; }
    """

    @dataclass
    class Changed(Message):
        data: DataShape

    @dataclass
    class Refused(Message):
        reason: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: DataShape | None = None

    def compose(self) -> ComposeResult:
        yield FieldRow("noise", Input(id="data-noise", select_on_focus=True), id="noise-row")
        yield LabelledRow("extra inputs", FeatureToggles(id="data-inputs"),
                          classes="data-row", id="inputs-row")

    def show(self, data: DataShape) -> None:
        self.data = data
        noise = self.query_one("#data-noise", Input)
        noise.value = "" if data.noise is None else f"{data.noise:g}"
        noise.remove_class("-invalid")
        self.query_one("#noise-row").display = data.noise is not None
        self.query_one("#inputs-row").display = data.planar
        self.query_one(FeatureToggles).show(data.features)
        self.set_class(data.noise is not None or data.planar, "-shown")

    # -- up: changes become proposals ----------------------------------------------------------
    def on_feature_toggles_switched(self, message: FeatureToggles.Switched) -> None:
        message.stop()
        if self.data is not None:
            self.post_message(self.Changed(self.data.with_features(message.extras)))

    def on_choice_field_stepped(self, message: ChoiceField.Stepped) -> None:
        message.stop()  # the toggles are a ChoiceField only to be a stop of the editor's

    def on_input_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        self._typed(message.input, leaving=False)

    def on_input_blurred(self, message: Input.Blurred) -> None:
        message.stop()
        message.input.select_on_focus = True
        self._typed(message.input, leaving=True)

    def _typed(self, box: Input, leaving: bool) -> None:
        data = self.data
        if data is None or data.noise is None or box.value.strip() == f"{data.noise:g}":
            box.remove_class("-invalid")
            return
        try:
            noise = parse_noise(box.value)
        except SpecError as exc:
            box.set_class(not leaving, "-invalid")
            if leaving:
                box.value = f"{data.noise:g}"
            self.post_message(self.Refused(str(exc)))
            return
        box.remove_class("-invalid")
        self.post_message(self.Changed(replace(data, noise=noise)))
