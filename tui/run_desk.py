"""`RunDesk`: the app's side of the run store and of races: the runs screen (`e`), the race
dialog (`b`), the curves of the runs overlaid, and the store's problems said once.

Everything that reads the store or starts processes runs off the UI thread (thread workers,
or `asyncio.to_thread` inside a worker); the UI thread only drains the race's events (a deque,
never waiting) and redraws the charts at the views' bounded rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Protocol

from engine import RaceEvent, RunRow
from tui.controller import Change, Controller
from tui.controller.racing import RACES
from tui.errors import USER_ERRORS
from tui.numbers import score_text
from tui.pace import VIEW_SECONDS, speed
from tui.screens.race import RaceDialog
from tui.screens.runs import RunsScreen
from tui.views import LiveViews
from tui.widgets.charts import TrainingCharts
from tui.widgets.training_log import TrainingLog
from tui.widgets.workbench import Workbench


class Host(Protocol):
    """What the desk needs of the app (`NNTuiApp`)."""

    controller: Controller
    log_panel: TrainingLog
    views: LiveViews
    workbench: Workbench
    charts: TrainingCharts

    def push_screen(self, screen: Any, callback: Callable[[Any], None] | None = ...) -> Any: ...
    def notify(self, message: str, *, severity: str = ..., timeout: float = ...) -> None: ...
    def ask(self, question: str, on_yes: Callable[[], None],
            on_no: Callable[[], None] | None = None) -> None: ...
    def report(self, error: BaseException | None) -> None: ...
    def run_worker(self, work: Any, **options: Any) -> Any: ...
    def make_change(self, change: Change) -> None: ...


class RunDesk:
    def __init__(self, app: Host) -> None:
        self.app = app
        self.controller = app.controller
        self._drawn_at = 0.0
        self._scores: dict[int, str] = {}  # the race's test scores, by runner
        self._started = False  # the race's first run has started (said once)
        self._discarded: list[str] = []  # the race's runs stopped before an epoch, to say

    # -- every tick ---------------------------------------------------------------------------
    def tick(self) -> None:
        """Says the store's problems (once each), and follows the race."""
        runs = self.controller.runs
        while runs.problems:
            problem = runs.problems.popleft()
            self.app.notify(problem, severity="warning", timeout=8)
            self.app.log_panel.note(problem, problem=True)
        racing = self.controller.racing
        events = racing.drain()
        ended = []
        for item in events:
            kind = item.event.kind
            if kind == "evaluated":
                self._scores[item.index] = score_text(item.event.accuracy, item.event.r2, False)
            elif kind == "started" and not self._started:
                self._started = True
                self.app.log_panel.note(self._started_note())
            elif kind in ("finished", "stopped", "early_stopped", "diverged", "failed"):
                ended.append(item)
                if racing.race is None or item.index not in racing.race.discarded:
                    self.app.log_panel.note(self._race_note(item))
        self._discarded += [racing.labels[item.index] for item in ended
                            if racing.race is not None and item.index in racing.race.discarded]
        if self._discarded and not racing.alive:  # said once, when the race is over
            self.app.log_panel.note(f"race, {', '.join(self._discarded)}: stopped before the "
                                    "first epoch, not kept in the run store")
            self._discarded = []
        self.app.views.show_status()  # the race's part of the status line (when it changed)
        now = time.monotonic()
        if (events and now - self._drawn_at >= VIEW_SECONDS[speed(self.controller.pace)]) \
                or ended:
            self._drawn_at = now
            self.app.views.refresh()

    def _race_note(self, item: RaceEvent) -> str:
        labels = self.controller.racing.labels
        label = labels[item.index] if item.index < len(labels) else str(item.index)
        score = self._scores.get(item.index)
        return f"race, {label}: {item.event.text}" + (f", {score}" if score else "")

    def _started_note(self) -> str:
        racing = self.controller.racing
        ids = [run_id for run_id in (racing.race.run_ids if racing.race else ()) if run_id]
        where = f" (runs {ids[0]}-{ids[-1]} in the store)" if ids else " (not recorded)"
        return f"race under way: {', '.join(racing.labels)}{where}; x stops it"

    # -- the runs screen ----------------------------------------------------------------------
    def open_runs(self) -> None:
        runs = self.controller.runs
        name = str(runs.path) if runs.path is not None else "(not recorded)"
        self.app.push_screen(RunsScreen(self, self.controller.comparison.shown_ids, name))

    def read_runs(self) -> list[RunRow]:
        """Every run, newest first (in the screen's worker)."""
        return self.controller.runs.store().runs()

    def delete_run(self, run_id: int) -> None:
        """In the screen's worker."""
        self.controller.runs.forget(run_id)  # the live run's row: "train more" starts anew
        self.controller.runs.store().delete(run_id)  # (the charts follow on `chosen`)

    def ask(self, question: str, on_yes: Callable[[], None]) -> None:
        self.app.ask(question, on_yes)

    def open_run(self, row: RunRow) -> None:
        try:
            change = self.controller.run_change(row)
        except USER_ERRORS as exc:
            self.app.report(exc)
            return
        self.app.make_change(change)

    def chosen(self, ids: list[int]) -> None:
        """The runs selected on the screen: their epochs read in a worker, then drawn."""
        if ids == self.controller.comparison.shown_ids:
            return
        self.app.run_worker(self._overlay(ids), group="overlay", exclusive=True,
                            exit_on_error=False)

    async def _overlay(self, ids: list[int]) -> None:
        def read() -> tuple[list[RunRow], dict[int, list[Any]]]:
            store = self.controller.runs.store()
            rows = [store.run(run_id) for run_id in ids]
            return rows, {run_id: store.epochs(run_id) for run_id in ids}

        try:
            rows, epochs = await asyncio.to_thread(read)
        except USER_ERRORS as exc:
            self.app.report(exc)
            return
        self.controller.comparison.select(rows, epochs)
        self._show()

    def _show(self) -> None:
        """The charts, redrawn and in view (a small terminal's design view shows none)."""
        if self.controller.curves():
            self.app.workbench.reveal(self.app.charts)
        self.app.views.refresh()

    # -- races --------------------------------------------------------------------------------
    def stop(self) -> None:
        """x: the live run and the race stop. A race's stop is said, and said again (not
        repeated silently) when it is already stopping."""
        racing = self.controller.racing
        again, racing_before, starting = racing.stopping, racing.busy, racing.loading
        try:
            self.controller.stop()
        except USER_ERRORS as exc:
            self.app.report(exc)
        if again:
            self.app.notify("the race is already stopping: " + (
                "its workers leave as soon as they are up" if starting else
                "each worker ends after its current epoch"), timeout=4)
        elif racing_before:
            self.app.log_panel.note(
                "race: stopping…" + (" (it was still starting: no run is kept)"
                                     if starting else
                                     " (each worker ends after its current epoch)"))
        self.app.views.show_status()

    def race(self) -> None:
        design = self.controller.design
        if design is None:
            return
        kinds = {name: [v.label for v in kind.variations(design.config)]
                 for name, kind in RACES.items()}
        text = f"{design.data.name} {design.spec.layers_text}, {design.config.optimizer} " \
               f"lr {design.config.lr:g}, {design.config.epochs} epochs"
        self.app.push_screen(RaceDialog(kinds, text), self._race_chosen)

    def _race_chosen(self, kind: str | None) -> None:
        controller = self.controller
        if kind is None or controller.experiment is None or controller.design is None:
            return
        build = controller.racing.build(kind, controller.experiment, controller.design,
                                        controller.runs.store, controller.pace)
        count = len(RACES[kind].variations(controller.design.config))
        self.app.log_panel.note(f"race of {kind}: starting {count} worker processes…")
        self.app.views.show_status()  # "race: starting 4 workers…" at once
        self.app.run_worker(self._start_race(build), group="race", exclusive=True,
                            exit_on_error=False)

    async def _start_race(self, build: Callable[[], Any]) -> None:
        racing = self.controller.racing
        try:
            race = await asyncio.to_thread(build)
        except USER_ERRORS as exc:
            racing.unstarted()
            self.app.views.show_status()
            self.app.report(exc)
            return
        design = self.controller.design
        if race is None or design is None:
            racing.unstarted()
            self.app.views.show_status()
            if race is not None:
                await asyncio.to_thread(race.close)
            self.app.log_panel.note("race stopped before it started: no run recorded")
            return
        racing.adopt(race, design)
        self._scores, self._started = {}, False
        self._show()
