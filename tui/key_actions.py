"""What the training and viewing keys do (t, s, x, r, [ ], n, p, m, d, l, v, tab, ?).
A mixin of `NNTuiApp`: it acts on the app's session, design, pace, workbench and viewer.
`check_action` below decides which keys apply at the moment (the footer shows only those), and
the command palette offers the same actions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from engine import EngineError
from tui.pace import Pace, faster, slower
from tui.screens.help import HelpScreen, class_bindings, help_rows
from tui.widgets.architecture import ArchitectureEditor
from tui.widgets.choice import ChoiceField
from tui.widgets.digit_viewer import DigitViewer
from tui.widgets.field_row import FieldRow
from tui.widgets.layer_list import LayerRows

ALWAYS = {"help", "quit", "open", "focus_next", "focus_previous", "command_palette"}
NOT_IN_PALETTE = {"focus_next", "focus_previous", "command_palette", "quit"}  # quit: Textual's


class KeyActions:
    def action_train(self) -> None:
        self._start()

    def action_continue_training(self) -> None:
        self._start()

    def _start(self) -> None:
        if self.session is None or self.design is None:
            return
        try:
            self.session.runner.start(epochs=self.design.config.epochs)
        except EngineError as exc:
            self.report(exc)
        if self.workbench.compact:
            self.workbench.view = "watch"
        self.refresh_bindings()

    def action_pause(self) -> None:
        self.session.runner.pause()

    def action_resume(self) -> None:
        self.session.runner.resume()

    def action_step(self) -> None:
        runner = self.session.runner
        if runner.is_alive:
            runner.step()
        else:
            runner.start(epochs=self.design.config.epochs, paused=True, steps=1)
        self.refresh_bindings()

    def action_stop(self) -> None:
        self.session.runner.stop(wait=False)

    def action_reinitialise(self) -> None:
        runner = self.session.runner
        if runner.epoch == 0 and not runner.is_alive:
            runner.reset()
            return
        self.ask(f"Re-initialise the weights? The {runner.epoch} trained epochs are lost.",
                 runner.reset)

    def action_slower(self) -> None:
        self._set_pace(slower(self.pace))

    def action_faster(self) -> None:
        self._set_pace(faster(self.pace))

    def _set_pace(self, pace: Pace) -> None:
        self.pace = pace
        if self.session is not None:
            self.session.runner.set_pace(pace)
        self.show_status()

    # -- viewing keys -------------------------------------------------------------------------
    def action_next_sample(self) -> None:
        self._browse(self.viewer.next_sample)

    def action_previous_sample(self) -> None:
        self._browse(self.viewer.previous_sample)

    def action_next_misclassified(self) -> None:
        self._browse(self.viewer.next_misclassified)

    def action_random_sample(self) -> None:
        self._browse(self.viewer.random_sample)

    def _browse(self, move: Callable[[], None]) -> None:
        self.workbench.reveal(self.viewer)
        move()

    def action_draw(self) -> None:
        self.viewer.toggle_draw_mode()
        if self.viewer.draw_mode:
            self.workbench.focus_panel(self.viewer)

    def action_log_scale(self) -> None:
        self.log_scale = not self.log_scale
        self.workbench.reveal(self.charts)
        self.refresh_views()

    def action_switch_view(self) -> None:
        self.workbench.toggle_view()

    def action_focus_next(self) -> None:
        self._move_focus(1)

    def action_focus_previous(self) -> None:
        self._move_focus(-1)

    def _move_focus(self, step: int) -> None:
        if len(self.screen_stack) > 1:  # inside a dialog: plain focus order
            (self.screen.focus_next if step > 0 else self.screen.focus_previous)()
        else:
            self.workbench.move(step)

    def action_help(self) -> None:
        sections = [
            ("app (single letters work when no text field has the focus)",
             help_rows(self, class_bindings(type(self)))),
            ("architecture: layer list", help_rows(self, class_bindings(LayerRows))),
            ("architecture: choices", help_rows(self, class_bindings(ChoiceField))),
            ("architecture: settings",
             help_rows(self, class_bindings(ArchitectureEditor, FieldRow))),
            ("digit viewer in draw mode", help_rows(self, class_bindings(DigitViewer))),
        ]
        self.push_screen(HelpScreen(sections))

    # -- which keys apply ---------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ALWAYS or action not in self._own_actions():
            return True
        if len(self.screen_stack) > 1:
            return False  # a dialog is open: the main screen's keys wait
        return self.applies(action)

    def applies(self, action: str) -> bool | None:
        """Whether one of the app's actions makes sense now (None: not yet, while loading)."""
        session = self.session
        if session is None:
            return None if action == "train" else False
        runner = session.runner
        rules = {
            "train": not runner.is_alive and runner.epoch == 0,
            "continue_training": not runner.is_alive and runner.epoch > 0,
            "pause": runner.is_alive and runner.state == "running",
            "resume": runner.is_alive and runner.state == "paused",
            "stop": runner.is_alive,
            "draw": session.dataset.image_shape is not None,
            "next_misclassified": session.dataset.is_classification,
            "switch_view": self.workbench.compact,
        }
        return rules.get(action, True)

    @classmethod
    def _own_actions(cls) -> set[str]:
        return {binding.action for binding in Binding.make_bindings(cls.BINDINGS)}

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette's commands: Textual's own, then every key that applies on the main
        screen (called while the palette is open, so `applies` rather than `check_action`),
        each once though it has several keys (? and f1)."""
        yield from super().get_system_commands(screen)
        offered: set[str] = set()
        for binding in Binding.make_bindings(self.BINDINGS):
            if (binding.action in NOT_IN_PALETTE | offered
                    or not self.applies(binding.action)):
                continue
            offered.add(binding.action)
            yield SystemCommand(binding.description.capitalize(),
                                binding.tooltip or f"key: {binding.key}",
                                getattr(self, f"action_{binding.action}"))
