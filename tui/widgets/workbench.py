"""`Workbench`: the grid that holds the five panels, and moving between them.

From 100x30 up every panel is on screen. Below that the workbench turns compact and shows one of
two views, "design" (editor, confusion matrix, log) or "watch" (charts, digit viewer, log);
`v` switches, and tab / shift+tab switch too when the next panel is in the other view. Which
panel belongs to which view is the `in-design` / `in-watch` classes, the layout is app.tcss.
"""

from __future__ import annotations

from textual.containers import Container
from textual.events import Resize
from textual.reactive import reactive
from textual.widget import Widget

MIN_WIDE = (100, 28)  # columns and rows (the screen less status line and footer)
VIEWS = ("design", "watch")


class Workbench(Container):
    compact: reactive[bool] = reactive(False)
    view: reactive[str] = reactive("design")

    def on_resize(self, event: Resize) -> None:
        self.compact = event.size.width < MIN_WIDE[0] or event.size.height < MIN_WIDE[1]

    def watch_compact(self, compact: bool) -> None:
        self.set_class(compact, "-compact")
        self.app.refresh_bindings()  # `v` applies in compact views only: the key bar follows

    def watch_view(self, view: str) -> None:
        for name in VIEWS:
            self.set_class(view == name, f"-{name}")

    @property
    def panels(self) -> list[Widget]:
        return [child for child in self.children if child.has_class("panel")]

    def shows(self, panel: Widget) -> bool:
        return not self.compact or panel.has_class(f"in-{self.view}")

    def toggle_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.focus_panel(next(p for p in self.panels if p.has_class(f"in-{self.view}")))

    def reveal(self, panel: Widget) -> None:
        """Switches to a view that shows `panel` (compact only)."""
        if not self.shows(panel):
            self.view = next(v for v in VIEWS if panel.has_class(f"in-{v}"))

    def focus_panel(self, panel: Widget) -> None:
        self.reveal(panel)
        target = focus_target(panel)
        if target is not None:
            self.call_after_refresh(target.focus)

    def move(self, step: int) -> None:
        """Focuses the next (or previous) panel that can take the focus."""
        panels = [p for p in self.panels if focus_target(p) is not None]
        if not panels:
            return
        focused = self.screen.focused
        current = next((i for i, p in enumerate(panels)
                        if focused is not None and (focused is p or p in focused.ancestors)), -1)
        if current == -1 and step < 0:
            current = 0
        self.focus_panel(panels[(current + step) % len(panels)])


def focus_target(panel: Widget) -> Widget | None:
    """Where the focus goes in a panel: its own choice, itself, or its first focusable child."""
    chosen = getattr(panel, "focus_target", None)
    if callable(chosen):
        return chosen()
    if panel.can_focus:
        return panel
    return next((w for w in panel.walk_children(Widget) if w.can_focus and not w.disabled), None)
