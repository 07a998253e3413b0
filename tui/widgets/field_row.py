"""`FieldRow`: a typed setting's row (label and text field) that can hold the focus itself.

Escape leaves the text field for its row: single-letter keys (t, s, ...) work again and the
selection stays where it was. Enter goes back into the field; so does typing a number, which
starts the value afresh, as typing does on the layer list.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import Input

from tui.widgets.labelled_row import LabelledRow

STARTS_A_NUMBER = frozenset("0123456789.-")


class FieldRow(LabelledRow, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "edit", "edit", key_display="⏎",
                tooltip="type the setting (or just start typing the number)"),
    ]

    @property
    def field(self) -> Input:
        return self.query_one(Input)

    def action_edit(self) -> None:
        self.field.focus()

    def on_key(self, event: events.Key) -> None:
        if event.character is not None and event.character in STARTS_A_NUMBER:
            event.stop()
            field = self.field
            field.select_on_focus = False  # the editor sets it back when the field is left
            field.value = event.character
            field.cursor_position = len(field.value)
            field.focus()
