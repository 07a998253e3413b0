"""`LabelledRow`: a setting's row that draws its own label, in a gutter left of its field.

The label is the row's own content, not a widget of its own: the field (a choice, a text box)
sits in the row with a left margin as wide as the gutter, and the row paints the label there.
One widget fewer a setting: every restyle, layout and frame of the editor walks fewer nodes.

The focused row also takes colour (app.tcss), but a glyph is what reads with NO_COLOR or on a
monochrome terminal: `▸` beside the focused setting, as on the focused layer list's selected
layer, and nothing elsewhere (the selected layer, unfocused, keeps a hollow `▹`). The editor sets
`marked` whenever the focus moves (`FieldStops._mark_focus`).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget

FOCUS_MARK = "▸"  # the focus, in the editor's gutter
SELECTED_MARK = "▹"  # the selected layer while the focus is elsewhere
GUTTER = 2  # columns: the mark and a space
LABEL_WIDTH = 16  # columns: the gutter and the label, left of the row's field


class LabelledRow(Horizontal):
    """`label` on the left (marked ▸ while the row holds the focus), then the row's field."""

    DEFAULT_CSS = f"""
    LabelledRow {{ height: 1; }}
    LabelledRow > * {{ margin-left: {LABEL_WIDTH}; }}
    LabelledRow > .labelled-row--label {{ color: $text-muted; }}
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"labelled-row--label"}

    marked: reactive[bool] = reactive(False)

    def __init__(self, label: str, *children: Widget, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(*children, id=id, classes=classes)
        self.label = label

    def render(self) -> Text:
        mark = FOCUS_MARK if self.marked else " "
        text = Text(f"{mark:<{GUTTER}}{self.label}", self.get_component_rich_style(
            "labelled-row--label"), no_wrap=True, overflow="ellipsis", end="")
        text.truncate(LABEL_WIDTH, overflow="ellipsis")
        return text
