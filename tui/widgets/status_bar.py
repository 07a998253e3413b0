"""`StatusBar`: one line at the top saying what is loaded, what the trainer is doing, how far it
got, the pace, and the test score. One widget drawing one line of text: it changes several
times a second while training, and redrawing a line costs far less than a layout of labels.
Colours are component classes in app.tcss, one per trainer state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

STATE_MARKS = {
    "loading": "… loading",
    "idle": "○ ready",
    "running": "● training",
    "paused": "‖ paused",
    "finished": "✓ finished",
    "stopped": "■ stopped",
    "diverged": "✗ diverged",
    "failed": "✗ failed",
}


@dataclass(frozen=True)
class Status:
    model: str  # "digits 64-100-10"
    state: str  # a key of STATE_MARKS
    epoch: int
    target: int
    pace: str
    score: str  # "test acc 0.953", or "" before the first look


class StatusBar(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status-bar--app", "status-bar--model", "status-bar--muted", "status-bar--score",
        *(f"status-bar--{state}" for state in STATE_MARKS),
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.status = Status("loading…", "loading", 0, 0, "", "")

    def show(self, status: Status) -> None:
        if status != self.status:
            self.status = status
            self.refresh()

    def render(self) -> Text:
        status, style = self.status, self.get_component_rich_style
        target = f"/{status.target}" if status.target > status.epoch else ""
        left = Text.assemble((" nn-tui ", style("status-bar--app")), " ",
                             (status.model, style("status-bar--model")))
        right = Text.assemble(
            (STATE_MARKS.get(status.state, status.state), style(f"status-bar--{status.state}")),
            (f"  epoch {status.epoch}{target}  {status.pace}  ", style("status-bar--muted")),
            (f"{status.score} ", style("status-bar--score")))
        gap = max(self.size.width - left.cell_len - right.cell_len, 1)
        line = Text.assemble(left, " " * gap, right, no_wrap=True, overflow="ellipsis")
        line.truncate(max(self.size.width, 1))
        return line
