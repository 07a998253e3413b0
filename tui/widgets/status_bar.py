"""`StatusBar`: one line at the top saying what is loaded, what the trainer is doing, how far it
got, the pace, and the test score. One widget drawing one line of text: it changes several
times a second while training, and redrawing a line costs far less than a layout of labels; only
its changed cells are sent to the terminal (`Repaint`).
Colours are component classes in app.tcss, one per trainer state.

When the line does not fit, whole parts go, the least useful first (`status_parts`): the pace,
the app's name, "unsaved", the model, the epoch, the score, the race under way ("race: 4 runs,
epoch 12", from the moment a race is asked for); the trainer's state stays. A number
is never cut: "test acc 0.974" is on the line with all its digits, or not at all. "· unsaved"
follows the model while trained epochs or weights edited by hand are in no file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text

from tui.widgets.repaint import Repaint

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
    unsaved: bool = False  # trained epochs or weights edited by hand that no file holds
    race: str = ""  # "race: 4 runs, epoch 12" while a race is under way


@dataclass(frozen=True)
class Part:
    """A piece of the status line: its text, its style's name, which side, and how useful it
    is (the least useful goes first when the line is too narrow)."""

    text: str
    style: str
    right: bool
    keep: int = field(compare=False)


def status_parts(status: Status, width: int) -> list[Part]:
    """The parts of the line that fit in `width` columns, in order, whole."""
    target = f"/{status.target}" if status.target > status.epoch else ""
    parts = [
        Part(" nn-tui ", "app", False, 2),
        Part(status.model, "model", False, 3),
        Part("· unsaved" if status.unsaved else "", "muted", False, 2),
        Part(status.race, "race", True, 7),
        Part(STATE_MARKS.get(status.state, status.state), status.state, True, 9),
        Part(f"epoch {status.epoch}{target}", "muted", True, 5),
        Part(status.pace, "muted", True, 1),
        Part(status.score, "score", True, 6),
    ]
    parts = [part for part in parts if part.text]
    while line_width(parts) > width and len(parts) > 1:
        parts.remove(min(parts, key=lambda part: part.keep))
    return parts


def line_width(parts: list[Part]) -> int:
    """Columns the parts take: the left ones one apart, the right ones two apart, at least one
    between the sides, one at the end (and one at the start without the app's name)."""
    left = [p.text for p in parts if not p.right]
    right = [p.text for p in parts if p.right]
    margin = 0 if parts and parts[0].text.startswith(" ") else 1
    return margin + len(" ".join(left)) + 1 + len("  ".join(right)) + 1


class StatusBar(Repaint):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status-bar--app", "status-bar--model", "status-bar--muted", "status-bar--score",
        "status-bar--race",
        *(f"status-bar--{state}" for state in STATE_MARKS),
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.status = Status("loading…", "loading", 0, 0, "", "")

    def show(self, status: Status) -> None:
        if status != self.status:
            self.status = status
            self.repaint()  # the terminal gets the cells that changed: "epoch 41" -> "42"

    def render(self) -> Text:
        style = self.get_component_rich_style
        width = max(self.size.width, 1)
        parts = status_parts(self.status, width)
        left = Text(" ").join(Text(p.text, style(f"status-bar--{p.style}"))
                              for p in parts if not p.right)
        right = Text("  ").join(Text(p.text, style(f"status-bar--{p.style}"))
                                for p in parts if p.right)
        gap = max(width - left.cell_len - right.cell_len - 1, 1)
        if not parts[0].text.startswith(" "):  # the app's name gave way: keep the margin
            left = Text(" ") + left
            gap = max(gap - 1, 1)
        line = Text.assemble(left, " " * gap, right, " ", no_wrap=True, overflow="crop")
        line.truncate(width)
        return line
