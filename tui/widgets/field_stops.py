"""`FieldStops`: a column of fields walked with up and down, the way the architecture editor's
settings are: each choice, the layer list and each text field is a stop (hidden ones skipped, no
wrapping round at either end), and the row holding the focus is marked (▸ in the gutter) so it
reads without colour.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input

from tui.widgets.choice import ChoiceField
from tui.widgets.field_row import FieldRow
from tui.widgets.labelled_row import LabelledRow
from tui.widgets.layer_list import LayerRows


class FieldStops(Vertical, can_focus=False):
    """Up and down move the focus from field to field; the focused row is marked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move_focus(-1)", "previous field", show=False),
        Binding("down", "move_focus(1)", "next field", show=False),
    ]

    def focus_target(self) -> Widget:
        """The layer list: its selected layer carries the ▸ the person sees first, so enter
        and space act where the mark says (the dataset choice took them before)."""
        return self.query_one(LayerRows)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._mark_focus()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self._mark_focus()

    def _mark_focus(self) -> None:
        """Marks the row that holds the focus (▸ in the gutter), so it reads without colour."""
        focused = self.screen.focused
        for row in self.query(LabelledRow):
            row.marked = focused is not None and (focused is row or row in focused.ancestors)
        self.query_one(LayerRows).refresh()

    def _stops(self) -> list[Widget]:
        return [w for w in self.walk_children(Widget)
                if isinstance(w, (ChoiceField, LayerRows, Input)) and w.id != "units-input"
                and all(node.display for node in w.ancestors_with_self if node is not self)]

    def action_move_focus(self, step: int) -> None:
        stops = self._stops()
        focused = self.screen.focused
        if isinstance(focused, FieldRow):  # a row left with escape: move on from its field
            focused = focused.field
        index = stops.index(focused) + step if focused in stops else 0
        if 0 <= index < len(stops):  # at the first or last field: stay (no wrapping round)
            stops[index].focus()
