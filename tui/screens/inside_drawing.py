"""`InsideDrawing`: the inside view (`InsideScreen`) drawn from the controller: the layer table
on top, the section below, the status line and the keys. After a key it draws at once; while
training runs it follows the news at a bounded rate (`follow`), drawing only what changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from tui.controller import Controller
from tui.inside.layers_table import layer_table
from tui.inside.sections import Context, section_lines
from tui.inside.session import SECTIONS, InsideSession, StepOptimizer
from tui.pace import DRAIN_SECONDS, VIEW_SECONDS, pace_label, speed
from tui.widgets.digit_viewer import DigitViewer
from tui.widgets.inside_panels import Lines, SectionArea
from tui.widgets.key_bar import KeyBar
from tui.widgets.status_bar import Status, StatusBar
from tui.widgets.training_log import TrainingLog

FALLBACK_SIZE = (76, 16)  # before the first layout
ROOMY_HEIGHT = 30  # rows from which the layer table's legend is shown


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


class Drawn(Protocol):
    """What the drawing needs of the screen (`InsideScreen`), named here so as not to import it."""

    session: InsideSession
    figures: Lines
    area: SectionArea
    text: Lines
    status_bar: StatusBar
    key_bar: KeyBar

    @property
    def host(self) -> Host: ...
    @property
    def size(self) -> Size: ...
    @property
    def is_current(self) -> bool: ...
    def get_component_rich_style(self, *names: str, partial: bool = False) -> Style: ...
    def call_after_refresh(self, callback: Callable[..., Any], *args: Any,
                           **kwargs: Any) -> bool: ...
    def redraw(self) -> None: ...


class InsideDrawing:
    """Draws `screen` (see the module's story); keeps what the last drawing was drawn from."""

    def __init__(self, screen: Drawn) -> None:
        self.screen = screen
        self._seen: tuple[object, ...] = ()  # what the last drawing was drawn from
        self._drawn_at = self._followed_at = 0.0
        self._styles: dict[str, Style] = {}
        self._titles: dict[Widget, tuple[str, str]] = {}  # each panel's, as last set

    def palette(self, role: str) -> Style:
        style = self._styles.get(role)
        if style is None:
            style = self._styles[role] = self.screen.get_component_rich_style(f"inside--{role}")
        return style

    def context(self) -> Context | None:
        """What the sections draw from: the latest weights and the viewer's sample."""
        screen = self.screen
        controller, viewer = screen.host.controller, screen.host.viewer
        experiment = controller.experiment
        snapshot = controller.snapshot()
        if experiment is None or snapshot is None:
            return None
        if screen.session.owner is not experiment:
            screen.session.reset(experiment)
        config = experiment.config
        return Context.of(experiment.dataset, snapshot, controller.state.epoch, config.lr,
                          viewer.current_pixels, viewer.index, viewer.draw_mode,
                          StepOptimizer(config.optimizer, config.momentum, config.nesterov))

    def redraw(self) -> None:
        """Draws everything now (after a key, a resize, or news from the training)."""
        screen, session = self.screen, self.screen.session
        self._drawn_at = time.monotonic()
        self._styles.clear()
        context = self.context()
        self._draw_status()
        if context is None:
            screen.text.show([Text("loading…", self.palette("muted"))])
            return
        self._seen = self._signature(context)
        self._draw_layers(context)
        room = screen.area.scrollable_content_region.size  # less borders, padding, scrollbar
        width, height = (room.width, room.height) if room.width > 0 else FALLBACK_SIZE
        title, lines = section_lines(session, context, width, height, self.palette)
        self._set_titles(screen.area, title, "  ".join(
            f"[{k} {name}]" if name == session.section else f"{k} {name}"
            for k, name in enumerate(SECTIONS, start=1)))
        screen.text.show(lines)
        if session.section == "edit":  # keep the selected row in view
            top, focus = screen.area.scroll_y, session.focus_line
            if not top <= focus < top + height:
                screen.call_after_refresh(screen.area.scroll_to, y=max(focus - height // 2, 0),
                                          animate=False)  # once the new lines are laid out
        screen.key_bar.follow()

    def _draw_layers(self, context: Context) -> None:
        screen = self.screen
        feed, session = screen.host.controller.inside, screen.session
        width = screen.figures.content_size.width or FALLBACK_SIZE[0]
        lines = layer_table(list(feed.history), width, session.checks, self.palette,
                            with_legend=screen.size.height >= ROOMY_HEIGHT)
        screen.figures.show(lines)
        latest = feed.latest
        probe = screen.host.controller.experiment.trainer.inside
        rows = f"{len(probe.probe)} training rows" if probe is not None else "training rows"
        self._set_titles(
            screen.figures,
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
        host = self.screen.host
        controller = host.controller
        state = controller.state
        self.screen.status_bar.show(Status(f"{controller.model_label} · inside", state.phase,
                                           state.epoch, max(controller.run_target, state.epoch),
                                           pace_label(controller.pace), host.views.score,
                                           controller.unsaved))

    def _signature(self, context: Context) -> tuple[object, ...]:
        host = self.screen.host
        viewer = host.viewer
        return (context.model.params, host.controller.inside.latest, viewer.index,
                viewer.draw_mode, context.dataset)

    def follow(self) -> None:
        """Redraws when the weights, the figures or the sample changed, at a bounded rate: the
        status line and the keys as often as the app drains the events, the rest as often as
        the main screen's panels (while training runs: every UI cycle is taken from it)."""
        screen = self.screen
        controller = screen.host.controller
        if not screen.is_current or controller.experiment is None:
            return
        now, pace = time.monotonic(), speed(controller.pace)
        running = controller.state.phase == "running"
        if running and now - self._followed_at < DRAIN_SECONDS[pace]:
            return
        self._followed_at = now
        self._draw_status()
        screen.key_bar.follow()
        if running and now - self._drawn_at < VIEW_SECONDS[pace]:
            return
        context = self.context()
        if context is not None and not _same(self._signature(context), self._seen):
            screen.redraw()


def _same(now: tuple[object, ...], seen: tuple[object, ...]) -> bool:
    """Whether two signatures match: the very same objects (weights, figures, dataset), equal
    numbers (the sample's index)."""
    return len(now) == len(seen) and all(
        a is b or (isinstance(a, int) and isinstance(b, int) and a == b)
        for a, b in zip(now, seen))
