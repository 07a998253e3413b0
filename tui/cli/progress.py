"""`nn-tui train --verbose 1`: one live rich progress bar over the epochs, with the ETA and the
latest epoch's figures, as Keras' `fit(verbose=1)`. A thousand tiny epochs make one bar, not a
thousand lines. Imported only at verbose 1, so the other commands never load rich."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from engine.experiment import Evaluation
from engine.train.events import EpochEnd, Event, Started
from tui.cli.output import HumanOutput, scores_text

UPDATE_SECONDS = 0.05


class ProgressOutput(HumanOutput):
    """The header, then the bar (redrawn by rich at most 10 times a second, whatever the pace
    of the epochs), the early-stop or divergence notes above it, and the result below it."""

    def __init__(self) -> None:
        super().__init__(verbose=1)
        self.console = Console(file=sys.stdout, highlight=False)
        self.progress = Progress(
            TextColumn("epoch"), MofNCompleteColumn(), BarColumn(bar_width=30),
            TimeRemainingColumn(elapsed_when_finished=True),
            TextColumn("{task.fields[scores]}", markup=False),
            console=self.console, refresh_per_second=10,
        )
        self.task: TaskID | None = None
        self.latest: EpochEnd | None = None  # not yet shown on the bar
        self.shown_at = 0.0

    def event(self, event: Event) -> None:
        if isinstance(event, Started):
            self.total = event.target_epoch
            self.progress.start()
            self.task = self.progress.add_task("train", total=event.target_epoch,
                                               completed=event.epoch, scores="")
        elif isinstance(event, EpochEnd):
            self.latest = event
            if time.monotonic() - self.shown_at >= UPDATE_SECONDS:
                self._show()
        else:
            self._show()
            super().event(event)

    def _show(self) -> None:
        """Puts the latest epoch on the bar. Thousands of epochs a second would spend more time
        in rich's bookkeeping than in training, so this runs at most every UPDATE_SECONDS
        (and before anything else is printed, and at the end)."""
        if self.latest is not None and self.task is not None:
            self.progress.update(self.task, completed=self.latest.epoch,
                                 scores=scores_text(self.latest))
            self.latest = None
            self.shown_at = time.monotonic()

    def say(self, line: str) -> None:
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def done(self, summary: dict[str, object], evaluation: Evaluation) -> None:
        self._show()
        self.progress.stop()
        super().done(summary, evaluation)

    def interrupted(self, epoch: int) -> None:
        self._show()
        self.progress.stop()
