"""`SampleViews`: the sample panel, showing the view that suits the dataset and cycling through the
others on a key (`w`): the digit viewer (the test sample), or one of `InputSpace`'s pictures of
what the network computes over its input space (`tui.space_views` says which apply, first the
one to open with).

The app keeps talking to the digit viewer as before (browsing, draw mode); this panel only
decides which of its two children is displayed, hands the input-space view the scores and the
selected sample, and names the view in its border.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Container
from textual.widget import Widget

from engine import Dataset, Evaluated, Network
from tui.space_views import SHORT, title, views_for
from tui.widgets.digit_viewer import DigitViewer
from tui.widgets.input_space import InputSpace

# The app's actions this panel answers for, and when each applies.
ACTIONS = frozenset({"cycle_view", "next_layer", "previous_layer", "test_points", "zoom"})


class SampleViews(Container):
    ALLOW_MAXIMIZE = True  # `z` zooms the pictures to the whole screen
    DEFAULT_CSS: ClassVar[str] = """
    SampleViews > DigitViewer { padding: 0; }
    SampleViews > InputSpace { height: 1fr; }
    """

    def __init__(self, viewer: DigitViewer, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.viewer = viewer
        self.space = InputSpace(id="space")
        self.views: tuple[str, ...] = ("sample",)
        self.view = "sample"
        self._classification = True

    def compose(self) -> ComposeResult:
        yield self.viewer
        yield self.space

    def on_mount(self) -> None:
        self._show()

    # -- what the app sets --------------------------------------------------------------------
    def set_dataset(self, dataset: Dataset) -> None:
        """A new dataset: its first view, the space view emptied."""
        self.views = views_for(dataset)
        self._classification = dataset.is_classification
        self.space.set_dataset(dataset)
        self.show_view(self.views[0])

    def show_scores(self, scores: Evaluated, network: Network | None) -> None:
        self.space.show_scores(scores, network)

    def follow(self) -> None:
        """The digit viewer's sample is the one highlighted in the pictures."""
        self.space.select(self.viewer.index if self.viewer.dataset is not None else None)

    # -- the keys -----------------------------------------------------------------------------
    def can(self, action: str) -> bool:
        if action == "cycle_view":
            return len(self.views) > 1
        if action in ("next_layer", "previous_layer"):
            return self.view == "neurons"
        if action == "test_points":
            return self.view in ("regions", "curve")
        return True

    def cycle(self, step: int = 1) -> None:
        index = self.views.index(self.view) if self.view in self.views else -1
        self.show_view(self.views[(index + step) % len(self.views)])

    def show_view(self, view: str) -> None:
        """Shows `view` if it applies (the sample view always does)."""
        if view not in self.views and view != "sample":
            return
        focused_here = self.screen.focused is not None and \
            self in self.screen.focused.ancestors_with_self if self.is_mounted else False
        self.view = view
        self._show()
        if focused_here:
            target = self.focus_target()
            if target is not None:
                target.focus()

    def _show(self) -> None:
        sample = self.view == "sample"
        self.viewer.display = sample
        self.space.display = not sample
        if not sample:
            self.space.set_view(self.view)
            self.follow()
        self.border_title = title(self.view, self._classification)
        if len(self.views) > 1:
            after = self.views[(self.views.index(self.view) + 1) % len(self.views)] \
                if self.view in self.views else self.views[0]
            self.border_subtitle = f"w: {SHORT[after]}"
        else:
            self.border_subtitle = ""

    def focus_target(self) -> Widget | None:
        """Where the focus goes when the panel is chosen: the child that is shown."""
        return self.viewer if self.view == "sample" else self.space
