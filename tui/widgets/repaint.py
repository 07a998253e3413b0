"""`Repaint`: a widget that refreshes only the cells whose content changed, so that only those
are sent to the terminal.

Textual writes every cell of the region a widget asks to refresh, and over SSH every byte
crosses the link. A widget that draws one `Text` (a row a line, not wrapped) derives from this
and calls `repaint()` instead of `refresh()` when its data changes: the new text is compared with
the text it last had, line by line and, on a line that changed, cell by cell, and only the span
from the first to the last changed cell of each changed row is refreshed. Nothing changed: nothing
is refreshed. Any other refresh (a resize, a theme change, the widget's own `refresh()`) forgets
the remembered text, so the next `repaint()` refreshes the whole widget: the memory never
outlives what is on the screen.

`changed_spans` is the pure part, tested without an app.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Self

from rich.text import Text
from textual.geometry import Region, Size
from textual.widget import Widget

Line = tuple[str, tuple[Hashable, ...], Hashable]  # plain text, spans, base style
Span = tuple[int, int, int]  # row, first changed cell, one past the last


def text_lines(text: Text) -> list[Text]:
    return list(text.split("\n", allow_blank=True))


def line_key(line: Text) -> Line:
    return (line.plain, tuple(line.spans), line.style)


def _cell_styles(line: Text) -> list[tuple[Hashable, ...]]:
    """Each character's styles, in the order they apply (the base style first)."""
    styles: list[tuple[Hashable, ...]] = [(line.style,)] * len(line.plain)
    for start, end, style in line.spans:
        for index in range(start, min(end, len(styles))):
            styles[index] = (*styles[index], style)
    return styles


def changed_cells(old: Text, new: Text) -> tuple[int, int] | None:
    """The first changed cell of a line and one past the last (None: the same). A line with
    wide characters (more cells than characters) counts as changed from its start to its end."""
    if line_key(old) == line_key(new):
        return None
    width = max(old.cell_len, new.cell_len)
    if old.cell_len != len(old.plain) or new.cell_len != len(new.plain):
        return 0, width
    a = list(zip(old.plain, _cell_styles(old), strict=True))
    b = list(zip(new.plain, _cell_styles(new), strict=True))
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                 min(len(a), len(b)))
    if first == len(a) == len(b):  # equal cells, different span boundaries
        return None
    last = width
    if len(a) == len(b):
        last = len(a) - next(i for i, (x, y) in enumerate(zip(reversed(a), reversed(b),
                                                                strict=True)) if x != y)
    return first, last


def changed_spans(old: Sequence[Text], new: Sequence[Text]) -> list[Span]:
    """(row, first cell, one past the last) of each row whose content changed, rows missing on
    one side counting as changed over the other's whole width."""
    spans: list[Span] = []
    for row in range(max(len(old), len(new))):
        if row >= len(old) or row >= len(new):
            present = new[row] if row < len(new) else old[row]
            spans.append((row, 0, max(present.cell_len, 1)))
            continue
        cells = changed_cells(old[row], new[row])
        if cells is not None:
            spans.append((row, *cells))
    return spans


class Repaint(Widget):
    """A `Widget` whose `render()` returns one `Text`, a row a line. Beside another widget class,
    it comes second (`class QuietPlot(PlotextPlot, Repaint)`): Textual's CSS type names follow
    the first base only.

    `repaints` counts the calls that refreshed something and `cells_repainted` the cells they
    refreshed (for tests: an unchanged widget is not refreshed)."""

    _painted: tuple[Size, list[Text]] | None = None
    _repainting = False
    repaints = 0
    cells_repainted = 0

    def repaint(self) -> int:
        """Refreshes the cells whose content changed since the last call (all of them after any
        other refresh); returns how many cells that is."""
        size = self.content_size
        rendered = self._content()
        if not isinstance(rendered, Text):  # not rows of text: refreshed whole, as Textual does
            self._note(size.area)
            self.refresh()
            return size.area
        lines = text_lines(rendered)
        painted, self._painted = self._painted, (size, lines)
        if painted is None or painted[0] != size or any(
                line.cell_len > size.width for line in lines):
            self._note(size.area)
            self._refresh()
            return size.area
        spans = [(row, x1, min(x2, size.width)) for row, x1, x2 in
                 changed_spans(painted[1], lines) if row < size.height and x1 < size.width]
        if not spans:
            return 0
        cells = sum(x2 - x1 for _, x1, x2 in spans)
        self._note(cells)
        self._refresh(*(Region(x1, row, x2 - x1, 1) for row, x1, x2 in spans))
        return cells

    def _content(self) -> object:
        """What the widget would draw now (its `render()`)."""
        return self.render()

    def _note(self, cells: int) -> None:
        self.repaints += 1
        self.cells_repainted += cells

    def _refresh(self, *regions: Region) -> None:
        self._repainting = True
        try:
            self.refresh(*regions)
        finally:
            self._repainting = False

    def _forget(self) -> None:
        self._painted = None

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if not self._repainting:  # someone else refreshes: what is painted is not known here
            self._forget()
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
