"""`PanelsApp`: the app's panels and the keys that look around them (the test samples, the
sample panel's pictures and its zoom, the loss scale, the log's pages, the focus between panels).
Nothing here trains or changes the model: `NNTuiApp`, built on it, maps the other keys to the
controller."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from textual.app import App, ComposeResult
from textual.screen import Screen

from tui.screens.main_screen import MainScreen
from tui.views import LiveViews
from tui.widgets.architecture import ArchitectureEditor
from tui.widgets.charts import TrainingCharts
from tui.widgets.confusion import ConfusionMatrix
from tui.widgets.digit_viewer import DigitViewer
from tui.widgets.key_bar import KeyBar
from tui.widgets.sample_views import SampleViews
from tui.widgets.status_bar import StatusBar
from tui.widgets.training_log import Clock, TrainingLog
from tui.widgets.workbench import Workbench

PANEL_TITLES = {"editor": "architecture", "charts": "training curves", "viewer": "test sample",
                "confusion": "confusion matrix (test)", "log": "training log"}


class PanelsApp(App[int]):
    """The panels (see the module's story). `clock` times the log's lines, `sample_seed` seeds
    the test samples shown; the subclass builds `views` when it mounts, before a key reaches it."""

    views: LiveViews

    def __init__(self, clock: Clock, sample_seed: int) -> None:
        super().__init__()
        self.clock = clock
        self.sample_seed = sample_seed

    # -- layout -----------------------------------------------------------------------------
    def get_default_screen(self) -> Screen[None]:
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Workbench(id="workbench"):
            yield ArchitectureEditor(id="editor", classes="panel in-design")
            yield TrainingCharts(id="charts", classes="panel in-watch")
            yield SampleViews(DigitViewer(rng=np.random.default_rng(self.sample_seed),
                                          id="sample"), id="viewer", classes="panel in-watch")
            yield ConfusionMatrix(id="confusion", classes="panel in-design")
            yield TrainingLog(self.clock, id="log", classes="panel in-watch in-design")
        yield KeyBar(id="keys")

    def find_panels(self) -> None:
        """The panels, kept: queries run on the active screen, which may be a dialog."""
        self.workbench = self.query_one(Workbench)
        self.editor = self.query_one(ArchitectureEditor)
        self.charts = self.query_one(TrainingCharts)
        self.viewer = self.query_one(DigitViewer)
        self.samples = self.query_one(SampleViews)
        self.confusion = self.query_one(ConfusionMatrix)
        self.log_panel = self.query_one(TrainingLog)
        self.status_bar = self.query_one(StatusBar)
        self.key_bar = self.query_one(KeyBar)
        for panel in self.workbench.panels:
            panel.border_title = PANEL_TITLES[panel.id]

    # -- viewing keys ---------------------------------------------------------------------------
    def action_next_sample(self) -> None:
        self._browse(self.viewer.next_sample)

    def action_previous_sample(self) -> None:
        self._browse(self.viewer.previous_sample)

    def action_next_misclassified(self) -> None:
        self._browse(self.viewer.next_misclassified)

    def action_random_sample(self) -> None:
        self._browse(self.viewer.random_sample)

    def _browse(self, move: Callable[[], None]) -> None:
        self.workbench.reveal(self.samples)
        move()
        self.samples.follow()

    def action_draw(self) -> None:
        self.viewer.toggle_draw_mode()
        if self.viewer.draw_mode:
            self.samples.show_view("sample")
            self.workbench.focus_panel(self.samples)
            if self.viewer.image_shrunk and self.screen.maximized is None:
                self.action_zoom()  # draw on every pixel: the panel over the whole screen
                self.viewer.zoomed_for_drawing = True  # leaving draw mode comes back

    @property
    def escape_to_minimize(self) -> bool:
        """In draw mode `escape` leaves draw mode first (then the zoom, if drawing made it)."""
        return not self.viewer.draw_mode and super().escape_to_minimize

    # -- the sample panel's pictures (w , . o) ------------------------------------------------
    def action_cycle_view(self) -> None:
        self.workbench.reveal(self.samples)
        self.samples.cycle()
        self.refresh_bindings()

    def action_next_layer(self) -> None:
        self.samples.space.step_page(1)

    def action_previous_layer(self) -> None:
        self.samples.space.step_page(-1)

    def action_test_points(self) -> None:
        self.samples.space.toggle_test()

    def action_zoom(self) -> None:
        """The sample panel over the whole screen (its maps drawn at the larger size), or back."""
        if self.screen.maximized is not None:
            self.screen.minimize()
        else:
            self.workbench.reveal(self.samples)
            self.screen.maximize(self.samples, container=False)

    def action_log_scale(self) -> None:
        self.views.log_scale = not self.views.log_scale
        self.workbench.reveal(self.charts)
        self.views.refresh()

    def action_log_page_up(self) -> None:
        """A page back in the log; new lines stop pulling it to the end until pgdn gets
        there again."""
        self.workbench.reveal(self.log_panel)
        self.log_panel.auto_scroll = False
        self.log_panel.scroll_page_up(animate=False)

    def action_log_page_down(self) -> None:
        log = self.log_panel
        self.workbench.reveal(log)
        log.auto_scroll = log.scroll_y + log.scrollable_content_region.height >= log.max_scroll_y
        log.scroll_page_down(animate=False)

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
