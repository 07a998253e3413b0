"""`TrainingLog`: what happened, newest at the bottom: epoch lines (as many as a person can
read, chosen by `tui.relay`) and timestamped events. Scrollable and bounded in memory.

It keeps its entries (not just rendered lines), so that when its width changes it writes them
again: long lines wrap to the new width under their text and epoch lines take the fullest
layout that fits, their epochs aligned to the run's last one (from its `Started` event). A plain
string among the events is a note of the app's (e.g. the schedule a run follows). The clock is
injected so that tests and snapshots can fix the timestamps.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog

from engine import EpochEnd, Event, Started
from tui.log_lines import epoch_line, event_line

MAX_LINES = 2000
Clock = Callable[[], str]
# ("epoch", (event, the run's last epoch)) or ("event" | "problem", (timestamp, text))
Entry = tuple[str, tuple[EpochEnd, int] | tuple[str, str]]


def wall_clock() -> str:
    return time.strftime("%H:%M:%S")


class TrainingLog(RichLog):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "training-log--epoch",
        "training-log--event",
        "training-log--problem",
    }
    PROBLEMS: ClassVar[frozenset[str]] = frozenset({"diverged", "failed"})

    def __init__(self, clock: Clock = wall_clock, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, max_lines=MAX_LINES, min_width=20, wrap=True,
                         markup=False, highlight=False)
        self.clock = clock
        self.entries: deque[Entry] = deque(maxlen=MAX_LINES)
        self._written_width = 0
        self._last_epoch = 0  # the current run's last epoch, which epoch lines align to

    @property
    def _width(self) -> int:
        """The text's width, less the scrollbar's column even before it shows: a line written
        to the full width would wrap once the log fills and the scrollbar appears."""
        region = self.scrollable_content_region.width
        return max(region - (0 if self.show_vertical_scrollbar else 1), 0)

    def add(self, events: Iterable[Event | str]) -> None:
        """Writes epochs as figures and other events (and notes) as timestamped lines, in
        order."""
        for event in events:
            if isinstance(event, str):
                self.note(event)
            elif isinstance(event, EpochEnd):
                self._add(("epoch", (event, self._last_epoch)))
            else:
                if isinstance(event, Started):
                    self._last_epoch = event.target_epoch
                self.note(event.text, problem=event.kind in self.PROBLEMS)

    def note(self, text: str, problem: bool = False) -> None:
        """A timestamped line: an event, or something the app did (saved, loaded...)."""
        self._add(("problem" if problem else "event", (self.clock(), text)))

    @property
    def lines_text(self) -> list[str]:
        """The entries as plain text, epoch lines at the current width and events unwrapped
        (for tests and the README)."""
        return [self._text(entry, wrap=False).plain for entry in self.entries]

    def _add(self, entry: Entry) -> None:
        self.entries.append(entry)
        self._write(entry)

    def _text(self, entry: Entry, wrap: bool = True) -> Text:
        kind, (first, second) = entry
        style = self.get_component_rich_style(f"training-log--{kind}")
        width = self._width or 200
        if isinstance(first, EpochEnd):
            return Text(epoch_line(first, width, int(second)), style)
        return Text(event_line(str(second), first, self._width if wrap else 0), style)

    def on_resize(self, event: Resize) -> None:
        if self._width and self._width != self._written_width:
            self._written_width = self._width
            self.clear()
            for entry in self.entries:
                self._write(entry)

    def _write(self, entry: Entry) -> None:
        """Writes at the text's width: RichLog would measure the line against the console's
        width, which in a headless run (tests, snapshots) is 80 whatever the log's."""
        self.write(self._text(entry), width=self._width or None)
