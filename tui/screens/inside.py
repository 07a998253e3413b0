"""`InsideScreen`: look inside the network while it learns (`i` on the main screen).

On top, per layer over the epochs: the weights, the activations over a fixed probe batch, |dW|
and the update ratio against its healthy band, measured by the training thread (`InsideStats`)
and only formatted here. Below, one section at a time (1-4): the first layer's weights as
pictures, the viewer's sample through the network, one training step stage by stage, and editing
weights by hand with your own input. The gradient check (g) runs in a worker thread.

The screen redraws from the controller at most every `VIEW_SECONDS` while training runs (as the
main screen's panels do) and at once after a key. The training keys (t, s, x, [ ], n p m R ...)
still work here: the app lets through the `APP_ACTIONS` this screen names. What the person
changes lives in an `InsideSession` the app keeps, so closing and reopening keeps it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import ClassVar, Protocol, Self

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from engine import GradientCheck, UpdateState, gradient_check, run_state
from tui.controller import Controller
from tui.errors import USER_ERRORS, one_line
from tui.inside.layers_table import layer_table
from tui.inside.params import with_edits
from tui.inside.sections import Context, edit_rows, section_lines, stages_of
from tui.inside.session import SECTIONS, InsideSession, StepOptimizer
from tui.inside.typed import prompt_for, take_typed
from tui.pace import DRAIN_SECONDS, VIEW_SECONDS, pace_label, speed
from tui.widgets.digit_viewer import DigitViewer
from tui.widgets.inside_panels import Lines, SectionArea, ValueField
from tui.widgets.key_bar import KeyBar
from tui.widgets.status_bar import Status, StatusBar
from tui.widgets.training_log import TrainingLog


class Scores(Protocol):
    score: str  # the status line's test score, as the main screen last drew it


class Host(Protocol):
    """What the screen needs of the app (`NNTuiApp`), named here so as not to import it."""

    controller: Controller
    viewer: DigitViewer
    views: Scores
    log_panel: TrainingLog

    def ask(self, question: str, on_yes: Callable[[], None],
            on_no: Callable[[], None] | None = None) -> None: ...

FALLBACK_SIZE = (76, 16)  # before the first layout
FOLLOW_SECONDS = 0.1  # how often the screen looks for news (drawing only when there is some)
ROOMY_HEIGHT = 30  # rows from which the layer table's legend is shown
ROLES = ("pos-1", "pos-2", "pos-3", "neg-1", "neg-2", "neg-3", "spark", "label", "header",
         "muted", "good", "warn", "selected", "edited")
# The app's keys that still apply here: training, pace, samples, saving, help, quit.
APP_ACTIONS = frozenset({
    "train", "pause", "resume", "continue_training", "step", "stop", "reinitialise",
    "next_sample", "previous_sample", "next_misclassified", "random_sample", "slower",
    "faster", "save", "help", "quit", "command_palette"})
SECTIONS_TIP = ("sections: 1 the first layer's weights, 2 the sample through the network, "
                "3 one training step, 4 edit weights by hand and try your own input")
STEP_ONLY = frozenset({"next_stage", "previous_stage", "retrace"})


class InsideScreen(Screen[None]):
    CSS_PATH = Path(__file__).resolve().parent.parent / "inside.tcss"
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"inside--{role}" for role in ROLES}
    APP_ACTIONS = APP_ACTIONS
    AUTO_FOCUS = ""  # no widget takes the keys (not the hidden input) until a value is typed
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,i", "close", "back", key_display="esc i",
                tooltip="back to the main screen (escape also cancels typing)"),
        *(Binding(str(k), f"section('{name}')", "sections", show=k == 1, key_display="1-4",
                  tooltip=SECTIONS_TIP) for k, name in enumerate(SECTIONS, start=1)),
        Binding("enter,space", "next_stage", "next stage",
                tooltip="step section: trace one step for the sample shown, then the next stage"),
        Binding("backspace", "previous_stage", "stage back", tooltip="step: the stage before"),
        Binding("home", "retrace", "afresh",
                tooltip="step: trace again with the weights as they are now"),
        Binding("enter", "type_value", "type value",
                tooltip="edit section: type the selected weight's value, or your own input"),
        Binding("up,k", "move(-1)", "up", show=False, tooltip="edit: the row above; else scroll"),
        Binding("down,j", "move(1)", "down", show=False,
                tooltip="edit: the row below; else scroll"),
        Binding("pagedown", "page(1)", "next page", key_display="pgdn",
                tooltip="weights: the next page of tiles; else scroll a page"),
        Binding("pageup", "page(-1)", "page back", key_display="pgup", show=False,
                tooltip="weights: the page of tiles before; else scroll back"),
        Binding("a", "adopt", "adopt edits",
                tooltip="make the weights edited by hand the model's (not while training runs)"),
        Binding("u", "undo_edits", "undo edits", tooltip="back to the model's own weights"),
        Binding("g", "gradient_check", "gradient check",
                tooltip="check backprop against finite differences, layer by layer"),
    ]

    def __init__(self, session: InsideSession) -> None:
        super().__init__()
        self.session = session
        self._seen: tuple[object, ...] = ()  # what the last drawing was drawn from
        self._drawn_at = self._followed_at = 0.0
        self._styles: dict[str, Style] = {}
        self._titles: dict[Widget, tuple[str, str]] = {}  # each panel's, as last set

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
        self.set_interval(FOLLOW_SECONDS, self._follow)
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

    # -- drawing ----------------------------------------------------------------------------
    def palette(self, role: str) -> Style:
        style = self._styles.get(role)
        if style is None:
            style = self._styles[role] = self.get_component_rich_style(f"inside--{role}")
        return style

    def context(self) -> Context | None:
        """What the sections draw from: the latest weights and the viewer's sample."""
        controller, viewer = self.host.controller, self.host.viewer
        experiment = controller.experiment
        snapshot = controller.snapshot()
        if experiment is None or snapshot is None:
            return None
        if self.session.owner is not experiment:
            self.session.reset(experiment)
        config = experiment.config
        return Context.of(experiment.dataset, snapshot, controller.state.epoch, config.lr,
                          viewer.current_pixels, viewer.index, viewer.draw_mode,
                          StepOptimizer(config.optimizer, config.momentum, config.nesterov))

    def redraw(self) -> None:
        """Draws everything now (after a key, a resize, or news from the training)."""
        self._drawn_at = time.monotonic()
        self._styles.clear()
        context = self.context()
        self._draw_status()
        if context is None:
            self.text.show([Text("loading…", self.palette("muted"))])
            return
        self._seen = self._signature(context)
        self._draw_layers(context)
        room = self.area.scrollable_content_region.size  # less borders, padding, scrollbar
        width, height = (room.width, room.height) if room.width > 0 else FALLBACK_SIZE
        title, lines = section_lines(self.session, context, width, height, self.palette)
        self._set_titles(self.area, title, "  ".join(
            f"[{k} {name}]" if name == self.session.section else f"{k} {name}"
            for k, name in enumerate(SECTIONS, start=1)))
        self.text.show(lines)
        if self.session.section == "edit":  # keep the selected row in view
            top, focus = self.area.scroll_y, self.session.focus_line
            if not top <= focus < top + height:
                self.call_after_refresh(self.area.scroll_to, y=max(focus - height // 2, 0),
                                        animate=False)  # once the new lines are laid out
        self.key_bar.follow()

    def _draw_layers(self, context: Context) -> None:
        feed, session = self.host.controller.inside, self.session
        width = self.figures.content_size.width or FALLBACK_SIZE[0]
        lines = layer_table(list(feed.history), width, session.checks, self.palette,
                            with_legend=self.size.height >= ROOMY_HEIGHT)
        self.figures.show(lines)
        latest = feed.latest
        probe = self.host.controller.experiment.trainer.inside
        rows = f"{len(probe.probe)} training rows" if probe is not None else "training rows"
        self._set_titles(
            self.figures,
            f"layers over epochs · figures at epoch {latest.epoch} on {rows}"
            if latest is not None else "layers over epochs",
            "gradient check: running…" if session.checking else
            f"gradient check at epoch {session.checks_epoch} (g)" if session.checks is not None
            else "g: gradient check")

    def _set_titles(self, panel: Widget, title: str, subtitle: str) -> None:
        """A panel's border title and subtitle, each set only when it changes: a setting parses
        the text and repaints the whole panel."""
        was_title, was_subtitle = self._titles.get(panel, (None, None))
        if title != was_title:
            panel.border_title = title
        if subtitle != was_subtitle:
            panel.border_subtitle = subtitle
        self._titles[panel] = (title, subtitle)

    def _draw_status(self) -> None:
        controller = self.host.controller
        state = controller.state
        self.status_bar.show(Status(f"{controller.model_label} · inside", state.phase,
                                    state.epoch, max(controller.run_target, state.epoch),
                                    pace_label(controller.pace), self.host.views.score,
                                    controller.unsaved))

    def _signature(self, context: Context) -> tuple[object, ...]:
        viewer = self.host.viewer
        return (context.model.params, self.host.controller.inside.latest, viewer.index,
                viewer.draw_mode, context.dataset)

    def _follow(self) -> None:
        """Redraws when the weights, the figures or the sample changed, at a bounded rate: the
        status line and the keys as often as the app drains the events, the rest as often as
        the main screen's panels (while training runs: every UI cycle is taken from it)."""
        controller = self.host.controller
        if not self.is_current or controller.experiment is None:
            return
        now, pace = time.monotonic(), speed(controller.pace)
        running = controller.state.phase == "running"
        if running and now - self._followed_at < DRAIN_SECONDS[pace]:
            return
        self._followed_at = now
        self._draw_status()
        self.key_bar.follow()
        if running and now - self._drawn_at < VIEW_SECONDS[pace]:
            return
        context = self.context()
        if context is not None and not _same(self._signature(context), self._seen):
            self.redraw()

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
        context = self.context()
        if self.session.section == "edit" and context is not None:
            self.session.move(step, edit_rows(context)[1])
            self.redraw()
        else:
            self.area.scroll_relative(y=step, animate=False)

    def action_next_stage(self) -> None:
        context, session = self.context(), self.session
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
        context, session = self.context(), self.session
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
        context = self.context()
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
        context = self.context()
        asked = prompt_for(self.session, context) if context is not None else None
        if asked is not None:
            self.value_input.ask(*asked)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """The value typed goes where the typing began, whatever was selected since: keys
        typed ahead reach the screen before this message does."""
        event.stop()
        context, target = self.context(), self.value_input.target
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


def _same(now: tuple[object, ...], seen: tuple[object, ...]) -> bool:
    """Whether two signatures match: the very same objects (weights, figures, dataset), equal
    numbers (the sample's index)."""
    return len(now) == len(seen) and all(
        a is b or (isinstance(a, int) and isinstance(b, int) and a == b)
        for a, b in zip(now, seen))


def _checked(network: object, X: object, y: object) -> GradientCheck:
    """The gradient check in the worker's thread, quiet about overflow (weights typed by hand):
    its verdict says what went wrong."""
    with np.errstate(all="ignore"):
        return gradient_check(network, X, y)  # type: ignore[arg-type]
