"""The inside view's widgets (`tui.screens.inside`): panels of text lines, the scrolling area of
a section, and the field a value is typed into.

`Lines` keeps redraws cheap while training runs (they take their time from the training
thread): strips of segments rather than a `Static`, and a layout pass only when its number of
rows, which sets its height, changes. `ValueField` remembers what the value is for when the typing
began: keys typed ahead can move the selection before the field's message arrives.
"""

from __future__ import annotations

from itertools import pairwise

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input


class Lines(Widget):
    """Lines of text, as many rows as lines (long ones wrap at the width): drawn line by line
    as strips of segments (Textual's line API), which costs a fraction of a `Static` of the
    same text; a layout pass only when the number of rows changes."""

    DEFAULT_CSS = "Lines { height: auto; }"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text: list[Text] = []
        self._rows: list[Strip] = []
        self._width = -1

    def show(self, lines: list[Text]) -> None:
        before = len(self._rows)
        self._text = lines
        self._width = -1
        self._wrap(self.content_size.width)
        self.refresh(layout=len(self._rows) != before)

    def _wrap(self, width: int) -> None:
        """The lines as rows of strips `width` wide (no width yet: as long as they are)."""
        if width == self._width:
            return
        console = self.app.console
        rows: list[Strip] = []
        for line in self._text:
            parts = line.wrap(console, width) if width > 0 and not line.no_wrap else [line]
            rows += [Strip(segments(part), part.cell_len) for part in parts]
        self._rows, self._width = rows, width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._wrap(width)
        return len(self._rows)

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        self._wrap(width)
        style = self.rich_style
        row = self._rows[y] if y < len(self._rows) else Strip.blank(0)
        return row.crop_extend(0, width, style).apply_style(style)


def segments(line: Text) -> list[Segment]:
    """A line's segments: each span's text in its style over the line's own. Rich's
    `Text.render` does the same for any text but works out every span boundary's style from a
    stack, which made it most of a redraw's cost for a page of weight tiles; this line's spans,
    appended one after another, never overlap (if they do, Rich's way is taken)."""
    spans = sorted(line.spans, key=lambda span: span.start)
    if any(a.end > b.start for a, b in pairwise(spans)):
        return list(line.render(_CONSOLE))
    text, base = line.plain, _style(line.style)
    out: list[Segment] = []
    at = 0
    for span in spans:
        if span.start > at:
            out.append(Segment(text[at:span.start], base))
        if span.end > span.start:
            out.append(Segment(text[span.start:span.end], base + _style(span.style)))
        at = max(at, span.end)
    if at < len(text):
        out.append(Segment(text[at:], base))
    return out


def _style(style: str | Style) -> Style:
    return style if isinstance(style, Style) else Style.parse(style) if style else Style.null()


_CONSOLE = Console(width=1000)


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
