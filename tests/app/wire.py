"""What the app would send to the terminal, in a Pilot run: `Wire` records each frame's escape
sequences (a headless app renders none, so it renders them the way the real display does) and
replays them on `Grid`, a tiny terminal that knows cursor moves, colours (kept as their escape
code) and text, to compare with a screen drawn whole."""

from __future__ import annotations

import re

from rich.cells import cell_len
from textual.app import App
from textual.screen import Screen

_SEQUENCE = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b.|[\r\n]|[^\x1b\r\n]")


class Grid:
    """A terminal screen: each cell the character and the colour escape in force."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells = [[(" ", "")] * width for _ in range(height)]
        self.row = self.column = 0
        self.style = ""

    def feed(self, data: str) -> None:
        for match in _SEQUENCE.finditer(data):
            token, (params, final) = match.group(0), match.groups()
            if final == "H":
                row, _, column = (params or "1;1").partition(";")
                self.row, self.column = int(row) - 1, int(column or 1) - 1
            elif final == "m":
                self.style = "" if params in ("", "0") else params
            elif token == "\r":
                self.column = 0
            elif token == "\n":
                self.row += 1
            elif not token.startswith("\x1b"):
                if 0 <= self.row < self.height and 0 <= self.column < self.width:
                    self.cells[self.row][self.column] = (token, self.style)
                self.column += max(cell_len(token), 1)

    @property
    def lines(self) -> list[str]:
        return ["".join(char for char, _ in row) for row in self.cells]


class Wire:
    """Records the frames the app displays: `sent` is everything written so far."""

    def __init__(self, app: App[object]) -> None:
        self.app = app
        self.sent: list[str] = []
        original = app._display

        def display(screen: Screen[object], renderable: object) -> None:
            if renderable is not None:
                self.sent.append(renderable.render_segments(app.console))  # type: ignore[attr-defined]
            original(screen, renderable)  # type: ignore[arg-type]

        app._display = display  # type: ignore[method-assign]

    @property
    def bytes(self) -> int:
        return sum(len(frame.encode()) for frame in self.sent)

    def grid(self) -> Grid:
        """The terminal after every frame sent so far."""
        width, height = self.app.size
        grid = Grid(width, height)
        for frame in self.sent:
            grid.feed(frame)
        return grid

    def whole(self) -> Grid:
        """The screen drawn whole, now, as a fresh terminal would show it."""
        width, height = self.app.size
        grid = Grid(width, height)
        update = self.app.screen._compositor.render_full_update()
        grid.feed(update.render_segments(self.app.console))
        return grid
