"""`LayerList`: the network's layers, one row each (units, activation, parameters), with a
cursor. Keys edit the selected layer; the list only reports the edit and the editor applies it,
so a refused edit leaves the list as it was.

Typing a digit (or enter) opens a small field for the layer's units; enter applies, escape
cancels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input

from tui.design import Design
from tui.numbers import compact_number
from tui.widgets.labelled_row import FOCUS_MARK, SELECTED_MARK

MARGIN = 1  # the free column the rows keep at the right edge


class LayerRows(Widget, can_focus=True):
    """The rows themselves; the focus stop of the layer list."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"layer-rows--cursor", "layer-rows--dim"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "previous layer", show=False),
        Binding("down", "cursor(1)", "next layer", show=False),
        Binding("right,space", "edit('activation', 1)", "activation", key_display="→",
                tooltip="next activation that fits"),
        Binding("left", "edit('activation', -1)", "activation", show=False,
                tooltip="next activation that fits"),
        Binding("a,plus,insert", "edit('add')", "add layer"),
        Binding("delete,minus,backspace", "edit('delete')", "delete layer"),
        Binding("shift+up,ctrl+up", "edit('move', -1)", "move up", key_display="⇧↑"),
        Binding("shift+down,ctrl+down", "edit('move', 1)", "move down", key_display="⇧↓"),
        Binding("enter", "type_units", "type units",
                tooltip="type the layer's units (or just start typing digits)"),
    ]

    cursor: reactive[int] = reactive(0)
    design: reactive[Design | None] = reactive(None, layout=True)

    @dataclass
    class Edit(Message):
        kind: str  # "activation" | "add" | "delete" | "move" | "units"
        index: int
        step: int = 0
        text: str = ""

    @dataclass
    class TypeUnits(Message):
        index: int
        first_digit: str

    def render(self) -> Text:
        if self.design is None:
            return Text("")
        design = self.design
        dim = self.get_component_rich_style("layer-rows--dim")
        text = Text(no_wrap=True, overflow="ellipsis")
        head = f"  {'layer':<6}{'units':>5} {'activation':<10}"  # what the columns are
        text.append(head + self._params_head(self.size.width - len(head) - MARGIN) + "\n", dim)
        text.append(f"  {'input':<6}{design.data.n_inputs:>5}\n", dim)
        last = len(design.layers) - 1
        for i, layer in enumerate(design.layers):
            name = f"{i + 1}" + (" out" if i == last else "")
            mark = " " if i != self.cursor else FOCUS_MARK if self._focused() else SELECTED_MARK
            row = f"{mark} {name:<6}{layer.units:>5} {layer.activation:<10}"
            row += self._params(design.layer_params(i), self.size.width - len(row) - MARGIN)
            style = self.get_component_rich_style("layer-rows--cursor") if i == self.cursor \
                else ""
            text.append(row, style)
            if i < last:
                text.append("\n")
        return text

    def _focused(self) -> bool:
        """The rows, or the units field of their list, hold the focus."""
        parent = self.parent
        return self.has_focus or (isinstance(parent, Widget) and parent.has_focus_within)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    @staticmethod
    def _params(count: int, room: int) -> str:
        """The layer's parameters in the `room` columns the row has left, compacted (6.5M)
        where the full figure would wrap the row."""
        full = f"{count:,}"
        if room <= 0:  # not laid out yet
            return f"{full:>7}"
        return (full if len(full) <= room else compact_number(count)).rjust(room)

    @staticmethod
    def _params_head(room: int) -> str:
        """`params` over the parameter counts, where the row has room for the word."""
        return "params".rjust(room) if room >= len(" params") else ""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 2 + (len(self.design.layers) if self.design else 0)

    def validate_cursor(self, cursor: int) -> int:
        count = len(self.design.layers) if self.design else 1
        return max(0, min(cursor, count - 1))

    def action_cursor(self, step: int) -> None:
        moved = self.validate_cursor(self.cursor + step)
        if moved == self.cursor:
            raise SkipAction()  # at an end: let the editor move to the next field
        self.cursor = moved

    def action_edit(self, kind: str, step: int = 0) -> None:
        self.post_message(self.Edit(kind, self.cursor, step))

    def action_type_units(self) -> None:
        self.post_message(self.TypeUnits(self.cursor, ""))

    def on_key(self, event: events.Key) -> None:
        if event.character is not None and event.character.isdigit():
            event.stop()
            self.post_message(self.TypeUnits(self.cursor, event.character))


class LayerList(Vertical):
    """The rows plus the units field that opens while a layer's units are typed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_units", "cancel", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield LayerRows(id="layer-rows")
        yield Input(id="units-input", placeholder="units, then enter")

    @property
    def rows(self) -> LayerRows:
        return self.query_one(LayerRows)

    def show(self, design: Design, cursor: int | None = None) -> None:
        self.rows.design = design
        if cursor is not None:
            self.rows.cursor = cursor
        self.rows.cursor = self.rows.validate_cursor(self.rows.cursor)
        self.rows.refresh(layout=True)

    def on_layer_rows_type_units(self, message: LayerRows.TypeUnits) -> None:
        message.stop()
        units_input = self.query_one("#units-input", Input)
        if message.first_digit and self.has_class("-typing"):
            # Digits typed faster than the focus moves still reach the rows: keep them all.
            units_input.insert_text_at_cursor(message.first_digit)
            return
        design = self.rows.design
        current = str(design.layers[message.index].units) if design else ""
        units_input.value = message.first_digit or current
        units_input.select_on_focus = not message.first_digit  # enter: typing replaces it all
        units_input.cursor_position = len(units_input.value)
        units_input.border_title = f"layer {message.index + 1} units"
        self.add_class("-typing")
        units_input.focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        rows = self.rows
        self.post_message(LayerRows.Edit("units", rows.cursor, text=message.value))

    def close_units(self) -> None:
        if self.has_class("-typing"):
            self.remove_class("-typing")
            self.rows.focus()

    def action_cancel_units(self) -> None:
        self.close_units()

    def on_input_blurred(self, message: Input.Blurred) -> None:
        message.stop()
        self.remove_class("-typing")
