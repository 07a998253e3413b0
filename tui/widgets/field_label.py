"""`FieldLabel`: a setting's label with a two-column gutter that marks the row holding the focus.

The focused row also takes colour (app.tcss), but a glyph is what reads with NO_COLOR or on a
monochrome terminal: `▸` beside the focused setting, as on the focused layer list's selected
layer, and nothing elsewhere (the selected layer, unfocused, keeps a hollow `▹`). The editor sets
`marked` whenever the focus moves (`ArchitectureEditor.on_descendant_focus`).
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

FOCUS_MARK = "▸"  # the focus, in the editor's gutter
SELECTED_MARK = "▹"  # the selected layer while the focus is elsewhere
GUTTER = 2  # columns: the mark and a space


class FieldLabel(Static):
    marked: reactive[bool] = reactive(False)

    def __init__(self, text: str, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.text = text

    def render(self) -> Text:
        mark = FOCUS_MARK if self.marked else " "
        return Text(f"{mark:<{GUTTER}}{self.text}", no_wrap=True, overflow="ellipsis")
