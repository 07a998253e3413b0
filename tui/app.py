"""`NNTuiApp`: the one screen where a network is designed, trained live and looked inside.

A thin map from keys to `Controller` calls: the state and what can be done with it live there,
without Textual. Up to ten times a second `_tick` drains the training thread's events through
the controller and hands them to `LiveViews`, which logs what a person can read and (at a
bounded rate) redraws the charts, the digit viewer and the confusion matrix from the runner's
latest scores. The key table is `tui.keys`; ctrl+s and ctrl+o are `tui.file_dialogs`.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.worker import Worker

from engine import MODELS_DIR, Experiment, RunStore
from tui.app_settings import apply_settings
from tui.controller import Change, Controller
from tui.errors import USER_ERRORS, one_line
from tui.experiment_switch import ExperimentSwitch
from tui.file_dialogs import FileDialogs
from tui.inside.session import InsideSession
from tui.key_gate import KeyGate
from tui.keys import APP_BINDINGS, OWN_ACTIONS, palette_commands
from tui.pace import DEFAULT_PACE, DRAIN_SECONDS, Pace, speed
from tui.panels_app import PanelsApp
from tui.run_desk import RunDesk
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen, app_help_sections
from tui.screens.inside import InsideScreen
from tui.sessions import Preset
from tui.settings import LoadedSettings, load_settings
from tui.signals import ExitSignals
from tui.views import LiveViews, Panels
from tui.widgets.architecture import ArchitectureEditor
from tui.widgets.sample_views import ACTIONS as SAMPLE_ACTIONS
from tui.widgets.training_log import Clock, wall_clock

TICK_SECONDS = 0.1
ALWAYS = {"help", "quit", "open", "focus_next", "focus_previous", "command_palette"}


class NNTuiApp(PanelsApp):
    CSS_PATH = "app.tcss"
    TITLE = "nn-tui"
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS
    ALLOW_IN_MAXIMIZED_VIEW: ClassVar[str] = "StatusBar, KeyBar"  # a panel shown alone
    exit_signals: ExitSignals | None = None  # set by `run_app`: SIGTERM/SIGHUP close cleanly

    def __init__(self, *, models_dir: str | Path = MODELS_DIR, clock: Clock = wall_clock,
                 pace: Pace = DEFAULT_PACE, sample_seed: int = 0,
                 settings: LoadedSettings | None = None, runs_path: str | Path | None = None,
                 first: Experiment | None = None, **options: object) -> None:
        super().__init__(clock, sample_seed)
        self._first = first  # the command line's experiment, built and checked already
        self.settings = settings  # config.toml (`run_app`); None: none read, none written
        self.controller = Controller(Preset(**options), models_dir, pace,
                                     Path(runs_path or RunStore.default_path()))
        self.files = FileDialogs(self)
        self.desk = RunDesk(self)  # the runs screen, races and the runs overlaid
        self._drained_at = 0.0
        self.switch = ExperimentSwitch(self)  # building, adopting, changing the experiment
        self.key_gate = KeyGate(self, waiting=lambda: self.switch.loading)
        self.inside = InsideSession()  # the inside view's state, kept while it is closed

    @classmethod
    def from_namespace(cls, namespace: argparse.Namespace, **settings: object) -> NNTuiApp:
        settings.setdefault("runs_path", getattr(namespace, "runs", None))  # nn-tui --runs
        settings.setdefault("first", getattr(namespace, "first", None))  # built by `cmd_app`
        return cls(**settings, **vars(Preset.from_namespace(namespace)))

    def on_load(self) -> None:
        if self.exit_signals is not None:  # before the terminal is in application mode
            self.exit_signals.install()

    # -- the panels found, the first experiment built ---------------------------------------
    def on_mount(self) -> None:
        self.find_panels()
        self.views = LiveViews(self.controller, Panels(
            self.status_bar, self.charts, self.viewer, self.confusion, self.log_panel,
            self.key_bar, self.samples), TICK_SECONDS)
        self.editor.show_loading(self.controller.preset.dataset_name)
        self.editor.focus_target().focus()
        self.views.show_status()
        self.set_interval(TICK_SECONDS, self._tick)
        apply_settings(self, self.settings)
        first, self._first = self._first, None
        build = self.controller.first_build() if first is None else \
            self.controller.first_build(first)
        self.load(build, "ready: press t to train, ? for help")

    # -- experiments (`tui.experiment_switch`) -----------------------------------------------
    def load(self, build: Callable[[], Experiment], note: str) -> None:
        """Builds an experiment in a worker, then adopts it (keys pressed meanwhile wait)."""
        self.switch.load(build, note)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.switch.worker_changed(event)

    # -- keys, one at a time ------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        """The terminal's keys go through the gate, one at a time (see `tui.key_gate`)."""
        key = isinstance(event, events.Key) and not event.is_forwarded
        if key and self.key_gate.holds(event):
            return
        try:
            await super().on_event(event)
        finally:
            if key:
                self.key_gate.handled(event)

    # -- dialogs and errors -------------------------------------------------------------------
    def ask(self, question: str, on_yes: Callable[[], None],
            on_no: Callable[[], None] | None = None) -> None:
        def answered(yes: bool | None) -> None:
            (on_yes if yes else on_no or (lambda: None))()

        self.push_screen(ConfirmScreen(question), answered)

    def report(self, error: BaseException | None) -> None:
        """A user's error becomes one line; anything else is a bug and is raised."""
        if isinstance(error, USER_ERRORS):
            self.notify(one_line(error), severity="error", timeout=6)
            self.log_panel.note(one_line(error), problem=True)
        elif error is not None:
            raise error

    def attempt(self, intention: Callable[[], object]) -> bool:
        """Calls a controller intention; a user's error is reported. True if it went through."""
        try:
            intention()
        except USER_ERRORS as exc:
            self.report(exc)
            return False
        return True

    # -- the relay from the training thread --------------------------------------------------
    def _tick(self) -> None:
        if self.controller.experiment is None or not self.is_running:  # not while closing
            return
        self.desk.tick()
        now = time.monotonic()
        if self.controller.state.phase == "running" and \
                now - self._drained_at < DRAIN_SECONDS[speed(self.controller.pace)]:
            return
        self._drained_at = now
        self.views.take(self.controller.drain())

    # -- training keys --------------------------------------------------------------------------
    def action_train(self) -> None:
        if self.attempt(self.controller.train) and self.workbench.compact:
            self.workbench.view = "watch"
        self.refresh_bindings()

    def action_continue_training(self) -> None:
        self.action_train()

    def action_pause(self) -> None:
        self.attempt(self.controller.pause)

    def action_resume(self) -> None:
        self.attempt(self.controller.resume)

    def action_stop(self) -> None:
        self.desk.stop()

    def action_step(self) -> None:
        self.attempt(self.controller.step)
        self.refresh_bindings()

    def action_reinitialise(self) -> None:
        self.switch.after_asking(self.controller.reset_question(), self._reset)

    def _reset(self) -> None:
        self.attempt(self.controller.reset)
        self.views.take(self.controller.drain())

    def action_slower(self) -> None:
        self.controller.slower()
        self.views.show_status()

    def action_faster(self) -> None:
        self.controller.faster()
        self.views.show_status()

    def action_inside(self) -> None:
        self.push_screen(InsideScreen(self.inside))

    def action_runs(self) -> None:
        self.desk.open_runs()

    def action_race(self) -> None:
        self.desk.race()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(app_help_sections(self)))

    # -- which keys apply ---------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ALWAYS or action not in OWN_ACTIONS:
            return True
        if len(self.screen_stack) > 1:  # a dialog is open: the main screen's keys wait, but
            # for those a screen lets through (the inside view's training keys)
            return action in getattr(self.screen, "APP_ACTIONS", ()) and self.applies(action)
        return self.applies(action)

    def applies(self, action: str) -> bool | None:
        """Whether one of the app's actions makes sense now (None: not yet, while loading)."""
        allowed = self.controller.can(action)
        if action in SAMPLE_ACTIONS:
            return allowed and self.samples.can(action)
        if action == "switch_view" and allowed:
            return self.workbench.compact
        return allowed

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's commands, then every key that applies on the main screen (called while
        the palette is open, so `applies` rather than `check_action`)."""
        yield from super().get_system_commands(screen)
        on_top = getattr(screen, "APP_ACTIONS", None)  # a screen over the main one, if any
        yield from palette_commands(self, lambda action: (on_top is None or action in on_top)
                                    and self.applies(action))

    # -- design changes -----------------------------------------------------------------------
    def on_architecture_editor_proposed(self, message: ArchitectureEditor.Proposed) -> None:
        self.switch.make(self.controller.change(message.design, message.fields))

    def on_architecture_editor_dataset_requested(
            self, message: ArchitectureEditor.DatasetRequested) -> None:
        if self.controller.design is not None:
            self.switch.make(self.controller.dataset_change(message.name))

    def make_change(self, change: Change) -> None:
        self.switch.make(change)

    # -- saving and opening (ctrl+s, ctrl+o) -------------------------------------------------
    def action_save(self) -> None:
        self.files.save()

    def action_open(self) -> None:
        self.files.open()

    # -- quitting -----------------------------------------------------------------------------
    async def action_quit(self) -> None:
        question = self.controller.quit_question()
        if question is None:
            self._quit()
        else:
            self.ask(question, self._quit)

    async def action_help_quit(self) -> None:
        """ctrl+c quits as q does, asking first when something would be lost (Textual's
        ctrl+c only said which key quits). In a text field it still copies."""
        await self.action_quit()

    def _quit(self) -> None:
        self.controller.shutdown()
        self.exit(0)

    def on_unmount(self) -> None:
        self.controller.shutdown()


NO_TERMINAL = ("nn-tui: error: nn-tui needs a terminal; for scripts use nn-tui train ... (see "
               "nn-tui train --help)")


def run_app(namespace: argparse.Namespace) -> int:
    """`nn-tui` with no subcommand: runs the app preset from the command line's options.
    Without a terminal on both ends (`echo | nn-tui`, `nn-tui > out.txt`) Textual would wait
    for keys that never come: one line and status 2 instead, before it starts."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(NO_TERMINAL, file=sys.stderr)
        return 2
    settings = load_settings()
    app = NNTuiApp.from_namespace(namespace, pace=settings.settings.pace, settings=settings)
    app.exit_signals = ExitSignals(app)
    app.run()
    if app.exit_signals.note:  # a signal closed it: say where the trained model went
        with contextlib.suppress(OSError):  # the terminal may be gone (a hang-up)
            print(app.exit_signals.note, file=sys.stderr, flush=True)
    return int(app.return_code or 0)
