"""`ChoiceField`: a focusable `◂ value ▸` that steps through named choices from the keyboard.

It only reports the step; the editor decides what the next valid value is (some choices do not
fit the current model) and sets `value` back. A value too long for the editor's ~18 columns is
shown by its short label, and anything longer still is cut with an ellipsis, never wrapped away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

ARROWS = 4  # "◂ " and " ▸"
LABELS = {"binary_cross_entropy": "binary CE"}  # short labels for names too long to fit


def label(value: str) -> str:
    return LABELS.get(value, value)


class ChoiceField(Widget, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "step(-1)", "previous", show=False),
        Binding("right,space,enter", "step(1)", "next choice", key_display="→"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"choice-field--arrow"}

    value: reactive[str] = reactive("")

    @dataclass
    class Stepped(Message):
        field: ChoiceField
        step: int

    def __init__(self, value: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(ChoiceField.value, value)
        self.shown_as: dict[str, str] = {}  # values shown by another name (a file by its stem)

    def render(self) -> Text:
        arrow = self.get_component_rich_style("choice-field--arrow")
        shown = self.shown_as.get(self.value) or label(self.value)
        room = self.size.width - ARROWS
        if 0 < room < len(shown):
            shown = shown[:room - 1] + "…"
        return Text.assemble(("◂ ", arrow), shown, (" ▸", arrow), no_wrap=True)

    def action_step(self, step: int) -> None:
        self.post_message(self.Stepped(self, step))
