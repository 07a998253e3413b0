"""The inside view's widgets (`tui.screens.inside`): panels of text lines, the scrolling area of
a section, and the field a value is typed into.

`Lines` keeps redraws cheap while training runs: a layout pass only when its number of lines,
which sets its height, changes. `ValueField` remembers what the value is for when the typing
began: keys typed ahead can move the selection before the field's message arrives.
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Input, Static


class Lines(Static):
    """Lines of text whose number sets the height."""

    _count = -1  # lines shown

    def show(self, lines: list[Text]) -> None:
        self.update(Text("\n").join(lines), layout=len(lines) != self._count)
        self._count = len(lines)


class SectionArea(VerticalScroll, can_focus=False):
    """The section's scrolling area; the screen's keys scroll it, so it takes no focus."""


class ValueField(Input):
    """Hidden until `ask`; `target` names what the value typed is for (None: not asking)."""

    target: str | None = None

    @property
    def asking(self) -> bool:
        return self.target is not None

    def ask(self, target: str, prompt: str) -> None:
        """Shows the field, empty (the present value is in `prompt`, so that keys typed at once
        never mix with it), and takes the focus now rather than later: what is typed next
        must go in."""
        self.target = target
        self.value = ""
        self.placeholder = self.border_title = prompt
        self.display = True  # at once: a class would wait for the next styling pass
        self.screen.set_focus(self)

    def done(self) -> None:
        self.target = None
        self.display = False
        self.screen.set_focus(None)
