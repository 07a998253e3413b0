"""`InsideScreen`: look inside the network while it learns (`i` on the main screen).

On top, per layer over the epochs: the weights, the activations over a fixed probe batch, |dW|
and the update ratio against its healthy band, measured by the training thread (`InsideStats`)
and only formatted here. Below, one section at a time (1-4): the first layer's weights as
pictures, the viewer's sample through the network, one training step stage by stage, and editing
weights by hand with your own input. The gradient check (g) runs in a worker thread.

The screen redraws from the controller at most every `VIEW_SECONDS` while training runs (as the
main screen's panels do) and at once after a key. The training keys (t, s, x, [ ], n p m R ...)
still work here: the app lets through the `APP_ACTIONS` this screen names. What the person
changes lives in an `InsideSession` the app keeps, so closing and reopening keeps it. The drawing
is `InsideDrawing`'s (`inside_drawing`), the key table `inside_keys`'.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar, Self

import numpy as np
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.events import Resize
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from engine import GradientCheck, UpdateState, gradient_check, run_state
from tui.errors import USER_ERRORS, one_line
from tui.inside.params import with_edits
from tui.inside.sections import Context, edit_rows, stages_of
from tui.inside.session import InsideSession
from tui.inside.typed import prompt_for, take_typed
from tui.screens.inside_drawing import Host, InsideDrawing
from tui.screens.inside_keys import APP_ACTIONS, INSIDE_BINDINGS, STEP_ONLY
from tui.widgets.inside_panels import Lines, SectionArea, ValueField
from tui.widgets.key_bar import KeyBar
from tui.widgets.status_bar import StatusBar

FOLLOW_SECONDS = 0.1  # how often the screen looks for news (drawing only when there is some)
ROLES = ("pos-1", "pos-2", "pos-3", "neg-1", "neg-2", "neg-3", "spark", "label", "header",
         "muted", "good", "warn", "selected", "edited")


class InsideScreen(Screen[None]):
    CSS_PATH = Path(__file__).resolve().parent.parent / "inside.tcss"
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"inside--{role}" for role in ROLES}
    APP_ACTIONS = APP_ACTIONS
    AUTO_FOCUS = ""  # no widget takes the keys (not the hidden input) until a value is typed
    BINDINGS: ClassVar[list[BindingType]] = INSIDE_BINDINGS

    def __init__(self, session: InsideSession) -> None:
        super().__init__()
        self.session = session
        self.drawing = InsideDrawing(self)

    @property
    def host(self) -> Host:
        return self.app  # type: ignore[return-value]

    # -- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar(id="inside-status")
        yield Lines(id="inside-layers", classes="inside-panel")
        with SectionArea(id="inside-scroll", classes="inside-panel"):
            yield Lines(id="inside-body")
        yield ValueField(id="inside-input")
        yield KeyBar(id="inside-keys")

    def on_mount(self) -> None:
        self.figures = self.query_one("#inside-layers", Lines)
        self.area = self.query_one(SectionArea)
        self.text = self.query_one("#inside-body", Lines)
        self.value_input = self.query_one(ValueField)
        self.status_bar = self.query_one(StatusBar)
        self.key_bar = self.query_one(KeyBar)
        self.figures.border_title = "layers over epochs"
        self.host.controller.watch_inside()
        self.set_interval(FOLLOW_SECONDS, self.drawing.follow)
        self.redraw()

    def on_resize(self, event: Resize) -> None:
        self.redraw()

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        """Ignores the regions the main screen below passes up: Textual counts the screen just
        under the top one as showing through, so each change there (its status line, log and
        charts follow the run) repainted this whole screen, which covers it with an opaque
        background: about half of the view's cost while training ran at full pace."""
        if regions and not (layout or recompose) and self.styles.background.a == 1:
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    # -- drawing (`InsideDrawing`) ------------------------------------------------------------
    def redraw(self) -> None:
        """Draws everything now (after a key, a resize, or news from the training)."""
        self.drawing.redraw()

    # -- which keys apply -------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        session = self.session
        if action == "next_stage":
            return session.section == "step"
        if action in STEP_ONLY:
            return session.section == "step" and session.trace is not None
        if action == "type_value":
            return session.section == "edit"
        if action in ("adopt", "undo_edits"):
            return bool(session.edits)
        if action == "gradient_check":
            return not session.checking
        return True

    def _changed(self) -> None:
        self.refresh_bindings()
        self.redraw()

    # -- keys -------------------------------------------------------------------------------
    def action_close(self) -> None:
        if self.typing:
            self._stop_typing()
            return
        self.dismiss()

    def action_section(self, name: str) -> None:
        self.session.show(name)
        self.area.scroll_home(animate=False)
        self._changed()

    def action_page(self, step: int) -> None:
        if self.session.section == "weights":
            self.session.turn_page(step)
            self.redraw()
        elif step > 0:
            self.area.scroll_page_down(animate=False)
        else:
            self.area.scroll_page_up(animate=False)

    def action_move(self, step: int) -> None:
        context = self.drawing.context()
        if self.session.section == "edit" and context is not None:
            self.session.move(step, edit_rows(context)[1])
            self.redraw()
        else:
            self.area.scroll_relative(y=step, animate=False)

    def action_next_stage(self) -> None:
        context, session = self.drawing.context(), self.session
        if context is None:
            return
        if session.trace is None:
            self.action_retrace()
            return
        session.next_stage(len(stages_of(session, context, 80)))
        self._changed()

    def action_previous_stage(self) -> None:
        self.session.previous_stage()
        self._changed()

    def action_retrace(self) -> None:
        """Traces one step afresh: the viewer's sample, the weights now (with any edits)."""
        context, session = self.drawing.context(), self.session
        if context is None or context.x is None or context.y is None:
            self.app.notify("a drawing has no label to learn from: pick a test sample (n)")
            return
        network = with_edits(context.model, session.edits)
        session.start_step(network, context.x, context.y, context.lr, context.epoch,
                           context.optimizer, context.sample, self._run_state(context))
        self._changed()

    def _run_state(self, context: Context) -> UpdateState | None:
        """The run's own optimizer state (Adam's moments ...), for the traced step to start
        from; only while no epoch runs (the buffers are the training thread's), else None (the
        walk starts afresh and says so)."""
        controller = self.host.controller
        experiment = controller.experiment
        if experiment is None or "running" in (controller.state.phase, experiment.runner.state):
            return None
        return run_state(context.model, experiment.trainer.optimizer)

    def action_adopt(self) -> None:
        count = len(self.session.edits)
        self.host.ask(f"Make the {count} weight{'s' if count != 1 else ''} edited by hand the "
                      "model's own? Its present weights are lost unless saved.", self._adopt)

    def _adopt(self) -> None:
        context = self.drawing.context()
        if context is None:
            return
        edited = with_edits(context.model, self.session.edits)
        try:
            note = self.host.controller.adopt_weights(edited)
        except USER_ERRORS as error:
            self.app.notify(one_line(error), severity="error")
            return
        self.session.undo_edits()
        self.host.log_panel.note(note)
        self._changed()

    def action_undo_edits(self) -> None:
        self.session.undo_edits()
        self._changed()

    # -- typing a value ---------------------------------------------------------------------
    def action_type_value(self) -> None:
        context = self.drawing.context()
        asked = prompt_for(self.session, context) if context is not None else None
        if asked is not None:
            self.value_input.ask(*asked)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """The value typed goes where the typing began, whatever was selected since: keys
        typed ahead reach the screen before this message does."""
        event.stop()
        context, target = self.drawing.context(), self.value_input.target
        if context is None or target is None:
            return  # an enter typed ahead after the value was taken
        try:
            take_typed(self.session, context, target, event.value)
        except USER_ERRORS as error:
            self.app.notify(one_line(error), severity="error")
            return
        self._stop_typing()
        self._changed()

    @property
    def typing(self) -> bool:
        return self.value_input.asking

    def _stop_typing(self) -> None:
        self.value_input.done()

    # -- the gradient check, in a worker ----------------------------------------------------
    def action_gradient_check(self) -> None:
        controller = self.host.controller
        snapshot, experiment = controller.snapshot(), controller.experiment
        if snapshot is None or experiment is None:
            return
        network = with_edits(snapshot, self.session.edits)
        data = experiment.dataset
        self.session.checking = True
        self.run_worker(partial(_checked, network, data.X_train, data.y_train),
                        name=str(controller.state.epoch), group="inside-check", thread=True,
                        exclusive=True, exit_on_error=False)
        self._changed()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "inside-check":
            return
        if event.state == WorkerState.SUCCESS:
            self.session.checked(worker.result, int(worker.name))
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.session.checking = False
            if worker.error is not None:
                self.app.notify(f"gradient check failed: {one_line(worker.error)}",
                                severity="error")
        else:
            return
        if self.is_mounted:
            self._changed()


def _checked(network: object, X: object, y: object) -> GradientCheck:
    """The gradient check in the worker's thread, quiet about overflow (weights typed by hand):
    its verdict says what went wrong."""
    with np.errstate(all="ignore"):
        return gradient_check(network, X, y)  # type: ignore[arg-type]
